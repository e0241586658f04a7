// Issue 11 acceptance: the archive's yearly cycle end to end, through each domain's public
// entry, on PGlite and (with TEST_DATABASE_URL) PostgreSQL. An organisation with departments;
// the retention list imported from CSV; the 2025 nomenclature drafted and approved in its real
// order (an out-of-order step refused); the transfer schedule of the 2025 dossiers approved;
// two departments' transfers ingested by the real pipeline and accepted by the archivist, each
// with its acceptance act (App. 33) approved by the head; their inventories (App. 30) signed by
// each department's head with a CMS over a bound certificate; the archival cipher given to the
// permanent dossiers and written into their metadata; every form (App. 26, 30, 31, 32, 33)
// rendered in kk and ru, PDF/A-1b valid, with the seed's headings and the totals in digits and
// words. A dossier whose index is not in the approved nomenclature is refused, named.
// SQL is used only to read back.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSignersService, createUsersService, type Role } from '../../accounts';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { createOrganisationService, createRetentionService } from '../../catalog';
import { createAcceptanceService } from '../../catalog/acceptance';
import { actRenderer } from '../../catalog/acceptance/render';
import { createInventoriesService, type InventoryView } from '../../catalog/inventories';
import { inventoryRenditionRenderer } from '../../catalog/inventories/form';
import { createNomenclatureService } from '../../catalog/nomenclature';
import { createScheduleService } from '../../catalog/schedules';
import { parseConfig } from '../../common/config';
import { definitionOf, renderForm, type FormKind, type FormLanguage } from '../../forms';
import { loadForm } from '../../forms/loaders';
import { collapse, pdfText } from '../../forms/testing/pdf-text';
import { attachDossierSignature, runIngest, signingContent, type IngestReport } from '../../ingest';
import { packTransfer } from '../../ingest/transfer';
import { KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import { openStorage, type Storage } from '../../storage';
import { validateBytes } from '../../validators/pdfa';
import { signDetached, verifySignature } from '../../validators/signature';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { describeEachDatabase } from '../helpers/db';

const PASSWORD = 'Yearly-Cycle-Juniper-73';
const YEAR = 2025;
const LANGS: FormLanguage[] = ['kk', 'ru'];

// The retention list as the archive imports it (docs/retention.md format).
const RETENTION_CSV = [
  'article,document_type_kk,document_type_ru,retention,note,personnel',
  '26а,Басшының негізгі қызмет бойынша бұйрықтары,Приказы руководителя по основной деятельности,Постоянно,,нет',
  '447,Шарттар мен келісімдер,Договоры и соглашения,15 лет,,нет',
  '31,Хат алмасу,Переписка,5 лет,,нет',
].join('\n');

type Retention = { kind: 'permanent'; article: string } | { kind: 'years'; years: number; article: string };
interface DossierSpec { index: string; number: number; title: string; titleRu: string; article: string; retention: Retention }

// Department 02: two permanent dossiers, one over 10 years, one up to 10 years; 03: one permanent, one up to 10.
const DOSSIERS: Record<'02' | '03', DossierSpec[]> = {
  '02': [
    { index: '02-1', number: 1, title: 'Басшының негізгі қызмет бойынша бұйрықтары', titleRu: 'Приказы руководителя по основной деятельности', article: '26а', retention: { kind: 'permanent', article: '26а' } },
    { index: '02-2', number: 2, title: 'Алқа отырыстарының хаттамалары', titleRu: 'Протоколы заседаний коллегии', article: '26а', retention: { kind: 'permanent', article: '26а' } },
    { index: '02-3', number: 3, title: 'Жеткізу шарттары', titleRu: 'Договоры поставки', article: '447', retention: { kind: 'years', years: 15, article: '447' } },
    { index: '02-4', number: 4, title: 'Азаматтармен хат алмасу', titleRu: 'Переписка с гражданами', article: '31', retention: { kind: 'years', years: 5, article: '31' } },
  ],
  '03': [
    { index: '03-1', number: 1, title: 'Жылдық қаржылық есептер', titleRu: 'Годовые финансовые отчеты', article: '26а', retention: { kind: 'permanent', article: '26а' } },
    { index: '03-2', number: 2, title: 'Банкпен хат алмасу', titleRu: 'Переписка с банком', article: '31', retention: { kind: 'years', years: 5, article: '31' } },
  ],
};

/** A department's transfer of 2025 as `muragat transfer pack` makes it: one small text document per dossier. */
async function packDepartment(dir: string, code: string, dossiers: { index: string; title: string; retention: Retention }[], name = code): Promise<string> {
  const tree = path.join(dir, `tree-${name}`);
  await mkdir(tree, { recursive: true });
  await writeFile(path.join(tree, 'transfer.json'), JSON.stringify({
    organisation: { bin: '123456789012', name: '«Мұрағат Үлгі» ЖШС' },
    department: { code, name: `Бөлім ${code}` },
    year: YEAR,
    fonds: '12',
    people: { compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, headOfDepartment: { name: 'Сейітов Н. Қ.', position: 'бөлім басшысы' } },
  }));
  for (const d of dossiers) {
    const folder = path.join(tree, d.index);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'dossier.json'), JSON.stringify({ title: d.title, retention: d.retention }));
    await writeFile(path.join(folder, `2025-03-01 Бұйрық №${d.index}.txt`), [...KAZAKH_TEXT, d.index].join('\n') + '\n');
  }
  const tar = path.join(dir, `transfer-${name}.tar`);
  await packTransfer(tree, tar);
  return tar;
}

