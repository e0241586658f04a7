// Researcher access acceptance (issue 13, p.212), on both engines. Every GET route of the
// OpenAPI document is taken from the document itself, so a new route cannot be forgotten: it
// is either covered here (a researcher gets nothing of a restricted item before its lift date
// and gets it after; "for official use" never; personal data not before 75 years, yes with a
// recorded exception), or refused to researchers by role (checked by calling it), or listed
// with the reason it returns no document data. Every route a researcher may call is also
// searched for the titles of what they may not see. The access rules come from the transfer's
// metadata (dossier.json / <file>.meta.json "access") and from the archivist's edits; the
// clock of the server is moved, nothing is run in between.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { processTransfer, receiveTransfer } from '../../ingest';
import { processingIdle } from '../../ingest/intake/transfers.service';
import { packTransfer } from '../../ingest/transfer/index';
import { KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import { describeEachDatabase } from '../helpers/db';
import { buildDepartmentPackage, seedDepartments } from './departments';
import { Client, startTestServer, type Answer, type TestServer } from './helpers';

const PASSWORD = 'Researcher-Kilt-Sparrow-94';
const START = new Date('2026-12-07T08:00:00Z');
const AFTER_RESTRICTION = new Date('2040-01-02T08:00:00Z');
const AFTER_PERSONAL = new Date('2100-03-02T08:00:00Z');

/** The dossiers of department 02, each described by its own access rule in the transfer. */
const DOSSIERS = {
  open: { index: '02-1', title: 'Ашық іс OPENTITLE', access: undefined },
  hidden: { index: '02-2', title: 'Жабық іс HIDDENTITLE', access: { kind: 'restricted', until: '2040-01-01', basis: 'Қор құрушының шешімі' } },
  described: { index: '02-3', title: 'Сипаттама іс DESCRIBEDTITLE', access: { kind: 'restricted', until: '2040-01-01', beforeLift: 'metadata' } },
  official: { index: '02-4', title: 'ҚБП іс OFFICIALTITLE', access: { kind: 'official_use' } },
  // A personnel dossier closed 2025-03-01: 75 years to 2100-03-01.
  personal: { index: '02-5', title: 'Жеке іс PERSONALTITLE', access: { kind: 'personal' } },
  // Open, with its second document restricted by its own metadata file.
  mixed: { index: '02-6', title: 'Аралас іс MIXEDTITLE', access: undefined },
} as const;
type Name = keyof typeof DOSSIERS;
const HIDDEN_DOCUMENT_TITLE = 'Жасырын құжат HIDDENDOCTITLE';

async function buildPackage(dir: string): Promise<string> {
  const tree = path.join(dir, 'tree');
  await mkdir(tree, { recursive: true });
  await writeFile(
    path.join(tree, 'transfer.json'),
    JSON.stringify({
      organisation: { bin: '123456789012', name: '«Мұрағат Үлгі» ЖШС' },
      department: { code: '02', name: 'Бөлім 02' },
      year: 2025,
      fonds: '12',
      people: { compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, headOfDepartment: { name: 'Сейітов Н. Қ.', position: 'бөлім басшысы' } },
    }),
  );
  for (const d of Object.values(DOSSIERS)) {
    const folder = path.join(tree, d.index);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'dossier.json'), JSON.stringify({ title: d.title, retention: { kind: 'years', years: 75, article: '597' }, ...(d.access ? { access: d.access } : {}) }));
    await writeFile(path.join(folder, '2025-02-01 Бұйрық №11-н.txt'), KAZAKH_TEXT.join('\n') + '\n');
    await writeFile(path.join(folder, '2025-03-01 Бұйрық №12-н.txt'), KAZAKH_TEXT.join('\n') + '\n');
  }
  await writeFile(
    path.join(tree, DOSSIERS.mixed.index, '2025-03-01 Бұйрық №12-н.txt.meta.json'),
    JSON.stringify({ title: HIDDEN_DOCUMENT_TITLE, access: { kind: 'restricted', until: '2040-01-01' } }),
  );
  const tar = path.join(dir, 'transfer.tar');
  await packTransfer(tree, tar);
  return tar;
}

/** What a covered route needs of a dossier: its description, a document's file, or the whole dossier. */
type Need = 'metadata' | 'content' | 'whole';
interface Covered {
  need: Need;
  url: (c: { dossier: string; rendition: string }) => string;
}

