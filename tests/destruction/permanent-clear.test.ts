// A dossier the expert commission moves to permanent keeping is re-stored in clear
// (destruction/unseal.ts), on PGlite and PostgreSQL with two storage locations: ingested as
// destroyable its content is sealed; once the appraiser's keep-permanently proposal is adopted
// with a signed protocol (a commission stand-in here; the real one in tests/appraisal/acts.test.ts)
// applying the decisions writes every plaintext in clear to both locations, verified, moves the
// AIP and the catalog to a manifest without the sealing map, records the key as released in both
// key areas (the key kept for older backups, no tombstone) and removes the envelopes from both
// locations, audited. Afterwards the
// documents read the same bytes, verify and an integrity run pass, storedObjectOf names the clear
// objects, another (still destroyable) dossier stays sealed, and applying again changes nothing.
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSignersService } from '../../accounts';
import { createUsersService } from '../../accounts/users.service';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { createAppraisalService, type CommissionDecision, type CommissionPort } from '../../appraisal';
import { parseConfig } from '../../common/config';
import { storedObjectOf } from '../../destruction/content';
import { restoreKeptInClear } from '../../destruction/unseal';
import { attachDossierSignature, loadTools, runIngest, signingContent, verifyStoredDossiers } from '../../ingest';
import { readManifest, SEALING_MAP_PATH } from '../../ingest/aip';
import { openAipFile } from '../../ingest/dossier/queries';
import { runIntegrity } from '../../preservation';
import { openStorage, type Storage } from '../../storage';
import { keyAreasOf } from '../../storage/keys';
import { signDetached } from '../../validators/signature';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { setUpOrganisation, type People } from '../appraisal/fixtures';
import { describeEachDatabase } from '../helpers/db';
import { packTextDossier } from '../server/helpers';

const CLOCK = new Date('2026-12-07T09:00:00Z');

