// The E-ARK CSIP requirements a package METS.xml MUST meet, checked by their ids (CSIP1…,
// CSIPSTR4), and the files it references checked against their stated size and checksum. The
// import refuses a package on any of these; the tests check our own exports with the same code
// and, where installed, with the E-ARK validator.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export interface PackageProblem {
  /** The package file the problem is in or about (METS.xml, a referenced file). */
  file: string;
  /** The field: an XPath into METS.xml, or the referenced path. */
  field: string;
  /** Message key suffix under `exchange.` */
  code: 'csip_requirement' | 'missing_mets' | 'bad_xml' | 'unknown_profile' | 'missing_file' | 'bad_checksum' | 'bad_size' | 'unsupported_checksum' | 'unsafe_href' | 'not_muragat_package';
  /** The CSIP requirement id, when the problem is one. */
  requirement?: string;
  params?: Record<string, string | number>;
}

type Node = Record<string, unknown>;

const ARRAYS = new Set(['agent', 'note', 'dmdSec', 'amdSec', 'digiprovMD', 'rightsMD', 'techMD', 'sourceMD', 'fileGrp', 'file', 'FLocat', 'structMap', 'div', 'fptr', 'mptr', 'mdRef']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ARRAYS.has(name),
});

export interface ParsedMets {
  root: Node;
  objid: string;
  profile: string;
}

const list = (n: unknown, key: string): Node[] => ((n as Node | undefined)?.[key] as Node[] | undefined) ?? [];
const attr = (n: Node | undefined, key: string): string | undefined => {
  const v = n?.[`@${key}`];
  return v === undefined || v === null ? undefined : String(v);
};
const text = (n: unknown): string => (typeof n === 'string' ? n : n && typeof n === 'object' ? String((n as Node)['#text'] ?? '') : '');

export function parseMets(xml: string): Node {
  const doc = parser.parse(xml, true) as Node;
  const mets = doc['mets'] as Node | undefined;
  if (!mets) throw new Error('no <mets> root element');
  return mets;
}