// One PKI for the file (openssl key generation is slow), shared by both engines.
let pkiPromise: Promise<TestPki> | undefined;
let pkiDir: string | undefined;
function testPki(): Promise<TestPki> {
  pkiPromise ??= (async () => {
    pkiDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-cycle-pki-'));
    return createTestPki(pkiDir);
  })();
  return pkiPromise;
}
afterAll(async () => {
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

describeEachDatabase('issue 11: the archive’s yearly cycle end to end', (getDb) => {
  let work: string;
  let pki: TestPki;
  let storage: Storage;
  let config: ReturnType<typeof parseConfig>;
  const actors = {} as Record<'archivist' | 'records' | 'secretary' | 'director' | 'clerk02' | 'clerk03' | 'head02' | 'head03', Actor>;
  const dossierIds: Record<string, string> = {};
  const transfers: Record<string, string> = {};
  const actIds: Record<string, string> = {};
  const inventories: Record<string, InventoryView> = {};
  let nomenclatureId = '';
  let scheduleId = '';

  const db = () => getDb().db;
  const ingestDeps = () => ({ db: db(), storage, config });
  const inventoriesService = () =>
    createInventoriesService({ db: db(), storage, trustDir: config.trustDir, verifySignature: (input) => verifySignature(input), renderRenditions: inventoryRenditionRenderer(storage) });
  const acceptanceService = () => createAcceptanceService({ db: db(), renderAct: actRenderer(storage) });

  /** A form rendered as PDF in `lang` through forms/: PDF/A-1b compliant, and its text as pdftotext reads it. */
  async function formText(kind: FormKind, id: string, lang: FormLanguage): Promise<string> {
    const model = await loadForm({ db: db(), storage }, kind, id);
    const pdf = await renderForm(model, lang, 'pdf', { author: 'yearly-cycle test' });
    expect(pdf.mime).toBe('application/pdf');
    const report = validateBytes(pdf.bytes);
    expect(report.failures, `${kind} ${lang}`).toEqual([]);
    expect(report.compliant).toBe(true);
    const read = await pdfText(pdf.bytes);
    expect(read, 'pdftotext is needed to read the forms').not.toBeNull();
    // Every leaf column heading of the form word for word (App. 33 prints its signature group once).
    const headings = kind === 'acceptance-act' ? definitionOf(kind).headings(lang).map((h) => h.replace(/: .*$/, '')) : definitionOf(kind).headings(lang);
    expect(headings.length).toBeGreaterThan(3);
    for (const heading of headings) expect(read!.text, `${kind} ${lang}: ${heading}`).toContain(collapse(heading));
    return read!.text;
  }

  const expectAll = (text: string, parts: string[], what: string) => {
    for (const part of parts) expect(text, `${what}: ${part}`).toContain(collapse(part));
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-cycle-'));
    pki = await testPki();
    config = parseConfig({
      MURAGAT_DATA_DIR: path.join(work, 'data'),
      MURAGAT_STORAGE: `file:${path.join(work, 'primary')}`,
      MURAGAT_TRUST_DIR: pki.trustDir,
      MURAGAT_MALWARE_POLICY: 'accept-with-warning',
      LOG_LEVEL: 'silent',
    });
    storage = openStorage(config);
  }, 120_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sets up the organisation, its departments and people, and imports the retention list from CSV', async () => {
    const organisations = createOrganisationService({ db: db() });
    await organisations.save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Образец»', bin: '123456789012', fondsNumber: '12' });
    const departments: Record<string, string> = {};
    for (const [code, kk, ru] of [['01', 'Басшылық', 'Руководство'], ['02', 'Бөлім 02', 'Отдел 02'], ['03', 'Бөлім 03', 'Отдел 03']] as const) {
      departments[code] = (await organisations.addDepartment(SYSTEM_ACTOR, { code, nameKk: kk, nameRu: ru })).id;
    }
    const users = createUsersService({ db: db() });
    const people: [keyof typeof actors, string, string, Role[], string][] = [
      ['archivist', 'Жұмабаева Әсел Талғатқызы', 'архивист', ['archivist'], '01'],
      ['records', 'Нұрланова Салтанат Ерболқызы', 'ҚҚҚ басшысы', ['records_head'], '01'],
      ['secretary', 'Сейітова Динара Маратқызы', 'СК хатшысы', ['commission_secretary'], '01'],
      ['director', 'Омаров Серік Қайратұлы', 'директор', ['organisation_head'], '01'],
      ['clerk02', 'Әбенова Гүлнар Серікқызы', 'іс жүргізуші', ['department_clerk'], '02'],
      ['clerk03', 'Исаев Бауыржан Нұрланұлы', 'іс жүргізуші', ['department_clerk'], '03'],
      ['head02', 'Сейітов Нұрлан Қанатұлы', 'бөлім басшысы', ['department_head'], '02'],
      ['head03', 'Қасымова Дана Нұрқызы', 'бөлім басшысы', ['department_head'], '03'],
    ];
    for (const [key, fullName, position, roles, department] of people) {
      const view = await users.add(SYSTEM_ACTOR, { username: key, password: PASSWORD, fullName, position, roles, departmentId: departments[department]!, language: 'kk' });
      actors[key] = { userId: view.id, username: key, roles: view.roles };
    }
    // Each head's signing certificate bound to them by the administrator.
    const signers = createSignersService({ db: db() });
    await signers.addCertificate(SYSTEM_ACTOR, 'head02', new Uint8Array(await readFile(pki.signers.rsa.certPath)), 'head02.pem');
    await signers.addCertificate(SYSTEM_ACTOR, 'head03', new Uint8Array(await readFile(pki.signers.ecdsa.certPath)), 'head03.pem');
    // The archivist signs the dossiers' internal inventories (App. 32).
    await signers.addCertificate(SYSTEM_ACTOR, 'archivist', new Uint8Array(await readFile(pki.signers.ecdsa384.certPath)), 'archivist.pem');

    const retention = createRetentionService({ db: db() });
    const list = await retention.importList(actors.archivist, { format: 'csv', content: RETENTION_CSV, sourceName: 'perechen-2025.csv', title: 'Перечень 2025' });
    expect(list.version).toBe(1);
    const stored = await retention.get(1);
    expect(stored.articles.map((a) => [a.article, a.retention.kind, a.retention.years ?? null])).toEqual([
      ['26а', 'permanent', null],
      ['447', 'years', 15],
      ['31', 'years', 5],
    ]);
  }, 120_000);

  it('drafts the 2025 nomenclature from the list and approves it in order; a step out of order is refused', async () => {
    const nomenclature = createNomenclatureService({ db: db() });
    await nomenclature.create(actors.records, YEAR, { epkRequired: false });
    for (const code of ['02', '03'] as const) {
      for (const d of DOSSIERS[code]) {
        // Only the article: the period comes from the retention list.
        const item = await nomenclature.addItem(actors.records, YEAR, { departmentCode: code, number: d.number, heading: d.title, headingRu: d.titleRu, article: d.article });
        expect(item.caseIndex).toBe(d.index);
        expect(item.retention).toMatchObject({ kind: d.retention.kind, years: d.retention.kind === 'years' ? d.retention.years : null, article: d.article });
      }
    }
    // The organisation head may not approve before the records-service head signed.
    await expect(nomenclature.recordStep(actors.director, YEAR, { step: 'organisation_head', date: '2024-12-20' })).rejects.toMatchObject({
      code: 'nomenclature.step_out_of_order',
      params: { step: 'organisation_head', missing: 'records_head' },
    });
    // Nor may the commission agree before that signature.
    await expect(nomenclature.recordStep(actors.secretary, YEAR, { step: 'expert_commission', protocolNumber: '4', date: '2024-12-12' })).rejects.toMatchObject({
      code: 'nomenclature.step_out_of_order',
      params: { missing: 'records_head' },
    });
    const signed = await nomenclature.recordStep(actors.records, YEAR, { step: 'records_head', date: '2024-12-10' });
    expect(signed).toMatchObject({ status: 'draft', nextStep: 'expert_commission' });
    const agreed = await nomenclature.recordStep(actors.secretary, YEAR, { step: 'expert_commission', protocolNumber: '4', date: '2024-12-12' });
    expect(agreed.nextStep).toBe('organisation_head');
    const approved = await nomenclature.recordStep(actors.director, YEAR, { step: 'organisation_head', date: '2024-12-20' });
    expect(approved).toMatchObject({ status: 'approved', nextStep: null, inForceFrom: '2025-01-01', itemCount: 6 });
    expect(approved.approvals.map((a) => [a.step, a.username, a.protocolNumber ?? null])).toEqual([
      ['records_head', 'records', null],
      ['expert_commission', 'secretary', '4'],
      ['organisation_head', 'director', null],
    ]);
    nomenclatureId = approved.id;
    const events = await db().selectFrom('audit_events').select('action').where('object_id', '=', approved.id).where('action', 'like', 'nomenclature.%').orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['nomenclature.sign', 'nomenclature.agree_commission', 'nomenclature.approve']));
  });

  it('approves the transfer schedule of the 2025 dossiers', async () => {
    const schedules = createScheduleService({ db: db() });
    await schedules.create(actors.archivist, { year: YEAR + 1, recordsYear: YEAR, number: '3', place: 'Астана' });
    await schedules.addRow(actors.archivist, YEAR + 1, { department: '02', deadline: '2026-03-10', responsible: 'clerk02' });
    await schedules.addRow(actors.archivist, YEAR + 1, { department: '03', deadline: '2026-03-17', responsible: 'clerk03' });
    await expect(schedules.approve(actors.archivist, YEAR + 1)).rejects.toMatchObject({ code: 'schedules.forbidden' });
    const approved = await schedules.approve(actors.director, YEAR + 1);
    expect(approved).toMatchObject({ status: 'approved', recordsYear: YEAR, approvedBy: { userId: actors.director.userId } });
    expect(approved.rows.map((r) => [r.position, r.department.code, r.deadline, r.responsible.username])).toEqual([
      [1, '02', '2026-03-10', 'clerk02'],
      [2, '03', '2026-03-17', 'clerk03'],
    ]);
    scheduleId = approved.id;
  });

  it('refuses a dossier whose index is not in the approved nomenclature, naming the index', async () => {
    const tar = await packDepartment(work, '02', [{ index: '02-9', title: 'Тізбеде жоқ іс', retention: { kind: 'years', years: 5, article: '31' } }], '02-outside');
    const report = await runIngest(ingestDeps(), { tarPath: tar, actor: actors.clerk02 });
    expect(report.status).toBe('failed');
    expect(report.failure).toMatchObject({ code: 'nomenclature.ingest_index_not_in_nomenclature' });
    expect(report.failure?.message).toContain('02-9');
    expect(report.failure?.message).toContain('2025');
    expect(await db().selectFrom('dossiers').select('id').where('transfer_id', '=', report.transfer).execute()).toEqual([]);
  }, 120_000);

  it('ingests both departments’ transfers; the archivist accepts each with its act and the head approves the acts', async () => {
    const schedules = createScheduleService({ db: db() });
    for (const code of ['02', '03'] as const) {
      const report: IngestReport = await runIngest(ingestDeps(), { tarPath: await packDepartment(work, code, DOSSIERS[code]), actor: code === '02' ? actors.clerk02 : actors.clerk03 });
      expect(report.failure, JSON.stringify(report.failure)).toBeUndefined();
      expect(report.dossiers.map((d) => d.index).sort()).toEqual(DOSSIERS[code].map((d) => d.index).sort());
      for (const d of report.dossiers) dossierIds[d.index!] = d.id!;
      transfers[code] = report.transfer;
    }
    const all = ['02-1', '02-2', '02-3', '02-4', '03-1', '03-2'];
    const statuses = async () => (await db().selectFrom('dossiers').select(['case_index', 'status']).orderBy('case_index').execute()).map((d) => `${d.case_index}:${d.status}`);
    expect(await statuses()).toEqual(all.map((i) => `${i}:awaiting-signature`));
    // Each dossier is signed as the rules want it before it is kept: its internal inventory
    // (App. 32) by the archivist, its integrity statement by the head of its department, each
    // CMS verified and attributed through the certificate bound to the user.
    const signingDeps = { db: db(), storage, trustDir: config.trustDir, tools: { verifySignature } };
    const p12 = async (key: 'rsa' | 'ecdsa' | 'ecdsa384') => new Uint8Array(await readFile(pki.signers[key].p12Path));
    for (const index of all) {
      const dossierId = dossierIds[index]!;
      const inventory = await signDetached(await signingContent(signingDeps, dossierId, 'inventory'), await p12('ecdsa384'), pki.password);
      await attachDossierSignature(signingDeps, actors.archivist, { dossierId, kind: 'inventory', cms: inventory });
      const [head, key] = index.startsWith('02') ? (['head02', 'rsa'] as const) : (['head03', 'ecdsa'] as const);
      const integrity = await signDetached(await signingContent(signingDeps, dossierId, 'integrity'), await p12(key), pki.password);
      const signed = await attachDossierSignature(signingDeps, actors[head], { dossierId, kind: 'integrity', cms: integrity });
      expect(signed).toMatchObject({ status: 'stored', verdict: 'valid', identity: { username: head } });
    }
    expect(await statuses()).toEqual(all.map((i) => `${i}:stored`));
    expect((await schedules.get(scheduleId)).rows.map((r) => [r.department.code, r.state, r.transfer?.id])).toEqual([
      ['02', 'received', transfers['02']],
      ['03', 'received', transfers['03']],
    ]);

    const acceptance = acceptanceService();
    // The clerk may not accept their own transfer.
    await expect(acceptance.accept(actors.clerk02, transfers['02']!)).rejects.toMatchObject({ code: 'acceptance.forbidden' });
    for (const code of ['02', '03'] as const) {
      const decided = await acceptance.accept(actors.archivist, transfers[code]!, { stateOfDocuments: 'Құжаттар оқылады, бүтін' });
      expect(decided.decision).toBe('accepted');
      const act = decided.act!;
      const documents = DOSSIERS[code].length;
      expect(act).toMatchObject({
        department: { code },
        recordsYears: '2025',
        status: 'accepted',
        handedOver: { userId: actors[code === '02' ? 'clerk02' : 'clerk03'].userId },
        accepted: { userId: actors.archivist.userId, name: 'Жұмабаева Әсел Талғатқызы' },
        totals: { dossiers: documents, documents, files: documents * 2, signed: 0, unsigned: documents },
      });
      expect(act.rows.map((r) => r.index)).toEqual(DOSSIERS[code].map((d) => d.index));
      actIds[code] = act.id;
    }
    const act02 = await acceptance.getAct(actIds['02']!);
    expect(act02.acceptedInWords).toEqual({ kk: '4 (төрт) электрондық құжат', ru: '4 (четыре) электронных документа' });
    expect(act02.number + 1).toBe((await acceptance.getAct(actIds['03']!)).number);
    // «Утверждаю»: only the organisation head.
    await expect(acceptance.approveAct(actors.archivist, actIds['02']!)).rejects.toMatchObject({ code: 'acceptance.forbidden' });
    for (const code of ['02', '03'] as const) {
      const approved = await acceptance.approveAct(actors.director, actIds[code]!);
      expect(approved).toMatchObject({ status: 'approved', approved: { userId: actors.director.userId, name: 'Омаров Серік Қайратұлы' } });
      // Rendered and stored in both languages after the approval.
      expect(approved.renditions.kk?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(approved.renditions.ru?.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const board = await schedules.get(scheduleId);
    expect(board.rows.map((r) => [r.department.code, r.state, r.acceptedActId])).toEqual([
      ['02', 'accepted', actIds['02']],
      ['03', 'accepted', actIds['03']],
    ]);
    const decisions = await db().selectFrom('transfer_acceptances').select(['transfer_id', 'decision', 'schedule_row_id']).orderBy('decided_at').execute();
    expect(decisions.map((d) => [d.transfer_id, d.decision, d.schedule_row_id])).toEqual([
      [transfers['02'], 'accepted', board.rows[0]!.id],
      [transfers['03'], 'accepted', board.rows[1]!.id],
    ]);
  }, 300_000);

  it('builds the inventories, each signed by its department’s head, and gives permanent dossiers their archival cipher', async () => {
    const service = inventoriesService();
    const compiler = { name: 'Ә. Т. Жұмабаева', position: 'архивист' };
    const commission = { number: '7', date: '2026-02-10' };
    // Up to 10 years goes by the nomenclature, without an inventory (p.194).
    await expect(service.build(actors.archivist, { department: '02', year: YEAR, category: 'up_to_10', compiler })).rejects.toMatchObject({ code: 'inventories.up_to_10_not_inventoried' });
    const plan: [string, '02' | '03', 'permanent' | 'over_10', string[]][] = [
      ['permanent02', '02', 'permanent', ['02-1', '02-2']],
      ['over10_02', '02', 'over_10', ['02-3']],
      ['permanent03', '03', 'permanent', ['03-1']],
    ];
    for (const [key, department, category, indexes] of plan) {
      const built = await service.build(actors.archivist, { department, year: YEAR, category, compiler, commission, handedOver: { name: 'Г. С. Әбенова', position: 'іс жүргізуші' }, acceptedBy: { name: 'Ә. Т. Жұмабаева', position: 'архивист', date: '2026-02-12' } });
      expect(built).toMatchObject({ status: 'draft', fonds: '12', department: { code: department }, category, dossierCount: indexes.length });
      expect(built.rows.map((r) => r.index)).toEqual(indexes);
      inventories[key] = built;
    }
    expect([inventories.permanent02!.number, inventories.over10_02!.number, inventories.permanent03!.number]).toEqual([1, 2, 3]);

    const sign = async (id: string, key: 'rsa' | 'ecdsa') => {
      const { bytes } = await service.signingContent(id);
      return signDetached(bytes, new Uint8Array(await readFile(pki.signers[key].p12Path)), pki.password);
    };
    // The other department's head, with their own certificate, may not approve 02's inventory.
    await expect(service.approve(actors.head03, inventories.permanent02!.id, await sign(inventories.permanent02!.id, 'ecdsa'))).rejects.toMatchObject({ code: 'signature.signer_department' });
    const approvals: [string, keyof typeof actors, 'rsa' | 'ecdsa'][] = [['permanent02', 'head02', 'rsa'], ['over10_02', 'head02', 'rsa'], ['permanent03', 'head03', 'ecdsa']];
    for (const [key, head, cert] of approvals) {
      const approved = await service.approve(actors[head], inventories[key]!.id, await sign(inventories[key]!.id, cert));
      // The CMS was verified against the trusted root and the certificate bound to the head.
      expect(approved).toMatchObject({ status: 'approved', approval: { verdict: 'valid', signer: { username: head, role: 'department_head' } } });
      inventories[key] = approved;
    }
    expect(inventories.permanent02!.rows.map((r) => `${r.index}=${r.archivalCipher?.code}`)).toEqual(['02-1=12-1-1', '02-2=12-1-2']);
    expect(inventories.permanent03!.rows.map((r) => `${r.index}=${r.archivalCipher?.code}`)).toEqual(['03-1=12-3-1']);
    expect(inventories.over10_02!.rows[0]!.archivalCipher).toBeNull();

    // The cipher is in the dossier metadata of the permanent dossiers only.
    const rows = await db().selectFrom('dossiers').select(['case_index', 'metadata']).orderBy('case_index').execute();
    const meta = Object.fromEntries(rows.map((r) => [r.case_index, r.metadata as { archivalCipher?: unknown; inventory?: unknown }]));
    expect(meta['02-1']!.archivalCipher).toEqual({ fonds: '12', inventory: '1', case: 1, code: '12-1-1' });
    expect(meta['02-2']!.archivalCipher).toEqual({ fonds: '12', inventory: '1', case: 2, code: '12-1-2' });
    expect(meta['03-1']!.archivalCipher).toEqual({ fonds: '12', inventory: '3', case: 1, code: '12-3-1' });
    expect(meta['02-3']!.inventory).toEqual({ number: '2', sequence: 1 });
    for (const index of ['02-3', '02-4', '03-2']) expect(meta[index]!.archivalCipher ?? null, index).toBeNull();
    const ciphers = await db().selectFrom('archival_ciphers').select(['code', 'given_by']).orderBy('code').execute();
    expect(ciphers).toEqual([
      { code: '12-1-1', given_by: 'head02' },
      { code: '12-1-2', given_by: 'head02' },
      { code: '12-3-1', given_by: 'head03' },
    ]);
  }, 300_000);

  it('renders App. 26 (nomenclature) in kk and ru: headings, approval, cases and the year-end totals', async () => {
    const kk = await formText('nomenclature', nomenclatureId, 'kk');
    expectAll(kk, ['ІСТЕР НОМЕНКЛАТУРАСЫ', 'БЕКІТЕМІН', '2025 жылға арналған', '1 2 3 4 5', '02 Бөлім 02', 'Тұрақты, 26а-тармақ', '15 жыл, 447-тармақ',
      '2025 жылы жүргізілген істердің санаттары мен саны туралы қорытынды жазба', 'Тұрақты 3 0 0', 'Уақытша (10 жылдан жоғары) 1 0 0', 'Уақытша (қоса алғанда 10 жылға дейін) 2 0 0', 'Жиыны: 6 0 0', 'Ұйымның ОСК (СК) хаттамасымен келісілді'], 'App. 26 kk');
    const ru = await formText('nomenclature', nomenclatureId, 'ru');
    expectAll(ru, ['НОМЕНКЛАТУРА ДЕЛ', 'УТВЕРЖДАЮ', 'на 2025 год', '1 2 3 4 5', '02 Отдел 02', 'Приказы руководителя по основной деятельности', 'Постоянно, п. 26а', '15 лет, п. 447',
      'Итоговая запись о категориях и количестве дел, заведенных в 2025 году', 'Постоянного 3 0 0', 'Временного (свыше 10 лет) 1 0 0', 'Временного (до 10 лет включительно) 2 0 0', 'Итого: 6 0 0', 'Согласована протоколом ЦЭК (ЭК) организации'], 'App. 26 ru');
  }, 120_000);

  it('renders App. 31 (transfer schedule) in kk and ru with both departments’ rows', async () => {
    const kk = await formText('schedule', scheduleId, 'kk');
    expectAll(kk, ['Ұйым архивіне электрондық істі қабылдау КЕСТЕСІ', '2026 жылы', 'БЕКІТЕМІН', '1 2 3 4 5', 'Бөлім 02 10.03.2026 іс жүргізуші, Г. С. Әбенова', 'Бөлім 03 17.03.2026 іс жүргізуші, Б. Н. Исаев'], 'App. 31 kk');
    const ru = await formText('schedule', scheduleId, 'ru');
    expectAll(ru, ['ГРАФИК приема электронных дел в архив организации', 'в 2026 году', 'УТВЕРЖДАЮ', '1 2 3 4 5', 'Отдел 02 10.03.2026 іс жүргізуші, Г. С. Әбенова', 'Отдел 03 17.03.2026 іс жүргізуші, Б. Н. Исаев'], 'App. 31 ru');
  }, 120_000);

  it('renders App. 33 (acceptance acts) in kk and ru with the documents accepted in digits and words', async () => {
    const words: Record<'02' | '03', Record<FormLanguage, string>> = {
      '02': { kk: 'Барлығы қабылданды: 1) 4 (төрт) электрондық құжат.', ru: 'Итого принято: 1) 4 (четыре) электронных документа.' },
      '03': { kk: 'Барлығы қабылданды: 1) 2 (екі) электрондық құжат.', ru: 'Итого принято: 1) 2 (два) электронных документа.' },
    };
    // "(фамилия и инициалы) передал (а)": the clerk who handed the transfer in, the archivist who accepted it.
    const people = { '02': 'Әбенова Г. С.', '03': 'Исаев Б. Н.' };
    for (const code of ['02', '03'] as const) {
      const kk = await formText('acceptance-act', actIds[code]!, 'kk');
      expectAll(kk, ['Ұйымды БҚҚ қызметінің электрондық құжаттары мен істерін қабылдау-тапсыру актісі', 'Электрондық құжаттарды қабылдау-тапсыру туралы', '1 2 3 4 5 6 7', words[code].kk, '(цифрмен және жазбаша)', ...DOSSIERS[code].map((d) => d.index)], `App. 33 ${code} kk`);
      const ru = await formText('acceptance-act', actIds[code]!, 'ru');
      expectAll(ru, ['Акт приема-передачи электронных документов и дел службы ДОУ организации', 'О приеме-передаче электронных документов', '1 2 3 4 5 6 7', words[code].ru, '(цифрами и прописью)', 'Состояние электронных документов', `${people[code]} передал (а), а Жұмабаева Ә. Т. принял (а) электронные документы за 2025 год`, ...DOSSIERS[code].map((d) => d.index)], `App. 33 ${code} ru`);
    }
  }, 180_000);

  it('renders App. 30 (inventories) in kk and ru: dossiers included from № to № in digits and words, ciphers', async () => {
    const kk = await formText('inventory', inventories.permanent02!.id, 'kk');
    expectAll(kk, ['Электрондық іс Тізімдемесі', '№ 1', '2025 жылдағы', 'тұрақты сақталатын', '1 2 3 4 5 6 7 8', 'Аталған тізімдемеге № 1 – № 2 2 (екі) электрондық іс енгізілді', '2 (екі) электрондық істі тапсырды.', '2 (екі) электрондық істі қабылдады.', 'Қ. 12, т. 1, іс 2'], 'App. 30 №1 kk');
    const ru = await formText('inventory', inventories.permanent02!.id, 'ru');
    expectAll(ru, ['Опись № 1', 'электронных дел', 'постоянного хранения', 'за 2025 год', '1 2 3 4 5 6 7 8', 'В данную опись внесено 2 (два) электронных дела с № 1 по № 2', 'Передал 2 (два) электронных дела.', 'Принял 2 (два) электронных дела.', 'Ф. 12, оп. 1, д. 2'], 'App. 30 №1 ru');
    const over10 = await formText('inventory', inventories.over10_02!.id, 'ru');
    expectAll(over10, ['Опись № 2', 'временного (свыше 10 лет) хранения', 'В данную опись внесено 1 (одно) электронное дело с № 1 по № 1', '15 лет, п. 447'], 'App. 30 №2 ru');
    const over10kk = await formText('inventory', inventories.over10_02!.id, 'kk');
    expectAll(over10kk, ['уақытша (10 жылдан жоғары) сақталатын', '1 (бір) электрондық іс енгізілді', '15 жыл, 447-тармақ'], 'App. 30 №2 kk');
    const dept03 = await formText('inventory', inventories.permanent03!.id, 'ru');
    expectAll(dept03, ['Опись № 3', 'В данную опись внесено 1 (одно) электронное дело с № 1 по № 1', 'Ф. 12, оп. 3, д. 1', '03-1'], 'App. 30 №3 ru');
    // The approved renditions are stored (forms/store) in both languages.
    for (const key of ['permanent02', 'over10_02', 'permanent03']) {
      expect(inventories[key]!.renditions?.kk?.sha256, key).toMatch(/^[0-9a-f]{64}$/);
      expect(inventories[key]!.renditions?.ru?.sha256, key).toMatch(/^[0-9a-f]{64}$/);
    }
  }, 180_000);

  it('renders App. 32 (internal inventory) of a permanent dossier in kk and ru with its totals in words', async () => {
    const row = await db().selectFrom('dossiers').select('metadata').where('id', '=', dossierIds['02-1']!).executeTakeFirstOrThrow();
    // One text document: the original and its PDF/A rendition are the dossier's two stored objects.
    expect((row.metadata as { fileCount: number }).fileCount).toBe(2);
    const kk = await formText('internal-inventory', dossierIds['02-1']!, 'kk');
    expectAll(kk, ['№ 02-1 электрондық істің электрондық түрдегі құжаттарының ішкі тізімдемесі', '1 2 3 4 5 6 7', 'Барлығы: 1 (бір) электрондық түрдегі құжат, 2 (екі) сақтау объектісі.', 'Электрондық істі сақтау объектілерінің жалпы көлемі'], 'App. 32 kk');
    const ru = await formText('internal-inventory', dossierIds['02-1']!, 'ru');
    expectAll(ru, ['Внутренняя опись документов в электронном виде электронного дела № 02-1', '1 2 3 4 5 6 7', 'Итого: 1 (один) документ в электронном виде, 2 (два) объекта хранения.', 'Общий объем объектов хранения электронного дела'], 'App. 32 ru');
  }, 120_000);
});
