// Acceptance with real producers: a LibreOffice PDF/A-1 export of a plain text document passes;
// a Ghostscript PDF/A-1 made without an ICC output intent fails on clause 6.2.3.3 (device
// colour without a PDF/A-1 OutputIntent, as veraPDF reports it); a Cyrillic
// (Kazakh) pdf-lib document with an embedded TrueType subset, converted by the ingest's
// Ghostscript PDF/A path, passes (its CIDSet omits CID 0, which PDF/A-1 allows).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import { findTool, runTool } from '../../common/process';
import { ghostscriptToPdfA } from '../../ingest/convert/ghostscript';
import { validatePdfA } from './index';

const work = mkdtempSync(path.join(tmpdir(), 'muragat-pdfa-accept-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const soffice = await findTool('soffice');
const gs = await findTool('gs');
const srgb = '/usr/share/color/icc/ghostscript/srgb.icc';
const dejavu = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const pdfaDef = existsSync('/usr/share/ghostscript')
  ? readdirSync('/usr/share/ghostscript')
      .map((v) => path.join('/usr/share/ghostscript', v, 'lib', 'PDFA_def.ps'))
      .find((p) => existsSync(p))
  : undefined;

describe('PDF/A acceptance with real producers', () => {
  it.skipIf(!soffice)(`passes a plain text document exported by LibreOffice as PDF/A-1${soffice ? '' : ' (skipped: soffice not installed)'}`, async () => {
    const txt = path.join(work, 'letter.txt');
    writeFileSync(txt, 'Muragat PDF/A acceptance\nҚазақ тілі — мемлекеттік тіл.\nРусский текст.\n');
    const profile = path.join(work, 'lo-profile');
    const r = await runTool(
      'soffice',
      [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"1"}}', '--outdir', work, txt],
      { timeoutMs: 150_000 },
    );
    const pdf = path.join(work, 'letter.pdf');
    expect(existsSync(pdf), r.stderr).toBe(true);
    const report = await validatePdfA(pdf);
    expect(report.failures).toEqual([]);
    expect(report.compliant).toBe(true);
  }, 180_000);

  it.skipIf(!gs)(`fails a Ghostscript PDF/A-1 without an ICC output intent on 6.2.3.3${gs ? '' : ' (skipped: gs not installed)'}`, async () => {
    const ps = path.join(work, 'page.ps');
    writeFileSync(ps, '%!PS\n/Helvetica findfont 20 scalefont setfont 0.2 setgray 72 720 moveto (Muragat) show showpage\n');
    const pdf = path.join(work, 'gs.pdf');
    await runTool(
      'gs',
      ['-dPDFA=1', '-dBATCH', '-dNOPAUSE', '-dQUIET', '-sDEVICE=pdfwrite', '-sColorConversionStrategy=RGB', '-dPDFACompatibilityPolicy=1', `-sOutputFile=${pdf}`, ps],
      { timeoutMs: 60_000 },
    );
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    const report = await validatePdfA(pdf);
    expect(report.compliant).toBe(false);
    expect(report.failures.map((f) => f.clause)).toContain('6.2.3.3');
  }, 90_000);

  it.skipIf(!gs || !pdfaDef || !existsSync(srgb))(
    `passes a Ghostscript PDF/A-1 made with an sRGB output intent${gs && pdfaDef ? '' : ' (skipped: gs, PDFA_def.ps or srgb.icc missing)'}`,
    async () => {
      const def = path.join(work, 'PDFA_def.ps');
      writeFileSync(def, readFileSync(pdfaDef!, 'latin1').replace(/^\/ICCProfile \(srgb\.icc\)/m, `/ICCProfile (${srgb})`), 'latin1');
      const ps = path.join(work, 'colour.ps');
      writeFileSync(ps, '%!PS\n/Helvetica findfont 20 scalefont setfont 0.2 0.4 0.6 setrgbcolor 72 720 moveto (Muragat) show newpath 72 600 moveto 200 600 lineto 5 setlinewidth stroke showpage\n');
      const pdf = path.join(work, 'gs-srgb.pdf');
      await runTool(
        'gs',
        ['-dPDFA=1', '-dBATCH', '-dNOPAUSE', '-dQUIET', `--permit-file-read=${path.dirname(srgb)}/`, '-sDEVICE=pdfwrite', '-sColorConversionStrategy=RGB', '-dPDFACompatibilityPolicy=1', `-sOutputFile=${pdf}`, def, ps],
        { timeoutMs: 60_000 },
      );
      const report = await validatePdfA(pdf);
      expect(report.failures).toEqual([]);
      expect(report.compliant).toBe(true);
    },
    90_000,
  );

  it.skipIf(!gs || !existsSync(dejavu) || !existsSync(srgb))(
    `passes a Kazakh pdf-lib document with a TrueType subset after the Ghostscript PDF/A path${gs ? '' : ' (skipped: gs not installed)'}`,
    async () => {
      const source = await PDFDocument.create({ updateMetadata: false });
      source.registerFontkit(fontkit);
      const font = await source.embedFont(readFileSync(dejavu), { subset: true });
      const page = source.addPage([595, 842]);
      page.drawText('Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі', { x: 50, y: 780, size: 16, font });
      page.drawText('Қазақстан Республикасының мемлекеттік тілі — қазақ тілі.', { x: 50, y: 750, size: 11, font });
      const input = path.join(work, 'kazakh.pdf');
      writeFileSync(input, await source.save({ useObjectStreams: false }));
      const output = path.join(work, 'kazakh-pdfa.pdf');
      const outcome = await ghostscriptToPdfA(input, output, { workDir: path.join(work, 'gs-kazakh'), timeoutMs: 60_000 });
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      const bytes = readFileSync(output);
      // The case this guards: a Type 0 / CIDFontType2 subset whose CIDSet leaves CID 0 unset.
      expect(bytes.includes(Buffer.from('/CIDFontType2'))).toBe(true);
      expect(bytes.includes(Buffer.from('/CIDSet'))).toBe(true);
      const report = await validatePdfA(output);
      expect(report.failures).toEqual([]);
      expect(report.compliant).toBe(true);
    },
    90_000,
  );
});
