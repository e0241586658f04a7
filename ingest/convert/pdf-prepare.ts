// PDF originals as real programs write them carry what PDF/A-1b forbids and what an archive must
// not execute: JavaScript, launch and form actions, embedded files, interactive form fields.
// Ghostscript drops most of it on its own, but not all (embedded files, ISO 19005-1 6.1.11 and
// 6.1.12; additional actions of form fields, 6.6.2), and it says nothing about what it found.
// Here qpdf reads the object graph (its JSON view: names and strings come back canonical, so an
// obfuscated `/J#61vaScript` is seen), the active content is listed for the ingest report, the
// embedded files are extracted to be kept as separate originals, and a prepared copy is written
// with actions and JavaScript removed and form fields and printable annotations flattened into
// the page (qpdf --flatten-annotations). The original is never modified: the prepared copy is the
// input of the rendition only.
import { mkdir, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { findTool } from '../../common/process';
import { runTool } from './tool-runner';
import { looksLikeCompletePdf } from './office';
import type { ActiveContent, ExtractedFile } from './converter';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Dict = { [key: string]: Json };
interface QpdfObject { value?: Json; stream?: { dict: Dict } }

export interface PdfInspection {
  activeContent: ActiveContent[];
  /** The rendition needs a prepared input (something above that Ghostscript would keep or that forbids PDF/A). */
  needsPreparation: boolean;
  objects: Map<string, QpdfObject>;
  /** Embedded file streams: object key → name from its file specification. */
  embedded: Map<string, string>;
}

// Actions PDF/A-1 forbids (ISO 19005-1, 6.6.1) or that run or send something.
const FORBIDDEN_ACTIONS = new Set(['/JavaScript', '/Launch', '/Sound', '/Movie', '/ResetForm', '/ImportData', '/SubmitForm', '/Hide', '/SetOCGState', '/Rendition', '/Trans', '/GoTo3DView', '/RichMediaExecute', '/GoToE']);
const FORBIDDEN_ANNOTATIONS = new Set(['/FileAttachment', '/Sound', '/Movie', '/Screen', '/3D', '/RichMedia']);
const MAX_JSON_BYTES = 256 * 1024 * 1024;

const isDict = (v: Json | undefined): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v);
const isRef = (v: Json | undefined): v is string => typeof v === 'string' && /^\d+ \d+ R$/.test(v);
const objKey = (ref: string) => `obj:${ref}`;

/** qpdf's JSON string ("u:text" or "b:hex") as text. */
function jsonText(v: Json | undefined): string | null {
  if (typeof v !== 'string') return null;
  if (v.startsWith('u:')) return v.slice(2);
  if (v.startsWith('b:')) return Buffer.from(v.slice(2), 'hex').toString('latin1');
  return null;
}

function dictOf(o: QpdfObject | undefined): Dict | null {
  if (!o) return null;
  if (o.stream) return o.stream.dict;
  return isDict(o.value) ? o.value : null;
}

/** Reads the object graph through qpdf; null when qpdf is missing or cannot read the file. */
async function readObjects(file: string, timeoutMs: number): Promise<Map<string, QpdfObject> | null> {
  if (!(await findTool('qpdf'))) return null;
  const r = await runTool('qpdf', ['--json=2', '--json-key=qpdf', '--json-stream-data=none', '--decode-level=none', file], { timeoutMs, maxOutputBytes: MAX_JSON_BYTES });
  // Exit 3: warnings (a damaged file qpdf repaired); the object view is still usable.
  if ((r.code !== 0 && r.code !== 3) || r.truncated || r.timedOut) return null;
  try {
    const parsed = JSON.parse(r.stdout.toString('utf8')) as { qpdf?: [unknown, Record<string, QpdfObject>] };
    const objects = parsed.qpdf?.[1];
    return objects ? new Map(Object.entries(objects)) : null;
  } catch {
    return null;
  }
}

/** Calls fn on every dictionary of a value, nested ones included. */
function eachDict(v: Json | undefined, fn: (d: Dict) => void): void {
  if (Array.isArray(v)) for (const x of v) eachDict(x, fn);
  else if (isDict(v)) {
    fn(v);
    for (const x of Object.values(v)) eachDict(x, fn);
  }
}

