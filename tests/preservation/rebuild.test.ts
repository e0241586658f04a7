// Catalog rebuild from storage (preservation/rebuild, docs/rebuild.md), on both engines: a real
// transfer is ingested (a sealed dossier signed afterwards, a permanent one in clear, a third
// destroyed in storage), the database is dropped — a fresh, migrated, empty one takes its place
// — and the catalog is rebuilt from the AIPs alone. verify passes on it and its rows equal the
// original's table by table for everything the AIPs hold; the destroyed dossier stays out; a
// non-empty catalog is refused; an object lost from every location refuses the rebuild (naming
// its dossier, writing nothing) unless the loss is accepted.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { runIngest, verifyStoredDossiers, loadTools, attachDossierSignature, signingContent, type IngestReport } from '../../ingest';
import { signDetached } from '../../validators/signature';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { createSignersService } from '../../accounts/signers.service';
import { createUsersService } from '../../accounts/users.service';
import { destroyContentKey, keyAreasOf } from '../../storage/keys';
import { loadSystemKey, systemKeyDir, writeAuditAnchor } from '../../audit/audit-anchor';
import { putEverywhere, readJsonObject, readManifest, serialiseJson } from '../../ingest/aip';
import type { DossierMetadata } from '../../validators/schemas/types';
import { rebuildCatalog, CATALOG_CONTEXT_PATH, type RebuildReport } from '../../preservation/rebuild';
import type { Database } from '../../database/database';
import { createTestDatabase, testDatabaseKinds } from '../helpers/db';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from '../ingest/helpers';

type Db = Kysely<Database>;

/** Rows of a table keyed by a natural key, with only the columns the AIPs hold. */
async function dossierRows(db: Db) {
  const rows = await db.selectFrom('dossiers').selectAll().orderBy('case_index').execute();
  return rows.map(({ id: _id, stored_at: _s, updated_at: _u, ...rest }) => rest);
}

async function chainRows(db: Db) {
  const rows = await db
    .selectFrom('dossier_documents as dd')
    .innerJoin('dossiers as d', 'd.id', 'dd.dossier_id')
    .select(['d.case_index', 'd.volume', 'dd.position', 'dd.document_id', 'dd.aip_path', 'dd.control_characteristic', 'dd.previous', 'dd.metadata'])
    .orderBy('d.case_index')
    .orderBy('dd.position')
    .execute();
  return rows;
}

async function documentRows(db: Db, leaveOut: string[] = []) {
  const rows = await db.selectFrom('documents').selectAll().orderBy('id').execute();
  return rows
    .filter((r) => !leaveOut.includes(r.dossier_index ?? ''))
    .map((r) => {
      // The signature's evidence is in the AIP (signature-evidence/), not repeated in the row.
      const { evidence: _e, ...signature } = (r.signature ?? {}) as Record<string, unknown>;
      return { ...r, size: Number(r.size), signature: r.signature === null ? null : signature };
    });
}

async function signatureRows(db: Db) {
  const rows = await db
    .selectFrom('dossier_signatures as s')
    .innerJoin('dossiers as d', 'd.id', 's.dossier_id')
    .select(['d.case_index', 's.kind', 's.cms_sha256', 's.verdict', 's.signer'])
    .orderBy('d.case_index')
    .orderBy('s.kind')
    .execute();
  return rows.map((r) => {
    const signer = r.signer as Record<string, unknown>;
    return { index: r.case_index, kind: r.kind, cms: r.cms_sha256, verdict: r.verdict, subject: signer.subject, issuer: signer.issuer, serialNumber: signer.serialNumber, username: signer.username };
  });
}

