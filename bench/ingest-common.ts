// Shared pieces of the ingest benchmarks: flags, an embedded catalog in a temporary data
// folder, document generators (Kazakh and Russian text, PDFs, images), step timings from
// ingest_steps and a plain table printer. Benchmarks print figures; they never assert timing.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import fontkit from '@pdf-lib/fontkit';
import jpeg from 'jpeg-js';
import { PDFDocument, type PDFFont } from 'pdf-lib';
import { PNG } from 'pngjs';
import { parseConfig, type Config } from '../common/config';
import { openCatalog, type OpenedCatalog } from '../database/open';
import { openStorage } from '../storage';
import { listSteps, type IngestDeps } from '../ingest';
import { findFont } from '../ingest/convert/pdfa-writer';
import { KAZAKH_TEXT, RUSSIAN_TEXT } from '../ingest/transfer/testing/fixtures';

export interface Flags {
  json: boolean;
  keep: boolean;
  num(name: string, fallback: number): number;
  str(name: string): string | undefined;
}

export function parseFlags(argv = process.argv.slice(2)): Flags {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`--${name}=`));
    return eq?.slice(name.length + 3);
  };
  return {
    json: argv.includes('--json'),
    keep: argv.includes('--keep'),
    num(name, fallback) {
      const v = value(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${v}"`);
      return n;
    },
    str: value,
  };
}

export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export async function benchRoot(name: string): Promise<string> {
  return mkdtemp(path.join(process.env.MURAGAT_BENCH_DIR ?? tmpdir(), `muragat-bench-${name}-`));
}

/** The environment a data folder under `root` is configured with (embedded PGlite, one file store). */
export function benchEnv(root: string): Record<string, string> {
  return {
    MURAGAT_DATA_DIR: path.join(root, 'data'),
    MURAGAT_STORAGE: `file:${path.join(root, 'data', 'objects')}`,
    MURAGAT_TRUST_DIR: path.join(root, 'trust'),
    // Without a ClamAV database, `refuse` rejects every document before conversion; the bench
    // measures the pipeline, so it accepts unscanned files with a warning unless told otherwise.
    MURAGAT_MALWARE_POLICY: process.env.MURAGAT_MALWARE_POLICY ?? 'accept-with-warning',
    LOG_LEVEL: 'silent',
  };
}

export interface BenchCatalog {
  config: Config;
  catalog: OpenedCatalog;
  deps: IngestDeps;
}

export async function openBenchCatalog(root: string): Promise<BenchCatalog> {
  const config = parseConfig({ ...process.env, ...benchEnv(root) });
  await mkdir(config.trustDir, { recursive: true });
  const catalog = await openCatalog(config);
  return { config, catalog, deps: { db: catalog.db, storage: openStorage(config), config } };
}

export interface StepTiming {
  step: string;
  status: string;
  seconds: number | null;
}

export async function stepTimings(deps: IngestDeps, transferId: string): Promise<StepTiming[]> {
  return (await listSteps(deps.db, transferId)).map((s) => ({
    step: s.step,
    status: s.status,
    seconds: s.startedAt && s.finishedAt ? (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 : null,
  }));
}

/** Document statuses of an ingest report, counted. */
export function statusCounts(report: { dossiers: { documents: { status: string }[] }[] }): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of report.dossiers) for (const doc of d.documents) counts[doc.status] = (counts[doc.status] ?? 0) + 1;
  return counts;
}

/** First few problems of documents not accepted (the bench's expected no-ClamAV-database warning left out). */
export function sampleProblems(report: { dossiers: { documents: { status: string; source: string; problems: { message: string }[] }[] }[] }, max = 5): string[] {
  const out: string[] = [];
  for (const d of report.dossiers)
    for (const doc of d.documents)
      if (doc.status !== 'accepted' && out.length < max) out.push(`${doc.status} ${doc.source}: ${doc.problems.map((p) => p.message).filter((m) => !/malware/i.test(m)).join('; ')}`);
  return out;
}

export function table(rows: (string | number | null)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '—' : typeof c === 'number' ? fmt(c) : c)));
  const widths = (cells[0] ?? []).map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

export function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export const secondsSince = (t0: number): number => (performance.now() - t0) / 1000;

// ---------------------------------------------------------------------------------------
// Generated content

/** A small deterministic PRNG so a given size always produces the same tree. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const KK_EXTRA = [
  'Бұйрықтың орындалуын бақылау бөлім басшысына жүктелсін.',
  'Қызметкер белгіленген тәртіппен еңбек шартының талаптарымен таныстырылсын.',
  'Құжат мемлекеттік тілде және орыс тілінде екі данада жасалды.',
  'Өтінішке сәйкес жыл сайынғы ақы төленетін еңбек демалысы берілсін.',
];
const RU_EXTRA = [
  'Контроль за исполнением настоящего приказа возложить на руководителя отдела.',
  'Работника ознакомить с условиями трудового договора в установленном порядке.',
  'Документ составлен в двух экземплярах на государственном и русском языках.',
  'Направляем вам сведения о численности работников за отчётный период.',
];

/** `lines` lines of Kazakh or Russian prose, varied by `seed`. */
export function prose(language: 'kk' | 'ru', lines: number, seed: number): string[] {
  const base = language === 'kk' ? [...KAZAKH_TEXT, ...KK_EXTRA] : [...RUSSIAN_TEXT, ...RU_EXTRA];
  const r = rng(seed + 17);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(`${i + 1}. ${base[Math.floor(r() * base.length)]} (${seed}-${i})`);
  return out;
}

