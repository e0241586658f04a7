// Assertions shared by the convert tests: a rendition must pass qpdf's structural check, carry
// the PDF/A-1 essentials, and — once the PDF/A validator exists — be judged compliant by it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { findTool, runProcess } from '../../common/process';

const here = path.dirname(fileURLToPath(import.meta.url));
const validatorPath = path.resolve(here, '../../validators/pdfa/index.ts');

export async function qpdfCheck(file: string): Promise<void> {
  const qpdf = await findTool('qpdf');
  if (!qpdf) return;
  const r = await runProcess(qpdf, ['--check', file], { timeoutMs: 60_000 });
  // 0 = no problems, 3 = warnings only; 2 = errors.
  expect(r.code, `qpdf --check ${file}: ${r.stdout.toString('utf8')}${r.stderr}`).toBe(0);
}

export async function pdfText(file: string): Promise<string> {
  const bin = await findTool('pdftotext');
  if (!bin) throw new Error('pdftotext is needed by this test (poppler-utils)');
  const r = await runProcess(bin, ['-enc', 'UTF-8', file, '-'], { timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  return r.stdout.toString('utf8');
}

/** Structural PDF/A-1b check: qpdf, header, OutputIntent, XMP claim; plus validatePdfA when present. */
export async function expectPdfA1b(file: string): Promise<void> {
  await qpdfCheck(file);
  const bytes = await readFile(file);
  const text = bytes.toString('latin1');
  expect(text.startsWith('%PDF-1.4')).toBe(true);
  expect(text).toMatch(/\/GTS_PDFA1/);
  expect(text).toMatch(/pdfaid:part(>|=['"])1/);
  expect(text).toMatch(/\/ID\s*\[/);
  if (existsSync(validatorPath)) {
    const mod = (await import(/* @vite-ignore */ pathToFileURL(validatorPath).href)) as {
      validatePdfA(input: string, options?: { engine?: 'builtin' }): Promise<{ compliant: boolean; failures: { rule: string; message: string; location?: string }[] }>;
    };
    const report = await mod.validatePdfA(file, { engine: 'builtin' });
    expect(report.failures, `PDF/A failures of ${path.basename(file)}`).toEqual([]);
    expect(report.compliant).toBe(true);
  }
}

export const KAZAKH_LETTERS = ['Ә', 'ә', 'Ғ', 'ғ', 'Қ', 'қ', 'Ң', 'ң', 'Ө', 'ө', 'Ұ', 'ұ', 'Ү', 'ү', 'Һ', 'һ', 'І', 'і'];
export const KAZAKH_SAMPLE = `Қазақстан Республикасының Ұлттық мұрағаты
Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі
Бұйрық № 12-н: құжаттарды мемлекеттік сақтауға тапсыру туралы.
Ведомственный архив принимает дела постоянного хранения.
`;
