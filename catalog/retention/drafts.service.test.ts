// The draft edited in the UI, published as the next version; the check other parts of the
// catalog use against the list in force; and each dossier's category and destruction date.
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../tests/helpers/db';
import { insertStoredDossier, problemsOf } from '../../tests/helpers/retention';
import { t } from '../../common/i18n';
import { SYSTEM_ACTOR, listAuditEvents, verifyAuditChain, type Actor } from '../../audit/audit.service';
import { assessDossiers, checkRetentionAgainstList, createRetentionService, describeProblem, findArticleInList } from './retention.service';

const CSV = `article,document_type_kk,document_type_ru,retention,note
26а,Басшының бұйрықтары,Приказы руководителя,Постоянно,
23,Хат алмасу,Переписка,5 лет ЭПК,
662,Жеке істер,Личные дела,75 лет,
657б,Демалыс бұйрықтары,Приказы об отпусках,5 лет,
700,Анықтамалық хаттар,Справочная переписка,ДМН,
`;

const ARCHIVIST: Actor = { userId: '00000000-0000-4000-8000-000000000001', username: 'archivist', roles: ['archivist'] };
const CLERK: Actor = { userId: '00000000-0000-4000-8000-000000000002', username: 'clerk', roles: ['department_clerk'] };

describeEachDatabase('retention list draft', (getDb) => {
  it('previews a file with one bad row without storing it, naming row and field', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    const bad = CSV.replace('23,Хат алмасу,Переписка,5 лет ЭПК,', '23,Хат алмасу,Переписка,навсегда,');
    const preview = retention.preview(ARCHIVIST, { content: bad, format: 'csv' });
    expect(preview.problems).toEqual([{ row: 3, field: 'retention', code: 'retention.problem_retention_format', params: { value: 'навсегда' } }]);
    expect(preview.articles.map((a) => a.article)).toEqual(['26а', '662', '657б', '700']);
    expect(describeProblem('ru', preview.problems[0]!)).toMatch(/^Строка 3, поле «retention»: /);
    expect(() => retention.preview(CLERK, { content: CSV, format: 'csv' })).toThrow(expect.objectContaining({ code: 'retention.forbidden' }));
    expect(await retention.versions()).toEqual([]);
    expect(await retention.draft()).toBeNull();
  });

  it('edits a draft copied from the version in force and publishes it as the next version; each step audited', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    const v1 = await retention.importList(SYSTEM_ACTOR, { content: CSV, format: 'csv', sourceName: 'list.csv' });
    const draft = await retention.createDraft(ARCHIVIST, {});
    expect(draft).toMatchObject({ basedOnVersion: v1.version, title: 'list.csv', createdBy: 'archivist' });
    expect(draft.articles).toHaveLength(5);
    await expect(retention.createDraft(ARCHIVIST, {})).rejects.toMatchObject({ code: 'retention.draft_exists', status: 409 });
    await expect(retention.addArticle(CLERK, { article: '1' })).rejects.toMatchObject({ code: 'retention.forbidden', status: 403 });

    // Every bad field at once, by field, with no row.
    const problems = await problemsOf(retention.addArticle(ARCHIVIST, { article: 'x1', documentTypeKk: '', documentTypeRu: 'Акты', retention: { kind: 'years', years: 0 }, personnel: 'maybe' }));
    expect(problems.map((p) => [p.row, p.field, p.code])).toEqual([
      [0, 'article', 'retention.problem_article_format'],
      [0, 'documentTypeKk', 'retention.problem_required'],
      [0, 'retention', 'retention.problem_retention_format'],
      [0, 'personnel', 'retention.problem_personnel_format'],
    ]);
    expect(describeProblem('en', problems[1]!)).toBe(`Field "documentTypeKk": ${t('en', 'retention.problem_required')}`);
    expect((await problemsOf(retention.addArticle(ARCHIVIST, { article: '26А', documentTypeKk: 'a', documentTypeRu: 'b', retention: 'Постоянно' })))[0]).toMatchObject({
      field: 'article',
      code: 'retention.problem_duplicate_in_draft',
    });

    const added = await retention.addArticle(ARCHIVIST, { article: '12', documentTypeKk: 'Актілер', documentTypeRu: 'Акты', retention: '10 лет ЭПК', note: null });
    expect(added).toMatchObject({ position: 6, retention: { kind: 'years_epk', years: 10 }, category: 'up_to_10', epk: true, personnel: false });
    const hr = draft.articles.find((a) => a.article === '657б')!;
    const changed = await retention.updateArticle(ARCHIVIST, hr.id, { article: '657б', documentTypeKk: 'Демалыс бұйрықтары', documentTypeRu: 'Приказы об отпусках', retention: { kind: 'years', years: 50 }, personnel: true });
    expect(changed).toMatchObject({ retention: { kind: 'years', years: 50 }, category: 'personnel', personnel: true });
    await retention.removeArticle(ARCHIVIST, draft.articles.find((a) => a.article === '700')!.id);
    await expect(retention.removeArticle(ARCHIVIST, draft.articles.find((a) => a.article === '700')!.id)).rejects.toMatchObject({ code: 'retention.draft_article_not_found', status: 404 });
    await retention.renameDraft(ARCHIVIST, 'Тізбе 2026');

    // Nothing of the draft is in force before it is published.
    expect((await retention.get()).version).toBe(1);
    expect(await retention.article('12')).toBeNull();

    const v2 = await retention.publishDraft(ARCHIVIST);
    expect(v2).toMatchObject({ version: 2, title: 'Тізбе 2026', sourceFormat: 'editor', basedOnVersion: 1, importedBy: 'archivist', articleCount: 5 });
    expect(await retention.draft()).toBeNull();
    const list = await retention.get(2);
    expect(list.articles.map((a) => [a.position, a.article])).toEqual([
      [1, '26а'],
      [2, '23'],
      [3, '662'],
      [4, '657б'],
      [5, '12'],
    ]);
    expect((await retention.get(1)).articles.find((a) => a.article === '657б')).toMatchObject({ retention: { kind: 'years', years: 5 }, personnel: false });
    await expect(retention.publishDraft(ARCHIVIST)).rejects.toMatchObject({ code: 'retention.no_draft', status: 404 });

    const actions = (await listAuditEvents(db, { limit: 20 })).map((e) => e.action);
    for (const action of ['retention_list.draft_create', 'retention_list.article_add', 'retention_list.article_update', 'retention_list.article_remove', 'retention_list.draft_rename', 'retention_list.publish']) {
      expect(actions).toContain(action);
    }
    const update = (await listAuditEvents(db, { limit: 20 })).find((e) => e.action === 'retention_list.article_update')!;
    expect(update.details).toMatchObject({ before: { retention: { kind: 'years', years: 5 } }, after: { retention: { kind: 'years', years: 50 }, personnel: true } });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('starts a draft from a file (all or nothing), and discards it', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    const bad = `${CSV}701,,Письма,7 лет,\n`;
    expect((await problemsOf(retention.createDraft(ARCHIVIST, { content: bad, format: 'csv', sourceName: 'bad.csv' })))[0]).toMatchObject({ row: 7, field: 'document_type_kk' });
    expect(await retention.draft()).toBeNull();
    const draft = await retention.createDraft(ARCHIVIST, { content: CSV, format: 'csv', sourceName: 'good.csv', title: 'Жаңа тізбе' });
    expect(draft).toMatchObject({ basedOnVersion: null, sourceName: 'good.csv', sourceFormat: 'csv', title: 'Жаңа тізбе' });
    await retention.discardDraft(ARCHIVIST);
    expect(await retention.draft()).toBeNull();
    await expect(retention.discardDraft(ARCHIVIST)).rejects.toMatchObject({ code: 'retention.no_draft' });
    const [event] = await listAuditEvents(db, { limit: 1 });
    expect(event).toMatchObject({ action: 'retention_list.draft_discard', details: { title: 'Жаңа тізбе', articles: 5 } });
    const published = await retention.versions();
    await expect(retention.publishDraft(ARCHIVIST)).rejects.toMatchObject({ code: 'retention.no_draft' });
    expect(await retention.versions()).toEqual(published);
  });

  it('checks a cited article and period against the list in force, or a given version', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    const latest = (await retention.versions())[0]!.version;
    expect(await checkRetentionAgainstList(db, { article: '23', retention: { kind: 'years_epk', years: 5 } })).toMatchObject({ ok: true, version: latest, article: { article: '23', epk: true } });
    expect(await checkRetentionAgainstList(db, { article: '12' }, { listVersion: 1 })).toMatchObject({
      ok: false,
      version: 1,
      problem: { field: 'article', code: 'retention.check_article_not_in_list', params: { article: '12', version: 1 } },
    });
    const differs = await checkRetentionAgainstList(db, { article: '26А', retention: { kind: 'years', years: 10 } });
    expect(differs).toMatchObject({ ok: false, problem: { field: 'retention', code: 'retention.check_retention_differs', params: { article: '26а', given: '10 лет', expected: 'Постоянно' } } });
    expect(t('ru', (differs as { problem: { code: string } }).problem.code, (differs as { problem: { params: Record<string, string> } }).problem.params)).toContain('Постоянно');
    expect(await checkRetentionAgainstList(db, { article: ' ' })).toMatchObject({ ok: false, problem: { code: 'retention.check_article_missing' } });
    expect(await checkRetentionAgainstList(db, { article: '23' }, { listVersion: 999 })).toMatchObject({ ok: false, version: null, problem: { code: 'retention.version_not_found' } });
    expect(await findArticleInList(db, '662', { listVersion: 1 })).toMatchObject({ version: 1, category: 'personnel' });
    expect(await findArticleInList(db, '999')).toBeNull();
  });

  it('gives each dossier its category and earliest destruction from the version it was given', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    const transfer = await db.insertInto('transfers').values({ status: 'completed', department: '02', year: 2020, source_name: 't.tar' } as never).returning('id').executeTakeFirstOrThrow();
    const dossier = (caseIndex: string, metadata: Record<string, unknown>) => insertStoredDossier(db, transfer.id, caseIndex, metadata);
    const latest = (await retention.versions())[0]!.version;
    // 657б is 50 years and personnel in the latest version (published above).
    const hr = await dossier('02-1', { year: 2020, endDate: '2020-12-30', retention: { kind: 'years', years: 50, article: '657б' } });
    const epk = await dossier('02-2', { year: 2020, endDate: '2020-06-01', retention: { kind: 'years_epk', years: 5, article: '23' } });
    // Carried over: its last document is of 2021, so it closed in 2021.
    const carried = await dossier('02-3', { year: 2020, endDate: '2021-02-01', retention: { kind: 'years', years: 3 } });
    const permanent = await dossier('02-4', { year: 2020, retention: { kind: 'permanent', article: '26а' } });
    const needed = await dossier('02-5', { year: 2020, retention: { kind: 'until_needed', article: '700' } });
    const unknownArticle = await dossier('02-6', { year: 2020, retention: { kind: 'years', years: 75, article: '999' } });
    const none = await dossier('02-7', { year: 2020 });
    const noYear = await dossier('02-8', { retention: { kind: 'years', years: 5 } });

    const views = await assessDossiers(db, [
      { id: hr, retention: { kind: 'years', years: 50, article: '657б' }, year: 2020, endDate: '2020-12-30' },
      { id: epk, retention: { kind: 'years_epk', years: 5, article: '23' }, year: 2020, endDate: '2020-06-01' },
      { id: carried, retention: { kind: 'years', years: 3 }, year: 2020, endDate: '2021-02-01' },
      { id: permanent, retention: { kind: 'permanent', article: '26а' }, year: 2020, endDate: null },
      { id: needed, retention: { kind: 'until_needed', article: '700' }, year: 2020, endDate: null },
      { id: unknownArticle, retention: { kind: 'years', years: 75, article: '999' }, year: 2020, endDate: null },
      { id: none, retention: undefined, year: 2020, endDate: null },
      { id: noYear, retention: { kind: 'years', years: 5 }, year: null, endDate: null },
    ]);
    expect(views.get(hr)).toMatchObject({ category: 'personnel', personnel: true, listVersion: latest, articleInList: true, closedYear: 2020, earliestDestruction: '2071-01-01', destruction: { kind: 'from', date: '2071-01-01', expertReview: false } });
    expect(views.get(epk)).toMatchObject({ category: 'up_to_10', epk: true, earliestDestruction: '2026-01-01', destruction: { kind: 'from', date: '2026-01-01', expertReview: true } });
    expect(views.get(carried)).toMatchObject({ category: 'up_to_10', article: null, articleInList: null, closedYear: 2021, earliestDestruction: '2025-01-01' });
    expect(views.get(permanent)).toMatchObject({ category: 'permanent', earliestDestruction: null, destruction: { kind: 'never' } });
    expect(views.get(needed)).toMatchObject({ category: 'up_to_10', earliestDestruction: null, destruction: { kind: 'when_no_longer_needed' } });
    // An article the version lacks: said so, and personnel falls back on the 75-year rule.
    expect(views.get(unknownArticle)).toMatchObject({ articleInList: false, category: 'personnel', earliestDestruction: '2096-01-01' });
    expect(views.get(none)).toBeNull();
    expect(views.get(noYear)).toMatchObject({ closedYear: null, earliestDestruction: null, destruction: { kind: 'unknown' } });
  });

  it('lets only one of two editors starting at once open the draft', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    const other: Actor = { ...ARCHIVIST, userId: '00000000-0000-4000-8000-000000000003', username: 'admin', roles: ['admin'] };
    const results = await Promise.allSettled([retention.createDraft(ARCHIVIST, {}), retention.createDraft(other, {})]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'retention.draft_exists', status: 409 });
    await retention.discardDraft(ARCHIVIST);
  });
});
