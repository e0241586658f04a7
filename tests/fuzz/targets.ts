// Fuzz targets of the intake's input parsers (issue 15): the transfer package (tar, gzip, entry
// names, sizes, links), its manifest and the metadata files of an AIP (JSON Schemas), detached
// and enveloping CMS signatures, and PDF inputs (identification, properties, the PDF/A checker).
// Each target generates cases with fast-check and checks its contract: an answer or a refusal
// that says why in every language, never an untyped exception, a hang or an unhandled
// rejection. Shared by the short run in the suite (tests/fuzz/inputs.test.ts) and the long run
// (`npm run fuzz -- --cases N`, bench/fuzz.ts).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { isAppError } from '../../common/errors';
import { LANGUAGES, hasMessage, readCatalogs, t } from '../../common/i18n';
import { checkManifestAgainstFiles, checkTransfer } from '../../ingest/transfer';
import type { TransferManifest, TransferProblem } from '../../ingest/transfer/types';
import { makePdf, rawTar, type RawTarEntry } from '../../ingest/transfer/testing/fixtures';
import { readDocumentProperties } from '../../ingest/transfer/infer';
import { parseBoundedJson } from '../../ingest/pipeline/bounded-json';
import { identifyFormat } from '../../ingest/scan';
import { loadSchema, validateAgainst, assertValid, SCHEMA_NAMES, type SchemaName } from '../../validators/schemas';
import { readCertificate, verifySignature } from '../../validators/signature';
import { createTestPki, signFile } from '../../validators/signature/testing/test-pki';
import { validateBytes } from '../../validators/pdfa';
import { seedFiles } from '../../validators/pdfa/testing/fuzz-run';
import { anyJson, arbitraryOf, hostileString, nearMissesOf } from './schema-arbitrary';

/** A message that is only its own catalog key, or still holds an ICU placeholder, is untranslated. */
const RAW_KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const PLACEHOLDER = /\{[A-Za-z_][A-Za-z0-9_]*(\}|,\s*(plural|select|number))/;

export class FuzzDefect extends Error {
  override name = 'FuzzDefect';
}

function defect(what: string, detail: unknown): never {
  throw new FuzzDefect(`${what}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)?.slice(0, 500)}`);
}

/** A user-facing sentence: not empty, not a bare catalog key, no unfilled placeholder. */
export function assertSentence(text: unknown, where: string): void {
  if (typeof text !== 'string' || !text.trim()) defect(`${where}: empty message`, text);
  if (RAW_KEY.test(text.trim())) defect(`${where}: untranslated message key`, text);
}

let catalogs: ReturnType<typeof readCatalogs> | undefined;

/** A refusal must be a typed client error whose reason exists and reads in kk, ru and en. */
export function assertTranslatedRefusal(error: unknown, where: string): void {
  if (!isAppError(error)) defect(`${where}: untyped exception instead of a refusal`, error instanceof Error ? `${error.name}: ${error.message}\n${error.stack?.split('\n').slice(1, 4).join('\n')}` : String(error));
  if (error.status >= 500) defect(`${where}: system error ${error.code} for bad input`, error.params);
  if (!hasMessage(error.messageKey)) defect(`${where}: refusal ${error.code} without a message (${error.messageKey})`, error.params);
  catalogs ??= readCatalogs();
  for (const lang of LANGUAGES) {
    const said = t(lang, error.messageKey, error.params as Record<string, unknown>);
    assertSentence(said, `${where} [${lang}] ${error.code}`);
    // t() gives the catalog's source back when formatting failed (a parameter missing).
    const source = catalogs[lang][error.messageKey];
    if (source !== undefined && said === source && PLACEHOLDER.test(source)) defect(`${where} [${lang}] ${error.code}: message with an unfilled placeholder`, { source, params: error.params });
  }
}

export function assertProblem(p: TransferProblem, where: string): void {
  if (!p || typeof p.code !== 'string' || typeof p.where !== 'string') defect(`${where}: malformed problem`, p);
  assertSentence(p.message, `${where} ${p.code} at ${p.where}`);
  if (p.code !== 'transfer.manifest_invalid' && !hasMessage(p.code)) defect(`${where}: problem code without a message`, p.code);
}

