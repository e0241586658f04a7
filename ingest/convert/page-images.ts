// Last route for a PDF no other route turns into a valid, faithful PDF/A-1b: poppler renders
// each page of the original to a JPEG (pdftoppm reads many files Ghostscript gives up on, and it
// draws form fields and annotations as a viewer shows them) and the pages become a PDF/A-1b of
// images. Such a rendition has no text layer: the reproducibility check then only checks that
// it renders, and the route is recorded and reported as a page-image rendition.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { findTool } from '../../common/process';
import { runTool } from './tool-runner';
import { createPdfaBase, savePdfA } from './pdfa-writer';

/** Resolution of the page images: legible print quality; long documents get less to bound memory. */
export function pageImageDpi(pages: number | null): number {
  return pages !== null && pages > 200 ? 100 : 150;
}

export type PageImagesOutcome = { ok: true; pages: number } | { ok: false; code: 'tool_missing' | 'timeout' | 'conversion_failed'; detail: string };

export async function pdfToPageImagesPdfA(input: string, outPath: string, options: { workDir: string; timeoutMs: number; title: string; pages?: number | null }): Promise<PageImagesOutcome> {
  if (!(await findTool('pdftoppm'))) return { ok: false, code: 'tool_missing', detail: 'pdftoppm (poppler-utils)' };
  await mkdir(options.workDir, { recursive: true });
  const dir = await mkdtemp(path.join(options.workDir, 'pages-'));
  try {
    const dpi = pageImageDpi(options.pages ?? null);
    const r = await runTool('pdftoppm', ['-r', String(dpi), '-jpeg', '-jpegopt', 'quality=85', input, path.join(dir, 'p')], { timeoutMs: options.timeoutMs });
    if (r.timedOut) return { ok: false, code: 'timeout', detail: `pdftoppm did not finish within ${Math.round(options.timeoutMs / 1000)} s` };
    // pdftoppm numbers its pages with zero padding to the page count's width: name order is page order.
    const pages = (await readdir(dir)).filter((n) => n.endsWith('.jpg')).sort();
    if (!pages.length) return { ok: false, code: 'conversion_failed', detail: r.stderr.split('\n').filter(Boolean).slice(0, 3).join(' | ').slice(0, 500) || `pdftoppm exit code ${r.code}` };
    const doc = await createPdfaBase();
    for (const name of pages) {
      const image = await doc.embedJpg(await readFile(path.join(dir, name)));
      // The page keeps the original's size: pixels at `dpi` back to points.
      const width = (image.width * 72) / dpi;
      const height = (image.height * 72) / dpi;
      doc.addPage([width, height]).drawImage(image, { x: 0, y: 0, width, height });
    }
    const bytes = await savePdfA(doc, { title: options.title, subject: 'Page images of the original (no text layer)' });
    const partial = `${outPath}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, outPath);
    return { ok: true, pages: pages.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
