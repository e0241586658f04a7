// PDF/A-1b validation (docs/CONTRACTS.md "PDF/A validation"): the built-in checker, veraPDF
// when installed, or both side by side with their disagreements listed. The engine is the
// caller's choice or the configuration's (MURAGAT_PDFA_ENGINE), so ingest switches engines
// without code of its own.
import { stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../common/config';
import type { Language } from '../../common/i18n';
import { validateBytes, validateFile, MAX_INPUT_BYTES, type BuiltinResult } from './builtin';
import { runVeraPdf, runVeraPdfBatch } from './verapdf';
import { compareClause } from './findings';
import type { PdfaDisagreement, PdfaEngine, PdfaFailure, PdfaReport, ValidateOptions } from './types';

export type { PdfaDisagreement, PdfaEngine, PdfaFailure, PdfaReport, ValidateOptions } from './types';
export { RULES } from './rules';
export { MAX_BATCH, parseMrr, parseMrrBatch, runVeraPdf, runVeraPdfBatch, veraPdfAvailable, veraPdfVersion } from './verapdf';
export { validateBytes, validateFile } from './builtin';

export function defaultPdfaEngine(): PdfaEngine {
  return loadConfig().pdfaEngine;
}

function builtinFile(file: string, timeoutMs: number, lang?: Language): BuiltinResult {
  return validateFile(file, { timeoutMs, lang });
}

export async function validatePdfA(
  input: string | Uint8Array,
  options: ValidateOptions & { lang?: Language } = {},
): Promise<PdfaReport> {
  const engine = options.engine ?? defaultPdfaEngine();
  const file = options.file ?? (typeof input === 'string' ? input : '<memory>');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const builtin = async (): Promise<PdfaReport> => {
    if (typeof input !== 'string') return report(file, 'builtin', validateBytes(input, { timeoutMs, lang: options.lang }));
    const info = await stat(input);
    // A file is read lazily: its image payloads (most of a scan) are never held in memory.
    const r =
      info.size > MAX_INPUT_BYTES
        ? { compliant: false, unreadable: true, failures: [{ clause: '6.1', rule: 'unreadable', message: 'file too large' }] }
        : builtinFile(input, timeoutMs, options.lang);
    return report(file, 'builtin', r);
  };
  const vera = async (): Promise<PdfaReport> => {
    if (typeof input === 'string') return report(file, 'verapdf', await runVeraPdf(input, timeoutMs));
    const dir = await mkdtemp(path.join(tmpdir(), 'muragat-pdfa-'));
    try {
      const tmp = path.join(dir, 'input.pdf');
      await writeFile(tmp, input);
      return report(file, 'verapdf', await runVeraPdf(tmp, timeoutMs));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  if (engine === 'builtin') return builtin();
  if (engine === 'verapdf') return vera();
  // veraPDF starts first: its JVM works on the other core while the built-in checker runs here.
  const pending = vera();
  const a = await builtin().catch(async (error: unknown) => {
    await pending.catch(() => undefined);
    throw error;
  });
  return combine(file, a, await pending);
}

/**
 * Many files at once: veraPDF checks them all in one JVM start (see verapdf.ts), the built-in
 * checker one by one beside it. Reports are in the order of `files`.
 */
export async function validatePdfAFiles(
  files: string[],
  options: Omit<ValidateOptions, 'file'> & { lang?: Language; onFile?: (file: string) => void } = {},
): Promise<PdfaReport[]> {
  const engine = options.engine ?? defaultPdfaEngine();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const veraPending = engine === 'builtin' ? null : runVeraPdfBatch(files, { timeoutMs });
  veraPending?.catch(() => undefined); // awaited below; a missing veraPDF is thrown there
  const builtins: PdfaReport[] = [];
  if (engine !== 'verapdf') {
    for (const f of files) {
      const info = await stat(f);
      const r = info.size > MAX_INPUT_BYTES ? { compliant: false, unreadable: true, failures: [{ clause: '6.1', rule: 'unreadable', message: 'file too large' }] } : builtinFile(f, timeoutMs, options.lang);
      builtins.push(report(f, 'builtin', r));
      // Let the child process's output be read between two files.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (engine === 'builtin') options.onFile?.(f);
    }
  }
  if (!veraPending) return builtins;
  const veras = (await veraPending).map((r, i) => report(files[i]!, 'verapdf', r));
  if (engine === 'verapdf') {
    for (const f of files) options.onFile?.(f);
    return veras;
  }
  return files.map((f, i) => {
    options.onFile?.(f);
    return combine(f, builtins[i]!, veras[i]!);
  });
}

function report(file: string, engine: PdfaReport['engine'], r: { compliant: boolean; unreadable: boolean; failures: PdfaFailure[] }): PdfaReport {
  const out: PdfaReport = { file, compliant: r.compliant && !r.unreadable, profile: 'PDF/A-1b', failures: r.failures, engine };
  if (r.unreadable) out.unreadable = true;
  return out;
}

/** Both engines: a file complies only if both say so; differences are listed clause by clause. */
export function combine(file: string, builtin: PdfaReport, vera: PdfaReport): PdfaReport {
  const disagreements = disagreementsOf(builtin, vera);
  const seen = new Set(builtin.failures.map((f) => `${f.clause}|${f.rule}`));
  const failures = [...builtin.failures, ...vera.failures.filter((f) => !seen.has(`${f.clause}|${f.rule}`))];
  const out: PdfaReport = {
    file,
    compliant: builtin.compliant && vera.compliant,
    profile: 'PDF/A-1b',
    failures,
    engine: 'both',
    disagreements,
  };
  if (builtin.unreadable || vera.unreadable) out.unreadable = true;
  return out;
}

type EngineView = { compliant: boolean; failures: { clause: string }[] };

/** The verdict first, then each clause one engine reports failed and the other does not. */
export function disagreementsOf(builtin: EngineView, vera: EngineView): PdfaDisagreement[] {
  const out: PdfaDisagreement[] = [];
  if (builtin.compliant !== vera.compliant) out.push({ kind: 'verdict', builtin: builtin.compliant, verapdf: vera.compliant });
  const a = new Set(builtin.failures.map((f) => f.clause));
  const b = new Set(vera.failures.map((f) => f.clause));
  for (const clause of [...new Set([...a, ...b])].sort(compareClause)) {
    if (a.has(clause) !== b.has(clause)) out.push({ kind: 'clause', clause, builtin: a.has(clause), verapdf: b.has(clause) });
  }
  return out;
}
