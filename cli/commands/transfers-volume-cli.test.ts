// `muragat transfer case-index|new-volume|keep-refused` in-process through main(), on a PGlite
// catalog in a temporary data folder: a second transfer of a kept case index is refused, the
// command line shows what it collides with, only an archivist named by --by decides, "leave
// refused" is kept, and the new-volume decision stores the dossier as volume 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../database/open';
import { buildIndexPackage } from '../../tests/server/signers-fixtures';
import { runCli as run } from '../../tests/helpers/cli';
import { createCliCatalog, type CliCatalog } from '../../tests/helpers/cli-catalog';

let work: string;
let dataDir: string;
let refused = '';
let cli: CliCatalog | undefined;

describe('muragat transfer case-index | new-volume | keep-refused', () => {
  beforeAll(async () => {
    cli = await createCliCatalog('muragat-cli-volume-');
    ({ work, dataDir } = cli);
    for (const [name, role] of [['keeper', 'archivist'], ['writer', 'department_clerk']]) {
      const added = await run('user', 'add', name!, '--role', role!, '--full-name', `${name} person`, '--json');
      expect(added.code, added.stderr).toBe(0);
    }
    const first = await run('ingest', await buildIndexPackage(work, { index: '03-40', tag: 'a' }), '--json');
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout).dossiers[0].id).toBeTruthy();
    const second = await run('ingest', await buildIndexPackage(work, { index: '03-40', tag: 'b' }), '--json');
    expect(second.code).toBe(1);
    const report = JSON.parse(second.stdout);
    expect(report.failure.code).toBe('ingest.case_index_exists');
    refused = report.transfer;
  }, 300_000);

  afterAll(async () => {
    await cli?.close();
  });

  it('shows what the refused transfer collides with, and that nobody decided yet', async () => {
    const shown = await run('transfer', 'case-index', refused);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('The archive already keeps a dossier with index “03-40” of department 03 for 2025');
    expect(shown.stdout).toContain('03-40, volume 1');
    expect(shown.stdout).toContain(`muragat transfer new-volume ${refused} --by LOGIN`);
    const json = JSON.parse((await run('transfer', 'case-index', refused, '--json')).stdout);
    expect(json).toMatchObject({ refused: true, decision: null });
  });

  it('lets only an archivist decide; keeps "leave refused"; adds it as volume 2', async () => {
    const clerk = await run('transfer', 'new-volume', refused, '--by', 'writer');
    expect(clerk.code).not.toBe(0);
    expect(clerk.stderr).toMatch(/archivist/i);
    expect(clerk.stderr).toContain('writer is not an archivist');
    const left = await run('transfer', 'keep-refused', refused, '--by', 'keeper');
    expect(left.code, left.stderr).toBe(0);
    expect(left.stdout).toContain('The archivist keeper decided to leave it refused');
    const added = await run('transfer', 'new-volume', refused, '--by', 'keeper', '--json');
    expect(added.stderr).toBe('');
    const report = JSON.parse(added.stdout);
    expect(report.status).toBeUndefined();
    expect(report.dossiers.map((d: { index: string; documents: unknown[] }) => [d.index, d.documents.length])).toEqual([['03-40', 2]]);
    const catalog = await openCatalog({ databaseUrl: undefined, dataDir });
    try {
      const dossier = await catalog.db.selectFrom('dossiers').select('volume').where('transfer_id', '=', refused).executeTakeFirstOrThrow();
      expect(dossier.volume).toBe(2);
      const row = await catalog.db.selectFrom('transfers').select(['case_index_decision', 'case_index_decided_by']).where('id', '=', refused).executeTakeFirstOrThrow();
      expect(row).toEqual({ case_index_decision: 'new-volume', case_index_decided_by: 'keeper' });
    } finally {
      await catalog.close();
    }
  }, 300_000);
});
