// PDF/A-1b validation (docs/CONTRACTS.md "PDF/A validation"): the built-in checker, veraPDF
// when installed, or both side by side with their disagreements listed.
import { stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Language } from '../../common/i18n';
import { validateBytes, validateFile, MAX_INPUT_BYTES } from './builtin';
import { runVeraPdf } from './verapdf';
import type { PdfaFailure, PdfaReport, ValidateOptions } from './types';

export type { PdfaEngine, PdfaFailure, PdfaReport, ValidateOptions } from './types';
export { RULES } from './rules';
export { parseMrr, runVeraPdf, veraPdfAvailable, veraPdfVersion } from './verapdf';
export { validateBytes, validateFile } from './builtin';

export async function validatePdfA(
  input: string | Uint8Array,
  options: ValidateOptions & { lang?: Language } = {},
): Promise<PdfaReport> {
  const engine = options.engine ?? 'builtin';
  const file = options.file ?? (typeof input === 'string' ? input : '<memory>');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const builtin = async (): Promise<PdfaReport> => {
    if (typeof input !== 'string') return report(file, 'builtin', validateBytes(input, { timeoutMs, lang: options.lang }));
    const info = await stat(input);
    // A file is read lazily: its image payloads (most of a scan) are never held in memory.
    const r =
      info.size > MAX_INPUT_BYTES
        ? { compliant: false, unreadable: true, failures: [{ clause: '6.1', rule: 'unreadable', message: 'file too large' }] }
        : validateFile(input, { timeoutMs, lang: options.lang });
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
  const [a, b] = await Promise.all([builtin(), vera()]);
  return combine(file, a, b);
}

function report(file: string, engine: PdfaReport['engine'], r: { compliant: boolean; unreadable: boolean; failures: PdfaFailure[] }): PdfaReport {
  const out: PdfaReport = { file, compliant: r.compliant && !r.unreadable, profile: 'PDF/A-1b', failures: r.failures, engine };
  if (r.unreadable) out.unreadable = true;
  return out;
}

/** Both engines: a file complies only if both say so; differences are listed clause by clause. */
export function combine(file: string, builtin: PdfaReport, vera: PdfaReport): PdfaReport {
  const disagreements: string[] = [];
  if (builtin.compliant !== vera.compliant) {
    disagreements.push(`verdict: builtin ${builtin.compliant ? 'complies' : 'fails'}, veraPDF ${vera.compliant ? 'complies' : 'fails'}`);
  }
  const clauses = (r: PdfaReport) => new Set(r.failures.map((f) => f.clause));
  const a = clauses(builtin);
  const b = clauses(vera);
  for (const c of a) if (!b.has(c)) disagreements.push(`clause ${c}: reported by builtin only`);
  for (const c of b) if (!a.has(c)) disagreements.push(`clause ${c}: reported by veraPDF only`);
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
