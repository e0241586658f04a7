import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../tests/helpers/db';
import { insertStoredDossier, problemsOf } from '../../tests/helpers/retention';
import { t } from '../../common/i18n';
import { SYSTEM_ACTOR, listAuditEvents, verifyAuditChain } from '../../audit/audit.service';
import { DEMO_RETENTION_LIST, importDemoRetentionList } from './demo';
import { createRetentionService } from './retention.service';

const CSV = `article,document_type_kk,document_type_ru,retention,note
26а,Басшының бұйрықтары,Приказы руководителя,Постоянно,
23,Хат алмасу,Переписка,5 лет ЭПК,
662,Жеке істер,Личные дела,75 лет,
147,Бастапқы құжаттар,Первичные документы,3 года,"При условии проверки, ревизии"
700,Анықтамалық хаттар,Справочная переписка,ДМН,
`;

describeEachDatabase('retention list', (getDb) => {
  it('imports a CSV as version 1, with categories and the ЭПК mark, and audits it', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    await expect(retention.get()).rejects.toMatchObject({ code: 'retention.no_list', status: 404 });
    const v1 = await retention.importList(SYSTEM_ACTOR, { content: CSV, format: 'csv', sourceName: 'list.csv' });
    expect(v1).toMatchObject({ version: 1, title: 'list.csv', sourceFormat: 'csv', articleCount: 5, importedBy: 'system' });
    const list = await retention.get(1);
    expect(list.articles.map((a) => [a.article, a.retention, a.category, a.epk])).toEqual([
      ['26а', { kind: 'permanent', years: null }, 'permanent', false],
      ['23', { kind: 'years_epk', years: 5 }, 'up_to_10', true],
      ['662', { kind: 'years', years: 75 }, 'personnel', false],
      ['147', { kind: 'years', years: 3 }, 'up_to_10', false],
      ['700', { kind: 'until_needed', years: null }, 'up_to_10', false],
    ]);
    expect(list.articles[3]!.note).toBe('При условии проверки, ревизии');
    expect(await retention.article('26А')).toMatchObject({ article: '26а', documentTypeRu: 'Приказы руководителя' });
    expect(await retention.article('999')).toBeNull();
    const [event] = await listAuditEvents(db, { limit: 1, objectType: 'retention_list' });
    expect(event).toMatchObject({ action: 'retention_list.import', objectId: v1.id, details: { version: 1, articles: 5, format: 'csv', sourceName: 'list.csv' } });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('exports CSV and JSON that import back as the same list, each import a new version', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    const csv = await retention.exportList('csv', 1);
    expect(csv.content.split('\n')[0]).toBe('article,document_type_kk,document_type_ru,retention,note,personnel');
    expect(csv.content).toContain('23,Хат алмасу,Переписка,5 лет ЭПК,');
    expect(csv.content).toContain('"При условии проверки, ревизии"');
    const json = await retention.exportList('json');
    const v2 = await retention.importList(SYSTEM_ACTOR, { content: csv.content, format: 'csv', title: 'Экспорт' });
    const v3 = await retention.importList(SYSTEM_ACTOR, { content: json.content, format: 'json' });
    expect([v2.version, v3.version]).toEqual([2, 3]);
    expect(v3.title).toBe('list.csv'); // the JSON export carries the title
    const strip = (l: Awaited<ReturnType<typeof retention.get>>) => l.articles;
    expect(strip(await retention.get(2))).toEqual(strip(await retention.get(1)));
    expect(strip(await retention.get(3))).toEqual(strip(await retention.get(1)));
    expect((await retention.versions()).map((v) => v.version)).toEqual([3, 2, 1]);
    await expect(retention.get(9)).rejects.toMatchObject({ code: 'retention.version_not_found', params: { version: 9 } });
    await expect(retention.exportList('xml' as never)).rejects.toMatchObject({ code: 'retention.invalid_format' });
    // Versions are history: the database refuses to change them.
    await expect(sql`UPDATE retention_articles SET retention_years = 1 WHERE retention_years = 5`.execute(db)).rejects.toThrow(/not changed/);
  });

  it('reports every bad row with its row and field, translated, and stores nothing', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    const before = (await retention.versions()).length;
    const bad = [
      'article;document_type_kk;document_type_ru;retention;note',
      'а1;Бұйрықтар;Приказы;Постоянно;',
      '12;;Приказы;5 лет;',
      '13;Хаттар;Письма;вечно;',
      '12;Тағы;Ещё;10 лет ЭПК;',
      '14;Есеп;Отчёт;;',
    ].join('\r\n');
    const problems = await problemsOf(retention.importList(SYSTEM_ACTOR, { content: bad, format: 'csv', sourceName: 'bad.csv' }));
    expect(problems.map((p) => [p.row, p.field, p.code])).toEqual([
      [2, 'article', 'retention.problem_article_format'],
      [3, 'document_type_kk', 'retention.problem_required'],
      [4, 'retention', 'retention.problem_retention_format'],
      [5, 'article', 'retention.problem_duplicate_article'],
      [6, 'retention', 'retention.problem_required'],
    ]);
    const dup = problems[3]!;
    const message = t('ru', 'retention.problem_at_field', { row: dup.row, field: dup.field, message: t('ru', dup.code, dup.params) });
    expect(message).toBe('Строка 5, поле «article»: статья «12» уже приведена в строке 3');
    expect(t('kk', 'retention.problem_retention_format', problems[2]!.params)).toContain('«вечно»');

    const header = await problemsOf(retention.importList(SYSTEM_ACTOR, { content: 'article,type,retention\n1,x,5\n', format: 'csv' }));
    expect(header.map((p) => [p.row, p.field, p.code])).toEqual([
      [1, 'type', 'retention.problem_unknown_column'],
      [1, 'document_type_kk', 'retention.problem_missing_column'],
      [1, 'document_type_ru', 'retention.problem_missing_column'],
    ]);

    const json = await problemsOf(
      retention.importList(SYSTEM_ACTOR, {
        content: JSON.stringify([
          { article: '1', documentTypeKk: 'А', documentTypeRu: 'А', retention: { kind: 'years', years: 0 } },
          { article: '2', documentTypeKk: 'Б', documentTypeRu: 'Б', retention: 'Постоянно', note: 'x'.repeat(1001) },
          'not an object',
        ]),
        format: 'json',
      }),
    );
    expect(json.map((p) => [p.row, p.field, p.code])).toEqual([
      [1, 'retention', 'retention.problem_retention_format'],
      [2, 'note', 'retention.problem_too_long'],
      [3, '', 'retention.problem_json_shape'],
    ]);
    expect((await problemsOf(retention.importList(SYSTEM_ACTOR, { content: '{"articles": [', format: 'json' })))[0]!.code).toBe('retention.problem_json_syntax');
    expect((await problemsOf(retention.importList(SYSTEM_ACTOR, { content: 'article,document_type_kk,document_type_ru,retention\n', format: 'csv' })))[0]!.code).toBe('retention.problem_empty');
    expect((await problemsOf(retention.importList(SYSTEM_ACTOR, { content: 'article,document_type_kk,document_type_ru,retention\n"1,x', format: 'csv' })))[0]!.code).toBe('retention.problem_csv_syntax');
    expect((await retention.versions()).length).toBe(before);
  });

  it('lets only the archive import, and gives each new dossier the latest version for good', async () => {
    const { db } = getDb();
    const retention = createRetentionService({ db });
    const clerk = { userId: '00000000-0000-0000-0000-000000000001', username: 'clerk', roles: ['clerk'] } as never;
    await expect(retention.importList(clerk, { content: CSV, format: 'csv' })).rejects.toMatchObject({ code: 'retention.forbidden', status: 403 });

    const transfer = await db.insertInto('transfers').values({ status: 'completed', department: '01', year: 2025, source_name: 't.tar' } as never).returning('id').executeTakeFirstOrThrow();
    const dossier = async (caseIndex: string) => ({ id: await insertStoredDossier(db, transfer.id, caseIndex) });
    const first = await dossier('01-1');
    const latest = (await retention.versions())[0]!;
    expect(await retention.forDossier(first.id)).toMatchObject({ version: latest.version });
    const next = await retention.importList(SYSTEM_ACTOR, { content: readFileSync(DEMO_RETENTION_LIST, 'utf8'), format: 'csv' });
    const second = await dossier('01-2');
    expect(await retention.forDossier(first.id)).toMatchObject({ version: latest.version });
    expect(await retention.forDossier(second.id)).toMatchObject({ version: next.version });
    expect(retention.assess(2020, { kind: 'years', years: 5 })).toEqual({ category: 'up_to_10', epk: false, earliestDestruction: '2026-01-01' });
  });

  it('ships a demo list that imports cleanly, once', async () => {
    const { db } = getDb();
    await sql`SELECT 1`.execute(db);
    // The catalog already has lists here, so the demo is not imported twice.
    expect(await importDemoRetentionList(db, SYSTEM_ACTOR)).toBeNull();
    const demo = (await createRetentionService({ db }).get()).articles;
    expect(demo.find((a) => a.article === '26а')).toMatchObject({ retention: { kind: 'permanent' }, category: 'permanent' });
    expect(demo.find((a) => a.article === '662')).toMatchObject({ category: 'personnel' });
    expect(demo.find((a) => a.article === '23')).toMatchObject({ epk: true });
    expect(demo.find((a) => a.article === '700')).toMatchObject({ retention: { kind: 'until_needed', years: null } });
  });
});
