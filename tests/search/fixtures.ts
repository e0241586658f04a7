// Fixtures of the search tests: stored dossiers written straight into the catalog (as the
// appraisal and retention tests do; the pipeline's own hunk is the same keepRenditionText), each
// document's rendition a real PDF/A made from its text and read back by pdftotext.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import { textToPdfA } from '../../ingest/convert/layout';
import { keepRenditionText } from '../../search/extract';

export interface DocSpec {
  title: string;
  kind: string;
  language: 'kk' | 'ru';
  text: string;
  author?: string;
  access?: Record<string, unknown>;
}

export interface DossierSpec {
  index: string;
  title: string;
  department: string;
  year: number;
  fonds?: string;
  retention: { kind: 'permanent' | 'years' | 'years_epk' | 'until_needed'; years?: number };
  access?: Record<string, unknown>;
  documents: DocSpec[];
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Stores the dossiers; returns dossier ids by index and document ids by "index#position". */
export async function addDossiers(db: Kysely<Database>, specs: DossierSpec[]): Promise<{ dossiers: Record<string, string>; documents: Record<string, string> }> {
  const out = { dossiers: {} as Record<string, string>, documents: {} as Record<string, string> };
  const dir = await mkdtemp(path.join(tmpdir(), 'muragat-search-test-'));
  try {
    for (const d of specs) {
      const transfer = await db
        .insertInto('transfers')
        .values({ status: 'completed', department: d.department, year: d.year, source_name: `t-${d.index}-${d.year}.tar` } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      const transferId = (transfer as { id: string }).id;
      const metadata = {
        schemaVersion: 'muragat.dossier/1',
        fonds: d.fonds ?? '12',
        index: d.index,
        title: d.title,
        year: d.year,
        department: { code: d.department },
        startDate: `${d.year}-02-01`,
        endDate: `${d.year}-11-30`,
        retention: d.retention,
        documentCount: d.documents.length,
        fileCount: d.documents.length,
        sizeBytes: 2048,
        languages: [...new Set(d.documents.map((x) => x.language))],
        ...(d.access ? { access: d.access } : {}),
      };
      const dossier = await db
        .insertInto('dossiers')
        .values({ transfer_id: transferId, case_index: d.index, title: d.title, status: 'stored', aip_manifest_sha256: sha(`m${d.index}${d.year}`), inventory_sha256: sha('i'), integrity_sha256: sha('n'), metadata: JSON.stringify(metadata) } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      const dossierId = (dossier as { id: string }).id;
      out.dossiers[d.index] = dossierId;
      let position = 0;
      for (const doc of d.documents) {
        position += 1;
        const pdf = await textToPdfA(doc.text, { title: doc.title });
        const file = path.join(dir, `${d.index}-${position}.pdf`);
        await writeFile(file, pdf);
        const renditionSha = createHash('sha256').update(pdf).digest('hex');
        const row = await db
          .insertInto('documents')
          .values({ transfer_id: transferId, dossier_index: d.index, seq: position, source_path: `${d.index}/${position}.txt`, sha256: sha(doc.text), size: doc.text.length, status: 'accepted', rendition_sha256: renditionSha } as never)
          .returning('id')
          .executeTakeFirstOrThrow();
        const documentId = (row as { id: string }).id;
        out.documents[`${d.index}#${position}`] = documentId;
        // What the ingest's reproducibility step does with the rendition it has just checked.
        await keepRenditionText(db, documentId, file, renditionSha);
        const docMeta = {
          schemaVersion: 'muragat.document/1',
          identifier: documentId,
          dossierIndex: d.index,
          position,
          kind: doc.kind,
          title: doc.title,
          date: `${d.year}-03-0${Math.min(position, 9)}`,
          number: `${position}`,
          language: doc.language,
          ...(doc.author ? { author: { name: doc.author } } : {}),
          access: doc.access ?? { kind: 'open' },
        };
        await db
          .insertInto('dossier_documents')
          .values({ dossier_id: dossierId, position, document_id: documentId, aip_path: `documents/${position}`, control_characteristic: sha(`${d.index}${position}`), previous: null, metadata: JSON.stringify(docMeta) })
          .execute();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}
