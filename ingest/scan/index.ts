// Format identification and malware scan (docs/CONTRACTS.md, "Format identification and malware scan").
export { identifyFormat, detectTextEncoding, type FormatId } from './identify';
export { scanForMalware, parseClamOutput, malwareVerdict, quarantineInfected, malwareHealth, CLAMAV_DEFAULT_DATABASE_DIR, type MalwareResult, type MalwareVerdict, type MalwareHealth } from './malware';
export { ZipArchive, ZipFormatError, type ZipEntry } from './zip';
