// A step's verdicts are written in a few statements (one per set of changed columns), and each
// document still gets exactly its own values: statuses, JSON verdicts, nulls, sanitised text.
// Runs on PGlite and on the PostgreSQL server.
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../tests/helpers/db';
import { insertDocuments, loadDocs, writeDocUpdates, type DocUpdate } from './documents';

describe('document verdicts', () => {
  describeEachDatabase('writeDocUpdates', (get) => {
    async function transferWith(count: number): Promise<string> {
      const { db } = get();
      const transfer = await db
        .insertInto('transfers')
        .values({ status: 'processing', source_name: 'verdicts.tar', source_sha256: null, source_size: 1, actor: JSON.stringify({ username: 'test' }), problems: '[]' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const rows = Array.from({ length: count }, (_, i) => ({
        transfer_id: transfer.id,
        dossier_index: '03-01',
        seq: i + 1,
        source_path: `03-01/${i + 1}.docx`,
        parent_path: null,
        sha256: 'a'.repeat(64),
        size: 100 + i,
        status: 'pending',
        problems: '[]',
        manifest_entry: JSON.stringify({ localPath: `files/03-01/${i + 1}.docx`, volume: 1, title: `Құжат ${i + 1}` }),
      }));
      await db.transaction().execute(async (trx) => {
        await insertDocuments(trx, rows);
        // A second attempt of the step leaves the rows it finds as they are.
        await insertDocuments(trx, rows.slice(0, 2).map((r) => ({ ...r, size: 1 })));
      });
      return transfer.id;
    }

    it('gives each document its own values, across statements of different columns and past one statement’s rows', async () => {
      const { db } = get();
      const transferId = await transferWith(1205);
      const docs = await loadDocs(db, transferId);
      expect(docs).toHaveLength(1205);
      expect(docs[0]!.size).toBe(100);
      const updates = new Map<string, DocUpdate>();
      for (const [i, doc] of docs.entries()) {
        if (i % 3 === 0) updates.set(doc.id, { status: 'accepted', renditionSha256: String(i % 10).repeat(64), renditionPath: `renditions/${doc.seq}.pdf` });
        else if (i % 3 === 1) updates.set(doc.id, { status: 'conversion-failed', renditionSha256: null, problems: [{ code: 'ingest.not_reproducible', message: `Бет ${i}\u0000 жоқ`, where: doc.source }] });
        else updates.set(doc.id, { format: { family: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', puid: 'fmt/412' } as never, acceptedWithReason: `себеп\u0007 ${i}` });
      }
      updates.set(docs[4]!.id, {}); // nothing to change: no statement, no error
      await db.transaction().execute((trx) => writeDocUpdates(trx, updates));

      const after = await loadDocs(db, transferId);
      for (const [i, doc] of after.entries()) {
        if (i === 4) {
          expect(doc).toMatchObject({ status: 'pending', renditionSha256: null, format: null, problems: [] });
        } else if (i % 3 === 0) {
          expect(doc).toMatchObject({ status: 'accepted', renditionSha256: String(i % 10).repeat(64), renditionPath: `renditions/${doc.seq}.pdf`, problems: [] });
        } else if (i % 3 === 1) {
          expect(doc).toMatchObject({ status: 'conversion-failed', renditionSha256: null, renditionPath: null });
          // Control characters quoted from a document never reach the database.
          expect(doc.problems).toEqual([{ code: 'ingest.not_reproducible', message: `Бет ${i} жоқ`, where: doc.source }]);
        } else {
          expect(doc).toMatchObject({ status: 'pending', format: { family: 'docx', puid: 'fmt/412' }, acceptedWithReason: `себеп ${i}` });
        }
      }
    });

    it('sets a column back to null and leaves the other transfers alone', async () => {
      const { db } = get();
      const mine = await transferWith(3);
      const other = await transferWith(3);
      const docs = await loadDocs(db, mine);
      await db.transaction().execute((trx) => writeDocUpdates(trx, new Map(docs.map((d) => [d.id, { renditionSha256: 'b'.repeat(64), renditionPath: 'r.pdf' }]))));
      await db.transaction().execute((trx) => writeDocUpdates(trx, new Map([[docs[1]!.id, { renditionSha256: null, renditionPath: null }]])));
      expect((await loadDocs(db, mine)).map((d) => d.renditionSha256)).toEqual(['b'.repeat(64), null, 'b'.repeat(64)]);
      expect((await loadDocs(db, other)).every((d) => d.renditionSha256 === null && d.renditionPath === null)).toBe(true);
    });
  });
});