let pkiPromise: Promise<TestPki> | undefined;
let pkiDir: string | undefined;
function testPki(): Promise<TestPki> {
  pkiPromise ??= (async () => {
    pkiDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-permanent-pki-'));
    return createTestPki(pkiDir);
  })();
  return pkiPromise;
}
afterAll(async () => {
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describeEachDatabase('a dossier moved to permanent keeping is re-stored in clear', (getDb) => {
  const db = () => getDb().db;
  let work: string;
  let storage: Storage;
  let config: ReturnType<typeof parseConfig>;
  let people: People;
  let kept = '';
  let other = '';
  let before: { path: string; sha256: string; bytes: Buffer }[] = [];
  let sealed: { plain_sha256: string; sealed_sha256: string }[] = [];
  let keyId = '';
  const answers = new Map<string, CommissionDecision>();
  const commission: CommissionPort = {
    async proposeAgendaItem(_db, _actor, input) {
      answers.set(`${input.kind}|${input.subjectId}`, { itemId: `00000000-0000-4000-8000-00000000000${answers.size + 1}`, meetingId: 'm-1', protocolNumber: '9', protocolDate: '2026-12-05', outcome: 'adopted', protocolSigned: true });
      return { id: answers.get(`${input.kind}|${input.subjectId}`)!.itemId };
    },
    async decisionOn(_db, kind, subjectId) {
      return answers.get(`${kind}|${subjectId}`) ?? null;
    },
  };

  beforeAll(async () => {
    const pki = await testPki();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-permanent-'));
    config = parseConfig({
      MURAGAT_TRUST_DIR: pki.trustDir,
      MURAGAT_DATA_DIR: path.join(work, 'data'),
      MURAGAT_STORAGE: `file:${path.join(work, 'a')},file:${path.join(work, 'b')}`,
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
      LOG_LEVEL: 'silent',
    });
    storage = openStorage(config);
    people = await setUpOrganisation(db());
    // The test PKI's RSA signer heads department 04 and signs the dossiers, so they are stored
    // (and may be appraised), as in end-to-end.test.ts.
    const department = await createOrganisationService({ db: db() }).addDepartment(SYSTEM_ACTOR, { code: '04', nameKk: 'Бухгалтерия', nameRu: 'Бухгалтерия' });
    const head = await createUsersService({ db: db() }).add(SYSTEM_ACTOR, { username: 'seitov', password: 'Seitov-Secret-2031', fullName: 'Сейітов Асқар', position: 'бөлім басшысы', roles: ['archivist', 'department_head'], departmentId: department.id, language: 'kk' });
    await createSignersService({ db: db() }).addCertificate(SYSTEM_ACTOR, 'seitov', new Uint8Array(await readFile(pki.signers.rsa.certPath)));
    const tools = await loadTools();
    const p12 = new Uint8Array(await readFile(pki.signerP12Path));
    const ids: string[] = [];
    for (const [index, title, kk, ru] of [['04-21', 'Шарттар бойынша хат алмасу', '31-ш', '44-ш'], ['04-22', 'Іссапар туралы бұйрықтар', '32-ш', '45-ш']] as const) {
      const dir = path.join(work, index);
      await mkdir(dir, { recursive: true });
      const report = await runIngest({ db: db(), storage, config }, { tarPath: await packTextDossier(dir, { index, title, kazakhOrder: kk, russianOrder: ru }) });
      expect(report.dossiers[0]?.id, JSON.stringify(report).slice(0, 500)).toBeTruthy();
      const id = report.dossiers[0]!.id!;
      for (const kind of ['inventory', 'integrity'] as const) {
        const cms = await signDetached(await signingContent({ db: db(), storage }, id, kind), p12, pki.password);
        await attachDossierSignature({ db: db(), storage, trustDir: config.trustDir, tools }, { userId: head.id, username: 'seitov', roles: head.roles }, { dossierId: id, kind, cms });
      }
      ids.push(id);
    }
    expect((await db().selectFrom('dossiers').select('status').where('id', 'in', ids).execute()).map((r) => r.status)).toEqual(['stored', 'stored']);
    [kept, other] = ids as [string, string];
    const row = await db().selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', kept).executeTakeFirstOrThrow();
    const manifest = await readManifest(storage, row.aip_manifest_sha256);
    expect(manifest.files.some((f) => f.path === SEALING_MAP_PATH)).toBe(true);
    for (const f of manifest.files.filter((x) => x.role === 'original' || x.role === 'rendition')) {
      before.push({ path: f.path, sha256: f.sha256, bytes: await drain((await openAipFile({ db: db(), storage }, kept, f.path)).stream) });
    }
    keyId = (await db().selectFrom('content_keys').select('key_id').where('dossier_id', '=', kept).executeTakeFirstOrThrow()).key_id;
    sealed = await db().selectFrom('sealed_objects').select(['plain_sha256', 'sealed_sha256']).where('key_id', '=', keyId).execute();
    expect(sealed.length).toBeGreaterThan(3);
    for (const f of before) expect((await storedObjectOf(db(), f.sha256, { dossierId: kept })).sealed).toBe(true);
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('applying the adopted decision writes the content in clear everywhere, removes the envelopes and records the key as released', async () => {
    const service = createAppraisalService({ db: db(), storage, commission, now: () => CLOCK });
    const decision = await service.decide(people.archivist, { dossierId: kept, decision: 'keep_permanently', reason: 'Ғылыми-тарихи маңызы бар' });
    expect(decision.status).toBe('proposed');
    const applied = await service.applyCommissionDecisions(people.archivist);
    expect(applied).toEqual([expect.objectContaining({ dossierId: kept, outcome: 'applied', retention: expect.objectContaining({ kind: 'permanent' }), storedInClear: expect.objectContaining({ objects: sealed.length }) })]);

    const stores = [storage.primary, ...storage.replicas];
    for (const s of sealed) {
      for (const store of stores) {
        expect((await store.verify(s.plain_sha256)).ok, `${s.plain_sha256} in ${store.location}`).toBe(true);
        expect(await store.exists(s.sealed_sha256), `envelope ${s.sealed_sha256} in ${store.location}`).toBe(false);
      }
      // The other dossier's documents are the same text files: its envelopes of the same bytes stay.
      expect(await storedObjectOf(db(), s.plain_sha256, { dossierId: kept })).toMatchObject({ sha256: s.plain_sha256, sealed: false, keyId: null });
    }
    for (const area of keyAreasOf(storage)) {
      const names = await readdir(area.dir);
      // The key is kept (a backup made before holds the dossier sealed), beside its release record.
      expect(names).toContain(`${keyId}.key`);
      expect(names).toContain(`${keyId}.released.json`);
      expect(names).not.toContain(`${keyId}.destroyed.json`);
    }
    expect(await db().selectFrom('content_keys').select('key_id').where('key_id', '=', keyId).execute()).toEqual([]);
    expect(await db().selectFrom('sealed_objects').select('plain_sha256').where('key_id', '=', keyId).execute()).toEqual([]);
    const row = await db().selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', kept).executeTakeFirstOrThrow();
    const manifest = await readManifest(storage, row.aip_manifest_sha256);
    expect(manifest.files.some((f) => f.path === SEALING_MAP_PATH)).toBe(false);
    expect(manifest.events.at(-1)).toMatchObject({ type: 'retention.permanent', actor: 'archivist' });
    const event = await db().selectFrom('audit_events').select(['actor_username', 'details']).where('action', '=', 'dossier.unseal').where('object_id', '=', kept).executeTakeFirstOrThrow();
    expect(event.actor_username).toBe('archivist');
    expect(event.details).toMatchObject({ keyId, objects: sealed.length, manifest: row.aip_manifest_sha256, protocolNumber: '9' });
  }, 300_000);

  it('reads the same bytes; verify and an integrity run pass; the other dossier stays sealed; applying again changes nothing', async () => {
    for (const f of before) {
      const read = await drain((await openAipFile({ db: db(), storage }, kept, f.path)).stream);
      expect(read.equals(f.bytes), f.path).toBe(true);
    }
    const deps = { db: db(), storage, trustDir: config.trustDir, tools: await loadTools() };
    const check = await verifyStoredDossiers(deps);
    expect(check.ok, JSON.stringify(check.dossiers.flatMap((d) => d.failures).slice(0, 3))).toBe(true);
    expect(check.dossiers.map((d) => d.id).sort()).toEqual([kept, other].sort());
    const run = await runIntegrity(deps, { actor: SYSTEM_ACTOR, repair: true });
    expect(run.ok, JSON.stringify(run.verification.dossiers.flatMap((d) => d.failures).slice(0, 3))).toBe(true);
    expect(await db().selectFrom('content_keys').select('key_id').where('dossier_id', '=', other).execute()).toHaveLength(1);
    expect(await restoreKeptInClear({ db: db(), storage }, SYSTEM_ACTOR)).toEqual({ restored: [], failed: [] });
  }, 300_000);
});