export interface FuzzTarget<C = unknown, I = unknown> {
  name: string;
  /** What is fuzzed, for the report. */
  what: string;
  /** Cases of the short run in the suite (a few seconds on the shared 2-core machine). */
  shortCases: number;
  setup(dir: string): Promise<C>;
  arbitrary(ctx: C): fc.Arbitrary<I>;
  /** Throws FuzzDefect (or anything) when the contract is broken. */
  check(ctx: C, input: I): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Transfer packages

const ENTRY_NAMES = ['manifest.json', '03-01/хат.txt', '03-01/a.txt', '03-01/A.TXT', '../evil.txt', '/etc/passwd', './03-01/./b.txt', '03-01//c.txt', 'a\u0000b.txt', 'C:\\x.txt', '03-01', '03-01/', 'x'.repeat(120) + '.txt', 'ҚҰЖАТ.pdf', 'e\u0301.txt', '\u00e9.txt', 'con.txt', '.hidden', '03-01/sub/d.txt', '03-01/хат.txt.p7s'];

interface TarCase {
  entries: RawTarEntry[];
  gzip: boolean;
  damage: { at: number; bytes: number[]; truncate: boolean } | null;
}

function entryArbitrary(manifestArb: fc.Arbitrary<string>): fc.Arbitrary<RawTarEntry> {
  const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ENTRY_NAMES) }, { weight: 1, arbitrary: hostileString(60) });
  const content = fc.oneof(fc.uint8Array({ maxLength: 300 }), hostileString(200), fc.constant('Хат мәтіні.\n'));
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ name, type: fc.constantFrom<'0' | '5'>('0', '0', '0', '5'), content }) },
    { weight: 1, arbitrary: fc.record({ name, type: fc.constantFrom<'1' | '2' | '3' | '4' | '6'>('1', '2', '3', '4', '6'), linkname: fc.constantFrom('../../x', '/etc/passwd', 'manifest.json') }) },
    // A header that lies about its size.
    { weight: 1, arbitrary: fc.record({ name, content, size: fc.nat({ max: 100_000 }) }) },
    { weight: 3, arbitrary: manifestArb.map((text) => ({ name: 'manifest.json', content: text })) },
  );
}

/** Manifests close to valid whose documents name entries that exist, with their true digests. */
function manifestText(root: Record<string, unknown>): fc.Arbitrary<string> {
  const manifest = nearMissesOf(root, { root, maxDepth: 7, maxItems: 2 });
  return fc.oneof(
    { weight: 4, arbitrary: manifest.map((m) => JSON.stringify(m)) },
    { weight: 1, arbitrary: anyJson().map((v) => JSON.stringify(v) ?? 'undefined') },
    { weight: 1, arbitrary: hostileString(200) },
    { weight: 1, arbitrary: fc.integer({ min: 60, max: 5000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)) },
  );
}

/** Makes the manifest's first documents point at real entries (paths, sizes, digests), so the file checks run too. */
function wireManifest(entries: RawTarEntry[]): RawTarEntry[] {
  const files = entries.filter((e) => (e.type ?? '0') === '0' && e.name !== 'manifest.json' && e.size === undefined);
  return entries.map((e) => {
    if (e.name !== 'manifest.json' || typeof e.content !== 'string') return e;
    let m: unknown;
    try {
      m = JSON.parse(e.content);
    } catch {
      return e;
    }
    const docs = (m as TransferManifest)?.dossiers?.[0]?.documents;
    if (!Array.isArray(docs)) return e;
    docs.forEach((d, i) => {
      const f = files[i];
      if (!f || typeof d !== 'object' || !d) return;
      const bytes = typeof f.content === 'string' ? Buffer.from(f.content) : Buffer.from(f.content ?? []);
      Object.assign(d, { path: f.name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    });
    return { ...e, content: JSON.stringify(m) };
  });
}

export const transferTarget: FuzzTarget<{ dir: string; root: Record<string, unknown>; n: number }, TarCase> = {
  name: 'transfer',
  what: 'transfer packages: tar/gzip structure, entry names, links and devices, lying sizes, manifest.json (checkTransfer, the ingest’s unpack and manifest check)',
  shortCases: 150,
  async setup(dir) {
    await mkdir(dir, { recursive: true });
    return { dir, root: loadSchema('transfer-manifest'), n: 0 };
  },
  arbitrary(ctx) {
    return fc.record({
      entries: fc.array(entryArbitrary(manifestText(ctx.root)), { maxLength: 7 }).map(wireManifest),
      gzip: fc.boolean(),
      damage: fc.option(fc.record({ at: fc.nat(), bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 8 }), truncate: fc.boolean() }), { freq: 3 }),
    });
  },
  async check(ctx, input) {
    let bytes = rawTar(input.entries.map((e) => ({ ...e, name: e.name.length ? e.name : 'x' })), { gzip: input.gzip });
    if (input.damage) {
      const at = input.damage.at % Math.max(bytes.length, 1);
      bytes = input.damage.truncate ? bytes.subarray(0, at) : Buffer.from(bytes);
      if (!input.damage.truncate) input.damage.bytes.forEach((b, i) => bytes.length && (bytes[(at + i * 97) % bytes.length] = b));
    }
    const tar = path.join(ctx.dir, `case-${ctx.n++ % 4}.tar`);
    await writeFile(tar, bytes);
    let result: Awaited<ReturnType<typeof checkTransfer>>;
    try {
      result = await checkTransfer(tar, { lang: 'en', limits: { maxEntries: 20, maxTotalBytes: 1 << 20, maxEntryBytes: 256 << 10, maxRatio: 200 } });
    } catch (error) {
      assertTranslatedRefusal(error, 'checkTransfer');
      return;
    }
    if (typeof result.ok !== 'boolean' || !Array.isArray(result.problems)) defect('checkTransfer: malformed result', result);
    if (result.ok && result.problems.length) defect('checkTransfer: ok with problems', result.problems);
    if (!result.ok && !result.problems.length) defect('checkTransfer: refused without saying why', result);
    for (const p of result.problems) assertProblem(p, 'checkTransfer');
  },
};

