// Inventories of e-dossiers (App. 30) and archival ciphers (p.181), issue 11, over HTTP on both
// engines: two departments' transfers are stored (signed at ingest, so accepted), inventories
// are built per department, year and category and numbered per fonds; dossiers kept up to 10
// years are refused (p.194); the approval is refused to anyone but the head of the inventory's
// department signing with their own bound certificate; an approved permanent inventory gives
// each dossier its cipher, which is in the dossier metadata (and the re-sealed AIP, which
// verifies), in the dossier API views and search, and never changes.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { loadInventoryForm } from '../../catalog/inventories/form';
import { createSignersService } from '../../accounts/signers.service';
import { createUsersService } from '../../accounts/users.service';
import type { Role } from '../../accounts/roles';
import { runIngest } from '../../ingest/pipeline/run';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { verifyStoredDossiers } from '../../ingest/aip/verify';
import { loadTools } from '../../ingest';
import { packTransfer } from '../../ingest/transfer/index';
import { KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import { signDetached } from '../../validators/signature/index';
import { validateBytes } from '../../validators/pdfa';
import { pdfText } from '../../forms/testing/pdf-text';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer, type TestServer } from './helpers';

const PASSWORD = 'Inventory-Test-Lantern-48';
type Retention = { kind: 'permanent' } | { kind: 'years'; years: number; article?: string };

/** One transfer of `department` for 2025 with one text document per dossier. */
async function packDepartment(dir: string, department: string, dossiers: { index: string; title: string; retention: Retention }[]): Promise<string> {
  const tree = path.join(dir, `tree-${department}`);
  await writeFile(path.join(await mkdirp(tree), 'transfer.json'), JSON.stringify({
    organisation: { bin: '123456789012', name: '«Мұрағат Үлгі» ЖШС' },
    department: { code: department, name: `Бөлім ${department}` },
    year: 2025,
    fonds: '12',
    people: { compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, headOfDepartment: { name: 'Сейітов Н. Қ.', position: 'бөлім басшысы' } },
  }));
  for (const d of dossiers) {
    const folder = await mkdirp(path.join(tree, d.index));
    await writeFile(path.join(folder, 'dossier.json'), JSON.stringify({ title: d.title, retention: d.retention }));
    await writeFile(path.join(folder, `2025-03-01 Бұйрық №${d.index}.txt`), [...KAZAKH_TEXT, d.index].join('\n') + '\n');
  }
  const tar = path.join(dir, `transfer-${department}.tar`);
  await packTransfer(tree, tar);
  return tar;
}

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

