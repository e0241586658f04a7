// `muragat request list|show|approve|refuse|sweep` and `muragat copy` run in-process through main()
// against an embedded catalog in a temporary data folder, on a dossier ingested by the real
// pipeline; the request itself is submitted by a researcher through the domain (the portal's
// path). Tests run in order.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { openCatalog } from '../../database/open';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { registerResearcher, submitRequest } from '../../research';
import { packageFile } from '../../research/copies.service';
import { packTextDossier } from '../server/helpers';
import { runCli as run } from '../helpers/cli';

const PASSWORD = 'reading-Room-2026!';
let dataDir: string;
let numbers: string[] = [];

describe('muragat request and muragat copy', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-request-cli-'));
    const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', MURAGAT_MALWARE_POLICY: 'accept-with-warning', LOG_LEVEL: 'silent' });
    setConfig(config);
    process.env.MURAGAT_LANG = 'en';
    const ingested = await run('ingest', await packTextDossier(dataDir, { index: '04-21', title: 'Іссапар бұйрықтары', kazakhOrder: '3-і', russianOrder: '8-к' }), '--json');
    expect(ingested.code, ingested.stderr).toBe(0);
    const catalog = await openCatalog(config);
    try {
      const db = catalog.db;
      const users = createUsersService({ db });
      await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Әбенова Гүлнар', position: 'мұрағатшы', roles: ['archivist'] });
      const keeper = await users.get('keeper');
      await registerResearcher({ db, users }, { userId: keeper.id, username: 'keeper', roles: ['archivist'] }, { username: 'erlan', password: PASSWORD, fullName: 'Ерлан Сейітов', organisation: 'ҚазҰУ', email: 'erlan@example.kz', purpose: 'Тарих' });
      const erlan = await users.get('erlan');
      const actor = { userId: erlan.id, username: 'erlan', roles: erlan.roles };
      const dossierId = (await db.selectFrom('dossiers').select('id').executeTakeFirstOrThrow()).id;
      numbers = [(await submitRequest(db, actor, { items: [{ dossierId }] })).number, (await submitRequest(db, actor, { items: [{ dossierId, documentPosition: 1 }] })).number];
    } finally {
      await catalog.close();
    }
  }, 240_000);

  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists and shows the queue; an unknown status is a usage error naming the choices', async () => {
    const list = await run('request', 'list', '--status', 'submitted', '--json');
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { number: string }[]).map((r) => r.number).sort()).toEqual([...numbers].sort());
    const text = await run('request', 'list');
    expect(text.stdout).toContain(`${numbers[0]}  Submitted  Ерлан Сейітов`);
    const bad = await run('request', 'list', '--status', 'lost');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Status “lost” is unknown');
    const show = await run('request', 'show', numbers[0]!);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('Purpose: Тарих');
  });

  it('refuses with a reason (required) and approves', async () => {
    const noReason = await run('request', 'refuse', numbers[1]!);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
    const refused = await run('request', 'refuse', numbers[1]!, '--reason', 'Сұрау қайталанған', '--json');
    expect(refused.code, refused.stderr).toBe(0);
    expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'refused', refusalReason: 'Сұрау қайталанған' });
    // A refused request cannot be approved: a failed check (1), the request named.
    const again = await run('request', 'approve', numbers[1]!);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(numbers[1]!);
    const approved = await run('request', 'approve', numbers[0]!, '--json');
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout).status).toBe('approved');
  });

  it('copy: a certifier is required; then the copies, the package and the link, as JSON', async () => {
    const noCertifier = await run('copy', numbers[0]!);
    expect(noCertifier.code).toBe(1);
    expect(noCertifier.stderr).toContain('--certifier');
    const out = path.join(dataDir, 'package.zip');
    const made = await run('copy', numbers[0]!, '--certifier', 'keeper', '--out', out, '--json');
    expect(made.code, made.stderr).toBe(0);
    const summary = JSON.parse(made.stdout) as { request: string; status: string; copies: { name: string; verdict: string }[]; package: { sha256: string }; link: { path: string } };
    expect(summary).toMatchObject({ request: numbers[0], status: 'copies_ready' });
    expect(summary.copies.map((c) => c.verdict)).toEqual(['valid', 'valid']);
    expect(summary.link.path).toMatch(/^\/api\/research\/packages\/[A-Za-z0-9_-]{43}$/);
    const zip = readFileSync(out);
    expect(createHash('sha256').update(zip).digest('hex')).toBe(summary.package.sha256);
    expect(Object.keys(unzipSync(new Uint8Array(zip)))).toEqual(expect.arrayContaining(summary.copies.map((c) => c.name)));
  }, 120_000);

  it('request sweep: nothing before the expiry; after it the package file goes, audited, in words and as JSON', async () => {
    const none = await run('request', 'sweep');
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('No expired package to remove');
    const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', MURAGAT_MALWARE_POLICY: 'accept-with-warning', LOG_LEVEL: 'silent' });
    const catalog = await openCatalog(config);
    let packageId = '';
    try {
      // The link of the copies made above ran out an hour ago.
      const row = await catalog.db.updateTable('research_packages').set({ expires_at: new Date(Date.now() - 3_600_000) }).returning('id').executeTakeFirstOrThrow();
      packageId = row.id;
    } finally {
      await catalog.close();
    }
    expect(existsSync(packageFile(dataDir, packageId))).toBe(true);
    const swept = await run('request', 'sweep', '--json');
    expect(swept.code, swept.stderr).toBe(0);
    const result = JSON.parse(swept.stdout) as { expiredRequests: number; removed: { number: string; packageId: string }[] };
    expect(result.removed).toEqual([expect.objectContaining({ number: numbers[0], packageId })]);
    expect(result.expiredRequests).toBe(1);
    expect(existsSync(packageFile(dataDir, packageId))).toBe(false);
    const shown = await run('request', 'show', numbers[0]!, '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'expired', package: { expired: true, removedAt: expect.any(String) } });
  }, 120_000);
});
