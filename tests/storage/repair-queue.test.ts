// The durable repair queue on both database engines, two locations in a temp dir: bad copies
// met by reads are queued once (however often they are read) with an audit event each; the
// background worker or the next integrity run writes the sound copy back; copies with no sound
// copy anywhere stay pending with the reason; an integrity run ends with a signed anchor.
import { chmod, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSystemKey, verifyAuditAnchors } from '../../audit/audit-anchor';
import { SYSTEM_ACTOR, listAuditEvents } from '../../audit/audit.service';
import { runIntegrity } from '../../preservation/integrity';
import { processRepairQueue, recordCopyFaults, startReadRepairs } from '../../preservation/read-repair';
import { FsObjectStore, onCopyFault, readVerified, readVerifiedBytes, type Storage } from '../../storage';
import { listRepairs } from '../../storage/repair-queue.repository';
import { describeEachDatabase } from '../helpers/db';

describeEachDatabase('storage repair queue', (getDb) => {
  let work: string;
  let storage: Storage & { primary: FsObjectStore; replicas: FsObjectStore[] };
  let worker: ReturnType<typeof startReadRepairs>;

  async function flip(store: FsObjectStore, sha256: string): Promise<void> {
    const file = store.objectPath(sha256);
    const bytes = await readFile(file);
    bytes[0] = bytes[0]! ^ 0x80;
    await chmod(file, 0o644);
    await writeFile(file, bytes);
  }
  async function putBoth(text: string): Promise<string> {
    const { sha256 } = await storage.primary.put(Buffer.from(text));
    await storage.replicas[0]!.put(Buffer.from(text));
    return sha256;
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-repair-queue-'));
    storage = { primary: new FsObjectStore(path.join(work, 'primary')), replicas: [new FsObjectStore(path.join(work, 'replica'))] };
    worker = startReadRepairs({ db: getDb().db, storage });
  });
  afterAll(async () => {
    await worker?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('queues a damaged copy once however often it is read, with an audit event per read', async () => {
    // Recording only (no background worker), so the copy is still pending at each read.
    const recordingOnly = { primary: new FsObjectStore(storage.primary.root), replicas: [new FsObjectStore(storage.replicas[0]!.root)] };
    onCopyFault(recordingOnly, (faults) => recordCopyFaults(getDb().db, faults));
    const sha256 = await putBoth('Бұйрық №1 — приказ №1');
    await flip(storage.primary, sha256);
    for (let i = 0; i < 3; i++) await readVerifiedBytes(recordingOnly, sha256);
    const rows = await listRepairs(getDb().db, { sha256 });
    expect(rows).toEqual([expect.objectContaining({ location: storage.primary.location, fault: 'damaged', detected_by: 'read', status: 'pending' })]);
    const actions = (await listAuditEvents(getDb().db, { objectType: 'object', objectId: sha256 })).map((e) => e.action);
    expect(actions).toEqual(['storage.copy_bad', 'storage.copy_bad', 'storage.copy_bad']);
    expect(await processRepairQueue({ db: getDb().db, storage })).toMatchObject({ objects: 1, repaired: 1, pending: 0 });
    expect((await storage.primary.verify(sha256)).ok).toBe(true);
    expect((await listRepairs(getDb().db, { sha256 }))[0]).toMatchObject({ status: 'repaired', source_location: storage.replicas[0]!.location, attempts: 1 });
    expect((await listAuditEvents(getDb().db, { objectType: 'object', objectId: sha256 }))[0]!.action).toBe('storage.repair');
  });

  it('the background worker of a running server repairs what a read found', async () => {
    const sha256 = await putBoth('Анықтама №5 — справка №5');
    await unlink(storage.primary.objectPath(sha256));
    await readVerifiedBytes(storage, sha256);
    await worker.idle();
    expect(await listRepairs(getDb().db, { sha256 })).toEqual([expect.objectContaining({ fault: 'missing', status: 'repaired' })]);
    expect((await storage.primary.verify(sha256)).ok).toBe(true);
  });

  it('keeps copies pending, with the reason, while no sound copy exists; repairs them once one is back', async () => {
    const text = 'Хат №2 — письмо №2';
    const sha256 = await putBoth(text);
    await flip(storage.primary, sha256);
    await unlink(storage.replicas[0]!.objectPath(sha256));
    await expect(readVerified(storage, sha256)).rejects.toMatchObject({ code: 'storage.no_sound_copy' });
    await worker.idle();
    const outcome = await processRepairQueue({ db: getDb().db, storage });
    expect(outcome).toMatchObject({ objects: 1, repaired: 0, pending: 2 });
    const pending = await listRepairs(getDb().db, { sha256, status: 'pending' });
    expect(pending.map((r) => [r.location, r.attempts, r.last_error]).sort()).toEqual(
      [
        [storage.primary.location, 1, 'no sound copy in any store'],
        [storage.replicas[0]!.location, 1, 'no sound copy in any store'],
      ].sort(),
    );
    // A sound copy restored from a backup into the replica: the next integrity run repairs the
    // primary, finds the replica sound, and ends with a signed anchor of the audit log.
    await storage.replicas[0]!.put(Buffer.from(text), { expectedSha256: sha256 });
    const keyDir = path.join(work, 'keys');
    const report = await runIntegrity(
      { db: getDb().db, storage, trustDir: path.join(work, 'trust'), tools: { verifySignature: async () => ({ verdict: 'valid', signers: [], evidence: { certificates: [], crls: [] } }) } },
      { actor: SYSTEM_ACTOR, repair: true, anchorKeyDir: keyDir },
    );
    expect(report.repairQueue).toMatchObject({ objects: 1, repaired: 1, resolved: 1, pending: 0 });
    expect((await storage.primary.verify(sha256)).ok).toBe(true);
    expect(await listRepairs(getDb().db, { sha256, status: 'pending' })).toEqual([]);
    expect(report.anchor).toMatchObject({ name: expect.stringMatching(/^anchors\//) });
    const anchors = await verifyAuditAnchors({ db: getDb().db, storage, key: await loadSystemKey(keyDir) });
    expect(anchors).toMatchObject({ ok: true, anchors: 1, latest: { reason: 'integrity-run' } });
  });
});
