// veraPDF, the reference PDF/A validator, as a second engine. Its command line (veraPDF's
// GreenfieldCliWrapper, installed by scripts/setup.mjs from Maven Central or named by VERAPDF_BIN)
// runs as a separate program on a batch of files in one JVM start, with a heap limit
// (MURAGAT_VERAPDF_MAX_HEAP) and a time limit per file; its machine-readable XML report is read
// into the same failure shape as the built-in checker.
//
// Callers ask for one file at a time (ingest validates renditions as they appear); requests that
// arrive together are gathered into one batch, and one JVM runs at a time, so a transfer costs a
// few JVM starts, not one per file.
import path from 'node:path';
import { loadConfig } from '../../common/config';
import { findTool, runTool, toolVersion, ToolMissingError } from '../../common/process';
import { parseXml, type XmlElement } from './xml';
import type { PdfaFailure } from './types';

export interface VeraPdfResult {
  compliant: boolean;
  unreadable: boolean;
  failures: PdfaFailure[];
}

export interface VeraPdfOptions {
  /** Time limit per file (default 60 s); the JVM's start is allowed on top. */
  timeoutMs?: number;
  /** Java heap limit, e.g. "1g" (default: the configuration's MURAGAT_VERAPDF_MAX_HEAP). */
  maxHeap?: string;
  /** Allowed for the JVM's start before the first report, on top of the per-file limit (default 30 s). */
  startupMs?: number;
}

/** Files per JVM start: bounds the report held in memory and the work lost to a crash. */
export const MAX_BATCH = 64;
/** Allowed for the JVM's start and veraPDF's profile loading before the first report. */
const JVM_START_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 60_000;

export async function veraPdfAvailable(): Promise<boolean> {
  return (await findTool('verapdf')) !== null;
}

/** "veraPDF 1.28.2", or null when veraPDF is not installed. */
export function veraPdfVersion(): Promise<string | null> {
  return toolVersion('verapdf', ['--version']);
}

/** One file through the shared batching queue. */
export function runVeraPdf(file: string, timeoutMs = DEFAULT_TIMEOUT_MS, maxHeap?: string): Promise<VeraPdfResult> {
  return queue.add(path.resolve(file), { timeoutMs, ...(maxHeap ? { maxHeap } : {}) });
}

/**
 * Validates files in as few JVM starts as possible (MAX_BATCH per start). Results are in the
 * order of `files`. A file veraPDF hangs on is killed after its time limit and reported
 * unreadable; the files after it run in a new start.
 */
export async function runVeraPdfBatch(files: string[], options: VeraPdfOptions = {}): Promise<VeraPdfResult[]> {
  if (!(await veraPdfAvailable())) throw new ToolMissingError('verapdf');
  const abs = files.map((f) => path.resolve(f));
  const results = new Map<string, VeraPdfResult>();
  const unique = [...new Set(abs)];
  for (let i = 0; i < unique.length; i += MAX_BATCH) {
    for (const [file, result] of await runChunk(unique.slice(i, i + MAX_BATCH), options)) results.set(file, result);
  }
  return abs.map((f) => results.get(f)!);
}

async function runChunk(files: string[], options: VeraPdfOptions): Promise<Map<string, VeraPdfResult>> {
  const out = new Map<string, VeraPdfResult>();
  let pending = files;
  while (pending.length) {
    const { reports, failure } = await runOnce(pending, options);
    for (const [file, result] of reports) out.set(file, result);
    const missing = pending.filter((f) => !out.has(f));
    if (!missing.length) break;
    if (missing.length === pending.length && (pending.length === 1 || !failure?.retry)) {
      // Nothing came back at all: the JVM did not start, or the one file broke it.
      const detail = failure?.detail ?? 'no report from veraPDF';
      for (const f of missing) out.set(f, unreadableResult(detail));
      break;
    }
    if (failure?.retry) {
      // The process was stopped at some file after the reported ones. Buffered output may hide
      // which: the first unreported file runs alone, so only the guilty one is marked.
      const [first, ...rest] = missing;
      const alone = await runOnce([first!], options);
      out.set(first!, alone.reports.get(first!) ?? unreadableResult(alone.failure?.detail ?? 'no report from veraPDF'));
      pending = rest;
    } else {
      for (const f of missing) out.set(f, unreadableResult(failure?.detail ?? 'no report from veraPDF for this file'));
      break;
    }
  }
  return out;
}