async function keyRows(db: Db) {
  const keys = await db.selectFrom('content_keys as k').leftJoin('dossiers as d', 'd.id', 'k.dossier_id').select(['k.key_id', 'k.aip_id', 'k.key_check', 'd.case_index']).orderBy('k.aip_id').execute();
  const sealed = await db.selectFrom('sealed_objects').selectAll().orderBy('key_id').orderBy('plain_sha256').execute();
  return { keys, sealed: sealed.map((s) => ({ ...s, plain_size: Number(s.plain_size), sealed_size: Number(s.sealed_size) })) };
}

async function referenceRows(db: Db) {
  const organisation = await db.selectFrom('organisation').select(['name_kk', 'name_ru', 'short_name_kk', 'short_name_ru', 'bin', 'fonds_number']).execute();
  const departments = await db.selectFrom('departments').select(['code', 'name_kk', 'name_ru']).orderBy('code').execute();
  const transfers = await db.selectFrom('transfers').select(['id', 'status', 'department', 'year', 'source_name', 'source_sha256', 'source_size', 'received_at']).where('status', '=', 'completed').orderBy('id').execute();
  return { organisation, departments, transfers: transfers.map((t) => ({ ...t, source_size: t.source_size === null ? null : Number(t.source_size), received_at: new Date(t.received_at).toISOString() })) };
}

