// Format identification and malware scan (docs/CONTRACTS.md, "Format identification and malware scan").
export { identifyFormat, detectTextEncoding, type FormatId } from './identify';
export { scanForMalware, parseClamOutput, type MalwareResult } from './malware';
export { ZipArchive, ZipFormatError, type ZipEntry } from './zip';