export async function inspectPdf(file: string, options: { timeoutMs?: number } = {}): Promise<PdfInspection | null> {
  const objects = await readObjects(file, options.timeoutMs ?? 120_000);
  if (!objects) return null;
  const counts = new Map<ActiveContent['kind'], { count: number; names: Set<string> }>();
  const note = (kind: ActiveContent['kind'], name?: string) => {
    const c = counts.get(kind) ?? { count: 0, names: new Set<string>() };
    c.count += 1;
    if (name && c.names.size < 10) c.names.add(name.slice(0, 120));
    counts.set(kind, c);
  };
  const embedded = new Map<string, string>();
  let catalog: Dict | null = null;
  for (const [key, o] of objects) {
    const top = dictOf(o);
    if (key === 'trailer' && top && isRef(top['/Root'])) catalog = dictOf(objects.get(objKey(top['/Root'])));
    eachDict(o.stream ? o.stream.dict : o.value, (d) => {
      const s = d['/S'];
      if (s === '/JavaScript' || '/JS' in d) note('javascript');
      else if (s === '/Launch') note('launch-action', jsonText(d['/F']) ?? (isDict(d['/Win']) ? jsonText(d['/Win']['/F']) ?? undefined : undefined));
      else if (typeof s === 'string' && FORBIDDEN_ACTIONS.has(s)) note('action', s.slice(1));
      if ('/AA' in d) note('action', 'AA');
      const ef = d['/EF'];
      if (isDict(ef)) {
        const name = jsonText(d['/UF']) ?? jsonText(d['/F']) ?? 'attachment';
        const stream = ef['/F'] ?? ef['/UF'];
        if (isRef(stream) && !embedded.has(objKey(stream))) {
          embedded.set(objKey(stream), name);
          note('embedded-file', name);
        }
      }
    });
  }
  // Streams typed /EmbeddedFile that no file specification names (still carried by the file).
  for (const [key, o] of objects) {
    if (o.stream?.dict['/Type'] === '/EmbeddedFile' && !embedded.has(key)) {
      embedded.set(key, 'attachment');
      note('embedded-file');
    }
  }
  const acroForm = catalog ? (isRef(catalog['/AcroForm']) ? dictOf(objects.get(objKey(catalog['/AcroForm']))) : isDict(catalog['/AcroForm']) ? catalog['/AcroForm'] : null) : null;
  if (acroForm) {
    const fields = acroForm['/Fields'];
    const n = Array.isArray(fields) ? fields.length : isRef(fields) ? 1 : 0;
    if (n || acroForm['/XFA'] !== undefined) note('form', acroForm['/XFA'] !== undefined ? 'XFA' : undefined);
    const c = counts.get('form');
    if (c) c.count = Math.max(1, n);
  }
  const activeContent: ActiveContent[] = [...counts].map(([kind, c]) => ({ kind, count: c.count, names: [...c.names] }));
  return { activeContent, needsPreparation: activeContent.length > 0, objects, embedded };
}

function safeName(name: string, index: number): string {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[^\p{L}\p{N}._ -]+/gu, '_').replace(/^\.+/, '').slice(0, 100);
  return `${index + 1}-${base || 'attachment'}`;
}

/** Writes each embedded file into `dir` (qpdf decodes the stream); what cannot be read is skipped. */
export async function extractEmbeddedFiles(file: string, inspection: PdfInspection, dir: string, timeoutMs = 120_000): Promise<ExtractedFile[]> {
  const out: ExtractedFile[] = [];
  if (!inspection.embedded.size) return out;
  await mkdir(dir, { recursive: true });
  let i = 0;
  for (const [key, name] of inspection.embedded) {
    const id = key.slice(4, -2).trim().split(' ');
    const r = await runTool('qpdf', [`--show-object=${id[0]},${id[1]}`, '--filtered-stream-data', file], { timeoutMs, maxOutputBytes: 512 * 1024 * 1024 });
    if ((r.code !== 0 && r.code !== 3) || r.truncated) continue;
    const target = path.join(dir, safeName(name, i++));
    await writeFile(target, r.stdout);
    out.push({ name, path: target, size: r.stdout.length });
  }
  return out;
}

