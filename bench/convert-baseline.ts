// Baseline for the conversion benchmark: the time bare tools take for the same files, without
// Muragat's identification, staging, retries or checks. The pipeline benchmark divides its own
// time by this to report the overhead ratio.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTool, runProcess } from '../common/process';

export interface BaselineTiming {
  /** One `soffice --convert-to pdf` run over all office files (plain PDF export, no PDF/A). */
  sofficeMs: number | null;
  sofficeFiles: number;
  /** `gs -sDEVICE=pdfwrite`, one process per PDF, run one after another. */
  gsMs: number | null;
  gsFiles: number;
  totalMs: number;
  failures: string[];
}

const OFFICE = /\.(docx?|odt|rtf|xlsx?|ods|pptx?|odp)$/i;

/**
 * Times the bare tools over a file list: office files (by extension) in one soffice batch,
 * PDFs through gs one by one. Other files are ignored. Outputs go to a temporary folder.
 */
export async function timeConversionBaseline(files: string[], options: { timeoutMs?: number } = {}): Promise<BaselineTiming> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const office = files.filter((f) => OFFICE.test(f));
  const pdfs = files.filter((f) => /\.pdf$/i.test(f));
  const work = await mkdtemp(path.join(tmpdir(), 'muragat-baseline-'));
  const failures: string[] = [];
  let sofficeMs: number | null = null;
  let gsMs: number | null = null;
  try {
    const soffice = await findTool('soffice');
    if (office.length && soffice) {
      // A warm-up run creates the profile, so the timing is conversion, not first start.
      const profile = `-env:UserInstallation=file://${path.join(work, 'profile')}`;
      await runProcess(soffice, ['--headless', '--norestore', profile, '--version'], { timeoutMs: 120_000 });
      const started = performance.now();
      const r = await runProcess(soffice, ['--headless', '--norestore', profile, '--convert-to', 'pdf', '--outdir', path.join(work, 'soffice'), ...office], { timeoutMs });
      sofficeMs = performance.now() - started;
      if (r.code !== 0 || r.timedOut) failures.push(`soffice: exit ${r.code}${r.timedOut ? ' (timed out)' : ''}`);
    } else if (office.length) failures.push('soffice not installed');

    const gs = await findTool('gs');
    if (pdfs.length && gs) {
      const started = performance.now();
      for (const [i, pdf] of pdfs.entries()) {
        const r = await runProcess(gs, ['-dBATCH', '-dNOPAUSE', '-dQUIET', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${path.join(work, `gs-${i}.pdf`)}`, pdf], { timeoutMs });
        if (r.code !== 0) failures.push(`gs ${path.basename(pdf)}: exit ${r.code}`);
      }
      gsMs = performance.now() - started;
    } else if (pdfs.length) failures.push('gs not installed');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { sofficeMs, sofficeFiles: office.length, gsMs, gsFiles: pdfs.length, totalMs: (sofficeMs ?? 0) + (gsMs ?? 0), failures };
}