for (const kind of testDatabaseKinds()) {
  describe(`catalog rebuild from storage [${kind}]`, () => {
    let env: IngestEnv;
    let report: IngestReport;
    let target: Awaited<ReturnType<typeof createTestDatabase>>;
    let rebuilt: RebuildReport;
    let failedTransfer: string;
    let lastAnchor: string;
    const opened: { close(): Promise<void> }[] = [];
    const deps = async (db: Db) => ({ db, storage: env.storage, trustDir: env.config.trustDir, verifySignature: (await loadTools()).verifySignature });
    const verify = async (db: Db) => verifyStoredDossiers({ db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() });

    beforeAll(async () => {
      env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' }, kind);
      const organisation = createOrganisationService({ db: env.db });
      await organisation.save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Образец»', shortNameKk: 'Мұрағат Үлгі', bin: '123456789012', fondsNumber: '12' });
      const department = await organisation.addDepartment(SYSTEM_ACTOR, { code: '03', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
      await createUsersService({ db: env.db }).add(SYSTEM_ACTOR, { username: 'seitov', password: 'Seitov-Secret-2026', fullName: 'Сейітов Асқар', roles: ['archivist', 'department_head'], departmentId: department.id });
      await createSignersService({ db: env.db }).addCertificate(SYSTEM_ACTOR, 'seitov', new Uint8Array(await readFile(env.pki.signers.rsa.certPath)));
      // 03-12 sealed (75 years), 03-15 permanent (clear), 03-20 sealed (10 years, destroyed below).
      const tar = await buildFixtureTransfer(env, 'rebuild', async (dir) => {
        await writeFile(path.join(dir, '03-15', 'dossier.json'), JSON.stringify({ title: 'Ұйымдармен хат алмасу (Переписка с организациями)', retention: { kind: 'permanent', article: '23' } }));
        await mkdir(path.join(dir, '03-20'), { recursive: true });
        await writeFile(path.join(dir, '03-20', 'dossier.json'), JSON.stringify({ title: 'Іссапарлар туралы бұйрықтар', retention: { kind: 'years', years: 10, article: '600' } }));
        await writeFile(path.join(dir, '03-20', '2025-02-03 Бұйрық №3-ж.txt'), 'Іссапарға жіберу туралы бұйрық.\nҚызметкер Алматы қаласына жіберілсін.\n');
      });
      report = await runIngest(env.deps, { tarPath: tar });
      expect(report.dossiers.map((d) => d.index)).toEqual(['03-12', '03-15', '03-20']);
      // 03-12 is signed afterwards: its current manifest is the third of its AIP.
      const p12 = new Uint8Array(await readFile(env.pki.signerP12Path));
      const signing = { db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() };
      const id = report.dossiers[0]!.id!;
      for (const k of ['inventory', 'integrity'] as const) {
        await attachDossierSignature(signing, SYSTEM_ACTOR, { dossierId: id, kind: k, cms: await signDetached(await signingContent(env, id, k), p12, env.pki.password) });
      }
      // 03-20 destroyed as destruction/execute.ts leaves storage: the key tombstoned in every key
      // area, the envelopes deleted from every location (the act itself is tests/destruction's).
      const gone = report.dossiers[2]!.id!;
      const key = await env.db.selectFrom('content_keys').select('key_id').where('dossier_id', '=', gone).executeTakeFirstOrThrow();
      await destroyContentKey(keyAreasOf(env.storage), { keyId: key.key_id, destroyedAt: '2026-12-07T00:00:00.000Z', destructionActId: 'act-rebuild-test', record: { act_number: '4-Ж' } });
      for (const s of await env.db.selectFrom('sealed_objects').select('sealed_sha256').where('key_id', '=', key.key_id).execute()) {
        for (const store of [env.storage.primary, ...env.storage.replicas]) await store.destroy(s.sealed_sha256, { destructionActId: 'act-rebuild-test' });
      }
      // A package that is no tar fails; its bytes are kept in storage as a rejected-items AIP.
      const broken = path.join(env.root, 'broken.tar');
      await writeFile(broken, 'not a tar package\n'.repeat(100));
      failedTransfer = (await runIngest(env.deps, { tarPath: broken })).transfer;
      // The old log's head, anchored in storage as a server or a CLI command does.
      lastAnchor = (await writeAuditAnchor({ db: env.db, storage: env.storage, key: (await loadSystemKey(systemKeyDir(env.config), { create: true }))! }, 'manual')).name;
      // The database is lost: a new, migrated, empty one replaces it.
      target = await createTestDatabase(kind);
      opened.push(target);
      rebuilt = await rebuildCatalog(await deps(target.db), { actor: SYSTEM_ACTOR });
    }, 600_000);
    afterAll(async () => {
      for (const o of opened) await o.close();
      await env?.close();
    });

    it('rebuilds every dossier that was not destroyed, with nothing left to report', () => {
      expect(rebuilt.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(rebuilt).toMatchObject({ ok: true, written: true, organisation: true, departments: 1, transfers: 2 });
      expect(rebuilt.dossiers.map((d) => [d.index, d.status, d.sealed])).toEqual([
        ['03-12', 'stored', true],
        ['03-15', 'awaiting-signature', false],
      ]);
      expect(rebuilt.leftOut).toEqual([expect.objectContaining({ index: '03-20', destroyedBy: { actId: 'act-rebuild-test', actNumber: '4-Ж', destroyedAt: '2026-12-07T00:00:00.000Z' } })]);
    });

    it('every AIP carries its catalog context', async () => {
      for (const d of rebuilt.dossiers) {
        const manifest = await readManifest(env.storage, d.manifest);
        expect(manifest.files.find((f) => f.path === CATALOG_CONTEXT_PATH)?.role).toBe('report');
      }
    });

    it('verify --all passes on the rebuilt catalog', async () => {
      const result = await verify(target.db);
      expect(result.dossiers.flatMap((d) => d.failures.map((f) => `${d.index}: ${f.kind} ${f.message}`))).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.dossiers).toHaveLength(2);
      // The failed transfer's kept package is checked too, as in the original catalog.
      expect(result.rejectedItems.map((r) => [r.transferId, r.ok])).toEqual([[failedTransfer, true]]);
    });

    it('matches the original catalog table by table for what the AIPs hold', async () => {
      const original = env.db;
      // The destroyed dossier's rows are left out of the original for the comparison.
      const originalDossiers = (await dossierRows(original)).filter((d) => d.case_index !== '03-20');
      expect(await dossierRows(target.db)).toEqual(originalDossiers);
      expect(await chainRows(target.db)).toEqual((await chainRows(original)).filter((r) => r.case_index !== '03-20'));
      expect(await documentRows(target.db)).toEqual(await documentRows(original, ['03-20']));
      expect(await signatureRows(target.db)).toEqual(await signatureRows(original));
      const keys = await keyRows(target.db);
      const originalKeys = await keyRows(original);
      const goneKey = originalKeys.keys.find((k) => k.case_index === '03-20')!.key_id;
      expect(keys.keys).toEqual(originalKeys.keys.filter((k) => k.key_id !== goneKey));
      expect(keys.sealed).toEqual(originalKeys.sealed.filter((s) => s.key_id !== goneKey));
      expect(await referenceRows(target.db)).toEqual(await referenceRows(original));
      // The failed transfer: its kept package, digest, size and time (its file name and reason are not in storage).
      const failed = async (db: Db) => {
        const t = await db.selectFrom('transfers').select(['status', 'source_sha256', 'source_size', 'received_at', 'report']).where('id', '=', failedTransfer).executeTakeFirstOrThrow();
        return { ...t, source_size: Number(t.source_size), received_at: new Date(t.received_at).toISOString(), report: (t.report as { rejectedItemsManifest?: string }).rejectedItemsManifest };
      };
      const original_ = await failed(original);
      expect(original_).toMatchObject({ status: 'failed', report: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(await failed(target.db)).toEqual(original_);
      const reason = await target.db.selectFrom('transfers').select('failure').where('id', '=', failedTransfer).executeTakeFirstOrThrow();
      expect(reason.failure).toMatchObject({ code: 'rebuild.transfer_failed_before' });
    });

    it('records the rebuild in the audit log', async () => {
      const events = await target.db.selectFrom('audit_events').select(['action', 'object_type', 'details']).orderBy('id').execute();
      expect(events.map((e) => e.action)).toEqual(['dossier.rebuild', 'dossier.rebuild', 'catalog.rebuild']);
      // The new log's rebuild event names where the lost log ended (its latest anchor in storage).
      expect(events[2]!.details).toMatchObject({ dossiers: 2, destroyed: 1, transfers: 2, lastAnchor });
    });

    it('refuses a catalog that is not empty; adds nothing twice when told to go on', async () => {
      await expect(rebuildCatalog(await deps(target.db), { actor: SYSTEM_ACTOR })).rejects.toMatchObject({ code: 'rebuild.catalog_not_empty', params: { dossiers: 2, transfers: 2 } });
      const again = await rebuildCatalog(await deps(target.db), { actor: SYSTEM_ACTOR, intoNonEmpty: true });
      expect(again).toMatchObject({ ok: true, written: true, dossiers: [], transfers: 0 });
      const n = await target.db.selectFrom('dossiers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(2);
    });

    it('rebuilds AIPs stored before the catalog context and the signer records from their descriptions alone', async () => {
      // An older AIP: no catalog-context.json, no signer records in dossier.json. Simulated by a
      // newer manifest of each AIP without them (its events extend the current one's).
      for (const d of rebuilt.dossiers) {
        const m = await readManifest(env.storage, d.manifest);
        const meta = await readJsonObject<DossierMetadata>(env.storage, m.files.find((f) => f.path === 'dossier.json')!.sha256);
        const { signatures: _records, ...integrity } = meta.integrity;
        const older = await putEverywhere(env.storage, { bytes: serialiseJson({ ...meta, integrity }) });
        const files = m.files.filter((f) => f.path !== CATALOG_CONTEXT_PATH).map((f) => (f.path === 'dossier.json' ? { ...f, sha256: older.sha256, size: older.size } : f));
        await putEverywhere(env.storage, { bytes: serialiseJson({ ...m, files, events: [...m.events, { at: '2026-12-07T01:00:00.000Z', type: 'test.older_aip', outcome: 'success' }] }) });
      }
      const fromOlder = await createTestDatabase(kind);
      opened.push(fromOlder);
      const r = await rebuildCatalog(await deps(fromOlder.db), { actor: SYSTEM_ACTOR });
      expect(r).toMatchObject({ ok: true, written: true, organisation: false, departments: 1, transfers: 2 });
      expect(r.problems.map((p) => p.code)).toEqual(['rebuild.organisation_unknown']);
      expect(r.dossiers.map((d) => [d.index, d.status])).toEqual([
        ['03-12', 'stored'],
        ['03-15', 'awaiting-signature'],
      ]);
      const result = await verify(fromOlder.db);
      expect(result.dossiers.flatMap((d) => d.failures.map((f) => `${d.index}: ${f.kind} ${f.message}`))).toEqual([]);
      expect(await chainRows(fromOlder.db)).toEqual(await chainRows(target.db));
      // The signatures were verified again: same objects, verdicts and certificate subjects.
      const bare = (rows: Awaited<ReturnType<typeof signatureRows>>) => rows.map(({ index, kind, cms, verdict, subject }) => ({ index, kind, cms, verdict, subject }));
      expect(bare(await signatureRows(fromOlder.db))).toEqual(bare(await signatureRows(target.db)));
      const identity = (rows: Awaited<ReturnType<typeof documentRows>>) =>
        rows.map((x) => ({ id: x.id, transfer: x.transfer_id, index: x.dossier_index, sha256: x.sha256, size: x.size, status: x.status, rendition: x.rendition_sha256, renditionPath: x.rendition_path }));
      expect(identity(await documentRows(fromOlder.db))).toEqual(identity(await documentRows(target.db)));
      // The department is named by dossier.json alone (one name for both languages).
      expect(await fromOlder.db.selectFrom('departments').select(['code', 'name_kk', 'name_ru']).execute()).toEqual([{ code: '03', name_kk: 'Кадр бөлімі', name_ru: 'Кадр бөлімі' }]);
    });

    it('an object lost from every location refuses the rebuild naming its dossier; accepted, verify names the loss', async () => {
      const d = rebuilt.dossiers.find((x) => x.index === '03-15')!;
      const manifest = await readManifest(env.storage, d.manifest);
      const lost = manifest.files.find((f) => f.path === 'inventory/internal-inventory-kk.pdf')!;
      for (const store of [env.storage.primary, ...env.storage.replicas]) {
        const root = (store as unknown as { root: string }).root;
        await rm(path.join(root, 'objects', lost.sha256.slice(0, 2), lost.sha256.slice(2, 4), lost.sha256), { force: true });
      }
      const empty = await createTestDatabase(kind);
      opened.push(empty);
      const refused = await rebuildCatalog(await deps(empty.db), { actor: SYSTEM_ACTOR });
      expect(refused).toMatchObject({ ok: false, written: false });
      expect(refused.problems.filter((p) => p.severity === 'error')).toEqual([
        expect.objectContaining({ code: 'rebuild.object_missing', aipId: d.aipId, params: expect.objectContaining({ path: 'inventory/internal-inventory-kk.pdf', sha256: lost.sha256 }) }),
      ]);
      expect(refused.problems.find((p) => p.severity === 'error')!.message).toContain(d.aipId);
      const count = async () => Number((await empty.db.selectFrom('dossiers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      expect(await count()).toBe(0);
      expect(await empty.db.selectFrom('audit_events').select('id').execute()).toEqual([]);
      const accepted = await rebuildCatalog(await deps(empty.db), { actor: SYSTEM_ACTOR, acceptLosses: true });
      expect(accepted).toMatchObject({ ok: false, written: true });
      expect(accepted.dossiers.find((x) => x.index === '03-15')).toMatchObject({ withLosses: true });
      expect(await count()).toBe(2);
      const result = await verify(empty.db);
      expect(result.dossiers.find((x) => x.index === '03-15')!.failures.map((f) => [f.kind, f.path])).toContainEqual(['object-missing', 'inventory/internal-inventory-kk.pdf']);
    });
  });
}
