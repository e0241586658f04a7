// p.156 at ingest: a dossier whose index is not in the approved nomenclature of its year is
// refused, naming the index, the year and the department; after the case is added (a new
// revision, approved) the same transfer is retried and accepted. Years before the catalog's
// first approved nomenclature are not checked. On PGlite and, with TEST_DATABASE_URL, PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { t } from '../../common/i18n';
import { checkDossierIndexes, createNomenclatureService } from '../../catalog/nomenclature';
import { processTransfer, runIngest } from '../../ingest';
import { retryTransfer } from '../../ingest/intake/transfer-state';
import { testDatabaseKinds } from '../helpers/db';
import { buildDepartmentPackage, seedDepartments } from '../server/departments';
import { createIngestEnv, type IngestEnv } from './helpers';

async function approve(env: IngestEnv, year: number): Promise<void> {
  const nomenclature = createNomenclatureService({ db: env.db });
  for (const step of ['records_head', 'expert_commission', 'organisation_head'] as const) {
    await nomenclature.recordStep(SYSTEM_ACTOR, year, { step, protocolNumber: step === 'expert_commission' ? '4' : null, date: `${year - 1}-12-10`, name: 'Оператор' });
  }
}

for (const kind of testDatabaseKinds()) {
  describe(`ingest refuses dossiers outside the approved nomenclature [${kind}]`, () => {
    let env: IngestEnv;
    let work: string;
    beforeAll(async () => {
      env = await createIngestEnv({}, kind);
      work = await mkdtemp(path.join(tmpdir(), 'muragat-nomcheck-'));
      await seedDepartments(env.db);
    }, 120_000);
    afterAll(async () => {
      await env?.close();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('accepts a year before the first approved nomenclature, refuses an index outside it, accepts it once added', async () => {
      const nomenclature = createNomenclatureService({ db: env.db });
      // No nomenclature in the catalog yet: nothing to check against.
      const before = await runIngest(env.deps, { tarPath: await buildDepartmentPackage(work, '02', 5) });
      expect(before.status ?? 'completed').toBe('completed');

      await nomenclature.create(SYSTEM_ACTOR, 2025, { epkRequired: false });
      await nomenclature.addItem(SYSTEM_ACTOR, 2025, { departmentCode: '02', number: 1, heading: 'Жеке құрам бойынша бұйрықтар', retention: { kind: 'years', years: 75 } });
      await approve(env, 2025);

      const refused = await runIngest(env.deps, { tarPath: await buildDepartmentPackage(work, '02', 8) });
      expect(refused.status).toBe('failed');
      expect(refused.failure).toMatchObject({ step: 'manifest', code: 'nomenclature.ingest_index_not_in_nomenclature' });
      expect(refused.problems?.[0]).toMatchObject({ code: 'nomenclature.ingest_index_not_in_nomenclature', clause: 'p.156' });
      expect(refused.failure?.message).toContain('02-8');
      expect(refused.failure?.message).toContain('2025');
      for (const lang of ['kk', 'ru', 'en'] as const) {
        const text = t(lang, 'nomenclature.ingest_index_not_in_nomenclature', { index: '02-8', year: 2025, department: '02' });
        expect(text).toContain('02-8');
        expect(text).toContain('2025');
      }
      const stored = await env.db.selectFrom('dossiers').select('id').where('transfer_id', '=', refused.transfer).execute();
      expect(stored).toEqual([]);

      // The records service adds the case in a new revision; once approved the transfer is retried.
      await nomenclature.revise(SYSTEM_ACTOR, 2025);
      await nomenclature.addItem(SYSTEM_ACTOR, 2025, { departmentCode: '02', number: 8, heading: 'Еңбек шарттары', retention: { kind: 'years', years: 75 } });
      await approve(env, 2025);
      await retryTransfer(env.deps, SYSTEM_ACTOR, refused.transfer);
      const accepted = await processTransfer(env.deps, refused.transfer);
      expect(accepted.status ?? 'completed').toBe('completed');
      expect(accepted.dossiers.map((d) => d.index)).toEqual(['02-8']);
    }, 240_000);

    it('names a year without an approved nomenclature and a case of another department', async () => {
      // 2026 comes after the first approved year (2025) and has none.
      expect(await checkDossierIndexes(env.db, { year: 2026, department: '02', indexes: ['02-1'] })).toMatchObject({
        checked: true,
        refusals: [{ index: '02-1', code: 'nomenclature.ingest_no_approved', params: { year: 2026, department: '02' } }],
      });
      // Years before the first approved nomenclature are not checked.
      expect(await checkDossierIndexes(env.db, { year: 2024, department: '02', indexes: ['02-99'] })).toMatchObject({ checked: false, refusals: [] });
      // "02-01" is case 1 of department 02; "02-8" belongs to 02, not to 03.
      const check = await checkDossierIndexes(env.db, { year: 2025, department: '03', indexes: ['02-8'] });
      expect(check.refusals).toEqual([{ index: '02-8', code: 'nomenclature.ingest_index_other_department', params: { index: '02-8', year: 2025, department: '03', owner: '02' } }]);
      expect((await checkDossierIndexes(env.db, { year: 2025, department: '02', indexes: ['02-01', '02-8'] })).refusals).toEqual([]);
    });
  });
}