/** The CSIP MUST requirements on the package METS document. */
export function checkCsipRequirements(mets: Node, metsFile = 'METS.xml'): PackageProblem[] {
  const problems: PackageProblem[] = [];
  const fail = (requirement: string, xpath: string) => problems.push({ file: metsFile, field: xpath, code: 'csip_requirement', requirement });
  const need = (requirement: string, ok: unknown, xpath: string) => {
    if (!ok) fail(requirement, xpath);
  };

  need('CSIP1', attr(mets, 'OBJID'), 'mets/@OBJID');
  need('CSIP2', attr(mets, 'TYPE'), 'mets/@TYPE');
  need('CSIP6', attr(mets, 'PROFILE'), 'mets/@PROFILE');

  const hdr = mets['metsHdr'] as Node | undefined;
  need('CSIP117', hdr, 'mets/metsHdr');
  need('CSIP7', attr(hdr, 'CREATEDATE'), 'mets/metsHdr/@CREATEDATE');
  need('CSIP9', attr(hdr, 'OAISPACKAGETYPE'), 'mets/metsHdr/@csip:OAISPACKAGETYPE');
  const agents = list(hdr, 'agent');
  need('CSIP10', agents.length, 'mets/metsHdr/agent');
  const software = agents.filter((a) => attr(a, 'ROLE') === 'CREATOR' && attr(a, 'TYPE') === 'OTHER' && attr(a, 'OTHERTYPE') === 'SOFTWARE');
  need('CSIP11', agents.some((a) => attr(a, 'ROLE') === 'CREATOR'), "mets/metsHdr/agent[@ROLE='CREATOR']");
  need('CSIP12', software.length || agents.some((a) => attr(a, 'TYPE') === 'OTHER'), "mets/metsHdr/agent[@TYPE='OTHER']");
  need('CSIP13', software.length, "mets/metsHdr/agent[@OTHERTYPE='SOFTWARE']");
  const sw = software[0];
  need('CSIP14', sw && text(sw['name']).trim(), 'mets/metsHdr/agent/name');
  const notes = list(sw, 'note');
  need('CSIP15', notes.length === 1 && text(notes[0]).trim(), 'mets/metsHdr/agent/note');
  need('CSIP16', notes.some((n) => attr(n, 'NOTETYPE') === 'SOFTWARE VERSION'), "mets/metsHdr/agent/note[@csip:NOTETYPE='SOFTWARE VERSION']");

  const mdRefChecks = (section: string, ids: [string, string, string, string, string, string, string, string, string], refs: Node[]) => {
    const [loc, link, href, mdType, mime, size, created, checksum, checksumType] = ids;
    for (const r of refs) {
      need(loc, attr(r, 'LOCTYPE') === 'URL', `${section}/mdRef[@LOCTYPE='URL']`);
      need(link, attr(r, 'type') === 'simple', `${section}/mdRef[@xlink:type='simple']`);
      need(href, attr(r, 'href'), `${section}/mdRef/@xlink:href`);
      need(mdType, attr(r, 'MDTYPE'), `${section}/mdRef/@MDTYPE`);
      need(mime, attr(r, 'MIMETYPE'), `${section}/mdRef/@MIMETYPE`);
      need(size, attr(r, 'SIZE'), `${section}/mdRef/@SIZE`);
      need(created, attr(r, 'CREATED'), `${section}/mdRef/@CREATED`);
      need(checksum, attr(r, 'CHECKSUM'), `${section}/mdRef/@CHECKSUM`);
      need(checksumType, attr(r, 'CHECKSUMTYPE'), `${section}/mdRef/@CHECKSUMTYPE`);
    }
  };
  for (const d of list(mets, 'dmdSec')) {
    need('CSIP18', attr(d, 'ID'), 'mets/dmdSec/@ID');
    need('CSIP19', attr(d, 'CREATED'), 'mets/dmdSec/@CREATED');
    mdRefChecks('mets/dmdSec', ['CSIP22', 'CSIP23', 'CSIP24', 'CSIP25', 'CSIP26', 'CSIP27', 'CSIP28', 'CSIP29', 'CSIP30'], list(d, 'mdRef'));
  }
  for (const a of list(mets, 'amdSec')) {
    for (const d of list(a, 'digiprovMD')) {
      need('CSIP33', attr(d, 'ID'), 'mets/amdSec/digiprovMD/@ID');
      mdRefChecks('mets/amdSec/digiprovMD', ['CSIP36', 'CSIP37', 'CSIP38', 'CSIP39', 'CSIP40', 'CSIP41', 'CSIP42', 'CSIP43', 'CSIP44'], list(d, 'mdRef'));
    }
    for (const d of list(a, 'rightsMD')) {
      need('CSIP46', attr(d, 'ID'), 'mets/amdSec/rightsMD/@ID');
      mdRefChecks('mets/amdSec/rightsMD', ['CSIP49', 'CSIP50', 'CSIP51', 'CSIP52', 'CSIP53', 'CSIP54', 'CSIP55', 'CSIP56', 'CSIP57'], list(d, 'mdRef'));
    }
  }

  const fileSec = mets['fileSec'] as Node | undefined;
  const groups = list(fileSec, 'fileGrp');
  if (fileSec) {
    need('CSIP59', attr(fileSec, 'ID'), 'mets/fileSec/@ID');
    need('CSIP60', groups.some((g) => attr(g, 'USE') === 'Documentation'), "mets/fileSec/fileGrp[@USE='Documentation']");
    need('CSIP113', groups.some((g) => attr(g, 'USE') === 'Schemas'), "mets/fileSec/fileGrp[@USE='Schemas']");
    need('CSIP114', groups.some((g) => attr(g, 'USE')?.startsWith('Representations')), "mets/fileSec/fileGrp[@USE=[starts-with('Representations')]]");
    for (const g of groups) {
      need('CSIP64', attr(g, 'USE'), 'mets/fileSec/fileGrp/@USE');
      need('CSIP65', attr(g, 'ID'), 'mets/fileSec/fileGrp/@ID');
      need('CSIP66', list(g, 'file').length, 'mets/fileSec/fileGrp/file');
      for (const f of list(g, 'file')) {
        need('CSIP67', attr(f, 'ID'), 'mets/fileSec/fileGrp/file/@ID');
        need('CSIP68', attr(f, 'MIMETYPE'), 'mets/fileSec/fileGrp/file/@MIMETYPE');
        need('CSIP69', attr(f, 'SIZE'), 'mets/fileSec/fileGrp/file/@SIZE');
        need('CSIP70', attr(f, 'CREATED'), 'mets/fileSec/fileGrp/file/@CREATED');
        need('CSIP71', attr(f, 'CHECKSUM'), 'mets/fileSec/fileGrp/file/@CHECKSUM');
        need('CSIP72', attr(f, 'CHECKSUMTYPE'), 'mets/fileSec/fileGrp/file/@CHECKSUMTYPE');
        const locs = list(f, 'FLocat');
        need('CSIP76', locs.length === 1, 'mets/fileSec/fileGrp/file/FLocat');
        for (const l of locs) {
          need('CSIP77', attr(l, 'LOCTYPE') === 'URL', "mets/fileSec/fileGrp/file/FLocat[@LOCTYPE='URL']");
          need('CSIP78', attr(l, 'type') === 'simple', "mets/fileSec/fileGrp/file/FLocat[@xlink:type='simple']");
          need('CSIP79', attr(l, 'href'), 'mets/fileSec/fileGrp/file/FLocat/@xlink:href');
        }
      }
    }
  }

  const maps = list(mets, 'structMap');
  need('CSIP80', maps.length, 'mets/structMap');
  need('CSIP81', maps.some((m) => attr(m, 'TYPE') === 'PHYSICAL'), "mets/structMap[@TYPE='PHYSICAL']");
  const csip = maps.find((m) => attr(m, 'LABEL') === 'CSIP');
  need('CSIP82', csip, "mets/structMap[@LABEL='CSIP']");
  need('CSIP83', attr(csip, 'ID'), "mets/structMap[@LABEL='CSIP']/@ID");
  const top = list(csip, 'div');
  need('CSIP84', top.length === 1, "mets/structMap[@LABEL='CSIP']/div");
  need('CSIP85', attr(top[0], 'ID'), "mets/structMap[@LABEL='CSIP']/div/@ID");
  const subs = list(top[0], 'div');
  const byLabel = (label: string) => subs.filter((d) => attr(d, 'LABEL') === label);
  const base = "mets/structMap[@LABEL='CSIP']/div/div";
  need('CSIP88', byLabel('Metadata').length === 1, `${base}[@LABEL='Metadata']`);
  need('CSIP90', byLabel('Metadata').length === 1, `${base}[@LABEL='Metadata']`);
  need('CSIP89', byLabel('Metadata').every((d) => attr(d, 'ID')), `${base}[@LABEL='Metadata']/@ID`);
  for (const [label, idReq, ptrReq] of [
    ['Documentation', 'CSIP94', 'CSIP116'],
    ['Schemas', 'CSIP98', 'CSIP118'],
    ['Representations', 'CSIP102', 'CSIP119'],
  ] as const) {
    for (const d of byLabel(label)) {
      need(idReq, attr(d, 'ID'), `${base}[@LABEL='${label}']/@ID`);
      for (const p of list(d, 'fptr')) need(ptrReq, attr(p, 'FILEID'), `${base}[@LABEL='${label}']/fptr/@FILEID`);
    }
  }
  for (const d of subs) {
    need('CSIP106', attr(d, 'ID'), `${base}/@ID`);
    need('CSIP107', attr(d, 'LABEL'), `${base}/@LABEL`);
    const label = attr(d, 'LABEL') ?? '';
    if (label.startsWith('Representations/')) {
      const ptrs = list(d, 'mptr');
      need('CSIP109', ptrs.length === 1, `${base}/mptr`);
      for (const m of ptrs) {
        need('CSIP108', attr(m, 'title'), `${base}/mptr/@xlink:title`);
        need('CSIP110', attr(m, 'href'), `${base}/mptr/@xlink:href`);
        need('CSIP111', attr(m, 'type') === 'simple', `${base}/mptr[@xlink:type='simple']`);
        need('CSIP112', attr(m, 'LOCTYPE') === 'URL', `${base}/mptr[@LOCTYPE='URL']`);
      }
    }
  }
  // One message per requirement and place is enough for a reader.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.requirement}|${p.field}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ReferencedFile {
  href: string;
  /** Where in METS.xml it is referenced. */
  field: string;
  size: number | null;
  checksum: string | null;
  checksumType: string | null;
}

