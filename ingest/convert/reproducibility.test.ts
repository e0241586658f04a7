// The reproducibility check itself: a rendition that does not render fails whatever its text,
// one that renders passes only when the source's words are found in it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTool } from '../../common/process';
import type { FormatId } from '../scan/index';
import { checkReproducibility, textToPdfA } from './index';

const havePoppler = !!(await findTool('pdftoppm')) && !!(await findTool('pdftotext'));
const txt: FormatId = { mime: 'text/plain', name: 'TXT', version: 'UTF-8', family: 'text', extensionMatches: true, encrypted: false, problems: [] };
const png: FormatId = { mime: 'image/png', name: 'PNG', family: 'image', extensionMatches: true, encrypted: false, problems: [] };
const SOURCE = 'Мұрағат қорына қабылданған құжаттардың тізімдемесі. Жеке құрам бойынша бұйрықтар жиынтығы 2025 жыл.\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-repro-'));
  await writeFile(path.join(dir, 'source.txt'), SOURCE);
  await writeFile(path.join(dir, 'other.txt'), 'Совершенно другой документ о поставке канцелярских товаров.\n');
  await writeFile(path.join(dir, 'good.pdf'), await textToPdfA(SOURCE, { title: 'source' }));
  await writeFile(path.join(dir, 'broken.pdf'), '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!havePoppler)('checkReproducibility', () => {
  it('accepts a rendition that renders and contains the source text', async () => {
    expect(await checkReproducibility(path.join(dir, 'source.txt'), txt, path.join(dir, 'good.pdf'))).toEqual({ ok: true, renders: true, textMatches: true, problems: [] });
  });

  it('rejects a rendition of another text', async () => {
    const r = await checkReproducibility(path.join(dir, 'other.txt'), txt, path.join(dir, 'good.pdf'));
    expect(r).toMatchObject({ ok: false, renders: true, textMatches: false });
    expect(r.problems.map((p) => p.code)).toEqual(['repro_text_mismatch']);
  });

  it('rejects a rendition whose first page does not render', async () => {
    const r = await checkReproducibility(path.join(dir, 'source.txt'), txt, path.join(dir, 'broken.pdf'));
    expect(r.ok).toBe(false);
    expect(r.renders).toBe(false);
    expect(r.problems[0]?.code).toBe('repro_not_rendered');
  });

  it('checks only the render for sources without text (images)', async () => {
    expect(await checkReproducibility(path.join(dir, 'nothing.png'), png, path.join(dir, 'good.pdf'))).toEqual({ ok: true, renders: true, textMatches: null, problems: [] });
    expect(await checkReproducibility(path.join(dir, 'nothing.png'), png, path.join(dir, 'broken.pdf'))).toMatchObject({ ok: false, renders: false });
  });
});