// ---------------------------------------------------------------------------------------------
// Manifest and metadata files

interface ManifestCase {
  lang: (typeof LANGUAGES)[number];
  manifest: unknown;
  entries: { path: string; size: number; sha256: string }[];
  text: string;
}

export const manifestTarget: FuzzTarget<{ root: Record<string, unknown> }, ManifestCase> = {
  name: 'manifest',
  what: 'manifest.json: JSON text under the size and depth bounds, the schema, the files it lists (checkManifestAgainstFiles)',
  shortCases: 600,
  async setup() {
    return { root: loadSchema('transfer-manifest') };
  },
  arbitrary(ctx) {
    const manifest = fc.oneof({ weight: 4, arbitrary: nearMissesOf(ctx.root, { root: ctx.root, maxDepth: 7, maxItems: 3 }) }, { weight: 1, arbitrary: anyJson() });
    return manifest.chain((m) => {
      const dossiers = (m as TransferManifest | null)?.dossiers;
      const listed = (Array.isArray(dossiers) ? dossiers : []).flatMap((d) => (Array.isArray(d?.documents) ? d.documents : [])).filter((d) => d && typeof d === 'object');
      const entry = fc.oneof(
        fc.record({ path: fc.oneof(fc.constantFrom(...ENTRY_NAMES), hostileString()), size: fc.nat(), sha256: fc.stringMatching(/^[0-9a-f]{64}$/) }),
        ...(listed.length ? [fc.constantFrom(...listed).map((d) => ({ path: String(d.path), size: Number(d.size), sha256: String(d.sha256) }))] : []),
      );
      const text = fc.oneof(fc.constant(JSON.stringify(m) ?? ''), hostileString(100), fc.constant((JSON.stringify(m) ?? '').slice(0, 17)));
      return fc.record({ manifest: fc.constant(m), entries: fc.array(entry, { maxLength: 5 }), text, lang: fc.constantFrom(...LANGUAGES) });
    });
  },
  async check(_ctx, input) {
    const lang = input.lang;
    const problems = checkManifestAgainstFiles(input.manifest as TransferManifest, input.entries, { lang });
    if (!Array.isArray(problems)) defect('checkManifestAgainstFiles: malformed result', problems);
    for (const p of problems) assertProblem(p, `checkManifestAgainstFiles [${lang}]`);
    try {
      parseBoundedJson(input.text, { where: 'manifest.json', maxBytes: 4096, maxDepth: 32 });
    } catch (error) {
      assertTranslatedRefusal(error, 'parseBoundedJson');
    }
  },
};

interface MetadataCase {
  schema: SchemaName;
  value: unknown;
}

