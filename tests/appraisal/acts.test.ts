// Appraisal and the destruction act end to end through the real expert commission (issue 12),
// on PGlite and (with TEST_DATABASE_URL) PostgreSQL, with a fixed clock: the appraisal list by a
// date, grouped by fonds, year, department and article, ЭПК dossiers flagged; an ЭПК dossier
// moved to permanent keeping by the commission's decision; an act refused for a dossier the
// commission keeps and for years whose permanent inventories are not approved; a dossier never on
// two acts; the act submitted, agreed by the adopted and signed protocol, approved by the head's
// CMS over the stored rendition (others refused), marked executed; the act rendered in kk and ru
// as PDF/A-1b with the totals in digits and words.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSignersService } from '../../accounts';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { createAppraisalService, markActExecuted, type AppraisalService } from '../../appraisal';
import { addMember, castVote, closeVoting, createMeeting, getMeeting, holdMeeting, putOnAgenda } from '../../commission';
import { draftProtocol, readProtocolRendition, signProtocol } from '../../commission/protocol.service';
import { pdfText } from '../../forms/testing/pdf-text';
import { FsObjectStore, type Storage } from '../../storage';
import { validateBytes } from '../../validators/pdfa';
import { signDetached, verifySignature } from '../../validators/signature';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { describeEachDatabase } from '../helpers/db';
import { addDossiers, addPermanentInventory, setUpOrganisation, type People } from './fixtures';

const CLOCK = new Date('2026-12-07T09:00:00Z');

