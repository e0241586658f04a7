// Acceptance of issue 12's destruction (p.186-1), on PGlite and (with TEST_DATABASE_URL) on the
// PostgreSQL server, with two storage locations: a real transfer is ingested (dossiers 03-12,
// 75 years, and 03-15, 5 years, of 2025); the clock moves to 2031; a backup is taken; the act is
// drafted through appraisal/, refused before approval, agreed by the commission's signed
// protocol and approved by the head's CMS; refused for its author and while a dossier is held;
// then executed by another user. Afterwards no reader returns the content, no location holds it
// readable (bytes scanned for the plaintext, envelopes and keys gone), an integrity run with
// repair does not bring it back, and restoring the backup taken before the destruction into an
// empty system does not make it readable; the certificate (PDF/A-1b, system signature) and the
// audit events exist; the other dossier still verifies and reads.
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPublicKey, verify as verifySig } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignersService } from '../../accounts';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { loadSystemKey, systemKeyDir } from '../../audit/audit-anchor';
import { createAppraisalService, liftHold, placeHold, type AppraisalService } from '../../appraisal';
import { addMember, castVote, closeVoting, createMeeting, holdMeeting, putOnAgenda } from '../../commission';
import { draftProtocol, readProtocolRendition, signProtocol } from '../../commission/protocol.service';
import { runIngest, loadTools, verifyStoredDossiers, getDossier, attachDossierSignature, signingContent, type IngestReport } from '../../ingest';
import { createUsersService } from '../../accounts/users.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { openAipFile } from '../../ingest/dossier/queries';
import { openDocumentFile, openInventory } from '../../ingest/intake/dossiers.service';
import { runIntegrity } from '../../preservation';
import { FsObjectStore, readVerifiedBytes } from '../../storage';
import { keyAreasOf } from '../../storage/keys';
import { validateBytes } from '../../validators/pdfa';
import { signDetached, verifySignature } from '../../validators/signature';
import { createBackup, listBackups, restoreBackup, type BackupManifest } from '../../destruction/backup';
import { executeAct } from '../../destruction/execute';
import { testDatabaseKinds } from '../helpers/db';
import { buildFixtureTransfer, createIngestEnv, type IngestEnv } from '../ingest/helpers';
import { addPermanentInventory, setUpOrganisation, type People } from '../appraisal/fixtures';

const CLOCK = new Date('2031-03-02T09:00:00Z');