export const metadataTarget: FuzzTarget<Record<SchemaName, Record<string, unknown>>, MetadataCase> = {
  name: 'metadata',
  what: 'metadata files of an AIP and a transfer (dossier.json, document metadata, internal inventory, AIP manifest) against their schemas',
  shortCases: 1500,
  async setup() {
    return Object.fromEntries(SCHEMA_NAMES.map((n) => [n, loadSchema(n)])) as Record<SchemaName, Record<string, unknown>>;
  },
  arbitrary(ctx) {
    return fc.oneof(...SCHEMA_NAMES.map((schema) => fc.record({ schema: fc.constant(schema), value: fc.oneof({ weight: 5, arbitrary: nearMissesOf(ctx[schema], { root: ctx[schema], maxDepth: 7 }) }, { weight: 1, arbitrary: anyJson() }) })));
  },
  async check(_ctx, input) {
    const r = validateAgainst(input.schema, input.value);
    if (r.valid !== (r.problems.length === 0)) defect(`${input.schema}: verdict and problems disagree`, r);
    for (const p of r.problems) {
      if (typeof p.pointer !== 'string' || typeof p.keyword !== 'string') defect(`${input.schema}: malformed problem`, p);
      for (const lang of LANGUAGES) assertSentence(p.message[lang], `${input.schema} ${p.pointer} [${lang}]`);
    }
    let accepted = false;
    try {
      assertValid(input.schema, input.value, `fuzz/${input.schema}.json`);
      accepted = true;
    } catch (error) {
      assertTranslatedRefusal(error, `assertValid(${input.schema})`);
    }
    if (accepted !== r.valid) defect(`${input.schema}: assertValid and validateAgainst disagree`, r.problems[0]);
  },
};

// ---------------------------------------------------------------------------------------------
// Signatures

interface SignatureContext {
  content: Buffer;
  /** Well-formed CMS to mutate: detached DER, enveloping, PEM, ECDSA. */
  bases: Buffer[];
  certificates: Buffer[];
  trustDir: string;
}

interface SignatureCase {
  kind: 'cms' | 'certificate';
  base: number;
  edits: { at: number; op: 'flip' | 'cut' | 'insert' | 'delete' | 'length'; bytes: number[] }[];
  wrap: 'none' | 'pem' | 'base64' | 'random';
  random: Uint8Array;
  alteredContent: boolean;
}

function applyEdits(src: Buffer, edits: SignatureCase['edits']): Buffer {
  let b = Buffer.from(src);
  for (const e of edits) {
    if (!b.length) break;
    const at = e.at % b.length;
    switch (e.op) {
      case 'flip':
        e.bytes.forEach((v, i) => (b[(at + i) % b.length] = v));
        break;
      case 'cut':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.bytes.length)]);
        break;
      case 'length':
        // DER long-form lengths are where parsers overrun: claim 2^32-1 or 0 bytes.
        b[at] = 0x84;
        for (let i = 1; i <= 4 && at + i < b.length; i++) b[at + i] = e.bytes[0]! & 1 ? 0xff : 0x00;
        break;
    }
  }
  return b;
}

const pem = (label: string, der: Buffer) => Buffer.from(`-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`);

