// The XML of an E-ARK CSIP/SIP package: the package METS.xml (CSIP profile, its required
// attributes and sections), the PREMIS 3 preservation metadata (every file with its fixity,
// the ingest events, the signature checks and this export's own fixity check) and a simple
// Dublin Core description. Everything a METS file element needs (checksum, size, creation) is
// known from the AIP manifest before a byte is read, so these are built up front.
import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { AipManifest, DocumentMetadata, DossierMetadata } from '../../validators/schemas/types';
import { AREA_PREFIX, DC_IN_PACKAGE, PREMIS_IN_PACKAGE, REPRESENTATIONS, type PackageArea } from './layout';

export const NS = {
  mets: 'http://www.loc.gov/METS/',
  xlink: 'http://www.w3.org/1999/xlink',
  csip: 'https://DILCIS.eu/XML/METS/CSIPExtensionMETS',
  sip: 'https://DILCIS.eu/XML/METS/SIPExtensionMETS',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  premis: 'http://www.loc.gov/premis/v3',
  dc: 'http://purl.org/dc/elements/1.1/',
} as const;

/** The profile the package states (CSIP6); an E-ARK SIP is a CSIP with the SIP extension. */
export const SIP_PROFILE = 'https://earksip.dilcis.eu/profile/E-ARK-SIP.xml';
export const CSIP_PROFILE = 'https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml';
/** Profiles an import accepts: ours, and plain CSIP packages laid out the same way. */
export const KNOWN_PROFILES = [SIP_PROFILE, CSIP_PROFILE] as const;
/** mets/@TYPE from the CSIP content category vocabulary (CSIP2). */
export const CONTENT_CATEGORY = 'Textual works – Digital';
export const OTHER_CONTENT_INFORMATION_TYPE = 'Muragat e-dossier (muragat.dossier/1)';

export interface PackageFile {
  /** Path inside the package root folder. */
  path: string;
  sha256: string;
  size: number;
  mime: string;
  /** When the file was made (the AIP's creation for stored objects). */
  created: string;
  area: PackageArea | 'schemas';
  /** The AIP entry it carries, when it is one. */
  aipPath?: string;
  documentId?: string;
  /** The format the ingest identified (PREMIS formatName). */
  format?: string;
  /** The document's file name as received (PREMIS originalName). */
  originalName?: string;
}

export interface MetsInput {
  objid: string;
  label: string;
  createdAt: string;
  software: { name: string; version: string };
  organisation: { name: string; bin?: string | null };
  dossier: DossierMetadata;
  manifest: AipManifest;
  documents: DocumentMetadata[];
  /** Every file of the package except METS.xml, premis.xml and dc.xml. */
  files: PackageFile[];
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });
const xmlDeclaration = { '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' } };

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function xmlBytes(root: Record<string, unknown>): Buffer {
  return Buffer.from(builder.build({ ...xmlDeclaration, ...root }), 'utf8');
}

/** xs:ID values: an NCName, unique within the document. */
function idFactory() {
  const used = new Map<string, number>();
  return (prefix: string, hint = ''): string => {
    const base = `${prefix}${hint ? '-' + hint.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) : ''}` || prefix;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  };
}

// ---- PREMIS -------------------------------------------------------------------------------

const EVENT_TYPES: Record<string, string> = {
  'ingest.unpack': 'unpacking',
  'ingest.manifest': 'metadata extraction',
  'ingest.identify': 'format identification',
  'ingest.scan': 'virus check',
  'ingest.signatures': 'validation',
  'ingest.convert': 'migration',
  'ingest.validate': 'validation',
  'ingest.store': 'ingestion',
};

interface PremisEvent {
  type: string;
  at: string;
  detail: string;
  outcome: string;
  outcomeDetail?: string;
  agent: string;
  objects: string[];
}

