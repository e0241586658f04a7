// Destruction (issue 12, p.186-1): executing an approved destruction act so that no storage
// location, replica or backup can bring the dossiers' content back (content keys destroyed,
// sealed envelopes deleted, a catalog record and a certificate kept), and the backups that
// never carry those keys. docs/destruction.md says why it holds. Knows nothing of HTTP.
// Ingest and preservation read sealed content through content.ts directly (a lower layer than
// execution, which builds on appraisal).
export { executeAct, checkExecution, DESTRUCTION_METHOD, type ExecuteDeps, type ExecutionReport, type DestroyedDossierReport } from './execute';
export { createBackup, listBackups, restoreBackup, reapplyDestructions, type BackupManifest, type BackupPhase, type BackupProgress, type RestoreReport } from './backup';
export { destroyedDossier, dossierContent, openContentSealer, repairDossierKey, storedObjectOf, GoneError, type ContentSealer, type DossierContent, type DestroyedRef, type StoredObject } from './content';
export { renderCertificate, type CertificateModel } from './certificate';
export { getCertificate, certificateStatement, executorSignatureOf, signCertificate, type CertificateView } from './certificates';
