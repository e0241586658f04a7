// Researchers, copy requests and certified copies (issue 13; docs/research.md). No HTTP here.
export * from './requests.service';
export { makeCopies, downloadByToken, downloadForUser, printCopies, unpack, GoneError, type CopiesDeps, type CopyProgress, type MadeCopies, type PackageDownload } from './copies.service';
export { sweepExpiredPackages, packageSweepJob, startPackageSweeper, nextSweepAt, PACKAGE_SWEEP_JOB_NAME, type SweepResult, type SweptPackage, type PackageSweeper } from './sweep';
export { certifyCopy, watermarkText, STAMP, type CertificationInfo } from './certify';
export { loadArchiveSigner, type ArchiveSigner } from './system-signer';
export { researcherView, type ResearcherView } from './access-check';
export type { RequestStatus, ResearcherStatus, RequestDelivery, PackageManifestFile } from './tables';
