// The text of a rendered form as pdftotext reads it, for tests. `-raw` keeps the content
// stream's order, which is the layout's order (cell by cell), so a heading wrapped over several
// lines of its cell reads back as one phrase once whitespace is collapsed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTool, runProcess } from '../../common/process';

/** Whitespace (no-break spaces included) collapsed to single spaces. */
export function collapse(text: string): string {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
}

/** pdftotext -raw of the bytes, whitespace collapsed; null when pdftotext is not installed. */
export async function pdfText(pdf: Uint8Array): Promise<{ text: string; pages: string[] } | null> {
  const tool = await findTool('pdftotext');
  if (!tool) return null;
  const dir = await mkdtemp(path.join(tmpdir(), 'muragat-forms-'));
  try {
    const file = path.join(dir, 'form.pdf');
    await writeFile(file, pdf);
    const out = (await runProcess(tool, ['-raw', '-enc', 'UTF-8', file, '-'], { timeoutMs: 60_000 })).stdout.toString('utf8');
    const pages = out.split('\f').filter((p, i, all) => p.trim() !== '' || i < all.length - 1).map(collapse);
    return { text: collapse(out), pages };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
