// Verified reads over real HTTP against a real ingest, with a primary and a replica location in
// a temp folder: a flipped byte and a deleted primary copy both give the replica's sound bytes
// (ETag = the verified hash), an audit event and a repair of the primary copy in the
// background; when every copy is bad the answer is 503 storage.no_sound_copy (translated, the
// object named), never corrupt bytes, and the request log says 503.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR, listAuditEvents, verifyAuditChain } from '../../audit/audit.service';
import { loadSystemKey, systemKeyDir, verifyAuditAnchors } from '../../audit/audit-anchor';
import { createUsersService } from '../../accounts/users.service';
import { runIngest } from '../../ingest';
import { listRepairs } from '../../storage/repair-queue.repository';
import { storedObjectOf } from '../../destruction/content';
import { describeEachDatabase } from '../helpers/db';
import { Client, packTextDossier, startTestServer, until as untilWithin, type TestServer } from './helpers';

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) => untilWithin(what, probe, timeoutMs, 50);

const PASSWORD = 'keeper-Secret-1234';

describeEachDatabase('verified reads over HTTP', (getDb) => {
  let server: TestServer;
  let work: string;
  let client: Client;
  let dossierId = '';
  let files: { path: string; sha256: string; role: string }[] = [];
  const location = (store: 'primary' | 'replica') => `file:${path.join(work, store)}`;
  const objectFile = (store: 'primary' | 'replica', sha256: string) => path.join(work, store, 'objects', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  const fileOf = (role: string) => files.find((f) => f.role === role)!;

  async function flip(store: 'primary' | 'replica', sha256: string): Promise<void> {
    const file = objectFile(store, sha256);
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    await chmod(file, 0o644);
    await writeFile(file, bytes);
  }

  async function download(url: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const res = await fetch(server.url + url, { headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'accept-language': 'en' } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  async function eventsFor(sha256: string) {
    return (await listAuditEvents(getDb().db, { objectType: 'object', objectId: sha256 })).reverse();
  }

  const repaired = (sha256: string) =>
    until(`repair of ${sha256}`, async () => {
      const rows = await listRepairs(getDb().db, { sha256 });
      return rows.length && rows.every((r) => r.status !== 'pending') ? rows : undefined;
    });

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-verified-reads-'));
    // A permanent dossier: its objects are stored in clear, so the test can compare what a read
    // serves with the bytes of each copy (the sealed envelopes of other dossiers are read the same
    // way under their own digest, tests/destruction/sealed.test.ts).
    const tar = await packTextDossier(work, { index: '04-08', title: 'Кассалық құжаттар', kazakhOrder: '4-н', russianOrder: '10-н', retention: { kind: 'permanent', article: '19' } });
    await createUsersService({ db }).add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Archivist', roles: ['archivist'], language: 'en' });
    server = await startTestServer(db, {}, {
      MURAGAT_STORAGE: `${location('primary')},${location('replica')}`,
      MURAGAT_TRUST_DIR: path.join(work, 'trust'),
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
    });
    const report = await runIngest({ db, storage: server.deps.storage, config: server.deps.config }, { tarPath: tar });
    const d = report.dossiers[0]!;
    expect(d.documents.every((doc) => doc.status === 'accepted'), JSON.stringify(report)).toBe(true);
    dossierId = d.id!;
    const row = await db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', dossierId).executeTakeFirstOrThrow();
    files = (JSON.parse((await server.deps.storage.primary.getBytes(row.aip_manifest_sha256)).toString('utf8')) as { files: typeof files }).files;
    client = new Client(server.url);
    expect((await client.login('keeper', PASSWORD)).status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    if (server) await server.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a flipped byte in the primary copy of an original: the replica\'s bytes, an audit event, a repair', async () => {
    const original = files.find((f) => f.role === 'original' && f.path.startsWith('documents/001/'))!;
    const sound = await readFile(objectFile('replica', original.sha256));
    await flip('primary', original.sha256);

    const res = await download(`/api/dossiers/${dossierId}/documents/1/original`);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(sound)).toBe(true);
    expect(res.headers.get('etag')).toBe(`"${original.sha256}"`);

    const events = await eventsFor(original.sha256);
    expect(events[0]).toMatchObject({ action: 'storage.copy_bad', details: { location: location('primary'), fault: 'damaged', servedFrom: location('replica'), queuedForRepair: true } });
    const rows = await repaired(original.sha256);
    expect(rows).toEqual([expect.objectContaining({ location: location('primary'), fault: 'damaged', detected_by: 'read', status: 'repaired', source_location: location('replica') })]);
    // The primary copy is sound again, the damaged bytes kept aside as evidence.
    expect((await readFile(objectFile('primary', original.sha256))).equals(sound)).toBe(true);
    expect((await readdir(path.join(work, 'primary', 'damaged'))).some((n) => n.startsWith(original.sha256))).toBe(true);
    expect((await eventsFor(original.sha256)).map((e) => e.action)).toEqual(['storage.copy_bad', 'storage.repair']);
  }, 60_000);

  it('a deleted primary copy of a rendition: the replica\'s bytes, an audit event, the copy restored', async () => {
    const rendition = fileOf('rendition');
    const sound = await readFile(objectFile('replica', rendition.sha256));
    await unlink(objectFile('primary', rendition.sha256));

    const res = await download(`/api/dossiers/${dossierId}/documents/${Number(rendition.path.slice(10, 13))}/rendition`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.bytes.equals(sound)).toBe(true);
    expect(res.headers.get('etag')).toBe(`"${rendition.sha256}"`);
    expect((await eventsFor(rendition.sha256))[0]).toMatchObject({ action: 'storage.copy_bad', details: { location: location('primary'), fault: 'missing', servedFrom: location('replica') } });
    expect(await repaired(rendition.sha256)).toEqual([expect.objectContaining({ fault: 'missing', status: 'repaired' })]);
    expect((await readFile(objectFile('primary', rendition.sha256))).equals(sound)).toBe(true);
  }, 60_000);

  it('a damaged primary copy of the AIP manifest and of the signing content: reads go on from the replica', async () => {
    const { aip_manifest_sha256: manifest } = await getDb().db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', dossierId).executeTakeFirstOrThrow();
    await flip('primary', manifest);
    const second = files.find((f) => f.role === 'original' && f.path.startsWith('documents/002/'))!;
    const res = await download(`/api/dossiers/${dossierId}/documents/2/original`);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(await readFile(objectFile('replica', second.sha256)))).toBe(true);
    await repaired(manifest);

    const inventory = fileOf('internal-inventory');
    await flip('primary', inventory.sha256);
    const signing = await client.get(`/api/dossiers/${dossierId}/signing-content?kind=inventory`);
    expect(signing.status).toBe(200);
    expect(Buffer.from(signing.text).equals(await readFile(objectFile('replica', inventory.sha256)))).toBe(true);
    await repaired(inventory.sha256);
  }, 60_000);

  it('every copy bad: 503 storage.no_sound_copy naming the object, no bytes, logged as 503, audited', async () => {
    const inventory = fileOf('internal-inventory');
    const sound = await readFile(objectFile('replica', inventory.sha256));
    await flip('primary', inventory.sha256);
    await unlink(objectFile('replica', inventory.sha256));

    const res = await client.get(`/api/dossiers/${dossierId}/inventory?format=json`, { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.body.error.code).toBe('storage.no_sound_copy');
    expect(res.body.error.message).toContain(inventory.sha256);
    expect(res.body.error.message).toMatch(/No intact copy/);
    expect(res.text).not.toContain(sound.toString('utf8').slice(0, 40));
    const logged = server.logs.map((l) => JSON.parse(l) as { msg: string; url?: string; status?: number }).filter((l) => l.msg === 'request' && l.url?.includes('/inventory'));
    expect(logged.at(-1)?.status).toBe(503);
    const actions = (await eventsFor(inventory.sha256)).map((e) => [e.action, e.details.location]);
    expect(actions).toContainEqual(['storage.no_sound_copy', location('primary')]);
    expect(actions).toContainEqual(['storage.no_sound_copy', location('replica')]);
    // Both copies stay queued: nothing sound to repair them from yet.
    const pending = await listRepairs(getDb().db, { sha256: inventory.sha256, status: 'pending' });
    expect(pending.map((r) => r.location).sort()).toEqual([location('primary'), location('replica')].sort());

    // Restoring a sound copy (from a backup) into the replica makes the next read and repair work.
    await mkdir(path.dirname(objectFile('replica', inventory.sha256)), { recursive: true });
    await server.deps.storage.replicas[0]!.put(sound, { expectedSha256: inventory.sha256 });
    const again = await client.get(`/api/dossiers/${dossierId}/inventory?format=json`);
    expect(again.status).toBe(200);
    expect(Buffer.from(again.text).equals(sound)).toBe(true);
    await repaired(inventory.sha256);
    expect((await readFile(objectFile('primary', inventory.sha256))).equals(sound)).toBe(true);
    expect((await verifyAuditChain(getDb().db)).ok).toBe(true);
  }, 60_000);

  it('a flipped byte in the primary envelope of a sealed dossier: the original is opened from the replica, audited and repaired', async () => {
    // A dossier that may be destroyed keeps its documents sealed (docs/destruction.md); a read
    // verifies the envelope under its own digest and opens the sound copy.
    const { db } = getDb();
    const dir = path.join(work, 'sealed');
    await mkdir(dir);
    const tar = await packTextDossier(dir, { index: '04-09', title: 'Жалақы ведомостары', kazakhOrder: '6-н', russianOrder: '11-н' });
    const report = await runIngest({ db, storage: server.deps.storage, config: server.deps.config }, { tarPath: tar });
    const d = report.dossiers[0]!;
    expect(d.documents.every((doc) => doc.status === 'accepted'), JSON.stringify(report)).toBe(true);
    const row = await db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', d.id!).executeTakeFirstOrThrow();
    const manifest = (JSON.parse((await server.deps.storage.primary.getBytes(row.aip_manifest_sha256)).toString('utf8')) as { files: typeof files }).files;
    const original = manifest.find((f) => f.role === 'original' && f.path.startsWith('documents/001/'))!;
    const stored = await storedObjectOf(db, original.sha256);
    expect(stored.sealed).toBe(true);
    const envelope = stored.sha256;
    await flip('primary', envelope);

    const res = await download(`/api/dossiers/${d.id}/documents/1/original`);
    expect(res.status).toBe(200);
    expect(createHash('sha256').update(res.bytes).digest('hex')).toBe(original.sha256);
    expect((await eventsFor(envelope))[0]).toMatchObject({ action: 'storage.copy_bad', details: { location: location('primary'), fault: 'damaged', servedFrom: location('replica') } });
    expect(await repaired(envelope)).toEqual([expect.objectContaining({ location: location('primary'), status: 'repaired' })]);
    expect(await server.deps.storage.primary.verify(envelope)).toMatchObject({ ok: true });
  }, 120_000);

  it('an integrity run with repair works the queue and ends with a signed anchor in its report', async () => {
    const started = await client.post('/api/integrity/runs', { repair: true });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await until('the integrity run', async () => {
      const res = await client.get(`/api/integrity/runs/${started.body.run.id}`);
      return ['passed', 'failed', 'error'].includes(res.body.run.status) ? res.body.run : undefined;
    }, 120_000);
    expect(done.status, JSON.stringify(done.report)).toBe('passed');
    expect(done.report.repairQueue).toMatchObject({ pending: 0 });
    expect(done.report.anchor).toMatchObject({ name: expect.stringMatching(/^anchors\//), count: expect.any(Number) });
    expect((await server.deps.storage.primary.getRecord(done.report.anchor.name)) !== null).toBe(true);
  }, 180_000);

  it('anchors the audit log head in both locations at start and at stop, signed with the system key', async () => {
    const { db } = getDb();
    const keyDir = systemKeyDir(server.deps.config);
    const stores = [server.deps.storage.primary, ...server.deps.storage.replicas];
    const reasons = async () => {
      const names = await stores[1]!.listRecords('anchors');
      expect(await stores[0]!.listRecords('anchors')).toEqual(names);
      return Promise.all(names.map(async (n) => (JSON.parse((await stores[1]!.getRecord(n))!.toString('utf8')) as { anchor: { reason: string } }).anchor.reason));
    };
    expect(await reasons()).toContain('server-start');
    const key = await loadSystemKey(keyDir);
    await server.close();
    expect((await reasons()).at(-1)).toBe('server-stop');
    const report = await verifyAuditAnchors({ db, storage: server.deps.storage, key });
    expect(report.problems).toEqual([]);
    expect(report.latest).toMatchObject({ reason: 'server-stop', count: (await verifyAuditChain(db)).total });
  }, 60_000);
});