let pkiPromise: Promise<TestPki> | undefined;
let pkiDir: string | undefined;
function testPki(): Promise<TestPki> {
  pkiPromise ??= (async () => {
    pkiDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-appraisal-pki-'));
    return createTestPki(pkiDir);
  })();
  return pkiPromise;
}
afterAll(async () => {
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

describeEachDatabase('appraisal: list, decisions, the destruction act through the commission and the head', (getDb) => {
  let people: People;
  let ids: Record<string, string>;
  let pki: TestPki;
  let work: string;
  let storage: Storage;
  let service: AppraisalService;
  let actId = '';
  const db = () => getDb().db;
  const appraiser = { name: 'Ә. Т. Жұмабаева', position: 'архивист' };
  const basis = 'Типтік тізбе (ҚР Мәдениет министрінің 2017 ж. 29 қыркүйектегі № 263 бұйрығы)';

  beforeAll(async () => {
    pki = await testPki();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-appraisal-'));
    storage = { primary: new FsObjectStore(path.join(work, 'a')), replicas: [new FsObjectStore(path.join(work, 'b'))] };
    people = await setUpOrganisation(db());
    service = createAppraisalService({ db: db(), storage, verifySignature, trustDir: pki.trustDir, now: () => CLOCK });
    ids = await addDossiers(db(), [
      { index: '01-1', title: 'Басшының бұйрықтары', department: '01', year: 2020, retention: { kind: 'permanent', article: '26а' } },
      { index: '01-5', title: 'Азаматтармен хат алмасу', department: '01', year: 2019, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '01-5', title: 'Азаматтармен хат алмасу', department: '01', year: 2020, retention: { kind: 'years', years: 5, article: '31' } },
      { index: '01-6', title: 'Жұмыс жоспарлары', department: '01', year: 2020, retention: { kind: 'years_epk', years: 5, article: '23' } },
      { index: '01-8', title: 'Жобалар бойынша есептер', department: '01', year: 2020, retention: { kind: 'years_epk', years: 5, article: '23' } },
      { index: '01-9', title: 'Жеткізу шарттары', department: '01', year: 2021, retention: { kind: 'years', years: 10, article: '447' } },
      { index: '02-3', title: 'Кезекшілік кестелері', department: '02', year: 2021, retention: { kind: 'years', years: 3, article: '120' } },
    ]);
    await addPermanentInventory(db(), 2019, 1);
    await addPermanentInventory(db(), 2020, 2);
    await addPermanentInventory(db(), 2021, 3, 'draft');
    for (const [key, role] of [['chair', 'chair'], ['secretary', 'secretary'], ['member', 'member']] as const) {
      await addMember(db(), SYSTEM_ACTOR, { user: key, role, termFrom: '2026-01-01' });
    }
    const signers = createSignersService({ db: db() });
    await signers.addCertificate(SYSTEM_ACTOR, 'chair', new Uint8Array(await readFile(pki.signers.rsa.certPath)));
    await signers.addCertificate(SYSTEM_ACTOR, 'secretary', new Uint8Array(await readFile(pki.signers.ecdsa.certPath)));
    await signers.addCertificate(SYSTEM_ACTOR, 'director', new Uint8Array(await readFile(pki.signers.ecdsa384.certPath)));
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('lists the dossiers whose retention ends by a date, grouped by fonds, year, department and article, ЭПК flagged', async () => {
    const early = await service.list({ by: '2025-06-30' });
    expect(early.groups.map((g) => [g.fonds, g.year, g.department, g.article, g.dossiers.map((d) => d.index)])).toEqual([
      ['12', 2019, '01', '31', ['01-5']],
      ['12', 2021, '02', '120', ['02-3']],
    ]);
    const list = await service.list({ by: '2026-12-31' });
    expect(list.groups.map((g) => [g.year, g.department, g.article, g.dossiers.map((d) => d.index), g.epk])).toEqual([
      [2019, '01', '31', ['01-5'], 0],
      [2020, '01', '23', ['01-6', '01-8'], 2],
      [2020, '01', '31', ['01-5'], 0],
      [2021, '02', '120', ['02-3'], 0],
    ]);
    expect(list).toMatchObject({ by: '2026-12-31', total: 5, needsReview: 2, decided: 0 });
    const epk = list.groups[1]!.dossiers[0]!;
    expect(epk).toMatchObject({ index: '01-6', epk: true, needsReview: true, earliestDestruction: '2026-01-01', retention: { kind: 'years_epk', years: 5, article: '23' }, decision: null, hold: null });
    // Neither the permanent dossier nor the 10-year one (due 2032) is listed.
    expect(list.groups.flatMap((g) => g.dossiers.map((d) => d.index))).not.toContain('01-1');
    expect(list.groups.flatMap((g) => g.dossiers.map((d) => d.index))).not.toContain('01-9');
    expect((await service.list({ by: '2026-12-31', year: 2020, article: '23' })).total).toBe(2);
    await expect(service.list({ by: '2026-13-01' })).rejects.toMatchObject({ code: 'appraisal.date_invalid', params: { field: 'by' } });
  });

  it('records decisions with reasons; keeping permanently is proposed to the commission; an act with a kept or unapproved-year dossier is refused', async () => {
    await expect(service.decide(people.archivist, { dossierId: ids['01-6/2020']!, decision: 'destroy', reason: '' })).rejects.toMatchObject({ code: 'appraisal.reason_required' });
    await expect(service.decide(people.clerk, { dossierId: ids['01-6/2020']!, decision: 'destroy', reason: 'x' })).rejects.toMatchObject({ code: 'appraisal.forbidden', status: 403 });
    await expect(service.decide(people.archivist, { dossierId: ids['01-1/2020']!, decision: 'destroy', reason: 'x' })).rejects.toMatchObject({ code: 'appraisal.dossier_permanent' });
    await expect(service.decide(people.archivist, { dossierId: ids['01-5/2019']!, decision: 'extend', years: 0, reason: 'x' })).rejects.toMatchObject({ code: 'appraisal.extend_years_invalid' });
    const destroy = await service.decide(people.archivist, { dossierId: ids['01-6/2020']!, decision: 'destroy', reason: 'Жоспарлар жылдық есептерде толық көрсетілген' });
    expect(destroy).toMatchObject({ decision: 'destroy', status: 'decided', agendaItemId: null, decidedBy: 'archivist' });
    const keep = await service.decide(people.archivist, { dossierId: ids['01-8/2020']!, decision: 'keep_permanently', reason: 'Ұйым тарихы үшін құнды' });
    expect(keep).toMatchObject({ decision: 'keep_permanently', status: 'proposed' });
    expect(keep.agendaItemId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(service.decide(people.archivist, { dossierId: ids['01-8/2020']!, decision: 'destroy', reason: 'x' })).rejects.toMatchObject({ code: 'appraisal.decision_pending', params: { index: '01-8', year: 2020 } });

    // An ЭПК dossier the commission is asked to keep; a dossier of 2021, whose permanent inventory is a draft.
    await expect(service.acts.draft(people.archivist, { dossierIds: [ids['01-5/2019']!, ids['01-8/2020']!], basis, appraiser })).rejects.toMatchObject({
      code: 'appraisal.dossier_decided_keep',
      params: { index: '01-8', year: 2020, decision: 'keep_permanently' },
    });
    await expect(service.acts.draft(people.archivist, { dossierIds: [ids['01-5/2019']!, ids['02-3/2021']!], basis, appraiser })).rejects.toMatchObject({
      code: 'appraisal.permanent_inventories_not_approved',
      status: 409,
      params: { years: '2021' },
    });
    // Not due yet, and permanent.
    await expect(service.acts.draft(people.archivist, { dossierIds: [ids['01-9/2021']!], basis, appraiser })).rejects.toMatchObject({ code: 'appraisal.dossier_not_due', params: { index: '01-9', date: '2032-01-01' } });
    await expect(service.acts.draft(people.archivist, { dossierIds: [ids['01-1/2020']!], basis, appraiser })).rejects.toMatchObject({ code: 'appraisal.dossier_permanent' });
    await expect(service.acts.draft(people.director, { dossierIds: [ids['01-5/2019']!], basis, appraiser })).rejects.toMatchObject({ code: 'appraisal.forbidden' });
  });

  it('drafts the act, never puts a dossier on two acts, and submits it to the commission', async () => {
    const act = await service.acts.draft(people.archivist, { dossierIds: [ids['01-5/2020']!, ids['01-6/2020']!, ids['01-5/2019']!], basis, appraiser });
    actId = act.id;
    expect(act).toMatchObject({ number: '1', year: 2026, date: '2026-12-07', status: 'draft', fondsNumber: '12', totals: { dossiers: 3, years: [2019, 2020] } });
    expect(act.rows.map((r) => `${r.index}/${r.year}`)).toEqual(['01-5/2019', '01-5/2020', '01-6/2020']);
    expect(act.permanentInventories.map((y) => [y.year, y.inventories.map((i) => i.number)])).toEqual([[2019, [1]], [2020, [2]]]);
    await expect(service.acts.draft(people.archivist, { dossierIds: [ids['01-5/2019']!], basis, appraiser })).rejects.toMatchObject({ code: 'appraisal.dossier_on_act', params: { index: '01-5', act: '1/2026' } });
    await expect(service.acts.refresh(people.archivist, actId)).rejects.toMatchObject({ code: 'appraisal.act_not_submitted' });
    const submitted = await service.acts.submit(people.archivist, actId);
    expect(submitted.status).toBe('submitted');
    expect(submitted.agendaItemId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(service.acts.update(people.archivist, actId, { basis: 'x' })).rejects.toMatchObject({ code: 'appraisal.act_not_draft' });
    await expect(service.acts.refresh(people.archivist, actId)).rejects.toMatchObject({ code: 'appraisal.act_not_decided' });
    const listed = await service.list({ by: '2026-12-31' });
    const entry = listed.groups.flatMap((g) => g.dossiers).find((d) => d.dossierId === ids['01-5/2019']);
    expect(entry?.act).toMatchObject({ actId, number: '1/2026', status: 'submitted' });
  });

  it('the commission adopts the act and the move to permanent; its signed protocol agrees the act and changes the retention', async () => {
    const meeting = await createMeeting(db(), people.secretary, { number: '4', date: '2026-12-07', place: 'Астана' });
    const proposals = await db().selectFrom('commission_agenda_items').select(['id', 'kind', 'subject_id']).where('meeting_id', 'is', null).execute();
    expect(proposals.map((p) => p.kind).sort()).toEqual(['destruction_act_approval', 'move_to_permanent']);
    for (const p of proposals) await putOnAgenda(db(), people.secretary, meeting.id, p.id);
    const held = await holdMeeting(db(), people.secretary, meeting.id, { present: ['chair', 'secretary', 'member'] });
    for (const item of held.agenda) {
      for (const who of [people.chair, people.secretary, people.member]) await castVote(db(), who, item.id, { vote: 'for' });
      expect((await closeVoting(db(), people.secretary, item.id)).outcome).toBe('adopted');
    }
    // Adopted but the protocol is not signed yet: not agreed.
    await expect(service.acts.refresh(people.archivist, actId)).rejects.toMatchObject({ code: 'appraisal.act_not_decided' });
    expect(await service.applyCommissionDecisions(people.archivist)).toEqual([]);
    const drafted = await draftProtocol({ db: db(), storage }, people.secretary, meeting.id, { number: '4-СК', date: '2026-12-07' });
    const deps = { db: db(), storage, trustDir: pki.trustDir, verifySignature };
    for (const rendition of drafted.protocol) {
      const { bytes } = await readProtocolRendition({ db: db(), storage }, rendition.id);
      for (const [who, key] of [[people.chair, 'rsa'], [people.secretary, 'ecdsa']] as const) {
        const cms = await signDetached(bytes, new Uint8Array(await readFile(pki.signers[key].p12Path)), pki.password);
        await signProtocol(deps, who as Actor, { renditionId: rendition.id, cms });
      }
    }
    expect((await getMeeting(db(), meeting.id)).status).toBe('protocol_signed');

    const agreed = await service.acts.refresh(people.archivist, actId);
    expect(agreed).toMatchObject({ status: 'agreed', protocol: { number: '4-СК', date: '2026-12-07' } });
    const applied = await service.applyCommissionDecisions(people.archivist);
    expect(applied).toEqual([expect.objectContaining({ dossierId: ids['01-8/2020'], outcome: 'applied', retention: { kind: 'permanent', years: null, article: '23' }, protocol: { number: '4-СК', date: '2026-12-07' } })]);
    // Moved to permanent: no longer on the list, never on an act.
    const list = await service.list({ by: '2026-12-31' });
    expect(list.groups.flatMap((g) => g.dossiers).map((d) => d.dossierId)).not.toContain(ids['01-8/2020']);
    await expect(service.acts.draft(people.archivist, { dossierIds: [ids['01-8/2020']!], basis, appraiser })).rejects.toMatchObject({ code: 'appraisal.dossier_permanent' });
    const change = await db().selectFrom('audit_events').select(['details']).where('action', '=', 'appraisal.retention_change').executeTakeFirstOrThrow();
    expect(change.details).toMatchObject({ index: '01-8', retention: { kind: 'permanent' }, previous: { kind: 'years_epk', years: 5 }, protocolNumber: '4-СК' });
  }, 300_000);

  it('the organisation head approves the agreed act with a CMS over its stored rendition; then it is executed by another user', async () => {
    await expect(service.acts.storeRenditions(people.clerk, actId)).rejects.toMatchObject({ code: 'appraisal.forbidden' });
    const [kk, ru] = (await service.acts.storeRenditions(people.director, actId)).sort((a, b) => a.language.localeCompare(b.language));
    expect([kk!.language, ru!.language]).toEqual(['kk', 'ru']);
    const { bytes } = await service.acts.readRendition(actId, kk!.id);
    const cmsOf = async (key: 'rsa' | 'ecdsa384', content: Uint8Array) => signDetached(content, new Uint8Array(await readFile(pki.signers[key].p12Path)), pki.password);
    await expect(service.acts.approve(people.archivist, actId, { renditionId: kk!.id, cms: await cmsOf('ecdsa384', bytes) })).rejects.toMatchObject({ code: 'appraisal.forbidden', status: 403 });
    await expect(service.acts.approve(people.director, actId, { renditionId: kk!.id, cms: await cmsOf('rsa', bytes) })).rejects.toMatchObject({ code: 'appraisal.signature_not_yours' });
    await expect(service.acts.approve(people.director, actId, { renditionId: kk!.id, cms: await cmsOf('ecdsa384', new TextEncoder().encode('other bytes')) })).rejects.toMatchObject({ code: 'appraisal.signature_invalid' });
    const approved = await service.acts.approve(people.director, actId, { renditionId: kk!.id, cms: await cmsOf('ecdsa384', bytes) });
    expect(approved).toMatchObject({ status: 'approved', approval: { renditionId: kk!.id, username: 'director', name: 'Омаров Серік Қайратұлы', position: 'директор', date: '2026-12-07' } });
    expect(approved.renditions.find((r) => r.id === kk!.id)).toMatchObject({ signedBy: 'director' });

    await db().transaction().execute((trx) => markActExecuted(trx, actId, { executedBy: people.executor.userId!, executedAt: '2026-12-08T10:00:00Z', method: 'криптографиялық өшіру', certificateId: 'C-1' }));
    expect((await service.acts.get(actId)).status).toBe('executed');
    const actions = await db().selectFrom('audit_events').select('action').where('object_id', '=', actId).orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['destruction_act.draft', 'destruction_act.submit', 'destruction_act.agree', 'destruction_act.store', 'destruction_act.store', 'destruction_act.approve', 'destruction_act.execute']);
    // Destroyed dossiers leave the appraisal list.
    const list = await service.list({ by: '2026-12-31' });
    expect(list.groups.flatMap((g) => g.dossiers).map((d) => d.index)).toEqual(['02-3']);
  }, 120_000);

  it('renders the act in kk and ru as PDF/A-1b with the totals in digits and words, the inventories line and the protocol', async () => {
    for (const lang of ['kk', 'ru'] as const) {
      const { bytes, model } = await service.acts.render(actId, lang);
      expect(model.rows.map((r) => [r.indexes, r.count, r.registers.map((x) => x.year)])).toEqual([
        [['01-5'], 2, [2019, 2020]],
        [['01-6'], 1, [2020]],
      ]);
      const report = validateBytes(bytes);
      expect(report.failures, lang).toEqual([]);
      expect(report.compliant).toBe(true);
      const read = await pdfText(bytes);
      expect(read, 'pdftotext is needed to read the act').not.toBeNull();
      const text = read!.text;
      if (lang === 'ru') {
        for (const part of ['АКТ № 1/2026 о выделении к уничтожению документов, не подлежащих хранению', 'Итого 3 (три) дела за 2019, 2020 годы', 'Описи дел постоянного хранения за 2019, 2020 годы утверждены', '№ 4-СК 07.12.2026', 'фонда № 12', 'Омаров Серік Қайратұлы', 'Документы уничтожены']) {
          expect(text, part).toContain(part);
        }
      } else {
        for (const part of ['№ 1/2026 АКТ сақтауға жатпайтын құжаттарды жоюға бөлу туралы', 'Барлығы 2019, 2020 жылдардағы 3 (үш) іс', 'тұрақты сақталатын істер тізімдемелері бекітілді', '№ 4-СК 07.12.2026', 'Құжаттар жойылды']) {
          expect(text, part).toContain(part);
        }
      }
    }
  }, 120_000);
});