export const signatureTarget: FuzzTarget<SignatureContext, SignatureCase> = {
  name: 'signature',
  what: 'CMS signatures (DER, PEM, base64; detached and enveloping; RSA and ECDSA) and certificates: damaged bytes, lying DER lengths, wrong content',
  shortCases: 300,
  async setup(dir) {
    await mkdir(dir, { recursive: true });
    const pki = await createTestPki(path.join(dir, 'pki'));
    const contentPath = path.join(dir, 'content.txt');
    const content = Buffer.from('Қазақстан Республикасы. Мұрағат құжаты.\n');
    await writeFile(contentPath, content);
    const bases: Buffer[] = [];
    let i = 0;
    for (const options of [{}, { attached: true }, { outform: 'PEM' as const }, { signer: 'ecdsa' as const }, { noattr: true }, { signer: 'expired' as const }]) {
      bases.push(await readFile(await signFile(pki, contentPath, { ...options, outPath: path.join(dir, `base-${i++}.p7s`) })));
    }
    const certificates = await Promise.all([pki.signers.rsa.certPath, pki.signers.ecdsa.certPath, pki.intermediate.certPath].map((p) => readFile(p)));
    return { content, bases, certificates, trustDir: pki.trustDir };
  },
  arbitrary(ctx) {
    return fc.record({
      kind: fc.constantFrom<'cms' | 'certificate'>('cms', 'cms', 'cms', 'certificate'),
      base: fc.nat({ max: Math.max(ctx.bases.length, ctx.certificates.length) - 1 }),
      edits: fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom<'flip' | 'cut' | 'insert' | 'delete' | 'length'>('flip', 'flip', 'cut', 'insert', 'delete', 'length'), bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 6 }) }), { maxLength: 4 }),
      wrap: fc.constantFrom<'none' | 'pem' | 'base64' | 'random'>('none', 'none', 'pem', 'base64', 'random'),
      random: fc.uint8Array({ maxLength: 400 }),
      alteredContent: fc.boolean(),
    });
  },
  async check(ctx, input) {
    const pool = input.kind === 'cms' ? ctx.bases : ctx.certificates;
    const base = pool[input.base % pool.length]!;
    let bytes: Buffer = input.wrap === 'random' ? Buffer.from(input.random) : applyEdits(base, input.edits);
    if (input.wrap === 'pem') bytes = pem(input.kind === 'cms' ? 'CMS' : 'CERTIFICATE', bytes);
    if (input.wrap === 'base64') bytes = Buffer.from(bytes.toString('base64'));
    if (input.kind === 'certificate') {
      let details: ReturnType<typeof readCertificate>;
      try {
        details = readCertificate(bytes, 'fuzz.cer');
      } catch (error) {
        assertTranslatedRefusal(error, 'readCertificate');
        return;
      }
      if (typeof details.info?.subject !== 'string' || !/^[0-9a-f]{64}$/.test(details.sha256)) defect('readCertificate: no subject or fingerprint', details.info);
      return;
    }
    const content = input.alteredContent ? Buffer.concat([ctx.content, Buffer.from('!')]) : ctx.content;
    let report: Awaited<ReturnType<typeof verifySignature>>;
    try {
      report = await verifySignature({ signature: bytes, content, trustDir: ctx.trustDir, lang: 'en', at: new Date('2026-06-01T00:00:00Z') });
    } catch (error) {
      assertTranslatedRefusal(error, 'verifySignature');
      return;
    }
    if (!['valid', 'invalid', 'cannot-verify'].includes(report.verdict)) defect('verifySignature: unknown verdict', report.verdict);
    if (report.verdict !== 'valid') {
      const said = report.reason ?? report.signers.map((s) => s.reason).find(Boolean);
      assertSentence(said, `verifySignature ${report.verdict} reason`);
    }
    // A signature over other content, or damaged bytes, must never come out valid.
    if (report.verdict === 'valid' && input.alteredContent && input.base !== 1) defect('verifySignature: valid over altered content', report.signers.map((s) => s.checks));
    for (const s of report.signers) {
      if (s.reason !== undefined) assertSentence(s.reason, 'signer reason');
      for (const c of s.checks) assertSentence(c.message, `check ${c.name}`);
    }
  },
};

// ---------------------------------------------------------------------------------------------
// PDF inputs

interface PdfCase {
  base: number;
  edits: SignatureCase['edits'];
  splice: string | null;
  name: 'doc.pdf' | 'doc.PDF' | 'doc.txt' | 'doc.docx';
}

const PDF_TOKENS = ['obj', 'endobj', 'stream', 'endstream', '<<', '>>', '/Length 999999999', '/Length -1', 'xref', 'trailer', '%%EOF', '0 0 R', '/Encrypt 1 0 R', '/Filter /FlateDecode', '/Filter [/ASCIIHexDecode /LZWDecode /FlateDecode]', '/Type /ObjStm /N 99999', '<< /Info 1 0 R >>', '(' + '\\('.repeat(50), '['.repeat(500), '<<'.repeat(300)];

