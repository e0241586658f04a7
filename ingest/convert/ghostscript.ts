// PDF → PDF/A-1b through Ghostscript's pdfwrite. The PDFA definition file (OutputIntent with an
// sRGB profile) is written into the work folder at run time, because the template shipped with
// gs names a relative "srgb.icc" and a placeholder title. Ghostscript runs with -dSAFER and may
// read only the profile and that file: the input PDF is untrusted.
import { randomBytes } from 'node:crypto';
import { writeFile, mkdir, rm, rename } from 'node:fs/promises';
import path from 'node:path';
import { findTool, ToolMissingError } from '../../common/process';
import { runTool } from './tool-runner';
import { findSrgbProfile } from './pdfa-writer';
import { looksLikeCompletePdf } from './office';

function psString(s: string): string {
  return `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

export function pdfaDefinition(iccPath: string): string {
  return `%!
% Written by Muragat: PDF/A-1 OutputIntent with an sRGB ICC profile (ISO 19005-1, 6.2.2).
/ICCProfile ${psString(iccPath)} def
[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
[{icc_PDFA} << /N 3 >> /PUT pdfmark
[{icc_PDFA} ICCProfile (r) file /PUT pdfmark
[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
[{OutputIntent_PDFA} <<
  /Type /OutputIntent
  /S /GTS_PDFA1
  /DestOutputProfile {icc_PDFA}
  /OutputConditionIdentifier (sRGB IEC61966-2.1)
  /Info (sRGB IEC61966-2.1)
  /RegistryName (http://www.color.org)
>> /PUT pdfmark
[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark
`;
}

/** Page count by qpdf (tolerant of damage, exit 3 = warnings), or null when unknown. */
export async function pageCount(file: string): Promise<number | null> {
  const qpdf = await findTool('qpdf');
  if (!qpdf) return null;
  try {
    const r = await runTool(qpdf, ['--show-npages', file], { timeoutMs: 120_000 });
    const n = Number.parseInt(r.stdout.toString('utf8').trim(), 10);
    return (r.code === 0 || r.code === 3) && Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
}

const MAX_PLAUSIBLE_PAGES = 100_000;

// gs exits 0 and writes a blank page when it cannot read the input at all; these say so.
const UNREADABLE = /Couldn't initialise file|No pages will be processed|Unrecoverable error/i;

export type GsOutcome = { ok: true; warnings: string[] } | { ok: false; code: 'timeout' | 'crashed' | 'conversion_failed' | 'tool_missing' | 'resource_missing'; detail: string };

/**
 * `legacyInterpreter`: Ghostscript 10's former PostScript-based PDF interpreter (-dNEWPDF=false),
 * tried as another route when the default one fails on a damaged or unusual file.
 */
export async function ghostscriptToPdfA(input: string, outPath: string, options: { workDir: string; timeoutMs: number; legacyInterpreter?: boolean }): Promise<GsOutcome> {
  const bin = await findTool('gs');
  if (!bin) return { ok: false, code: 'tool_missing', detail: new ToolMissingError('gs').message };
  let icc: string;
  try {
    icc = findSrgbProfile();
  } catch (error) {
    return { ok: false, code: 'resource_missing', detail: (error as Error).message };
  }
  await mkdir(options.workDir, { recursive: true });
  const defDir = path.join(options.workDir, 'gs-def');
  await mkdir(defDir, { recursive: true });
  const defFile = path.join(defDir, 'PDFA_def.ps');
  // Conversions run side by side and all read this file: it is replaced atomically, never
  // rewritten in place, so a running gs never sees it half written.
  const defTemp = `${defFile}.${process.pid}-${randomBytes(6).toString('hex')}`;
  await writeFile(defTemp, pdfaDefinition(icc));
  await rename(defTemp, defFile);
  await mkdir(path.dirname(outPath), { recursive: true });
  const tmpOut = `${outPath}.gs-partial`;
  try {
    const run = await runTool(
      bin,
      [
        '-dPDFA=1', '-dBATCH', '-dNOPAUSE', '-dNOOUTERSAVE', '-dQUIET', '-dSAFER',
        `--permit-file-read=${icc}`, `--permit-file-read=${defDir}/`,
        '-sDEVICE=pdfwrite',
        '-dPDFACompatibilityPolicy=1', // drop what PDF/A forbids rather than abort (warnings kept)
        ...(options.legacyInterpreter ? ['-dNEWPDF=false'] : []),
        '-sColorConversionStrategy=RGB', '-sProcessColorModel=DeviceRGB',
        `-sOutputFile=${tmpOut}`,
        defFile,
        input,
      ],
      { timeoutMs: options.timeoutMs, cwd: defDir },
    );
    const messages = `${run.stdout.toString('utf8')}\n${run.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
    if (run.timedOut) return { ok: false, code: 'timeout', detail: `gs did not finish within ${Math.round(options.timeoutMs / 1000)} s` };
    if (run.signal) return { ok: false, code: 'crashed', detail: `gs ended with ${run.signal}` };
    if (run.code !== 0 || !(await looksLikeCompletePdf(tmpOut))) {
      return { ok: false, code: 'conversion_failed', detail: messages.slice(0, 3).join(' | ').slice(0, 500) || `gs exit code ${run.code}` };
    }
    // A rendition with fewer pages than the source has lost content, whatever the exit code says.
    const [countedPages, outputPages] = await Promise.all([pageCount(input), pageCount(tmpOut)]);
    // A page tree whose count cannot be read (no pages found, or a /Count of billions in a damaged
    // file) says nothing about the pages Ghostscript recovered by scanning the file: the count is
    // then unknown, and the rendition's checks (render, text) decide.
    const sourcePages = countedPages !== null && countedPages > 0 && countedPages <= MAX_PLAUSIBLE_PAGES ? countedPages : null;
    if (UNREADABLE.test(messages.join('\n')) && (sourcePages === null || sourcePages !== outputPages)) {
      return { ok: false, code: 'conversion_failed', detail: messages.filter((m) => /error|No pages/i.test(m)).slice(0, 3).join(' | ').slice(0, 500) };
    }
    if (sourcePages !== null && outputPages !== null && sourcePages !== outputPages) {
      return { ok: false, code: 'conversion_failed', detail: `the source has ${sourcePages} pages but Ghostscript produced ${outputPages}` };
    }
    await rename(tmpOut, outPath);
    return { ok: true, warnings: [...new Set(messages)].slice(0, 20) };
  } finally {
    await rm(tmpOut, { force: true });
  }
}