function isForbiddenAction(v: Json | undefined, objects: Map<string, QpdfObject>, depth = 0): boolean {
  const d = isRef(v) ? dictOf(objects.get(objKey(v))) : isDict(v) ? v : null;
  if (!d || depth > 20) return false;
  const s = d['/S'];
  if ((typeof s === 'string' && FORBIDDEN_ACTIONS.has(s)) || '/JS' in d) return true;
  // A chain of actions runs every link: one forbidden link makes the whole chain go.
  const next = d['/Next'];
  return Array.isArray(next) ? next.some((n) => isForbiddenAction(n, objects, depth + 1)) : next !== undefined && isForbiddenAction(next, objects, depth + 1);
}

/** A copy of a dictionary (and of its inline dictionaries) without active content; null when nothing changed. */
function cleaned(d: Dict, objects: Map<string, QpdfObject>): Dict | null {
  let changed = false;
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) {
      const items = v.filter((x) => {
        // Annotations PDF/A forbids (file attachments, media) leave the page's /Annots.
        const a = isRef(x) ? dictOf(objects.get(objKey(x))) : isDict(x) ? x : null;
        const drop = !!a && typeof a['/Subtype'] === 'string' && FORBIDDEN_ANNOTATIONS.has(a['/Subtype']) && (a['/Type'] === '/Annot' || '/Rect' in a);
        if (drop) changed = true;
        return !drop;
      });
      return items.map(walk);
    }
    if (!isDict(v)) return v;
    const out: Dict = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '/AA' || k === '/JS' || k === '/EF' || k === '/JavaScript' || k === '/EmbeddedFiles' || k === '/XFA') {
        changed = true;
        continue;
      }
      if ((k === '/A' || k === '/OpenAction') && isForbiddenAction(x, objects)) {
        changed = true;
        continue;
      }
      out[k] = walk(x);
    }
    return out;
  };
  const result = walk(d) as Dict;
  return changed ? result : null;
}

export type PrepareOutcome = { ok: true } | { ok: false; detail: string };

/**
 * Writes `outPath`: the original with active content removed (JavaScript, actions, embedded
 * files and their annotations, XFA) and form fields and printable annotations flattened into
 * the page content, so what prints is what the rendition shows.
 */
export async function preparePdf(input: string, inspection: PdfInspection, outPath: string, options: { timeoutMs?: number } = {}): Promise<PrepareOutcome> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const updates: Record<string, QpdfObject> = {};
  for (const [key, o] of inspection.objects) {
    if (!key.startsWith('obj:')) continue;
    if (o.stream) {
      const d = cleaned(o.stream.dict, inspection.objects);
      // The stream's data is left as it is when the update names only its dictionary.
      if (d) updates[key] = { stream: { dict: d } };
    } else if (isDict(o.value)) {
      const d = cleaned(o.value, inspection.objects);
      if (d) updates[key] = { value: d };
    }
  }
  const updateFile = `${outPath}.update.json`;
  await mkdir(path.dirname(outPath), { recursive: true });
  const maxId = Math.max(0, ...[...inspection.objects.keys()].filter((k) => k.startsWith('obj:')).map((k) => Number.parseInt(k.slice(4), 10)));
  await writeFile(updateFile, JSON.stringify({ version: 2, qpdf: [{ jsonversion: 2, pushedinheritedpageresources: false, calledgetallpages: false, maxobjectid: maxId }, updates] }));
  try {
    const r = await runTool('qpdf', [
      input,
      `--update-from-json=${updateFile}`,
      '--generate-appearances',
      '--flatten-annotations=print',
      '--remove-unreferenced-resources=no',
      outPath,
    ], { timeoutMs });
    if (r.timedOut) return { ok: false, detail: `qpdf did not finish within ${Math.round(timeoutMs / 1000)} s` };
    if ((r.code !== 0 && r.code !== 3) || !(await looksLikeCompletePdf(outPath))) {
      return { ok: false, detail: r.stderr.split('\n').filter(Boolean).slice(0, 3).join(' | ').slice(0, 500) || `qpdf exit code ${r.code}` };
    }
    return { ok: true };
  } finally {
    await rm(updateFile, { force: true });
  }
}