export const TITLES = {
  kk: ['Бұйрық', 'Хат', 'Анықтама', 'Хаттама', 'Акт', 'Өтініш'],
  ru: ['Приказ', 'Письмо', 'Справка', 'Протокол', 'Акт', 'Заявление'],
};

/** ISO date in 2025 for document number `i`. */
export function dateFor(i: number): string {
  const d = new Date(Date.UTC(2025, 0, 1) + (i % 360) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

let fontBytes: Uint8Array | undefined;

/** A PDF of Kazakh or Russian text lines with the DejaVu font embedded (subset). */
export async function makeTextPdf(c: { title: string; lines: string[]; pages?: number; created?: Date }): Promise<Uint8Array> {
  fontBytes ??= new Uint8Array(readFileSync(findFont('DejaVuSans.ttf')));
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.registerFontkit(fontkit);
  const font: PDFFont = await pdf.embedFont(fontBytes, { subset: true });
  const perPage = 40;
  const pages = Math.max(c.pages ?? 1, Math.ceil(c.lines.length / perPage));
  for (let p = 0; p < pages; p++) {
    const page = pdf.addPage([595, 842]);
    page.drawText(c.title, { x: 50, y: 790, size: 14, font });
    c.lines.slice(p * perPage, (p + 1) * perPage).forEach((line, i) => page.drawText(line.slice(0, 90), { x: 50, y: 760 - i * 17, size: 10, font }));
  }
  pdf.setTitle(c.title);
  pdf.setCreationDate(c.created ?? new Date(Date.UTC(2025, 0, 1)));
  pdf.setModificationDate(c.created ?? new Date(Date.UTC(2025, 0, 1)));
  return pdf.save({ useObjectStreams: false });
}

/** A "scanned page": light background with dark text-like bars, so it compresses like a scan. */
function scanPixels(width: number, height: number, seed: number, noise: number): Buffer {
  const r = rng(seed);
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const line = Math.floor(y / 14) % 3 !== 2 && y % 14 < 9 && y > 40 && y < height - 40;
    for (let x = 0; x < width; x++) {
      const ink = line && x > 40 && x < width - 40 && r() < 0.45;
      const v = ink ? 40 : 235;
      const n = noise ? Math.floor((r() - 0.5) * noise) : 0;
      const o = (y * width + x) * 4;
      data[o] = data[o + 1] = data[o + 2] = Math.max(0, Math.min(255, v + n));
      data[o + 3] = 255;
    }
  }
  return data;
}

export function makeJpeg(width: number, height: number, seed: number, quality = 80, noise = 0): Uint8Array {
  return jpeg.encode({ data: scanPixels(width, height, seed, noise), width, height }, quality).data;
}

export function makePng(width: number, height: number, seed: number): Uint8Array {
  const png = new PNG({ width, height });
  png.data = scanPixels(width, height, seed, 0);
  return PNG.sync.write(png);
}

/**
 * The same JPEG made distinct (a different SHA-256) by a comment segment after SOI: the file
 * stays a valid JPEG, and large images can be produced without encoding each one.
 */
export function uniqueJpeg(base: Uint8Array, tag: string): Uint8Array {
  const text = Buffer.from(`muragat-bench ${tag}`, 'latin1');
  const seg = Buffer.alloc(4 + text.length);
  seg[0] = 0xff;
  seg[1] = 0xfe;
  seg.writeUInt16BE(text.length + 2, 2);
  text.copy(seg, 4);
  return Buffer.concat([base.subarray(0, 2), seg, base.subarray(2)]);
}

export function randomTag(): string {
  return randomBytes(6).toString('hex');
}

export async function writeTransferJson(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'transfer.json'),
    JSON.stringify(
      {
        organisation: { bin: '123456789012', name: '«Мұрағат Үлгі» ЖШС' },
        department: { code: '03', name: 'Кадр бөлімі' },
        year: 2025,
        fonds: '12',
        people: { compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, headOfDepartment: { name: 'Сейітов Н. Қ.', position: 'кадр бөлімінің басшысы' } },
      },
      null,
      2,
    ) + '\n',
  );
}

export async function writeDossierJson(dir: string, title: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'dossier.json'), JSON.stringify({ title, retention: { kind: 'years', years: 10, article: '23' } }, null, 2) + '\n');
}

/** `.meta.json` beside a document whose title, date and language cannot be inferred (images). */
export async function writeMeta(file: string, meta: { title: string; date: string; language: 'kk' | 'ru'; number?: string }): Promise<void> {
  await writeFile(`${file}.meta.json`, JSON.stringify(meta, null, 2) + '\n');
}

/** A fresh database on the server for one run; dropped by the returned function. */
export async function freshServerDatabase(url: string): Promise<{ url: string; admin: string; database: string; drop: () => Promise<void> }> {
  const database = `bench_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
  const u = new URL(url);
  u.pathname = `/${database}`;
  return {
    url: u.toString(),
    admin: url,
    database,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
