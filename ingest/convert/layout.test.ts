// Text renditions are laid out piece by piece (paragraphGroups) and written as raw content
// streams: the result must be what laying out the whole text at once gives.
import { describe, expect, it } from 'vitest';
import { paragraphGroups, textToPdfA } from './layout';
import { validatePdfA } from '../../validators/pdfa';
import { runProcess, findTool } from '../../common/process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const paragraphs = (text: string) => text.split(/\r\n|\r|\n/);

describe('paragraphGroups', () => {
  it('cuts only at line breaks, keeping every paragraph (CRLF pairs, blank lines, a final break)', () => {
    const samples = [
      '',
      'one line',
      'a\nb\n',
      'first\r\nsecond\r\n\r\nthird',
      Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? '' : `жол ${i} ${'ә'.repeat(i % 13)}`)).join('\r\n'),
    ];
    for (const text of samples) {
      for (const size of [1, 5, 17, 64]) {
        const pieces = [...paragraphGroups(text, size)];
        expect(pieces.flatMap(paragraphs)).toEqual(paragraphs(text));
      }
    }
  });
});

describe('textToPdfA', () => {
  it('lays out a long Kazakh text into a compliant PDF/A-1b whose text pdftotext reads back', async () => {
    const line = 'Әр іс жүргізуші құжаттарды өз уақытында тапсырады: Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі.';
    const text = Array.from({ length: 3000 }, (_, i) => `${i + 1}. ${line}`).join('\n');
    const pdf = await textToPdfA(text, { title: 'Ұзын мәтін', date: new Date('2025-01-01T00:00:00Z') });
    const report = await validatePdfA(pdf);
    expect(report.failures).toEqual([]);
    expect(report.compliant).toBe(true);
    const pdftotext = await findTool('pdftotext');
    if (!pdftotext) return;
    const dir = await mkdtemp(path.join(tmpdir(), 'muragat-layout-'));
    try {
      await writeFile(path.join(dir, 'r.pdf'), pdf);
      const out = (await runProcess(pdftotext, ['-enc', 'UTF-8', path.join(dir, 'r.pdf'), '-'], { timeoutMs: 60_000 })).stdout.toString('utf8');
      expect(out).toContain('1. Әр іс жүргізуші');
      expect(out).toContain('3000. Әр іс жүргізуші құжаттарды өз уақытында тапсырады: Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі.');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