export function buildPremis(input: MetsInput): Buffer {
  const id = idFactory();
  const software = `${input.software.name} ${input.software.version}`;
  const byAip = new Map(input.files.filter((f) => f.aipPath).map((f) => [f.aipPath!, f.path]));
  const objects = input.files
    .filter((f) => f.area !== 'schemas')
    .map((f) => ({
      '@_xsi:type': 'premis:file',
      'premis:objectIdentifier': { 'premis:objectIdentifierType': 'local', 'premis:objectIdentifierValue': f.path },
      'premis:objectCharacteristics': {
        'premis:compositionLevel': 0,
        'premis:fixity': { 'premis:messageDigestAlgorithm': 'SHA-256', 'premis:messageDigest': f.sha256, 'premis:messageDigestOriginator': software },
        'premis:size': f.size,
        'premis:format': { 'premis:formatDesignation': { 'premis:formatName': f.format ?? f.mime } },
      },
      ...(f.originalName ? { 'premis:originalName': f.originalName } : {}),
    }));

  const events: PremisEvent[] = [];
  for (const e of input.manifest.events) {
    events.push({
      type: EVENT_TYPES[e.type] ?? e.type,
      at: e.at,
      detail: `${e.type}${e.tool ? ` (${e.tool})` : ''}`,
      outcome: e.outcome,
      ...(e.detail ? { outcomeDetail: e.detail } : {}),
      agent: e.actor ?? software,
      objects: [],
    });
  }
  // The signature checks of every document (p.94–97): the verdict, who signed, and why not.
  for (const doc of input.documents) {
    const original = input.files.find((f) => f.documentId === doc.identifier && f.area === 'original' && /\/original\//.test(f.path));
    for (const s of doc.signatures) {
      const sigPath = input.files.find((f) => f.documentId === doc.identifier && f.sha256 === s.sha256)?.path;
      const signers = (s.signers ?? []).map((x) => `${x.subject}; serial ${x.serialNumber}; issuer ${x.issuer}${x.signingTime ? `; signed ${x.signingTime}` : ''}`);
      events.push({
        type: 'validation',
        at: s.verifiedAt ?? input.manifest.createdAt,
        detail: `CMS signature verification of ${s.name}${s.tool ? ` (${s.tool.name}${s.tool.version ? ' ' + s.tool.version : ''})` : ''}`,
        outcome: s.verdict,
        ...(signers.length || s.reason ? { outcomeDetail: [...signers, ...(s.reason ? [`reason: ${s.reason}`] : [])].join('\n') } : {}),
        agent: software,
        objects: [sigPath, original?.path].filter((x): x is string => Boolean(x)),
      });
    }
  }
  // The dossier's own signatures (inventory and integrity statement).
  for (const s of input.dossier.integrity.signatures ?? []) {
    const file = input.files.find((f) => f.sha256 === s.cmsSha256)?.path;
    events.push({
      type: 'validation',
      at: s.signingTime ?? input.manifest.createdAt,
      detail: `CMS signature verification of the dossier ${s.kind} statement`,
      outcome: s.verdict,
      outcomeDetail: `${s.signedBy.name} (${s.signedBy.role}); ${s.signedBy.subject}; serial ${s.signedBy.serialNumber}; issuer ${s.signedBy.issuer}`,
      agent: software,
      objects: file ? [file] : [],
    });
  }
  events.push({
    type: 'fixity check',
    at: input.createdAt,
    detail: 'every object read from storage and proven against its SHA-256 before it was written to this package',
    outcome: 'success',
    agent: software,
    objects: [...byAip.values()],
  });

  const agentIds = new Map<string, string>();
  const agentOf = (name: string) => {
    let value = agentIds.get(name);
    if (!value) agentIds.set(name, (value = id('agent', name)));
    return value;
  };
  const premisEvents = events.map((e) => ({
    'premis:eventIdentifier': { 'premis:eventIdentifierType': 'local', 'premis:eventIdentifierValue': id('event', e.type) },
    'premis:eventType': e.type,
    'premis:eventDateTime': e.at,
    'premis:eventDetailInformation': { 'premis:eventDetail': e.detail },
    'premis:eventOutcomeInformation': {
      'premis:eventOutcome': e.outcome,
      ...(e.outcomeDetail ? { 'premis:eventOutcomeDetail': { 'premis:eventOutcomeDetailNote': e.outcomeDetail } } : {}),
    },
    'premis:linkingAgentIdentifier': { 'premis:linkingAgentIdentifierType': 'local', 'premis:linkingAgentIdentifierValue': agentOf(e.agent) },
    'premis:linkingObjectIdentifier': e.objects.map((o) => ({ 'premis:linkingObjectIdentifierType': 'local', 'premis:linkingObjectIdentifierValue': o })),
  }));
  const tools = new Map(input.manifest.tools.map((t) => [t.name, t.version]));
  const agents = [...agentIds].map(([name, value]) => {
    const isSoftware = name === software || tools.has(name);
    return {
      'premis:agentIdentifier': { 'premis:agentIdentifierType': 'local', 'premis:agentIdentifierValue': value },
      'premis:agentName': name,
      'premis:agentType': isSoftware ? 'software' : 'person',
    };
  });
  for (const [name, version] of tools) {
    agents.push({
      'premis:agentIdentifier': { 'premis:agentIdentifierType': 'local', 'premis:agentIdentifierValue': id('agent', name) },
      'premis:agentName': `${name} ${version}`,
      'premis:agentType': 'software',
    });
  }
  agents.push({
    'premis:agentIdentifier': { 'premis:agentIdentifierType': input.organisation.bin ? 'BIN' : 'local', 'premis:agentIdentifierValue': input.organisation.bin ?? id('agent', 'organisation') },
    'premis:agentName': input.organisation.name,
    'premis:agentType': 'organization',
  });
  return xmlBytes({
    'premis:premis': {
      '@_xmlns:premis': NS.premis,
      '@_xmlns:xsi': NS.xsi,
      '@_version': '3.0',
      'premis:object': objects,
      'premis:event': premisEvents,
      'premis:agent': agents,
    },
  });
}

// ---- Dublin Core --------------------------------------------------------------------------

export function buildDublinCore(input: MetsInput): Buffer {
  const d = input.dossier;
  const retention = d.retention.kind === 'permanent' ? 'permanent' : d.retention.years ? `${d.retention.years} years` : d.retention.kind;
  return xmlBytes({
    'dc:metadata': {
      '@_xmlns:dc': NS.dc,
      'dc:identifier': [d.index, ...(d.archivalCipher ? [d.archivalCipher.code] : []), input.objid],
      'dc:title': d.title,
      'dc:creator': input.organisation.name,
      'dc:contributor': d.department.name ?? d.department.code,
      'dc:date': [d.startDate, d.endDate].filter(Boolean).join('/') || String(d.year),
      'dc:language': d.languages,
      'dc:type': 'Dossier',
      'dc:format': 'application/pdf',
      'dc:description': `Fonds ${d.fonds}; case index ${d.index}${d.volume ? `, volume ${d.volume}` : ''}; ${d.documentCount} documents; retention ${retention}${d.retention.article ? ` (article ${d.retention.article})` : ''}`,
      'dc:rights': d.access ? `access: ${d.access.kind}${d.access.until ? ` until ${d.access.until}` : ''}` : 'access: open',
    },
  });
}

// ---- METS ---------------------------------------------------------------------------------

const OTHER_MDTYPE: Record<string, string> = {
  'dossier-metadata': 'muragat.dossier/1',
  'document-metadata': 'muragat.document/1',
};

function otherMdType(file: PackageFile): string {
  if (file.path.endsWith('aip-manifest.json')) return 'muragat.aip/1';
  if (file.path.includes('signature-evidence/')) return 'signature evidence';
  if (/\.(p7s|cms|sig)$/i.test(file.path)) return 'CMS signature';
  if (file.path.endsWith('integrity.json')) return 'muragat integrity statement';
  return 'muragat';
}

export interface BuiltMets {
  mets: Buffer;
  premis: Buffer;
  dc: Buffer;
  /** The generated metadata files as package files (premis.xml, dc.xml). */
  generated: PackageFile[];
}

export function buildPackageXml(input: MetsInput): BuiltMets {
  const premis = buildPremis(input);
  const dc = buildDublinCore(input);
  const generated: PackageFile[] = [
    { path: PREMIS_IN_PACKAGE, sha256: sha256Of(premis), size: premis.length, mime: 'application/xml', created: input.createdAt, area: 'preservation' },
    { path: DC_IN_PACKAGE, sha256: sha256Of(dc), size: dc.length, mime: 'application/xml', created: input.createdAt, area: 'descriptive' },
  ];
  const all = [...generated, ...input.files];
  const id = idFactory();
  const mdRef = (f: PackageFile, mdType: { MDTYPE: string; OTHERMDTYPE?: string; MDTYPEVERSION?: string }) => ({
    '@_LOCTYPE': 'URL',
    '@_xlink:type': 'simple',
    '@_xlink:href': f.path,
    '@_MDTYPE': mdType.MDTYPE,
    ...(mdType.OTHERMDTYPE ? { '@_OTHERMDTYPE': mdType.OTHERMDTYPE } : {}),
    ...(mdType.MDTYPEVERSION ? { '@_MDTYPEVERSION': mdType.MDTYPEVERSION } : {}),
    '@_MIMETYPE': f.mime,
    '@_SIZE': f.size,
    '@_CREATED': f.created,
    '@_CHECKSUM': f.sha256.toUpperCase(),
    '@_CHECKSUMTYPE': 'SHA-256',
  });

  const dmdSecs: Record<string, unknown>[] = [];
  const digiprov: Record<string, unknown>[] = [];
  for (const f of all) {
    if (f.area === 'descriptive') {
      const isDc = f.path === DC_IN_PACKAGE;
      const kind = f.path.endsWith('/dossier.json') ? 'dossier-metadata' : 'document-metadata';
      dmdSecs.push({
        '@_ID': id('dmd', isDc ? 'dc' : f.path.slice(AREA_PREFIX.descriptive.length + 1)),
        '@_CREATED': f.created,
        '@_STATUS': 'CURRENT',
        'mets:mdRef': mdRef(f, isDc ? { MDTYPE: 'DC' } : { MDTYPE: 'OTHER', OTHERMDTYPE: OTHER_MDTYPE[kind]! }),
      });
    } else if (f.area === 'preservation' || f.area === 'other') {
      const isPremis = f.path === PREMIS_IN_PACKAGE;
      digiprov.push({
        '@_ID': id('digiprov', isPremis ? 'premis' : f.path.slice(AREA_PREFIX.other.length + 1)),
        '@_CREATED': f.created,
        '@_STATUS': 'CURRENT',
        'mets:mdRef': mdRef(f, isPremis ? { MDTYPE: 'PREMIS', MDTYPEVERSION: '3.0' } : { MDTYPE: 'OTHER', OTHERMDTYPE: otherMdType(f) }),
      });
    }
  }

  const fileEl = (f: PackageFile) => ({
    '@_ID': id('file', f.path.split('/').slice(-3).join('-')),
    '@_MIMETYPE': f.mime,
    '@_SIZE': f.size,
    '@_CREATED': f.created,
    '@_CHECKSUM': f.sha256.toUpperCase(),
    '@_CHECKSUMTYPE': 'SHA-256',
    ...(f.originalName ? { '@_OWNERID': f.originalName } : {}),
    'mets:FLocat': { '@_LOCTYPE': 'URL', '@_xlink:type': 'simple', '@_xlink:href': f.path },
  });
  // Every group states the content information type: required on representations (CSIP62),
  // and the E-ARK validator's CSIP63 rule also fails a group that states none.
  const group = (use: string, groupId: string, files: PackageFile[]) => ({
    '@_ID': groupId,
    '@_USE': use,
    '@_csip:CONTENTINFORMATIONTYPE': 'OTHER',
    '@_csip:OTHERCONTENTINFORMATIONTYPE': OTHER_CONTENT_INFORMATION_TYPE,
    'mets:file': files.map(fileEl),
  });
  const groups = [
    group('Documentation', 'grp-documentation', all.filter((f) => f.area === 'documentation')),
    group('Schemas', 'grp-schemas', all.filter((f) => f.area === 'schemas')),
    group('Representations/original', 'grp-rep-original', all.filter((f) => f.area === 'original')),
  ];
  const renditions = all.filter((f) => f.area === 'pdfa');
  if (renditions.length) groups.push(group('Representations/pdfa', 'grp-rep-pdfa', renditions));

  const dmdIds = dmdSecs.map((d) => d['@_ID'] as string);
  const admIds = digiprov.map((d) => d['@_ID'] as string);
  const mets = xmlBytes({
    'mets:mets': {
      '@_xmlns:mets': NS.mets,
      '@_xmlns:xlink': NS.xlink,
      '@_xmlns:csip': NS.csip,
      '@_xmlns:sip': NS.sip,
      '@_xmlns:xsi': NS.xsi,
      '@_OBJID': input.objid,
      '@_LABEL': input.label,
      '@_TYPE': CONTENT_CATEGORY,
      '@_csip:CONTENTINFORMATIONTYPE': 'OTHER',
      '@_csip:OTHERCONTENTINFORMATIONTYPE': OTHER_CONTENT_INFORMATION_TYPE,
      '@_PROFILE': SIP_PROFILE,
      '@_xsi:schemaLocation': `${NS.mets} schemas/mets.xsd ${NS.xlink} schemas/xlink.xsd ${NS.csip} schemas/DILCISExtensionMETS.xsd ${NS.sip} schemas/DILCISExtensionSIPMETS.xsd`,
      'mets:metsHdr': {
        '@_CREATEDATE': input.createdAt,
        '@_RECORDSTATUS': 'NEW',
        '@_csip:OAISPACKAGETYPE': 'SIP',
        'mets:agent': [
          {
            '@_ROLE': 'CREATOR',
            '@_TYPE': 'OTHER',
            '@_OTHERTYPE': 'SOFTWARE',
            'mets:name': input.software.name,
            'mets:note': { '@_csip:NOTETYPE': 'SOFTWARE VERSION', '#text': input.software.version },
          },
          {
            '@_ROLE': 'ARCHIVIST',
            '@_TYPE': 'ORGANIZATION',
            'mets:name': input.organisation.name,
            ...(input.organisation.bin ? { 'mets:note': { '@_csip:NOTETYPE': 'IDENTIFICATIONCODE', '#text': input.organisation.bin } } : {}),
          },
        ],
      },
      'mets:dmdSec': dmdSecs,
      'mets:amdSec': { '@_ID': 'amd', 'mets:digiprovMD': digiprov },
      'mets:fileSec': { '@_ID': 'file-sec', 'mets:fileGrp': groups },
      'mets:structMap': {
        '@_ID': 'struct-map',
        '@_TYPE': 'PHYSICAL',
        '@_LABEL': 'CSIP',
        'mets:div': {
          '@_ID': 'struct-package',
          '@_LABEL': input.objid,
          'mets:div': [
            { '@_ID': 'struct-metadata', '@_LABEL': 'Metadata', '@_ADMID': admIds.join(' '), '@_DMDID': dmdIds.join(' ') },
            { '@_ID': 'struct-documentation', '@_LABEL': 'Documentation', 'mets:fptr': { '@_FILEID': 'grp-documentation' } },
            { '@_ID': 'struct-schemas', '@_LABEL': 'Schemas', 'mets:fptr': { '@_FILEID': 'grp-schemas' } },
            {
              '@_ID': 'struct-representations',
              '@_LABEL': 'Representations',
              'mets:fptr': groups.filter((g) => g['@_USE'].startsWith('Representations')).map((g) => ({ '@_FILEID': g['@_ID'] })),
            },
          ],
        },
      },
    },
  });
  return { mets, premis, dc, generated };
}

export { REPRESENTATIONS };
