// Integrity runs that re-validate stored renditions (`muragat integrity run --revalidate-pdfa`):
// after a real ingest every rendition conforms; a rendition object that does not (a stored
// PDF put in a rendition's place in the catalog) is named with its dossier, document and clause,
// by the built-in checker and by the real veraPDF when it is installed.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runIngest, loadTools, type IngestReport } from '../../ingest';
import { runIntegrity } from '../../preservation';
import { revalidateRenditions } from '../../preservation/revalidate';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { main } from '../../cli/main';
import { veraPdfVersion } from '../../validators/pdfa';
import { pdfa } from '../../validators/pdfa/testing/build-pdf';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from './helpers';

const version = await veraPdfVersion();
const realVeraPdf = version !== null && /^veraPDF \d/.test(version) && !version.includes('stand-in');

describe('integrity runs re-validating PDF/A renditions', () => {
  let env: IngestEnv;
  let report: IngestReport;

  beforeAll(async () => {
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    report = await runIngest(env.deps, { tarPath: await buildFixtureTransfer(env, 'revalidate') });
  }, 300_000);
  afterAll(async () => env?.close());

  it('finds every stored rendition conforming', async () => {
    const r = await runIntegrity({ db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() }, { actor: SYSTEM_ACTOR, repair: false, revalidatePdfa: 'builtin' });
    expect(r.ok).toBe(true);
    const events = await env.db.selectFrom('audit_events').select(['action', 'details']).where('action', '=', 'integrity.run').execute();
    expect(events.at(-1)!.details).toMatchObject({ revalidatePdfa: 'builtin' });
  });

  it('names a rendition that does not conform, with its dossier, document and clause', async () => {
    const dossierId = report.dossiers[0]!.id!;
    const row = await env.db
      .selectFrom('dossier_documents as dd')
      .innerJoin('documents as d', 'd.id', 'dd.document_id')
      .select(['d.id', 'dd.position'])
      .where('dd.dossier_id', '=', dossierId)
      .where('d.rendition_sha256', 'is not', null)
      .orderBy('dd.position')
      .executeTakeFirstOrThrow();
    // Optional content is forbidden by 6.1.13 (both engines know it).
    const bad = await env.storage.primary.put(pdfa({ catalogExtra: '/OCProperties << /OCGs [] /D << >> >>' }));
    await env.db.updateTable('documents').set({ rendition_sha256: bad.sha256 }).where('id', '=', row.id).execute();
    const engines = realVeraPdf ? (['builtin', 'verapdf'] as const) : (['builtin'] as const);
    if (!realVeraPdf) console.warn(`veraPDF part skipped: veraPDF is not installed (${version ?? 'not found'})`);
    for (const engine of engines) {
      const found = await revalidateRenditions({ db: env.db, storage: env.storage }, { engine, dossierIds: [dossierId] });
      const failures = found.get(dossierId) ?? [];
      expect(failures, engine).toHaveLength(1);
      expect(failures[0]).toMatchObject({ kind: 'rendition-not-pdfa', sha256: bad.sha256, document: { position: row.position, id: row.id } });
      expect(failures[0]!.message).toContain('6.1.13');
    }
  }, 180_000);

  it('refuses an unknown engine before starting a run', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      process.exitCode = undefined;
      expect(await main(['integrity', 'run', '--revalidate-pdfa=magic'])).toBe(2);
    } finally {
      err.mockRestore();
      process.exitCode = undefined;
    }
  });
});
