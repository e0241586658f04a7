// The built-in PDF/A-1b checker: loads the file with the tolerant parser and runs every rule
// group. Anything that makes the file impossible to examine (not a PDF, damaged beyond use,
// over the time budget) yields `unreadable` rather than an exception.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Language } from '../../common/i18n';
import { DeadlineExceeded } from './cos';
import { PdfDocument } from './document';
import { Findings } from './findings';
import { checkStructure } from './structure';
import { checkOutputIntents, checkPages, type GraphicsContext } from './content';
import { checkFonts } from './fonts';
import { checkInteractive } from './interactive';
import { checkMetadata } from './metadata';
import type { PdfaFailure } from './types';

export interface BuiltinResult {
  compliant: boolean;
  unreadable: boolean;
  failures: PdfaFailure[];
}

export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

export function validateBytes(bytes: Uint8Array, options: { timeoutMs?: number; lang?: Language } = {}): BuiltinResult {
  if (bytes.length > MAX_INPUT_BYTES) return unreadable(options, 'file too large');
  if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 1024)).indexOf('%PDF-') < 0) return unreadable(options, 'no PDF header');
  return check((deadline) => new PdfDocument(bytes, deadline), options);
}

/**
 * Same as validateBytes(readFile(file)), without holding the file's long image payloads in
 * memory: the document is read lazily (PdfDocument.fromFile), with the same verdict.
 */
export function validateFile(file: string, options: { timeoutMs?: number; lang?: Language } = {}): BuiltinResult {
  const size = statSync(file).size;
  if (size > MAX_INPUT_BYTES) return unreadable(options, 'file too large');
  const head = Buffer.alloc(Math.min(size, 1024));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 8 || head.indexOf('%PDF-') < 0) return unreadable(options, 'no PDF header');
  return check((deadline) => PdfDocument.fromFile(file, size, deadline), options);
}

function unreadable(options: { lang?: Language }, detail: string): BuiltinResult {
  const f = new Findings(options.lang ?? 'en');
  f.fail('unreadable', undefined, detail);
  return { compliant: false, unreadable: true, failures: f.list() };
}

function check(open: (deadline: number) => PdfDocument, options: { timeoutMs?: number; lang?: Language }): BuiltinResult {
  const out = new Findings(options.lang ?? 'en');
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    const doc = open(deadline);
    if (!doc.catalog) return unreadable(options, 'no document catalog');
    const outputCS = checkOutputIntents(doc, out);
    const ctx: GraphicsContext = { doc, out, outputCS, fonts: new Map(), visited: new Set(), separations: new Map(), budget: { ops: 0 } };
    checkPages(ctx);
    checkFonts(ctx);
    checkInteractive(doc, out, outputCS);
    checkMetadata(doc, out);
    checkStructure(doc, out);
    const failures = out.list();
    return { compliant: failures.length === 0, unreadable: false, failures };
  } catch (error) {
    if (error instanceof DeadlineExceeded || (error as Error).name === 'DeadlineExceeded') return unreadable(options, 'time limit exceeded');
    if (error instanceof RangeError) return unreadable(options, 'resource limit exceeded');
    return unreadable(options, (error as Error).message?.slice(0, 200) ?? 'parse error');
  }
}
