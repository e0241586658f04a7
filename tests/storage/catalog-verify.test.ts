// The catalog is checked against the signed AIP: each database edit the issue lists (dossier
// title, metadata, status awaiting-signature → stored, a document's status, a document's
// metadata, a signature row) is named by `verify` with the field, the database value and the
// AIP value; the untouched archive passes. Both database engines, primary + replica in a temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { loadTools, runIngest, verifyStoredDossiers } from '../../ingest';
import type { VerifyFailure } from '../../ingest/aip/verify';
import { openStorage, type Storage } from '../../storage';
import { describeEachDatabase } from '../helpers/db';
import { KAZAKH_ORDER, RUSSIAN_ORDER, packDepartmentFolder } from '../helpers/department-folder';

function buildPackage(dir: string): Promise<string> {
  return packDepartmentFolder(dir, {
    tree: 'tree',
    tar: 'transfer.tar',
    department: { code: '05', name: 'Кадрлар бөлімі' },
    year: 2024,
    index: '05-02',
    dossier: { title: 'Жеке құрам бойынша бұйрықтар', retention: { kind: 'years', years: 10, article: '201' } },
    documents: { '2024-03-01 Бұйрық №12-ж.txt': KAZAKH_ORDER, '2024-05-20 Приказ №31-л.txt': RUSSIAN_ORDER },
  });
}

describeEachDatabase('verify names catalog edits against the AIP', (getDb) => {
  let work: string;
  let storage: Storage;
  let dossierId = '';
  let trustDir = '';
  const verify = async () => {
    const report = await verifyStoredDossiers({ db: getDb().db, storage, trustDir, tools: await loadTools() }, { dossierId });
    return report.dossiers[0]!.failures;
  };
  const mismatches = (failures: VerifyFailure[]) => failures.filter((f) => f.kind === 'catalog-mismatch').map((f) => ({ field: f.field, database: f.database, aip: f.aip }));

  /** Runs a database edit, checks what verify names, and undoes the edit. */
  async function tampered(edit: string, undo: string): Promise<VerifyFailure[]> {
    const { db } = getDb();
    await sql.raw(edit).execute(db);
    try {
      return await verify();
    } finally {
      await sql.raw(undo).execute(db);
    }
  }

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-catalog-verify-'));
    const config = parseConfig({
      MURAGAT_DATA_DIR: work,
      MURAGAT_STORAGE: `file:${path.join(work, 'primary')},file:${path.join(work, 'replica')}`,
      MURAGAT_TRUST_DIR: path.join(work, 'trust'),
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
    });
    trustDir = config.trustDir;
    storage = openStorage(config);
    const report = await runIngest({ db, storage, config }, { tarPath: await buildPackage(work) });
    const d = report.dossiers[0]!;
    expect(d.documents.every((doc) => doc.status === 'accepted'), JSON.stringify(report)).toBe(true);
    dossierId = d.id!;
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the untouched archive passes', async () => {
    expect(await verify()).toEqual([]);
  }, 60_000);

  it('names an edited dossiers.title with both values', async () => {
    const failures = await tampered(`UPDATE dossiers SET title = 'Қолдан жасалған атау' WHERE id = '${dossierId}'`, `UPDATE dossiers SET title = 'Жеке құрам бойынша бұйрықтар' WHERE id = '${dossierId}'`);
    expect(mismatches(failures)).toEqual([{ field: 'dossier title', database: 'Қолдан жасалған атау', aip: 'Жеке құрам бойынша бұйрықтар' }]);
    expect(failures[0]!.message).toBe('dossier title: the database says "Қолдан жасалған атау", the AIP says "Жеке құрам бойынша бұйрықтар"');
  }, 60_000);

  it('names an edited field of dossiers.metadata', async () => {
    const failures = await tampered(
      `UPDATE dossiers SET metadata = jsonb_set(metadata, '{retention,years}', '75') WHERE id = '${dossierId}'`,
      `UPDATE dossiers SET metadata = jsonb_set(metadata, '{retention,years}', '10') WHERE id = '${dossierId}'`,
    );
    expect(mismatches(failures)).toEqual([{ field: 'dossier metadata.retention.years', database: 75, aip: 10 }]);
  }, 60_000);

  it('names a dossier status moved from awaiting-signature to stored without signatures', async () => {
    const failures = await tampered(`UPDATE dossiers SET status = 'stored' WHERE id = '${dossierId}'`, `UPDATE dossiers SET status = 'awaiting-signature' WHERE id = '${dossierId}'`);
    expect(mismatches(failures)).toEqual([{ field: 'dossier status', database: 'stored', aip: 'awaiting-signature' }]);
  }, 60_000);

  it('names a document status edited in the database', async () => {
    const { db } = getDb();
    const row = await db.selectFrom('dossier_documents').select('document_id').where('dossier_id', '=', dossierId).where('position', '=', 2).executeTakeFirstOrThrow();
    const failures = await tampered(`UPDATE documents SET status = 'conversion-failed' WHERE id = '${row.document_id}'`, `UPDATE documents SET status = 'accepted' WHERE id = '${row.document_id}'`);
    expect(mismatches(failures)).toEqual([{ field: 'document 2 status', database: 'conversion-failed', aip: 'accepted' }]);
    expect(failures[0]!.document).toMatchObject({ position: 2, id: row.document_id });
  }, 60_000);

  it('names a document title edited in the catalog metadata', async () => {
    const failures = await tampered(
      `UPDATE dossier_documents SET metadata = jsonb_set(metadata, '{title}', '"Жалған тақырып"') WHERE dossier_id = '${dossierId}' AND position = 1`,
      // Undone below with the AIP's value, which the report names.
      'SELECT 1',
    );
    const titleDiff = mismatches(failures).find((m) => m.field === 'document 1 metadata.title');
    expect(titleDiff).toMatchObject({ database: 'Жалған тақырып' });
    expect(typeof titleDiff!.aip).toBe('string');
    await sql`UPDATE dossier_documents SET metadata = jsonb_set(metadata, '{title}', to_jsonb(${titleDiff!.aip as string}::text)) WHERE dossier_id = ${dossierId} AND position = 1`.execute(getDb().db);
    expect(await verify()).toEqual([]);
  }, 60_000);

  it('names a signature row the AIP does not hold', async () => {
    const { db } = getDb();
    const fake = 'ab'.repeat(32);
    const failures = await tampered(
      `INSERT INTO dossier_signatures (dossier_id, kind, signer, cms_sha256, verdict) VALUES ('${dossierId}', 'integrity', '{"subject":"CN=Forged"}', '${fake}', 'valid')`,
      `DELETE FROM dossier_signatures WHERE cms_sha256 = '${fake}'`,
    );
    expect(mismatches(failures)).toContainEqual({ field: `integrity signature ${fake.slice(0, 16)}…`, database: 'present', aip: 'absent' });
  }, 60_000);
});
