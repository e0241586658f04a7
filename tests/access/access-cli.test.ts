// `muragat access show|set|grant|revoke|report` in-process through main(), on a PGlite catalog
// in a temporary data folder: a rule set from the shell is kept and audited as the operator,
// a wrong value is refused naming the field, personal data gets its 75-year date, an exception
// is granted and revoked, and the report lists what a researcher got.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../database/open';
import { recordResearcherRead } from '../../access';
import { buildIndexPackage } from '../server/signers-fixtures';
import { runCli as run } from '../helpers/cli';
import { createCliCatalog, type CliCatalog } from '../helpers/cli-catalog';

let work: string;
let dataDir: string;
let cli: CliCatalog | undefined;

describe('muragat access', () => {
  beforeAll(async () => {
    cli = await createCliCatalog('muragat-cli-access-');
    ({ work, dataDir } = cli);
    const added = await run('user', 'add', 'reader', '--role', 'researcher', '--full-name', 'Reader Person', '--json');
    expect(added.code, added.stderr).toBe(0);
    const ingested = await run('ingest', await buildIndexPackage(work, { index: '03-41', tag: 'a' }), '--json');
    expect(ingested.stderr).toBe('');
  }, 300_000);

  afterAll(async () => {
    await cli?.close();
  });

  it('shows the rules, sets one for a document, refuses a wrong one naming the field', async () => {
    const shown = await run('access', 'show', '03-41');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Dossier 03-41: Open to all');
    expect(shown.stdout).toContain('No exceptions.');
    const set = await run('access', 'set', '03-41', '--document', '2', '--kind', 'restricted', '--until', '2040-01-01', '--before-lift', 'metadata', '--basis', 'Decision 7');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('03-41 Document 2: access Restricted by the fonds creator until 2040-01-01.');
    const json = JSON.parse((await run('access', 'show', '03-41', '--json')).stdout);
    expect(json.documents[1].rule).toMatchObject({ kind: 'restricted', until: '2040-01-01', beforeLift: 'metadata', basis: 'Decision 7', source: 'archivist' });
    expect(json.documents[1].rule.setBy).toMatch(/^cli:/);
    const wrong = await run('access', 'set', '03-41', '--kind', 'secret');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('Field kind: "secret" is not an access kind');
    const dated = await run('access', 'set', '03-41', '--kind', 'open', '--until', '2030-01-01');
    expect(dated.code).not.toBe(0);
    expect(dated.stderr).toContain('Field until: an access rule of kind open has no lift date.');
    const badDocument = await run('access', 'set', '03-41', '--document', 'x', '--kind', 'open');
    expect(badDocument.code).toBe(2);
    expect(badDocument.stderr).toContain('--document x');
  });

  it('closes a personnel dossier for 75 years, grants and revokes an exception, reports what a researcher got', async () => {
    const personal = await run('access', 'set', '03-41', '--kind', 'personal', '--json');
    expect(personal.code, personal.stderr).toBe(0);
    const rule = JSON.parse(personal.stdout).rule;
    expect(rule.kind).toBe('personal');
    expect(Number(rule.until.slice(0, 4))).toBeGreaterThanOrEqual(2100);
    const granted = await run('access', 'grant', '03-41', '--user', 'reader', '--grounds', 'data_subject', '--reference', 'Letter 15 of 2026-12-01', '--json');
    expect(granted.code, granted.stderr).toBe(0);
    const exception = JSON.parse(granted.stdout).exceptions[0];
    expect(exception).toMatchObject({ username: 'reader', grounds: 'data_subject', reference: 'Letter 15 of 2026-12-01' });
    const revoked = await run('access', 'revoke', exception.id, '--reason', 'Asked by mistake');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Exception ${exception.id} revoked.`);

    const catalog = await openCatalog({ databaseUrl: undefined, dataDir });
    try {
      const user = await catalog.db.selectFrom('users').select(['id']).where('username', '=', 'reader').executeTakeFirstOrThrow();
      const dossier = await catalog.db.selectFrom('dossiers').select(['id']).where('case_index', '=', '03-41').executeTakeFirstOrThrow();
      const actor = { userId: user.id, username: 'reader', roles: ['researcher' as const] };
      await recordResearcherRead(catalog.db, actor, { kind: 'view', what: 'dossier', dossierId: dossier.id, caseIndex: '03-41' });
      await recordResearcherRead(catalog.db, actor, { kind: 'download', what: 'rendition', dossierId: dossier.id, caseIndex: '03-41', position: 1 });
      const actions = await catalog.db.selectFrom('audit_events').select('action').where('action', 'like', 'access.%').orderBy('id').execute();
      expect(actions.map((a) => a.action)).toEqual(['access.rule_set', 'access.rule_set', 'access.exception_grant', 'access.exception_revoke', 'access.view', 'access.download']);
    } finally {
      await catalog.close();
    }
    const report = await run('access', 'report', '--user', 'reader');
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('What researcher reader got');
    expect(report.stdout).toContain('2 reads');
    expect(report.stdout).toMatch(/downloaded {2}PDF\/A copy {2}03-41 #1/);
    const badDate = await run('access', 'report', '--user', 'reader', '--from', '1.12.2026');
    expect(badDate.code).toBe(2);
  }, 120_000);
});