/** Every file under a folder (objects, records, keys, set-aside copies, temp files). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

async function holdersOf(roots: string[], needles: Buffer[]): Promise<string[]> {
  const found: string[] = [];
  for (const root of roots) {
    for (const file of await filesUnder(root)) {
      const bytes = await readFile(file);
      if (needles.some((n) => bytes.includes(n))) found.push(file);
    }
  }
  return found;
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

for (const kind of testDatabaseKinds()) {
  describe(`destruction end to end [${kind}]`, () => {
    let env: IngestEnv;
    let report: IngestReport;
    let people: People;
    let service: AppraisalService;
    let doomed = '';
    let kept = '';
    let actId = '';
    let actNumber = '';
    let backup: BackupManifest & { path: string };
    /** Distinctive slices of every content object of the dossier to destroy. */
    const needles: Buffer[] = [];
    const plainShas: string[] = [];
    let chair: Actor;
    let keptOriginal: { path: string; bytes: Buffer } | undefined;
    const roots = () => [path.join(env.root, 'primary'), path.join(env.root, 'replica')];
    const executeDeps = () => ({ db: env.db, storage: env.storage, keyDir: systemKeyDir(env.config), now: () => CLOCK });

    beforeAll(async () => {
      env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' }, kind);
      report = await runIngest(env.deps, { tarPath: await buildFixtureTransfer(env, 'destruction') });
      doomed = report.dossiers.find((d) => d.index === '03-15')!.id!;
      kept = report.dossiers.find((d) => d.index === '03-12')!.id!;
      people = await setUpOrganisation(env.db);
      // The test PKI's RSA signer is the head of department 03 (who signs the dossier, so that it
      // is stored and may be appraised, p.206) and chairs the commission.
      const department = await createOrganisationService({ db: env.db }).addDepartment(SYSTEM_ACTOR, { code: '03', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
      const seitov = await createUsersService({ db: env.db }).add(SYSTEM_ACTOR, { username: 'seitov', password: 'Seitov-Secret-2031', fullName: 'Сейітов Асқар', position: 'бөлім басшысы', roles: ['archivist', 'department_head', 'commission_chair'], departmentId: department.id, language: 'kk' });
      chair = { userId: seitov.id, username: 'seitov', roles: seitov.roles };
      service = createAppraisalService({ db: env.db, storage: env.storage, verifySignature, trustDir: env.pki.trustDir, now: () => CLOCK });
      await addPermanentInventory(env.db, 2025, 1);
      for (const [key, role] of [['seitov', 'chair'], ['secretary', 'secretary'], ['member', 'member']] as const) {
        await addMember(env.db, SYSTEM_ACTOR, { user: key, role, termFrom: '2031-01-01' });
      }
      const signers = createSignersService({ db: env.db });
      await signers.addCertificate(SYSTEM_ACTOR, 'seitov', new Uint8Array(await readFile(env.pki.signers.rsa.certPath)));
      await signers.addCertificate(SYSTEM_ACTOR, 'secretary', new Uint8Array(await readFile(env.pki.signers.ecdsa.certPath)));
      await signers.addCertificate(SYSTEM_ACTOR, 'director', new Uint8Array(await readFile(env.pki.signers.ecdsa384.certPath)));
      const tools = await loadTools();
      const p12 = new Uint8Array(await readFile(env.pki.signerP12Path));
      for (const kind of ['inventory', 'integrity'] as const) {
        const cms = await signDetached(await signingContent(env.deps, doomed, kind), p12, env.pki.password);
        await attachDossierSignature({ db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools }, chair, { dossierId: doomed, kind, cms });
      }
    }, 600_000);

    afterAll(async () => env?.close());

    it('stores both short-retention dossiers sealed: readable through the routes, no plaintext in any location', async () => {
      const d = await getDossier(env.deps, doomed);
      const content = d.files.filter((f) => ['original', 'rendition', 'attachment', 'signature'].includes(f.role));
      expect(content.length).toBeGreaterThan(3);
      for (const f of content) {
        const bytes = await drain((await openAipFile(env.deps, doomed, f.path)).stream);
        expect(bytes.length).toBe(f.size);
        plainShas.push(f.sha256);
        // The words of the plain-text originals, as they would appear in a readable copy.
        if (f.role === 'original' && f.path.endsWith('.txt')) needles.push(Buffer.from(bytes.toString('utf8').trim().slice(0, 40), 'utf8'));
      }
      expect(needles.length).toBeGreaterThan(0);
      expect(await holdersOf(roots(), needles)).toEqual([]);
      // Nor is any content object stored under its own (plaintext) digest.
      for (const store of [env.storage.primary, ...env.storage.replicas]) for (const sha of plainShas) expect(await store.exists(sha)).toBe(false);
      const k = await getDossier(env.deps, kept);
      const original = k.files.find((f) => f.role === 'original')!;
      keptOriginal = { path: original.path, bytes: await drain((await openAipFile(env.deps, kept, original.path)).stream) };
      const keys = await env.db.selectFrom('content_keys').select(['dossier_id']).execute();
      expect(keys.map((r) => r.dossier_id).sort()).toEqual([doomed, kept].sort());
    });

    it('takes a backup of the catalog and every location, without keys', async () => {
      backup = await createBackup(env.deps, people.archivist, path.join(env.root, 'backups'));
      expect(backup.storage.objects).toBeGreaterThan(10);
      expect(backup.tables.find((t) => t.name === 'dossiers')?.rows).toBe(2);
      expect((await listBackups(path.join(env.root, 'backups'))).map((b) => b.id)).toEqual([backup.id]);
      expect((await filesUnder(backup.path)).filter((f) => f.endsWith('.key'))).toEqual([]);
    }, 120_000);

    it('drafts the act; execution before approval is refused', async () => {
      const act = await service.acts.draft(people.archivist, { dossierIds: [doomed], basis: 'Типтік тізбе', appraiser: { name: 'Ә. Т. Жұмабаева', position: 'архивист' } });
      actId = act.id;
      actNumber = `${act.number}/${act.year}`;
      await expect(executeAct(executeDeps(), people.executor, actId, { confirm: actNumber })).rejects.toMatchObject({ code: 'destruction.act_not_approved', status: 409 });
    });

    it('the commission agrees, the head approves; the author and a held dossier are refused', async () => {
      await service.acts.submit(people.archivist, actId);
      const meeting = await createMeeting(env.db, people.secretary, { number: '1', date: '2031-03-02', place: 'Астана' });
      const proposals = await env.db.selectFrom('commission_agenda_items').select(['id']).where('meeting_id', 'is', null).execute();
      for (const p of proposals) await putOnAgenda(env.db, people.secretary, meeting.id, p.id);
      const held = await holdMeeting(env.db, people.secretary, meeting.id, { present: ['seitov', 'secretary', 'member'] });
      for (const item of held.agenda) {
        for (const who of [chair, people.secretary, people.member]) await castVote(env.db, who, item.id, { vote: 'for' });
        expect((await closeVoting(env.db, people.secretary, item.id)).outcome).toBe('adopted');
      }
      const drafted = await draftProtocol({ db: env.db, storage: env.storage }, people.secretary, meeting.id, { number: '1-СК', date: '2031-03-02' });
      for (const rendition of drafted.protocol) {
        const { bytes } = await readProtocolRendition({ db: env.db, storage: env.storage }, rendition.id);
        for (const [who, key] of [[chair, 'rsa'], [people.secretary, 'ecdsa']] as const) {
          const cms = await signDetached(bytes, new Uint8Array(await readFile(env.pki.signers[key].p12Path)), env.pki.password);
          await signProtocol({ db: env.db, storage: env.storage, trustDir: env.pki.trustDir, verifySignature }, who as Actor, { renditionId: rendition.id, cms });
        }
      }
      expect((await service.acts.refresh(people.archivist, actId)).status).toBe('agreed');
      const [kk] = (await service.acts.storeRenditions(people.director, actId)).filter((r) => r.language === 'kk');
      const { bytes } = await service.acts.readRendition(actId, kk!.id);
      const cms = await signDetached(bytes, new Uint8Array(await readFile(env.pki.signers.ecdsa384.p12Path)), env.pki.password);
      expect((await service.acts.approve(people.director, actId, { renditionId: kk!.id, cms })).status).toBe('approved');

      await expect(executeAct(executeDeps(), people.archivist, actId, { confirm: actNumber })).rejects.toMatchObject({ code: 'destruction.executor_is_author', status: 403 });
      const hold = await placeHold(env.db, people.archivist, { scope: 'dossier', dossierId: doomed, kind: 'legal', reason: 'Сот ісі № 2-7/2031' });
      await expect(executeAct(executeDeps(), people.executor, actId, { confirm: actNumber })).rejects.toMatchObject({ code: 'destruction.dossier_held', status: 409, params: { index: '03-15' } });
      await liftHold(env.db, people.archivist, hold.id, { reason: 'Сот ісі аяқталды' });
      await expect(executeAct(executeDeps(), people.executor, actId, { confirm: 'wrong' })).rejects.toMatchObject({ code: 'destruction.confirmation_mismatch', status: 400 });
    }, 300_000);

    it('a second user executes it: the content is gone from every reader and location, the catalog record stays', async () => {
      const sealedBefore = await env.db
        .selectFrom('sealed_objects')
        .innerJoin('content_keys', 'content_keys.key_id', 'sealed_objects.key_id')
        .select(['sealed_sha256', 'content_keys.key_id'])
        .where('content_keys.dossier_id', '=', doomed)
        .execute();
      expect(sealedBefore.length).toBeGreaterThan(3);
      const result = await executeAct(executeDeps(), people.executor, actId, { confirm: actNumber });
      expect(result.dossiers).toEqual([expect.objectContaining({ dossierId: doomed, index: '03-15', objectsDeleted: sealedBefore.length })]);
      expect(result.dossiers[0]!.keyDestroyed.map((k) => k.hadCopy)).toEqual([true, true]);

      // No reader returns it: detail, document files, inventory, AIP files (410 naming the act).
      const gone = { code: 'destruction.dossier_destroyed', status: 410, params: { index: '03-15', act: actNumber } };
      await expect(getDossier(env.deps, doomed)).rejects.toMatchObject(gone);
      await expect(openDocumentFile(env.deps, people.archivist, doomed, 1, 'original')).rejects.toMatchObject(gone);
      await expect(openInventory(env.deps, doomed, 'json')).rejects.toMatchObject(gone);
      await expect(openAipFile(env.deps, doomed, 'dossier.json')).rejects.toMatchObject(gone);
      for (const store of [env.storage.primary, ...env.storage.replicas]) for (const sha of plainShas) expect(await store.exists(sha)).toBe(false);
      // No location holds it: envelopes deleted, keys destroyed (tombstones), no plaintext bytes anywhere.
      for (const store of [env.storage.primary, ...env.storage.replicas]) {
        for (const s of sealedBefore) expect(await store.exists(s.sealed_sha256)).toBe(false);
      }
      const keyId = sealedBefore[0]!.key_id;
      for (const area of keyAreasOf(env.storage)) {
        expect(await stat(path.join(area.dir, `${keyId}.key`)).catch(() => null)).toBeNull();
        expect(await stat(path.join(area.dir, `${keyId}.destroyed.json`))).toBeTruthy();
      }
      expect(await holdersOf(roots(), needles)).toEqual([]);
      // The catalog record of the destroyed dossier.
      const record = await env.db.selectFrom('destroyed_dossiers').selectAll().where('dossier_id', '=', doomed).executeTakeFirstOrThrow();
      expect(record).toMatchObject({ act_number: actNumber, case_index: '03-15', heading: expect.stringContaining('хат алмасу'), start_date: '2025-05-20', method: 'crypto-erasure', executed_by: people.executor.userId });
      expect(record.retention).toMatchObject({ kind: 'years', years: 5, article: '23' });
      expect(record.final_control).toMatchObject({ lastControlCharacteristic: expect.stringMatching(/^[0-9a-f]{64}$/), documentCount: expect.any(Number) });
      expect((await service.acts.get(actId)).status).toBe('executed');
    }, 300_000);

    it('writes a PDF/A-1b certificate signed by the system key, and every step as an audit event', async () => {
      const cert = await env.db.selectFrom('destruction_certificates').selectAll().where('act_id', '=', actId).executeTakeFirstOrThrow();
      const pdf = await readVerifiedBytes(env.storage, cert.pdf_sha256);
      expect((await validateBytes(pdf)).compliant).toBe(true);
      const statement = await readVerifiedBytes(env.storage, cert.statement_sha256);
      const key = (await loadSystemKey(systemKeyDir(env.config)))!;
      expect(verifySig(null, statement, createPublicKey(key.publicKey.export({ type: 'spki', format: 'pem' })), Buffer.from(cert.system_signature, 'base64'))).toBe(true);
      expect(JSON.parse(statement.toString('utf8'))).toMatchObject({ act: { id: actId, number: actNumber }, dossiers: [expect.objectContaining({ index: '03-15' })] });
      const actions = (await env.db.selectFrom('audit_events').select('action').where('action', 'like', 'destruction%').orderBy('id').execute()).map((a) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['destruction.start', 'destruction.key_destroy', 'destruction.certificate', 'destruction_act.execute', 'destruction.execute']));
      expect(await env.db.selectFrom('audit_events').select('action').where('action', '=', 'dossier.destroy').where('object_id', '=', doomed).executeTakeFirst()).toBeTruthy();
    });

    it('an integrity run with repair keeps passing and does not bring it back; the other dossier verifies and reads', async () => {
      // A key copy lost from one key area is named and written back from the other.
      const keptKey = await env.db.selectFrom('content_keys').select('key_id').where('dossier_id', '=', kept).executeTakeFirstOrThrow();
      const lostCopy = path.join(keyAreasOf(env.storage)[1]!.dir, `${keptKey.key_id}.key`);
      await rm(lostCopy, { force: true });
      const run = await runIntegrity({ db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() }, { actor: SYSTEM_ACTOR, repair: true });
      expect(run.verification.dossiers.find((d) => d.id === kept)!.failures).toEqual([expect.objectContaining({ kind: 'object-missing', path: 'content key' })]);
      expect(await stat(lostCopy)).toBeTruthy();
      expect(run.afterRepair?.ok).toBe(true);
      expect(run.ok).toBe(true);
      expect(run.verification.destroyed).toBe(1);
      expect(run.verification.dossiers.map((d) => d.id)).toEqual([kept]);
      expect(await holdersOf(roots(), needles)).toEqual([]);
      const read = await drain((await openAipFile(env.deps, kept, keptOriginal!.path)).stream);
      expect(read.equals(keptOriginal!.bytes)).toBe(true);
    }, 300_000);

    it('restoring the backup taken before the destruction into an empty system does not make it readable; verify --all passes', async () => {
      const target = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' }, kind);
      try {
        // The live system's key area is the key store handed to the restore (backups hold no keys).
        const restored = await restoreBackup(target.deps, SYSTEM_ACTOR, backup.path, { keyAreas: [keyAreasOf(env.storage)[0]!.dir] });
        expect(restored.redestroyed.map((r) => r.dossierId)).toEqual([doomed]);
        await expect(getDossier(target.deps, doomed)).rejects.toMatchObject({ code: 'destruction.dossier_destroyed', status: 410 });
        expect(await holdersOf([path.join(target.root, 'primary'), path.join(target.root, 'replica')], needles)).toEqual([]);
        const check = await verifyStoredDossiers({ db: target.db, storage: target.storage, trustDir: target.config.trustDir, tools: await loadTools() });
        expect(check.ok, JSON.stringify(check.dossiers.flatMap((d) => d.failures).slice(0, 3))).toBe(true);
        expect(check.dossiers.map((d) => d.id)).toEqual([kept]);
        const read = await drain((await openAipFile(target.deps, kept, keptOriginal!.path)).stream);
        expect(read.equals(keptOriginal!.bytes)).toBe(true);
        // A second restore into a system that is no longer empty is refused.
        await expect(restoreBackup(target.deps, SYSTEM_ACTOR, backup.path)).rejects.toMatchObject({ code: 'backup.target_not_empty' });
      } finally {
        await target.close();
      }
    }, 300_000);
  });
}
