// `muragat schedule …` and `muragat transfer accept|return|act|approve-act` run in-process
// through main() against a PGlite catalog in a temporary data folder. Tests run in order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { parseConfig, setConfig } from '../../common/config';
import { openCatalog } from '../../database/open';
import { buildDepartmentPackage, seedDepartments } from '../../tests/server/departments';
import { runCli as run } from '../../tests/helpers/cli';

let dataDir: string;

describe('muragat schedule and transfer accept', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-schedule-'));
    const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', MURAGAT_MALWARE_POLICY: 'accept-with-warning', LOG_LEVEL: 'silent' });
    setConfig(config);
    process.env.MURAGAT_LANG = 'en';
    const catalog = await openCatalog(config);
    try {
      const departments = await seedDepartments(catalog.db);
      const users = createUsersService({ db: catalog.db });
      const add = (username: string, fullName: string, roles: ('archivist' | 'organisation_head' | 'department_clerk')[], departmentId: string | null) =>
        users.add(SYSTEM_ACTOR, { username, password: `${username}-Kilt-Sparrow-94`, fullName, position: null, roles, departmentId, language: 'en' });
      await add('archivist', 'Zhumabayeva A.', ['archivist'], null);
      await add('head', 'Omarov S.', ['organisation_head'], null);
      await add('clerk02', 'Abenova G.', ['department_clerk'], departments['02']!);
    } finally {
      await catalog.close();
    }
  }, 120_000);
  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, fills, approves, shows and exports a schedule', async () => {
    expect(await run('schedule', 'create', '2026', '--number', '3')).toMatchObject({ code: 0, stdout: 'Transfer schedule for 2026 created (dossiers of 2025), draft\n' });
    expect(await run('schedule', 'add-row', '2026', '--department', '02', '--deadline', '2026-12-20', '--responsible', 'clerk02')).toMatchObject({
      code: 0,
      stdout: 'Row 1 added: department 02, deadline 2026-12-20\n',
    });
    // A bad date is refused with the field named, exit code 1.
    const bad = await run('schedule', 'add-row', '2026', '--department', '03', '--deadline', '2026-13-01', '--responsible', 'clerk02');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid deadline “2026-13-01” (field deadline)');
    // Approval names the organisation head; someone else is refused.
    const notHead = await run('schedule', 'approve', '2026', '--by', 'archivist');
    expect(notHead.code).toBe(1);
    expect(notHead.stderr).toContain('“archivist” may not approve a transfer schedule');
    expect(await run('schedule', 'approve', '2026', '--by', 'head')).toMatchObject({ code: 0, stdout: 'Transfer schedule for 2026 approved\n' });
    const shown = JSON.parse((await run('schedule', 'show', '2026', '--json')).stdout) as { status: string; approvedBy: { name: string }; rows: { state: string }[] };
    expect(shown).toMatchObject({ status: 'approved', approvedBy: { name: 'Omarov S.' } });
    expect(['due', 'overdue']).toContain(shown.rows[0]!.state);
    const out = path.join(dataDir, 'schedule.csv');
    expect((await run('schedule', 'export', '2026', '--format', 'csv', '--out', out)).code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\r\n')[0]).toBe('No.,Organisation or department,Deadline,Person responsible for the transfer,Note,State');
  }, 120_000);

  it('accepts an ingested transfer with its act, and the organisation head approves it', async () => {
    const tar = await buildDepartmentPackage(dataDir, '02');
    const ingested = await run('ingest', tar, '--json');
    expect(ingested.code).toBe(0);
    const transferId = (JSON.parse(ingested.stdout) as { transfer: string }).transfer;
    expect(transferId).toBeTruthy();

    const board = await run('schedule', 'show', '2026');
    expect(board.stdout).toContain('Received, awaiting acceptance');

    const accepted = await run('transfer', 'accept', transferId, '--by', 'archivist', '--state', 'Readable, signatures absent');
    expect(accepted).toMatchObject({ code: 0, stdout: `Transfer ${transferId} accepted: act No. 1 (${new Date().getFullYear()}), 1 (бір) электрондық құжат\n` });
    const act = await run('transfer', 'act', transferId);
    expect(act.stdout).toContain('02-7: 1 documents, 2 files, signed 0 / unsigned 1');
    // Handed in by the operator: the package's compiler hands over.
    expect(act.stdout).toContain('Handed over: іс жүргізуші, Әбенова Г. С.; accepted: Zhumabayeva A.; approved: —');
    expect((await run('transfer', 'return', transferId, '--reason', 'late', '--by', 'archivist')).code).toBe(1);
    expect(await run('transfer', 'approve-act', transferId, '--by', 'head')).toMatchObject({ code: 0, stdout: `Acceptance act No. 1 (${new Date().getFullYear()}) approved\n` });
    expect((await run('schedule', 'show', '2026')).stdout).toContain('Accepted');
  }, 180_000);
});