async function runOnce(files: string[], options: VeraPdfOptions): Promise<{ reports: Map<string, VeraPdfResult>; failure?: { detail: string; retry: boolean } }> {
  const perFile = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const heap = options.maxHeap ?? loadConfig().verapdfMaxHeap;
  const startup = options.startupMs ?? JVM_START_MS;
  const args = ['--format', 'xml', '--flavour', '1b', '--maxfailuresdisplayed', '1', '--nonpdfext', ...files];
  const r = await runTool('verapdf', args, {
    // The launcher and veraPDF's own start script both read JVM options from JAVA_OPTS.
    env: { ...process.env, JAVA_OPTS: `-Xmx${heap} -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError` },
    timeoutMs: startup + perFile * files.length,
    idleTimeoutMs: startup + perFile,
    maxOutputBytes: 256 * 1024 * 1024,
  });
  const text = r.stdout.toString('utf8');
  const reports = parseMrrBatch(text, files);
  if (r.timedOut) return { reports, failure: { detail: `veraPDF exceeded the time limit of ${Math.round(perFile / 1000)} s per file`, retry: true } };
  if (r.truncated) return { reports, failure: { detail: 'veraPDF report too large', retry: true } };
  const oom = /OutOfMemoryError/.test(r.stderr);
  if (oom) return { reports, failure: { detail: `veraPDF ran out of memory (heap ${heap}): OutOfMemoryError`, retry: files.length > 1 } };
  if (reports.size < files.length) {
    const detail = r.stderr.trim().split('\n').filter((l) => /error|exception|severe/i.test(l)).slice(-2).join(' ').slice(0, 300) || `veraPDF exit code ${r.code}`;
    return { reports, failure: { detail, retry: files.length > 1 && reports.size > 0 } };
  }
  return { reports };
}

function unreadableResult(detail: string): VeraPdfResult {
  return { compliant: false, unreadable: true, failures: [{ clause: '6.1', rule: 'unreadable', message: detail }] };
}

function children(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}
function child(el: XmlElement | undefined, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.local === local);
}
function descendant(el: XmlElement, local: string, depth = 0): XmlElement | undefined {
  if (el.local === local) return el;
  if (depth > 8) return undefined;
  for (const c of el.children) {
    const f = descendant(c, local, depth + 1);
    if (f) return f;
  }
  return undefined;
}
function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.find((a) => a.local === name)?.value;
}
function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  return el.text + el.children.map((c) => textOf(c)).join('');
}

/**
 * Reads a batch report: one result per `<job>` whose item names one of `files` (absolute paths,
 * as veraPDF prints them). Jobs cut off by a killed process are simply absent. An unterminated
 * report is read up to its last complete job.
 */
export function parseMrrBatch(xml: string, files: string[]): Map<string, VeraPdfResult> {
  const out = new Map<string, VeraPdfResult>();
  const wanted = new Set(files);
  const byBase = new Map<string, string | null>();
  for (const f of files) byBase.set(path.basename(f), byBase.has(path.basename(f)) ? null : f);
  // Jobs are complete elements even when the report as a whole is not: parse each on its own.
  const jobRe = /<job>[\s\S]*?<\/job>/g;
  for (const m of xml.matchAll(jobRe)) {
    let job: XmlElement;
    try {
      job = parseXml(m[0]);
    } catch {
      continue;
    }
    const name = textOf(child(child(job, 'item'), 'name')).trim();
    const file = wanted.has(name) ? name : wanted.has(path.resolve(name)) ? path.resolve(name) : (byBase.get(path.basename(name)) ?? undefined);
    if (!file || out.has(file)) continue;
    out.set(file, readJob(job));
  }
  return out;
}

