// Exchange with a state archive (issue 14, docs/exchange.md): holdings exported as E-ARK
// CSIP/SIP packages, optionally in a BagIt bag, as a tar or a folder; and such packages
// imported back as transfers. Knows nothing of HTTP; the CLI (`muragat export`, `muragat
// import`) is a thin layer over these functions.
export {
  exportHoldings,
  selectDossiers,
  describeScope,
  assertMayExchange,
  SCHEMA_FILES,
  type ExportScope,
  type ExportFormat,
  type ExportContainer,
  type ExportInput,
  type ExportProgress,
  type ExportReport,
  type ExportedPackage,
  type ExchangeDeps,
} from './export';
export { importPackages, PackageRefused, type ImportDeps, type ImportInput, type ImportProgress, type ImportPhase, type ImportReport, type ImportedTransfer } from './import';
export { checkCsipRequirements, checkReferencedFiles, parseMets, readPackageMets, referencedFiles, type PackageProblem } from './csip-check';
export { validateBag, bagTagFiles, type BagProblem } from './bagit';
export { SIP_PROFILE, CSIP_PROFILE, KNOWN_PROFILES, CONTENT_CATEGORY } from './mets';
export { REPRESENTATIONS, AREA_PREFIX, AIP_MANIFEST_IN_PACKAGE, DOSSIER_JSON_IN_PACKAGE, PREMIS_IN_PACKAGE, DC_IN_PACKAGE, packagePathOf } from './layout';
export { problemMessage } from './messages';
