// Re-validation of stored renditions during an integrity run (`--revalidate-pdfa[=engine]`):
// the PDF/A-1b renditions of the dossiers in scope are read from storage (verified reads: a
// damaged copy is reported elsewhere and a sound replica used here), checked by the chosen
// engine — veraPDF by default, the reference, in one JVM start per batch — and every rendition
// that does not conform becomes a failure of its dossier. Ingest validated each rendition when it
// was stored; this proves it again with the reference tool, or with a newer validator.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import type { Storage } from '../storage';
import { dossierContent, type DossierContent } from '../destruction/content';
import { MAX_BATCH, validatePdfAFiles, type PdfaEngine, type PdfaReport } from '../validators/pdfa';
import type { VerifyFailure } from '../ingest/aip/verify';

export interface RevalidateOptions {
  engine: PdfaEngine;
  dossierIds: string[];
  onProgress?: (done: number, total: number, item: string) => void;
}

interface RenditionRow {
  dossierId: string;
  position: number;
  documentId: string;
  aipPath: string;
  title: string;
  sha256: string;
}

/** Failures per dossier id; dossiers whose renditions all conform are absent. */
export async function revalidateRenditions(deps: { db: Kysely<Database>; storage: Storage }, options: RevalidateOptions): Promise<Map<string, VerifyFailure[]>> {
  const out = new Map<string, VerifyFailure[]>();
  if (!options.dossierIds.length) return out;
  const rows: RenditionRow[] = (
    await deps.db
      .selectFrom('dossier_documents as dd')
      .innerJoin('documents as d', 'd.id', 'dd.document_id')
      .select(['dd.dossier_id', 'dd.position', 'dd.document_id', 'dd.aip_path', 'dd.metadata', 'd.rendition_sha256'])
      .where('dd.dossier_id', 'in', options.dossierIds)
      .where('d.rendition_sha256', 'is not', null)
      .orderBy('dd.dossier_id')
      .orderBy('dd.position')
      .execute()
  ).map((r) => ({
    dossierId: r.dossier_id,
    position: r.position,
    documentId: r.document_id,
    aipPath: r.aip_path,
    title: String((r.metadata as { title?: unknown }).title ?? ''),
    sha256: r.rendition_sha256!,
  }));
  const dir = await mkdtemp(path.join(tmpdir(), 'muragat-revalidate-'));
  // Renditions of sealed dossiers are read through their dossier's key (docs/destruction.md).
  const contents = new Map<string, Promise<DossierContent>>();
  const contentOf = (dossierId: string) => {
    let c = contents.get(dossierId);
    if (!c) contents.set(dossierId, (c = dossierContent(deps, dossierId)));
    return c;
  };
  try {
    for (let i = 0; i < rows.length; i += MAX_BATCH) {
      const batch = rows.slice(i, i + MAX_BATCH);
      const files: string[] = [];
      for (const r of batch) {
        const file = path.join(dir, `${r.sha256}.pdf`);
        try {
          await writeFile(file, await (await contentOf(r.dossierId)).bytes(r.sha256));
          files.push(file);
        } catch {
          // No sound copy: the object checks of the same run report it; nothing to validate.
          files.push('');
        }
      }
      const present = files.filter(Boolean);
      const reports = new Map<string, PdfaReport>();
      const checked = await validatePdfAFiles(present, { engine: options.engine, lang: 'en' });
      present.forEach((f, k) => reports.set(f, checked[k]!));
      batch.forEach((r, k) => {
        options.onProgress?.(i + k + 1, rows.length, r.title || r.aipPath);
        const report = files[k] ? reports.get(files[k]) : undefined;
        if (!report || report.compliant) return;
        const list = out.get(r.dossierId) ?? [];
        list.push(renditionFailure(r, report, options.engine));
        out.set(r.dossierId, list);
      });
      await Promise.all(files.filter(Boolean).map((f) => rm(f, { force: true })));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

function renditionFailure(r: RenditionRow, report: PdfaReport, engine: PdfaEngine): VerifyFailure {
  const clauses = [...new Set(report.failures.map((f) => f.clause))];
  const first = report.failures[0];
  const by = engine === 'verapdf' ? 'veraPDF' : engine === 'builtin' ? 'the built-in checker' : 'veraPDF and the built-in checker together';
  const what = report.unreadable ? `cannot be read by ${by}` : `does not conform to PDF/A-1b according to ${by}`;
  return {
    kind: 'rendition-not-pdfa',
    message: `rendition of document ${r.position} ${what}: clause ${clauses.join(', ') || '?'}${first ? ` (${first.message})` : ''}`,
    sha256: r.sha256,
    path: r.aipPath,
    document: { position: r.position, id: r.documentId, title: r.title },
  };
}