/** Reads a veraPDF machine-readable report of one file (the first job). */
export function parseMrr(xml: string): VeraPdfResult {
  let root: XmlElement;
  try {
    root = parseXml(xml.slice(Math.max(0, xml.indexOf('<'))));
  } catch (error) {
    return unreadableResult(`unparsable veraPDF report: ${(error as Error).message}`);
  }
  return readJob(descendant(root, 'job') ?? root);
}

function readJob(job: XmlElement): VeraPdfResult {
  const report = descendant(job, 'validationReport');
  if (!report) {
    const exception = descendant(job, 'exceptionMessage') ?? descendant(job, 'taskException');
    return unreadableResult(exception ? textOf(exception).trim().slice(0, 300) : 'no validationReport in veraPDF output');
  }
  const failures: PdfaFailure[] = [];
  const details = descendant(report, 'details');
  for (const rule of details ? children(details, 'rule') : []) {
    if (attr(rule, 'status') !== 'failed') continue;
    const clause = attr(rule, 'clause') ?? '';
    const test = attr(rule, 'testNumber') ?? '0';
    const description = textOf(children(rule, 'description')[0]).trim();
    const check = children(rule, 'check').find((c) => attr(c, 'status') === 'failed');
    const context = check ? textOf(children(check, 'context')[0]).trim() : '';
    const message = check ? textOf(children(check, 'errorMessage')[0]).trim() : '';
    const failure: PdfaFailure = {
      clause,
      rule: `${clause.replace(/\./g, '-')}-t${test.padStart(2, '0')}`,
      message: message || description,
    };
    const count = Number(attr(rule, 'failedChecks') ?? '1');
    if (context) failure.location = count > 1 ? `${context} (+${count - 1})` : context;
    failures.push(failure);
  }
  // A job veraPDF could not finish (jobEndStatus other than normal) is not a verdict.
  const end = attr(report, 'jobEndStatus');
  if (end && end !== 'normal' && !failures.length) return unreadableResult(`veraPDF job ended: ${end}`);
  const compliantAttr = attr(report, 'isCompliant');
  const compliant = compliantAttr !== undefined ? compliantAttr === 'true' : failures.length === 0;
  return { compliant, unreadable: false, failures };
}

// ---- batching queue -------------------------------------------------------------------------

interface Waiting {
  file: string;
  options: VeraPdfOptions;
  resolve: (r: VeraPdfResult) => void;
  reject: (e: unknown) => void;
}

/** Gathers requests made close together into one batch; one JVM at a time. */
class VeraPdfQueue {
  private waiting: Waiting[] = [];
  private running = false;
  private scheduled = false;

  add(file: string, options: VeraPdfOptions): Promise<VeraPdfResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ file, options, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // A short pause lets parallel callers (ingest validates several renditions at once) join.
    setTimeout(() => {
      this.scheduled = false;
      void this.drain();
    }, 20);
  }

  private async drain(): Promise<void> {
    if (this.running || !this.waiting.length) return;
    this.running = true;
    try {
      // One batch per option set; the rest waits for the next turn.
      const first = this.waiting[0]!;
      const key = (w: Waiting) => `${w.options.timeoutMs ?? ''}|${w.options.maxHeap ?? ''}`;
      const batch = this.waiting.filter((w) => key(w) === key(first)).slice(0, MAX_BATCH);
      this.waiting = this.waiting.filter((w) => !batch.includes(w));
      try {
        const results = await runVeraPdfBatch(
          batch.map((w) => w.file),
          first.options,
        );
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    } finally {
      this.running = false;
      if (this.waiting.length) this.schedule();
    }
  }
}

const queue = new VeraPdfQueue();
