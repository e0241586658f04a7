// Reference for the conversion benchmarks: the bare converters run as a careful user would run
// them on this machine, with no identification, staging, retries or checks. The office files go
// to LibreOffice's PDF/A-1 export in one batch per application (soffice converts one file at a
// time and starts once), and beside it Ghostscript makes PDF/A-1b renditions of the PDFs with
// the pipeline's own flags, one process per core from a pool. The pipeline benchmarks divide
// their own time by this one's wall time; CPU seconds (these processes and all they started)
// are reported too, as they depend less on what else the machine runs.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { findTool, runProcess } from '../common/process';
import { pdfaDefinition } from '../ingest/convert/ghostscript';
import { findSrgbProfile } from '../ingest/convert/pdfa-writer';

export interface BaselineTiming {
  /** Wall time of the office lane: `soffice --convert-to pdf:<app>_pdf_Export:{SelectPdfVersion 1}`, one batch per application. */
  sofficeMs: number | null;
  sofficeFiles: number;
  /** Wall time of the Ghostscript lane: PDF/A-1b pdfwrite, `gsParallel` processes at once. */
  gsMs: number | null;
  gsFiles: number;
  gsParallel: number;
  /** soffice instances run at once (each over its share of the office files). */
  officeLanes: number;
  /** Wall time of both lanes run side by side (what the pipeline is compared with). */
  totalMs: number;
  /** CPU seconds (user + system) of the tools the reference ran, from /proc/self/stat. */
  cpuSeconds: number | null;
  failures: string[];
}

const APPS: [RegExp, string][] = [
  [/\.(docx?|odt|rtf)$/i, 'writer'],
  [/\.(xlsx?|ods)$/i, 'calc'],
  [/\.(pptx?|odp)$/i, 'impress'],
];

/**
 * CPU seconds used by this process and by its waited-for children (and theirs, as each waits
 * for its own), or null without /proc. Read before and after a phase, the difference is the
 * phase's CPU once every process it started has ended.
 */
/** The ingest process's own user and system CPU seconds and its reaped children's, from /proc/self/stat. */
export function cpuSplit(): { selfUser: number; selfSystem: number; children: number } | null {
  try {
    const s = readFileSync('/proc/self/stat', 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { selfUser: Number(f[11]) / 100, selfSystem: Number(f[12]) / 100, children: (Number(f[13]) + Number(f[14])) / 100 };
  } catch {
    return null;
  }
}

export function cpuSecondsSelfAndChildren(): number | null {
  try {
    const s = readFileSync('/proc/self/stat', 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime: fields 14–17 of stat(5), i.e. 11–14 after the name.
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return null;
  }
}

/**
 * Times the reference over a file list: office files (by extension) in one soffice batch per
 * application, PDFs through a pool of `parallel` Ghostscript processes (default: every core),
 * both lanes at once. Other files are ignored. Outputs go to a temporary folder.
 */
export async function timeConversionBaseline(files: string[], options: { timeoutMs?: number; parallel?: number; officeLanes?: number } = {}): Promise<BaselineTiming> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const gsParallel = Math.max(1, Math.floor(options.parallel ?? availableParallelism()));
  // soffice converts one file at a time; a user who knows it can run several instances, each
  // with its own profile, over parts of the list (`officeLanes`, default 1: one batch).
  const officeLanes = Math.max(1, Math.floor(options.officeLanes ?? 1));
  const office = APPS.map(([re, app]) => [app, files.filter((f) => re.test(f))] as const).filter(([, list]) => list.length);
  const officeCount = office.reduce((n, [, list]) => n + list.length, 0);
  const pdfs = files.filter((f) => /\.pdf$/i.test(f));
  const work = await mkdtemp(path.join(tmpdir(), 'muragat-baseline-'));
  const failures: string[] = [];
  let sofficeMs: number | null = null;
  let gsMs: number | null = null;
  try {
    const soffice = await findTool('soffice');
    const profiles = Array.from({ length: officeLanes }, (_, i) => `-env:UserInstallation=file://${path.join(work, `profile-${i}`)}`);
    // A warm-up run creates each profile, so the timing is conversion, not first start.
    if (officeCount && soffice) for (const profile of profiles) await runProcess(soffice, ['--headless', '--norestore', profile, '--version'], { timeoutMs: 120_000 });
    const gs = await findTool('gs');
    const defDir = path.join(work, 'gs-def');
    await mkdir(defDir, { recursive: true });
    let icc: string | null = null;
    try {
      icc = findSrgbProfile();
      await writeFile(path.join(defDir, 'PDFA_def.ps'), pdfaDefinition(icc));
    } catch (error) {
      failures.push(`no sRGB profile for Ghostscript's PDF/A output: ${(error as Error).message}`);
    }

    const cpu0 = cpuSecondsSelfAndChildren();
    const started = performance.now();
    const officeLane = (async () => {
      if (!officeCount) return;
      if (!soffice) return void failures.push('soffice not installed');
      const t0 = performance.now();
      // Each lane takes every n-th file of each application, one batch per application.
      await Promise.all(profiles.map(async (profile, lane) => {
        for (const [app, all] of office) {
          const list = all.filter((_, i) => i % officeLanes === lane);
          if (!list.length) continue;
          const filter = `pdf:${app}_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"1"}}`;
          const r = await runProcess(soffice, ['--headless', '--norestore', profile, '--convert-to', filter, '--outdir', path.join(work, 'soffice', app, String(lane)), ...list], { timeoutMs });
          if (r.code !== 0 || r.timedOut) failures.push(`soffice (${app}): exit ${r.code}${r.timedOut ? ' (timed out)' : ''}`);
        }
      }));
      sofficeMs = performance.now() - t0;
    })();
    const gsLane = (async () => {
      if (!pdfs.length) return;
      if (!gs || !icc) return void failures.push(gs ? 'gs: no PDF/A definition' : 'gs not installed');
      const t0 = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < pdfs.length) {
          const i = next++;
          const pdf = pdfs[i]!;
          // The pipeline's Ghostscript PDF/A-1b flags (ingest/convert/ghostscript.ts).
          const r = await runProcess(
            gs,
            [
              '-dPDFA=1', '-dBATCH', '-dNOPAUSE', '-dNOOUTERSAVE', '-dQUIET', '-dSAFER',
              `--permit-file-read=${icc}`, `--permit-file-read=${defDir}/`,
              '-sDEVICE=pdfwrite', '-dPDFACompatibilityPolicy=1', '-sColorConversionStrategy=RGB', '-sProcessColorModel=DeviceRGB',
              `-sOutputFile=${path.join(work, `gs-${i}.pdf`)}`, path.join(defDir, 'PDFA_def.ps'), pdf,
            ],
            { timeoutMs, cwd: defDir },
          );
          if (r.code !== 0 || r.timedOut) failures.push(`gs ${path.basename(pdf)}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''}`);
        }
      };
      await Promise.all(Array.from({ length: Math.min(gsParallel, pdfs.length) }, worker));
      gsMs = performance.now() - t0;
    })();
    await Promise.all([officeLane, gsLane]);
    const totalMs = performance.now() - started;
    const cpu1 = cpuSecondsSelfAndChildren();
    return { sofficeMs, sofficeFiles: officeCount, gsMs, gsFiles: pdfs.length, gsParallel, officeLanes, totalMs, cpuSeconds: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, failures };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