export const pdfTarget: FuzzTarget<{ dir: string; bases: Buffer[]; n: number }, PdfCase> = {
  name: 'pdf',
  what: 'PDF inputs: format identification, document properties (Info, XMP), the built-in PDF/A-1b checker under its deadline',
  shortCases: 150,
  async setup(dir) {
    await mkdir(dir, { recursive: true });
    const made = [
      Buffer.from(await makePdf({ title: 'Бұйрық №12', author: 'Сейітов', text: 'Muragat archive', pages: 2, created: new Date('2025-02-01T00:00:00Z') })),
      Buffer.from(await makePdf({ text: 'Order 12' })),
    ];
    return { dir, bases: [...made, ...seedFiles(6)], n: 0 };
  },
  arbitrary(ctx) {
    return fc.record({
      base: fc.nat({ max: ctx.bases.length - 1 }),
      edits: fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom<'flip' | 'cut' | 'insert' | 'delete' | 'length'>('flip', 'flip', 'cut', 'insert', 'delete'), bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 16 }) }), { maxLength: 5 }),
      splice: fc.option(fc.constantFrom(...PDF_TOKENS), { freq: 2 }),
      name: fc.constantFrom<PdfCase['name']>('doc.pdf', 'doc.pdf', 'doc.PDF', 'doc.txt', 'doc.docx'),
    });
  },
  async check(ctx, input) {
    let bytes = applyEdits(ctx.bases[input.base]!, input.edits);
    if (input.splice) {
      const at = bytes.length ? (input.edits[0]?.at ?? 7919) % bytes.length : 0;
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(` ${input.splice} `), bytes.subarray(at)]);
    }
    const started = Date.now();
    const verdict = validateBytes(bytes, { timeoutMs: 2000, lang: 'en' });
    if (Date.now() - started > 5000) defect('validateBytes: over its 2 s deadline', Date.now() - started);
    if (typeof verdict.compliant !== 'boolean' || typeof verdict.unreadable !== 'boolean' || !Array.isArray(verdict.failures)) defect('validateBytes: malformed result', verdict);
    if (!verdict.compliant && !verdict.failures.length) defect('validateBytes: refused without a failure', verdict);
    for (const f of verdict.failures) assertSentence(f.message, `PDF/A failure ${f.rule}`);
    const folder = path.join(ctx.dir, String(ctx.n++ % 4));
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, input.name);
    await writeFile(file, bytes);
    let format: Awaited<ReturnType<typeof identifyFormat>> | undefined;
    try {
      format = await identifyFormat(file, input.name);
    } catch (error) {
      assertTranslatedRefusal(error, 'identifyFormat');
    }
    if (format) {
      if (typeof format.name !== 'string' || !Array.isArray(format.problems)) defect('identifyFormat: malformed result', format);
      for (const code of format.problems) if (!hasMessage(`convert.format_${code}`)) defect('identifyFormat: problem without a message', code);
    }
    const props = await readDocumentProperties(file);
    if (!props || typeof props.properties !== 'object') defect('readDocumentProperties: malformed result', props);
  },
};

export const TARGETS: FuzzTarget<any, any>[] = [transferTarget, manifestTarget, metadataTarget, signatureTarget, pdfTarget];

// ---------------------------------------------------------------------------------------------
// The runner

export interface FuzzRunResult {
  target: string;
  cases: number;
  ms: number;
  seed: number;
  /** Set when a case broke the contract: the shrunk counterexample and how to replay it. */
  failure?: string;
  unhandledRejections: string[];
  /** Slowest case seen. */
  maxCaseMs: number;
}

export interface FuzzRunOptions {
  cases: number;
  seed?: number;
  /** The whole target stops generating after this long (the cases done are reported). */
  timeLimitMs?: number;
  /** One case longer than this is a hang. */
  caseTimeoutMs?: number;
  dir: string;
}

/** Runs one target: `cases` generated inputs (fewer when the time limit ends it first). */
export async function runTarget(target: FuzzTarget<any, any>, options: FuzzRunOptions): Promise<FuzzRunResult> {
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  process.on('unhandledRejection', onUnhandled);
  const caseTimeoutMs = options.caseTimeoutMs ?? 10_000;
  let maxCaseMs = 0;
  const started = Date.now();
  try {
    const ctx = await target.setup(path.join(options.dir, target.name));
    const property = fc.asyncProperty(target.arbitrary(ctx), async (input) => {
      const t0 = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          target.check(ctx, input),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new FuzzDefect(`hang: a case took longer than ${caseTimeoutMs} ms`)), caseTimeoutMs))),
        ]);
      } finally {
        clearTimeout(timer);
        maxCaseMs = Math.max(maxCaseMs, Date.now() - t0);
      }
    });
    const details = await fc.check(property, {
      numRuns: options.cases,
      seed,
      ...(options.timeLimitMs ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false } : {}),
      // Shrinking a slow target's failure can take long; a bounded number of steps is enough to read it.
      maxSkipsPerRun: 100,
      endOnFailure: true,
    });
    // Let a rejection raised by the last case reach the listener.
    await new Promise((r) => setImmediate(r));
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance === undefined ? '' : String(details.errorInstance);
    const failure = details.failed ? `${error}\n${fc.defaultReportMessage(details)}`.slice(0, 4000) : undefined;
    return { target: target.name, cases: details.numRuns, ms: Date.now() - started, seed, ...(failure ? { failure } : {}), unhandledRejections: unhandled, maxCaseMs };
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}

export { arbitraryOf };
