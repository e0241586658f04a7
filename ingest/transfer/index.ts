// Transfer packages (docs/transfer-package.md): packing a department's folder tree, safe
// unpacking, and checking a package against its manifest without ingesting it.
export { packTransfer, type PackOptions, type PackResult } from './pack';
export { unpackTransfer, safeEntryName, collisionKey, isGzip, type UnsafeReason } from './unpack';
export { checkManifestAgainstFiles, checkTransfer } from './check';
export { detectLanguage, dateFromName, numberFromName, titleFromName, readDocumentProperties } from './infer';
export {
  DEFAULT_UNPACK_LIMITS,
  DOCUMENT_LIMITS,
  MANIFEST_NAME,
  SIGNATURE_EXTENSIONS,
  type TransferProblem,
  type UnpackLimits,
  type UnpackedEntry,
  type TransferManifest,
  type TransferDossier,
  type TransferDocument,
  type TransferFile,
} from './types';