/** Every file the METS references (fileSec FLocat and mdRef), with what it says about it. */
export function referencedFiles(mets: Node): ReferencedFile[] {
  const out: ReferencedFile[] = [];
  const num = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : null);
  const add = (n: Node, href: string | undefined, field: string) => {
    if (!href) return;
    out.push({ href, field, size: num(attr(n, 'SIZE')), checksum: attr(n, 'CHECKSUM')?.toLowerCase() ?? null, checksumType: attr(n, 'CHECKSUMTYPE') ?? null });
  };
  for (const d of list(mets, 'dmdSec')) for (const r of list(d, 'mdRef')) add(r, attr(r, 'href'), `mets/dmdSec[@ID='${attr(d, 'ID')}']/mdRef/@xlink:href`);
  for (const a of list(mets, 'amdSec')) {
    for (const kind of ['digiprovMD', 'rightsMD', 'techMD', 'sourceMD']) {
      for (const d of list(a, kind)) for (const r of list(d, 'mdRef')) add(r, attr(r, 'href'), `mets/amdSec/${kind}[@ID='${attr(d, 'ID')}']/mdRef/@xlink:href`);
    }
  }
  for (const g of list(mets['fileSec'], 'fileGrp')) {
    for (const f of list(g, 'file')) for (const l of list(f, 'FLocat')) add(f, attr(l, 'href'), `mets/fileSec/fileGrp[@USE='${attr(g, 'USE')}']/file[@ID='${attr(f, 'ID')}']/FLocat/@xlink:href`);
  }
  return out;
}