/** GET routes returning a dossier's or a document's data, and how to ask one for a dossier (document 2 for files). */
const COVERED: Record<string, Covered> = {
  '/api/dossiers/{id}': { need: 'metadata', url: (c) => `/api/dossiers/${c.dossier}` },
  '/api/dossiers/{id}/documents/{n}/rendition': { need: 'content', url: (c) => `/api/dossiers/${c.dossier}/documents/2/rendition?download=1` },
  '/api/dossiers/{id}/inventory': { need: 'whole', url: (c) => `/api/dossiers/${c.dossier}/inventory?format=json` },
  '/api/forms/{kind}/{id}': { need: 'whole', url: (c) => `/api/forms/internal-inventory/${c.dossier}?format=json` },
  '/api/forms/{kind}/{id}/renditions': { need: 'whole', url: (c) => `/api/forms/internal-inventory/${c.dossier}/renditions` },
  '/api/form-renditions/{id}': { need: 'whole', url: (c) => `/api/form-renditions/${c.rendition}?content=1` },
};

/** GET routes with a path parameter that a researcher may call but that return no dossier or document data. */
const NOT_DOCUMENT_DATA: Record<string, string> = {
  '/api/retention-lists/{version}': 'reference data: the retention list (articles and periods), no dossier or document',
  '/api/nomenclatures/{year}': 'the nomenclature (App. 26): case indexes and headings planned for a year, not stored dossiers',
  '/api/nomenclatures/{year}/summary': 'counts of the nomenclature by retention, no dossier or document',
  '/api/research/requests/{id}': "the researcher's own copy request; research/ checks researcherViewOf before approving and delivering a copy (tests/research)",
  '/api/research/requests/{id}/package': "the researcher's own delivered package of copies, made only from what researcherViewOf allowed (research/, tests/research)",
  '/api/research/packages/{token}': 'an expiring link to a delivered package of copies; research/ builds it only from what researcherViewOf allowed (tests/research)',
};