describeEachDatabase('inventories of e-dossiers and archival ciphers', (getDb) => {
  let server: TestServer;
  let work: string;
  let pki: TestPki;
  const clients: Record<string, Client> = {};
  const dossierIds: Record<string, string> = {};
  const inventoryIds: Record<string, string> = {};
  const transferIds: Record<string, string> = {};
  const compiler = { name: 'Ә. Г. Сапарова', position: 'архивист' };

  /** The stored PDF/A of an inventory in `lang`: valid PDF/A-1b, and its text as pdftotext reads it. */
  async function renditionText(client: Client, id: string, lang: 'kk' | 'ru'): Promise<string> {
    const res = await fetch(`${client.base}/api/inventories/${id}/export?format=pdf&lang=${lang}`, { headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/pdf');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const report = validateBytes(bytes);
    expect(report.compliant, JSON.stringify(report.failures?.slice(0, 3))).toBe(true);
    return (await pdfText(bytes))?.text ?? '';
  }

  const signWith = async (bytes: Uint8Array, signer: 'rsa' | 'ecdsa') =>
    Buffer.from(await signDetached(bytes, new Uint8Array(await readFile(pki.signers[signer].p12Path)), pki.password)).toString('base64');

  async function signingContent(client: Client, id: string): Promise<Uint8Array> {
    const res = await fetch(`${client.base}/api/inventories/${id}/signing-content`, { headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.status).toBe(200);
    return new Uint8Array(await res.arrayBuffer());
  }

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-inventories-'));
    pki = await createTestPki(path.join(work, 'pki'));
    const organisations = createOrganisationService({ db });
    await organisations.save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Образец»', bin: '123456789012', fondsNumber: '12' });
    const departments: Record<string, string> = {};
    for (const code of ['01', '02', '03']) departments[code] = (await organisations.addDepartment(SYSTEM_ACTOR, { code, nameKk: `Бөлім ${code}`, nameRu: `Отдел ${code}` })).id;
    const users = createUsersService({ db });
    const people: { username: string; roles: Role[]; department: string }[] = [
      { username: 'keeper', roles: ['archivist'], department: '01' },
      // Each department's head also signs at ingest (inventory and integrity), so the dossiers are stored.
      { username: 'head02', roles: ['department_head', 'archivist'], department: '02' },
      { username: 'head03', roles: ['department_head', 'archivist'], department: '03' },
      { username: 'deputy02', roles: ['department_head'], department: '02' },
      { username: 'clerk02', roles: ['department_clerk'], department: '02' },
      { username: 'clerk03', roles: ['department_clerk'], department: '03' },
      { username: 'chair', roles: ['commission_chair'], department: '01' },
    ];
    for (const p of people) await users.add(SYSTEM_ACTOR, { username: p.username, password: PASSWORD, fullName: `${p.username} Test`, roles: p.roles, departmentId: departments[p.department]!, language: 'en' });
    const signers = createSignersService({ db });
    await signers.addCertificate(SYSTEM_ACTOR, 'head02', new Uint8Array(await readFile(pki.signers.rsa.certPath)), 'head02.pem');
    await signers.addCertificate(SYSTEM_ACTOR, 'head03', new Uint8Array(await readFile(pki.signers.ecdsa.certPath)), 'head03.pem');
    server = await startTestServer(db, {}, { MURAGAT_TRUST_DIR: pki.trustDir, MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    for (const p of people) {
      clients[p.username] = new Client(server.url);
      expect((await clients[p.username]!.login(p.username, PASSWORD)).status).toBe(200);
    }
    const deps = { db, storage: server.deps.storage, config: server.deps.config };
    const transfers: [string, 'rsa' | 'ecdsa', { index: string; title: string; retention: Retention }[]][] = [
      ['02', 'rsa', [
        { index: '02-10', title: 'Басшының бұйрықтары', retention: { kind: 'permanent' } },
        { index: '02-1', title: 'Жарғы және ережелер', retention: { kind: 'permanent' } },
        { index: '02-2', title: 'Алқа хаттамалары', retention: { kind: 'permanent' } },
        { index: '02-3', title: 'Хат алмасу', retention: { kind: 'years', years: 5, article: '31' } },
        { index: '02-4', title: 'Шарттар', retention: { kind: 'years', years: 15, article: '447' } },
      ]],
      ['03', 'ecdsa', [
        { index: '03-1', title: 'Жеке құрам бойынша бұйрықтар', retention: { kind: 'years', years: 75, article: '597' } },
        { index: '03-2', title: 'Жылдық есептер', retention: { kind: 'permanent' } },
      ]],
    ];
    for (const [code, key, dossiers] of transfers) {
      const report = await runIngest(deps, {
        tarPath: await packDepartment(work, code, dossiers),
        options: { signer: { pkcs12: new Uint8Array(await readFile(pki.signers[key].p12Path)), password: pki.password } },
      });
      expect(report.failure, JSON.stringify(report)).toBeUndefined();
      expect(report.dossiers.every((d) => d.id), JSON.stringify(report)).toBe(true);
      for (const d of report.dossiers) dossierIds[d.index!] = d.id!;
      transferIds[code] = report.transfer;
    }
    const stored = await db.selectFrom('dossiers').select(['case_index', 'status']).orderBy('case_index').execute();
    expect(stored.map((d) => `${d.case_index}:${d.status}`)).toEqual(['02-1', '02-10', '02-2', '02-3', '02-4', '03-1', '03-2'].map((i) => `${i}:stored`));
  }, 600_000);

  afterAll(async () => {
    if (server) {
      await processingIdle(server.deps.db);
      await server.stop();
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('refuses an inventory of dossiers kept up to 10 years (p.194), in the reader’s language', async () => {
    const res = await clients.keeper!.post('/api/inventories', { department: '02', year: 2025, category: 'up_to_10', compiler });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('inventories.up_to_10_not_inventoried');
    expect(res.body.error.message).toContain('p.194');
    expect(res.body.error.message).toContain('nomenclature');
    const ru = await clients.keeper!.request('POST', '/api/inventories?lang=ru', { json: { department: '02', year: 2025, category: 'up_to_10', compiler }, headers: { 'accept-language': 'ru' } });
    expect(ru.body.error.message).toContain('по номенклатуре');
    // Only the archivist compiles.
    expect((await clients.clerk02!.post('/api/inventories', { department: '02', year: 2025, category: 'permanent', compiler })).status).toBe(403);
    expect(await getDb().db.selectFrom('inventories').select('id').execute()).toEqual([]);
  });

  it('lists only dossiers the archive accepted (catalog/acceptance)', async () => {
    const early = await clients.keeper!.post('/api/inventories', { department: '02', year: 2025, category: 'permanent', compiler });
    expect(early.status).toBe(400);
    expect(early.body.error.code).toBe('inventories.no_dossiers');
    for (const code of ['02', '03']) {
      const accepted = await clients.keeper!.post(`/api/transfers/${transferIds[code]}/accept`, {});
      expect(accepted.status, accepted.text).toBeLessThan(300);
    }
  });

  it('builds inventories per department, year and category, numbered per fonds, dossiers in index order', async () => {
    const build = async (department: string, category: string) => {
      const res = await clients.keeper!.post('/api/inventories', { department, year: 2025, category, compiler });
      expect(res.status, res.text).toBe(201);
      return res.body.inventory;
    };
    const permanent02 = await build('02', 'permanent');
    expect(permanent02).toMatchObject({ fonds: '12', number: 1, status: 'draft', category: 'permanent', dossierCount: 3, firstNumber: 1, lastNumber: 3, department: { code: '02', nameKk: 'Бөлім 02' } });
    expect(permanent02.rows.map((r: { sequence: number; index: string }) => `${r.sequence}:${r.index}`)).toEqual(['1:02-1', '2:02-2', '3:02-10']);
    expect(permanent02.rows.every((r: { archivalCipher: unknown }) => r.archivalCipher === null)).toBe(true);
    const over10 = await build('02', 'over_10');
    expect(over10).toMatchObject({ number: 2, dossierCount: 1 });
    expect(over10.rows[0]).toMatchObject({ index: '02-4', retention: { kind: 'years', years: 15, article: '447' } });
    // Personnel dossiers are inventoried separately from the permanent ones (p.195).
    const personnel03 = await build('03', 'personnel');
    expect(personnel03).toMatchObject({ number: 3, dossierCount: 1 });
    expect(personnel03.rows[0].index).toBe('03-1');
    const permanent03 = await build('03', 'permanent');
    expect(permanent03).toMatchObject({ number: 4, dossierCount: 1 });
    expect(permanent03.rows[0].index).toBe('03-2');
    Object.assign(inventoryIds, { permanent02: permanent02.id, over10: over10.id, personnel03: personnel03.id, permanent03: permanent03.id });

    // A dossier is in one inventory at a time: nothing is left to build.
    const again = await clients.keeper!.post('/api/inventories', { department: '02', year: 2025, category: 'permanent', compiler });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('inventories.no_dossiers');

    // A discarded draft gives its number and its dossiers back; a rebuild takes them again.
    const discarded = await clients.keeper!.post(`/api/inventories/${over10.id}/discard`, { reason: 'compiled by mistake' });
    expect(discarded.status, discarded.text).toBe(200);
    expect(discarded.body.inventory.status).toBe('discarded');
    const rebuilt = await build('02', 'over_10');
    expect(rebuilt).toMatchObject({ number: 2, dossierCount: 1 });
    inventoryIds.over10 = rebuilt.id;

    // Department staff see their own department's inventories only; the commission sees all.
    const mine = await clients.clerk03!.get('/api/inventories');
    expect(mine.body.inventories.map((i: { number: number }) => i.number).sort()).toEqual([3, 4]);
    expect((await clients.clerk03!.get(`/api/inventories/${permanent02.id}`)).status).toBe(404);
    const all = await clients.chair!.get('/api/inventories?status=draft');
    expect(all.body.inventories.map((i: { number: number }) => i.number).sort()).toEqual([1, 2, 3, 4]);

    const events = await getDb().db.selectFrom('audit_events').select('action').where('action', 'like', 'inventory.%').orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['inventory.build', 'inventory.build', 'inventory.build', 'inventory.build', 'inventory.discard', 'inventory.build']);
  });

  it('gives the App. 30 form model: rows, totals from № to №, people and protocol', async () => {
    const form = await loadInventoryForm(getDb().db, inventoryIds.permanent02!);
    expect(form).toMatchObject({ kind: 'inventory', number: '1', category: 'permanent', year: 2025, department: { kk: 'Бөлім 02', ru: 'Отдел 02' } });
    expect(form.totals).toMatchObject({ dossiers: 3, firstNumber: 1, lastNumber: 3, documents: 3 });
    // Footnote * of App. 30: no retention column for permanent dossiers.
    expect(form.rows.map((r) => r.retention)).toEqual([null, null, null]);
    expect(form.compiler.person).toEqual({ position: 'архивист', name: 'Ә. Г. Сапарова' });
    expect(form.approval?.signature.signed).toBe(false);
    const over10 = await loadInventoryForm(getDb().db, inventoryIds.over10!);
    expect(over10.rows[0]!.retention).toEqual({ kind: 'years', years: 15, article: '447' });
    // Rendered as PDF/A in both languages and stored (forms/store); the statement the head signs names both.
    const inventory = (await clients.head02!.get(`/api/inventories/${inventoryIds.permanent02}`)).body.inventory;
    expect(inventory.renditions.kk.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(inventory.renditions.ru.sha256).toMatch(/^[0-9a-f]{64}$/);
    const statement = JSON.parse(Buffer.from(await signingContent(clients.head02!, inventoryIds.permanent02!)).toString('utf8'));
    expect(statement.renditions).toEqual(inventory.renditions);
    expect(statement.rows.map((r: { index: string }) => r.index)).toEqual(['02-1', '02-2', '02-10']);
    const ru = await renditionText(clients.head02!, inventoryIds.permanent02!, 'ru');
    if (ru) {
      expect(ru).toContain('Опись № 1');
      expect(ru).toContain('В данную опись внесено 3 (три) электронных дела с № 1 по № 3');
      expect(ru).toContain('02-10');
    }
    const kk = await renditionText(clients.head02!, inventoryIds.permanent02!, 'kk');
    if (kk) expect(kk).toContain('3 (үш) электрондық іс енгізілді');
    const stored = await getDb().db.selectFrom('audit_events').select('action').where('action', '=', 'form.store').execute();
    expect(stored.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses the approval without the commission protocol and from anyone but the head of the department with their own certificate', async () => {
    const id = inventoryIds.permanent02!;
    const bytes = await signingContent(clients.head02!, id);
    const byHead02 = await signWith(bytes, 'rsa');
    const noProtocol = await clients.head02!.post(`/api/inventories/${id}/approval`, { cms: byHead02 });
    expect(noProtocol.status).toBe(400);
    expect(noProtocol.body.error.code).toBe('inventories.commission_required');

    const details = await clients.keeper!.post(`/api/inventories/${id}/details`, {
      commission: { number: '7', date: '2026-02-10' },
      handedOver: { name: 'Д. Н. Қасымова', position: 'іс жүргізуші' },
      acceptedBy: { name: 'Ә. Г. Сапарова', position: 'архивист', date: '2026-02-12' },
    });
    expect(details.status, details.text).toBe(200);
    expect(details.body.inventory.commission).toEqual({ number: '7', date: '2026-02-10' });
    const bad = await clients.keeper!.post(`/api/inventories/${id}/details`, { commission: { number: '7', date: '2026-02-31' } });
    expect(bad.status).toBe(400);

    // The content changed (protocol added): the old signature no longer verifies over it.
    const stale = await clients.head02!.post(`/api/inventories/${id}/approval`, { cms: byHead02 });
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe('inventories.signature_invalid');

    const content = await signingContent(clients.head02!, id);
    const head02Signature = await signWith(content, 'rsa');
    // The head of another department (an archivist too, so the inventory is in sight), with
    // their own key: not their department's inventory.
    const otherHead = await clients.head03!.post(`/api/inventories/${id}/approval`, { cms: await signWith(content, 'ecdsa') });
    expect(otherHead.status).toBe(403);
    expect(otherHead.body.error.code).toBe('signature.signer_department');
    expect(otherHead.body.error.message).toBe('Inventory № 1 is of department 02; head03 Test (head03) of department 03 may not approve it.');
    // A clerk of another department: not a role that approves.
    expect((await clients.clerk03!.post(`/api/inventories/${id}/approval`, { cms: head02Signature })).status).toBe(403);
    // Another head of the same department submitting head02's signature: the certificate is head02's.
    const deputy = await clients.deputy02!.post(`/api/inventories/${id}/approval`, { cms: head02Signature });
    expect(deputy.status).toBe(403);
    expect(deputy.body.error.code).toBe('signature.signer_not_owner');
    expect(deputy.body.error.message).toContain('head02 Test (head02)');
    expect(deputy.body.error.message).toContain('inventory № 1');
    // A clerk may not approve at all; the archivist neither.
    expect((await clients.clerk02!.post(`/api/inventories/${id}/approval`, { cms: head02Signature })).status).toBe(403);
    expect((await clients.keeper!.post(`/api/inventories/${id}/approval`, { cms: head02Signature })).status).toBe(403);
    // Signed with head03's key by head02 himself: the certificate is not his.
    const wrongKey = await clients.head02!.post(`/api/inventories/${id}/approval`, { cms: await signWith(content, 'ecdsa') });
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.body.error.code).toBe('signature.signer_not_owner');

    const db = getDb().db;
    expect(await db.selectFrom('archival_ciphers').select('code').execute()).toEqual([]);
    expect((await db.selectFrom('inventories').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('draft');
  });

  it('approves with the head’s signature and gives each permanent dossier its archival cipher, in metadata, AIP and every dossier view', async () => {
    const db = getDb().db;
    const id = inventoryIds.permanent02!;
    const before = await db.selectFrom('dossiers').select(['id', 'aip_manifest_sha256']).where('id', '=', dossierIds['02-10']!).executeTakeFirstOrThrow();
    const content = await signingContent(clients.head02!, id);
    const approved = await clients.head02!.post(`/api/inventories/${id}/approval`, { cms: await signWith(content, 'rsa') });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.inventory).toMatchObject({ status: 'approved', approval: { verdict: 'valid', signer: { username: 'head02', role: 'department_head' } } });
    expect(approved.body.inventory.rows.map((r: { index: string; archivalCipher: { code: string } }) => `${r.index}=${r.archivalCipher.code}`)).toEqual(['02-1=12-1-1', '02-2=12-1-2', '02-10=12-1-3']);

    // The dossier metadata carries the inventory and the cipher; the AIP was re-sealed with them.
    const row = await db.selectFrom('dossiers').select(['metadata', 'aip_manifest_sha256']).where('id', '=', dossierIds['02-10']!).executeTakeFirstOrThrow();
    const meta = row.metadata as { inventory: unknown; archivalCipher: unknown };
    expect(meta.inventory).toEqual({ number: '1', sequence: 3 });
    expect(meta.archivalCipher).toEqual({ fonds: '12', inventory: '1', case: 3, code: '12-1-3' });
    expect(row.aip_manifest_sha256).not.toBe(before.aip_manifest_sha256);
    const verified = await verifyStoredDossiers({ db, storage: server.deps.storage, trustDir: server.deps.config.trustDir, tools: await loadTools() }, { dossierId: dossierIds['02-10']! });
    expect(verified.dossiers[0]!.failures).toEqual([]);

    // Shown wherever a dossier is shown: detail, list and search by the cipher.
    const detail = await clients.clerk02!.get(`/api/dossiers/${dossierIds['02-10']}`);
    expect(detail.body.dossier.metadata.archivalCipher.code).toBe('12-1-3');
    expect(detail.body.dossier.archivalCipher).toEqual({ fonds: '12', inventory: '1', case: 3, code: '12-1-3' });
    const list = await clients.keeper!.get('/api/dossiers?department=02');
    const byIndex = new Map(list.body.dossiers.map((d: { index: string; archivalCipher: { code: string } | null }) => [d.index, d.archivalCipher?.code ?? null]));
    expect(Object.fromEntries(byIndex)).toMatchObject({ '02-1': '12-1-1', '02-2': '12-1-2', '02-10': '12-1-3', '02-3': null, '02-4': null });
    const found = await clients.keeper!.get(`/api/dossiers?q=${encodeURIComponent('12-1-2')}`);
    expect(found.body.dossiers.map((d: { index: string }) => d.index)).toEqual(['02-2']);

    // Never changed: approving again is refused, and the database refuses an edit.
    const again = await clients.head02!.post(`/api/inventories/${id}/approval`, { cms: await signWith(content, 'rsa') });
    expect(again.status).toBe(409);
    await expect(sql`UPDATE archival_ciphers SET case_number = 9 WHERE dossier_id = ${dossierIds['02-1']!}`.execute(db)).rejects.toThrow(/never changed/);
    await expect(sql`DELETE FROM archival_ciphers WHERE dossier_id = ${dossierIds['02-1']!}`.execute(db)).rejects.toThrow(/never changed/);
    await expect(sql`UPDATE inventories SET number = 9 WHERE id = ${id}`.execute(db)).rejects.toThrow(/never changed/);

    const events = await db.selectFrom('audit_events').select(['action', 'object_id']).where('action', 'in', ['inventory.approve', 'dossier.archival_cipher']).orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['dossier.archival_cipher', 'dossier.archival_cipher', 'dossier.archival_cipher', 'inventory.approve']);

    const form = await loadInventoryForm(db, id);
    expect(form.approval?.signature).toMatchObject({ signed: true, person: { name: 'head02 Test' } });
    expect(form.rows[2]!.note).toEqual({ kk: 'Қ. 12, т. 1, іс 3', ru: 'Ф. 12, оп. 1, д. 3' });
    expect(form.handedOver.count).toBe(3);
    // The approved form is rendered again: the ciphers in column 8.
    const ru = await renditionText(clients.chair!, id, 'ru');
    if (ru) expect(ru).toContain('Ф. 12, оп. 1, д. 3');
  });

  it('approves an over-10-year inventory without a cipher: the inventory number and sequence go into the metadata', async () => {
    const db = getDb().db;
    const id = inventoryIds.over10!;
    await clients.keeper!.post(`/api/inventories/${id}/details`, { commission: { number: '8', date: '2026-02-10' } });
    const approved = await clients.head02!.post(`/api/inventories/${id}/approval`, { cms: await signWith(await signingContent(clients.head02!, id), 'rsa') });
    expect(approved.status, approved.text).toBe(200);
    const meta = (await db.selectFrom('dossiers').select('metadata').where('id', '=', dossierIds['02-4']!).executeTakeFirstOrThrow()).metadata as { inventory: unknown; archivalCipher?: unknown };
    expect(meta.inventory).toEqual({ number: '2', sequence: 1 });
    expect(meta.archivalCipher ?? null).toBeNull();
    const events = await db.selectFrom('audit_events').select('action').where('action', '=', 'dossier.inventory_number').execute();
    expect(events).toHaveLength(1);
    // The form as CSV and JSON (forms/render): official headings in the form's language.
    const csv = await clients.keeper!.get(`/api/inventories/${id}/export?format=csv&lang=ru`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('Индекс электронного дела');
    expect(csv.text.split('\r\n')[1]).toContain('02-4');
    const json = await clients.keeper!.get(`/api/inventories/${id}/export?format=json&lang=kk`);
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text)).toMatchObject({ kind: 'inventory', appendix: 30, language: 'kk', model: { number: '2', category: 'over_10', totals: { dossiers: 1 } } });
  });
});