const ALGORITHMS: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-512': 'sha512', 'SHA-1': 'sha1', MD5: 'md5', 'SHA-384': 'sha384' };

/** Resolves an href inside the package folder (plain or percent-encoded), or null when it escapes it. */
export function resolveHref(root: string, href: string): string | null {
  let rel = href.replace(/^file:(\/\/)?/, '');
  try {
    if (/%[0-9A-Fa-f]{2}/.test(rel)) rel = decodeURIComponent(rel);
  } catch {
    // Not percent-encoding after all: keep the name as written.
  }
  const target = path.resolve(root, rel);
  return target.startsWith(path.resolve(root) + path.sep) ? target : null;
}

/** Checks each referenced file exists with its size and checksum; `onFile` for progress. */
export async function checkReferencedFiles(root: string, metsFile: string, files: ReferencedFile[], onFile?: (href: string, size: number) => void): Promise<PackageProblem[]> {
  const problems: PackageProblem[] = [];
  for (const f of files) {
    const target = resolveHref(root, f.href);
    if (!target) {
      problems.push({ file: metsFile, field: f.field, code: 'unsafe_href', params: { href: f.href } });
      continue;
    }
    // lstat: a link inside a package folder could otherwise read a file outside it.
    const st = await lstat(target).catch(() => null);
    if (st?.isSymbolicLink()) {
      problems.push({ file: metsFile, field: f.field, code: 'unsafe_href', params: { href: f.href } });
      continue;
    }
    if (!st?.isFile()) {
      problems.push({ file: f.href, field: f.field, code: 'missing_file', params: { mets: metsFile } });
      continue;
    }
    if (f.size !== null && st.size !== f.size) problems.push({ file: f.href, field: f.field.replace(/FLocat\/@xlink:href$|@xlink:href$/, '@SIZE'), code: 'bad_size', params: { expected: f.size, actual: st.size } });
    const alg = f.checksumType ? ALGORITHMS[f.checksumType.toUpperCase()] : undefined;
    if (!f.checksum || !alg) {
      problems.push({ file: f.href, field: f.field.replace(/FLocat\/@xlink:href$|@xlink:href$/, '@CHECKSUMTYPE'), code: 'unsupported_checksum', params: { type: f.checksumType ?? '' } });
      continue;
    }
    const h = createHash(alg);
    for await (const chunk of createReadStream(target)) h.update(chunk as Buffer);
    const actual = h.digest('hex');
    onFile?.(f.href, st.size);
    if (actual !== f.checksum) {
      problems.push({ file: f.href, field: f.field.replace(/FLocat\/@xlink:href$|@xlink:href$/, '@CHECKSUM'), code: 'bad_checksum', params: { algorithm: f.checksumType!, expected: f.checksum, actual } });
    }
  }
  return problems;
}

/** Reads and parses a package's METS.xml; problems instead of throws. */
export async function readPackageMets(root: string, metsFile = 'METS.xml'): Promise<{ mets: Node | null; problems: PackageProblem[] }> {
  const xml = await readFile(path.join(root, 'METS.xml'), 'utf8').catch(() => null);
  if (xml === null) return { mets: null, problems: [{ file: metsFile, field: 'CSIPSTR4', code: 'missing_mets', requirement: 'CSIPSTR4' }] };
  try {
    return { mets: parseMets(xml), problems: [] };
  } catch (error) {
    return { mets: null, problems: [{ file: metsFile, field: 'mets', code: 'bad_xml', params: { reason: error instanceof Error ? error.message.slice(0, 300) : String(error) } }] };
  }
}

export { attr as metsAttr, list as metsList, text as metsText };