describeEachDatabase('researcher access from the OpenAPI document', (getDb) => {
  let server: TestServer;
  let clock = START;
  const ids = {} as Record<Name, string>;
  const renditionOf = {} as Record<Name, string>;
  let otherDepartmentDossier = '';
  const clients: Record<'researcher' | 'excepted' | 'archivist' | 'clerk', Client> = {} as never;
  const usernames = { researcher: 'r-plain', excepted: 'r-excepted', archivist: 'a-keeper', clerk: 'c-clerk02' } as const;

  async function loginAll(): Promise<void> {
    for (const [who, username] of Object.entries(usernames) as [keyof typeof usernames, string][]) {
      const client = new Client(server.url);
      const answer = await client.login(username, PASSWORD);
      expect(answer.status, `login ${username}`).toBe(200);
      clients[who] = client;
    }
  }

  /** Moves the server's clock; sessions older than their limit end, so everyone logs in again. */
  async function moveClock(to: Date): Promise<void> {
    clock = to;
    await loginAll();
  }

  beforeAll(async () => {
    server = await startTestServer(getDb().db, { now: () => clock }, { MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const db = server.deps.db;
    const departments = await seedDepartments(db);
    const users = createUsersService({ db });
    const researcher = await users.add(SYSTEM_ACTOR, { username: usernames.researcher, password: PASSWORD, fullName: 'Зерттеуші Бір', roles: ['researcher'], language: 'en' });
    await users.add(SYSTEM_ACTOR, { username: usernames.excepted, password: PASSWORD, fullName: 'Зерттеуші Екі', roles: ['researcher'], language: 'en' });
    await users.add(SYSTEM_ACTOR, { username: usernames.archivist, password: PASSWORD, fullName: 'Мұрағатшы', roles: ['archivist'], language: 'en' });
    const clerk = await users.add(SYSTEM_ACTOR, { username: usernames.clerk, password: PASSWORD, fullName: 'Іс жүргізуші', roles: ['department_clerk'], departmentId: departments['02'], language: 'en' });
    expect(researcher.id).toBeTruthy();
    const work = await mkdtemp(path.join(os.tmpdir(), 'muragat-researcher-'));
    try {
      const deps = { db, storage: server.deps.storage, config: server.deps.config };
      const transferId = await receiveTransfer(deps, { tarPath: await buildPackage(work), sourceName: 'access.tar', actor: { userId: clerk.id, username: usernames.clerk, roles: ['department_clerk'] } });
      await processTransfer(deps, transferId);
      for (const [name, d] of Object.entries(DOSSIERS) as [Name, (typeof DOSSIERS)[Name]][]) {
        ids[name] = (await db.selectFrom('dossiers').select('id').where('transfer_id', '=', transferId).where('case_index', '=', d.index).executeTakeFirstOrThrow()).id;
      }
      // Department 03's dossier, open: the clerk of 02 never reaches it.
      const other = await receiveTransfer(deps, { tarPath: await buildDepartmentPackage(work, '03'), sourceName: 'dept-03.tar', actor: SYSTEM_ACTOR });
      await processTransfer(deps, other);
      otherDepartmentDossier = (await db.selectFrom('dossiers').select('id').where('transfer_id', '=', other).executeTakeFirstOrThrow()).id;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    await loginAll();
    // A stored App. 32 rendition of every dossier, for GET /api/form-renditions/{id}.
    for (const name of Object.keys(DOSSIERS) as Name[]) {
      const stored = await clients.archivist.post(`/api/forms/internal-inventory/${ids[name]}/renditions`, { format: 'json', lang: 'kk' });
      expect(stored.status, stored.text).toBe(201);
      renditionOf[name] = stored.body.rendition.id;
    }
  }, 240_000);

  afterAll(async () => {
    if (server) {
      await processingIdle(server.deps.db);
      await server.stop();
    }
  });

  const ask = (who: keyof typeof clients, route: string, name: Name) => clients[who].get(COVERED[route]!.url({ dossier: ids[name], rendition: renditionOf[name] }));
  const got = (a: Answer) => a.status === 200;
  const nothing = (a: Answer, name: Name) => a.status >= 400 && a.status < 500 && !a.text.includes(DOSSIERS[name].title);

  it('keeps the rules the transfer brought (p.212), personal data closing 75 years from the end date', async () => {
    const rules = await clients.archivist.get(`/api/dossiers/${ids.personal}/access`);
    expect(rules.status).toBe(200);
    expect(rules.body.access.rule).toMatchObject({ kind: 'personal', until: '2100-03-01', source: 'transfer' });
    const hidden = await clients.archivist.get(`/api/dossiers/${ids.hidden}/access`);
    expect(hidden.body.access.rule).toMatchObject({ kind: 'restricted', until: '2040-01-01', basis: 'Қор құрушының шешімі', source: 'transfer' });
    const mixed = await clients.archivist.get(`/api/dossiers/${ids.mixed}/access`);
    expect(mixed.body.access.rule).toMatchObject({ kind: 'open', source: 'default' });
    expect(mixed.body.access.documents.map((d: { rule: { kind: string } }) => d.rule.kind)).toEqual(['open', 'restricted']);
  });

  it('classifies every GET route with a path parameter: covered, refused to researchers, or no document data (with a reason)', async () => {
    const doc = (await clients.researcher.get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).filter(([p, item]) => 'get' in item && p.includes('{')).map(([p]) => p);
    expect(routes.length).toBeGreaterThan(10);
    const unclassified: string[] = [];
    for (const route of routes) {
      if (route in COVERED || route in NOT_DOCUMENT_DATA) continue;
      // Any other route must refuse researchers by role, whatever its parameters name.
      const answer = await clients.researcher.get(route.replace(/\{[^}]+\}/g, ids.hidden));
      if (!(answer.status === 403 && answer.body?.error?.code === 'auth.forbidden')) unclassified.push(`${route} (${answer.status} ${answer.body?.error?.code ?? ''})`);
    }
    expect(unclassified, 'GET routes a researcher reaches that are neither covered in tests/server/researcher-access.test.ts nor listed as returning no document data').toEqual([]);
    // Nothing listed here is missing from the document (a stale entry would hide a renamed route).
    expect(Object.keys(COVERED).filter((r) => !routes.includes(r))).toEqual([]);
    expect(Object.keys(NOT_DOCUMENT_DATA).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('no GET route a researcher may call names what they may not see', async () => {
    const doc = (await clients.researcher.get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const secrets = [DOSSIERS.hidden.title, DOSSIERS.official.title, DOSSIERS.personal.title, HIDDEN_DOCUMENT_TITLE];
    const leaks: string[] = [];
    for (const [route, item] of Object.entries(doc.paths)) {
      if (!('get' in item) || route === '/api/openapi.json') continue;
      for (const name of ['hidden', 'official', 'personal', 'mixed'] as Name[]) {
        const url = route in COVERED ? COVERED[route]!.url({ dossier: ids[name], rendition: renditionOf[name] }) : route.replace(/\{[^}]+\}/g, ids[name]);
        const answer = await clients.researcher.get(url);
        for (const s of secrets) if (answer.text.includes(s)) leaks.push(`${url} (${answer.status}) names «${s}»`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('before the lift date: nothing of a hidden item, the description only where the rule says so; ДСП and personal data nothing', async () => {
    const failures: string[] = [];
    for (const route of Object.keys(COVERED)) {
      const need = COVERED[route]!.need;
      for (const name of ['hidden', 'official', 'personal'] as Name[]) {
        const a = await ask('researcher', route, name);
        if (!nothing(a, name)) failures.push(`${route} ${name}: ${a.status}`);
      }
      const described = await ask('researcher', route, 'described');
      if (need === 'metadata') {
        if (!got(described) || described.body.dossier.researcherAccess?.view !== 'metadata' || described.body.dossier.researcherAccess?.until !== '2040-01-01') failures.push(`${route} described: ${described.status} ${JSON.stringify(described.body?.dossier?.researcherAccess)}`);
        else if (described.body.dossier.documents.some((d: { hasRendition: boolean }) => d.hasRendition)) failures.push(`${route} described: offers a file`);
      } else if (described.status !== 403 || described.body.error.code !== 'access.restricted_until' || described.body.error.details.until !== '2040-01-01') {
        failures.push(`${route} described: ${described.status} ${described.body?.error?.code}`);
      }
      // The open dossier is open; the mixed one opens its description and its open document only.
      if (!got(await ask('researcher', route, 'open'))) failures.push(`${route} open: refused`);
      const mixed = await ask('researcher', route, 'mixed');
      if (need === 'metadata') {
        if (!got(mixed) || mixed.body.dossier.documents.length !== 1 || mixed.text.includes(HIDDEN_DOCUMENT_TITLE)) failures.push(`${route} mixed: ${mixed.status}`);
      } else if (got(mixed)) failures.push(`${route} mixed: the restricted document (or a list naming it) was served`);
    }
    // The open document of the mixed dossier is served; the list holds what may be seen only.
    expect((await clients.researcher.get(`/api/dossiers/${ids.mixed}/documents/1/rendition`)).status).toBe(200);
    const list = await clients.researcher.get('/api/dossiers?limit=500');
    const indexes = (list.body.dossiers as { index: string }[]).map((d) => d.index).sort();
    expect(indexes).toEqual(['02-1', '02-3', '02-6', '03-7']);
    expect(list.body.total).toBe(4);
    expect(failures).toEqual([]);
  });

  it('a personnel dossier opens to the researcher with a recorded exception, and to no other', async () => {
    const granted = await clients.archivist.post(`/api/dossiers/${ids.personal}/access/exceptions`, { username: usernames.excepted, grounds: 'data_subject', reference: 'Өтініш №15, 2026-12-01' });
    expect(granted.status, granted.text).toBe(201);
    const failures: string[] = [];
    for (const route of Object.keys(COVERED)) {
      if (!got(await ask('excepted', route, 'personal'))) failures.push(`${route}: refused with the exception`);
      if (!nothing(await ask('researcher', route, 'personal'), 'personal')) failures.push(`${route}: served without an exception`);
      // ДСП: an exception does not open it.
      if (!nothing(await ask('excepted', route, 'official'), 'official')) failures.push(`${route}: ДСП served`);
    }
    expect(failures).toEqual([]);
    // The grant is audited.
    const audit = await server.deps.db.selectFrom('audit_events').select(['details']).where('action', '=', 'access.exception_grant').execute();
    expect(audit.map((a) => (a.details as { researcher: string }).researcher)).toEqual([usernames.excepted]);
  });

  it('a clerk sees only their own department, whatever the rules (issue 10)', async () => {
    expect((await clients.clerk.get(`/api/dossiers/${otherDepartmentDossier}`)).status).toBe(404);
    expect((await clients.clerk.get(`/api/dossiers/${otherDepartmentDossier}/documents/1/rendition`)).status).toBe(404);
    // Staff read their department's restricted dossiers: the rules bind researchers.
    expect((await clients.clerk.get(`/api/dossiers/${ids.official}`)).status).toBe(200);
    const list = await clients.clerk.get('/api/dossiers?limit=500');
    expect(new Set((list.body.dossiers as { department: string }[]).map((d) => d.department))).toEqual(new Set(['02']));
    expect(list.body.total).toBe(6);
  });

  it('after the lift date the restricted items open by themselves; ДСП and personal data stay closed', async () => {
    await moveClock(AFTER_RESTRICTION);
    const failures: string[] = [];
    for (const route of Object.keys(COVERED)) {
      for (const name of ['hidden', 'described', 'mixed', 'open'] as Name[]) {
        const a = await ask('researcher', route, name);
        if (!got(a)) failures.push(`${route} ${name}: ${a.status} ${a.body?.error?.code ?? ''}`);
      }
      for (const name of ['official', 'personal'] as Name[]) if (!nothing(await ask('researcher', route, name), name)) failures.push(`${route} ${name}: served`);
    }
    expect(failures).toEqual([]);
    const detail = await clients.researcher.get(`/api/dossiers/${ids.mixed}`);
    expect(detail.body.dossier.documents.map((d: { title: string }) => d.title)).toContain(HIDDEN_DOCUMENT_TITLE);
  });

  it('personal data opens 75 years after the end date; ДСП never', async () => {
    await moveClock(AFTER_PERSONAL);
    const failures: string[] = [];
    for (const route of Object.keys(COVERED)) {
      if (!got(await ask('researcher', route, 'personal'))) failures.push(`${route} personal: refused`);
      if (!nothing(await ask('researcher', route, 'official'), 'official')) failures.push(`${route} official: served`);
    }
    expect(failures).toEqual([]);
  });

  it("the archivist's change is audited and takes effect at once; an invalid rule is refused naming the field", async () => {
    const refused = await clients.archivist.post(`/api/dossiers/${ids.open}/access`, { kind: 'restricted', until: '2200-02-30' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('access.rule_invalid');
    expect(refused.body.error.message).toContain('until');
    const set = await clients.archivist.post(`/api/dossiers/${ids.open}/documents/1/access`, { kind: 'official_use', basis: 'ДСП белгісі' });
    expect(set.status, set.text).toBe(200);
    expect((await clients.researcher.get(`/api/dossiers/${ids.open}/documents/1/rendition`)).status).toBe(404);
    expect((await clients.researcher.get(`/api/dossiers/${ids.open}/documents/2/rendition`)).status).toBe(200);
    const events = await server.deps.db.selectFrom('audit_events').select(['details', 'actor_username']).where('action', '=', 'access.rule_set').execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.actor_username).toBe(usernames.archivist);
    expect(events[0]!.details).toMatchObject({ dossier: '02-1', position: 1, before: { kind: 'open' }, after: { kind: 'official_use' } });
  });

  it('serves nothing when a researcher\'s read cannot be recorded (the record is made beside the answer, which waits for it)', async () => {
    const { db } = getDb();
    // The log refuses the researchers' reads for a moment, as a failing audit insert would.
    await sql`CREATE FUNCTION test_refuse_reads() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.action IN ('access.view', 'access.download') THEN RAISE EXCEPTION 'audit log unavailable'; END IF; RETURN NEW; END $$`.execute(db);
    await sql`CREATE TRIGGER test_refuse_reads BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_refuse_reads()`.execute(db);
    try {
      const file = await clients.researcher.get(`/api/dossiers/${ids.open}/documents/2/rendition`);
      expect(file.status).toBe(500);
      expect(file.text).not.toContain('%PDF');
      const page = await clients.researcher.get(`/api/dossiers/${ids.open}`);
      expect(page.status).toBe(500);
      expect(page.body.dossier).toBeUndefined();
    } finally {
      await sql`DROP TRIGGER test_refuse_reads ON audit_events`.execute(db);
      await sql`DROP FUNCTION test_refuse_reads()`.execute(db);
    }
    expect((await clients.researcher.get(`/api/dossiers/${ids.open}/documents/2/rendition`)).status).toBe(200);
  });

  it('records every view and download by a researcher and reports what they got', async () => {
    const report = await clients.archivist.get(`/api/access/report?user=${usernames.researcher}`);
    expect(report.status, report.text).toBe(200);
    const rows = report.body.report.rows as { action: string; what: string; dossier: string | null; position: number | null }[];
    const kinds = new Set(rows.map((r) => `${r.action} ${r.what}`));
    for (const k of ['access.view dossier', 'access.download rendition', 'access.download inventory', 'access.download form', 'access.download form-rendition']) expect(kinds, k).toContain(k);
    // Only what was served is recorded: nothing of the ДСП dossier.
    expect(rows.some((r) => r.dossier === DOSSIERS.official.index)).toBe(false);
    expect(rows.some((r) => r.dossier === DOSSIERS.personal.index && r.what === 'rendition' && r.position === 2)).toBe(true);
    // A researcher does not read the report.
    expect((await clients.researcher.get(`/api/access/report?user=${usernames.researcher}`)).status).toBe(403);
  });
});
