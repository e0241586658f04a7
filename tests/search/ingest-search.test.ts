// The search through the real pipeline: a fixture transfer (Kazakh and Russian txt, docx, odt,
// pdf) is ingested, and words that are only in the documents' text are found — kept by the
// reproducibility step from the pdftotext it already ran. Then `search reindex` brings back the
// text of stored renditions from the object store when the search lacks it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest } from '../../ingest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { parseSearchInput, reindexSearch, search } from '../../search';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from '../ingest/helpers';

describe('search over ingested documents', () => {
  let env: IngestEnv;
  const find = async (q: string) => {
    const r = await search(env.db, parseSearchInput({ q }), { kind: 'staff', scope: { kind: 'all' } });
    return r.hits.map((h) => ({ key: `${h.caseIndex}#${h.position ?? 0}`, snippet: h.snippet }));
  };

  beforeAll(async () => {
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    await runIngest(env.deps, { tarPath: await buildFixtureTransfer(env, 'search') });
  }, 300_000);
  afterAll(async () => env?.close());

  it('finds a person named only in the text of Kazakh documents, and an inflected Russian word of a rendition', async () => {
    // «Гүлнар Серікқызы» is in the order's text (txt and docx), not in any metadata (the
    // dossier's compiler is «Әбенова Г. С.»).
    const name = await find('Гүлнар Серікқызы');
    expect(name.map((h) => h.key).sort()).toEqual(['03-12#1', '03-12#2']);
    expect(name[0]!.snippet!.some((p) => p.hit && p.text === 'Гүлнар')).toBe(true);
    // «календарных» in the text of the ODT order and the letter; asked as «календарного».
    expect((await find('календарного')).map((h) => h.key).sort()).toEqual(['03-12#3', '03-15#2']);
  });

  it('reindex reads the stored renditions again when the search lacks their text', async () => {
    await env.db.deleteFrom('search_texts').execute();
    expect(await find('Гүлнар Серікқызы')).toEqual([]);
    const report = await reindexSearch({ db: env.db, storage: env.storage }, { actor: SYSTEM_ACTOR });
    expect(report.failed).toEqual([]);
    expect(report.documents).toBeGreaterThanOrEqual(5);
    expect(report.indexed).toBe(report.documents);
    expect((await find('Гүлнар Серікқызы')).map((h) => h.key).sort()).toEqual(['03-12#1', '03-12#2']);
    // Nothing left to read: a second run reads nothing and records that it ran.
    expect((await reindexSearch({ db: env.db, storage: env.storage }, { actor: SYSTEM_ACTOR })).documents).toBe(0);
    const audit = await env.db.selectFrom('audit_events').select(['action', 'details']).where('action', '=', 'search.reindex').execute();
    expect(audit).toHaveLength(2);
  });
});
