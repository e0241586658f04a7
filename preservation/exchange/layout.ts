// Where each object of a dossier's AIP goes in its E-ARK CSIP package (docs/exchange.md).
// Package path = area prefix + the AIP path, so the AIP's own names survive and the import can
// map a package file back to its AIP entry without a table.
import type { AipEntry } from '../../ingest/aip';
import { SEALING_MAP_PATH } from '../../ingest/aip';

/** The two representations: the signed originals as received and their PDF/A renditions. */
export const REPRESENTATIONS = {
  original: 'representations/original',
  pdfa: 'representations/pdfa',
} as const;

export type PackageArea = 'original' | 'pdfa' | 'documentation' | 'descriptive' | 'preservation' | 'other';

export const AREA_PREFIX: Record<PackageArea, string> = {
  original: `${REPRESENTATIONS.original}/data`,
  pdfa: `${REPRESENTATIONS.pdfa}/data`,
  documentation: 'documentation',
  descriptive: 'metadata/descriptive',
  preservation: 'metadata/preservation',
  other: 'metadata/other',
};

/** The AIP manifest travels in the package so an import can prove it holds the whole AIP. */
export const AIP_MANIFEST_IN_PACKAGE = `${AREA_PREFIX.other}/aip-manifest.json`;
export const DOSSIER_JSON_IN_PACKAGE = `${AREA_PREFIX.descriptive}/dossier.json`;
export const PREMIS_IN_PACKAGE = `${AREA_PREFIX.preservation}/premis.xml`;
export const DC_IN_PACKAGE = `${AREA_PREFIX.descriptive}/dc.xml`;

/**
 * The area of an AIP entry, or null for what stays home: the sealing map names this archive's
 * keys (meaningless elsewhere, and the package carries the opened content).
 */
export function areaOf(entry: Pick<AipEntry, 'path' | 'role'>): PackageArea | null {
  if (entry.path === SEALING_MAP_PATH) return null;
  switch (entry.role) {
    case 'original':
    case 'attachment':
    case 'signature':
      return 'original';
    case 'rendition':
      return 'pdfa';
    case 'document-metadata':
    case 'dossier-metadata':
      return 'descriptive';
    case 'internal-inventory':
    case 'internal-inventory-rendition':
    case 'internal-inventory-signature':
      return 'documentation';
    default:
      return 'other';
  }
}

export function packagePathOf(entry: Pick<AipEntry, 'path' | 'role'>): string | null {
  const area = areaOf(entry);
  return area ? `${AREA_PREFIX[area]}/${entry.path}` : null;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  json: 'application/json',
  xml: 'application/xml',
  xsd: 'application/xml',
  txt: 'text/plain',
  p7s: 'application/pkcs7-signature',
  cms: 'application/pkcs7-signature',
  sig: 'application/pkcs7-signature',
  p7m: 'application/pkcs7-mime',
  cer: 'application/pkix-cert',
  crt: 'application/pkix-cert',
  crl: 'application/pkix-crl',
  tsr: 'application/timestamp-reply',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  rtf: 'application/rtf',
  html: 'text/html',
  htm: 'text/html',
  csv: 'text/csv',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  gif: 'image/gif',
  zip: 'application/zip',
  tar: 'application/x-tar',
  eml: 'message/rfc822',
};

/** IANA media type: the one the ingest identified when known, else from the extension. */
export function mimeOf(name: string, identified?: string): string {
  if (identified && /^[a-z]+\/[A-Za-z0-9.+-]+$/.test(identified) && identified !== 'application/octet-stream') return identified;
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && MIME_BY_EXTENSION[ext]) || 'application/octet-stream';
}
