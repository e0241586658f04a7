// `muragat inventory` run in-process through main() against a PGlite catalog in a temporary data
// folder: the command wiring, messages in the reader's language and exit codes. The whole cycle
// (build, approve, ciphers) is tested over HTTP in tests/server/inventories.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { runCli as run } from '../../tests/helpers/cli';

let dataDir: string;
const person = ['--compiler-name', 'Ә. Г. Сапарова', '--compiler-position', 'архивист'];

describe('muragat inventory', () => {
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-inventory-'));
    setConfig(parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en' }));
    process.env.MURAGAT_LANG = 'en';
  });
  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists no inventories yet, as text and as JSON', async () => {
    expect(await run('inventory', 'list')).toMatchObject({ code: 0, stdout: 'No inventories\n' });
    const json = await run('inventory', 'list', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  }, 120_000);

  it('refuses an inventory of dossiers kept up to 10 years (p.194) and names an unknown department', async () => {
    const short = await run('inventory', 'build', '--department', '02', '--year', '2025', '--category', 'up_to_10', ...person);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('by the nomenclature, without an inventory (p.194)');
    const unknown = await run('inventory', 'build', '--department', '09', '--year', '2025', '--category', 'permanent', ...person);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Department 09 is not in the catalog.');
    const badYear = await run('inventory', 'build', '--department', '02', '--year', '25', '--category', 'permanent', ...person);
    expect(badYear.code).toBe(2);
    expect(badYear.stderr).toContain('four-digit year');
  }, 120_000);

  it('says which inventory is missing and which export format is unknown', async () => {
    const missing = await run('inventory', 'show', '7');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Inventory 7 was not found.');
    const format = await run('inventory', 'export', '7', '--format', 'xml');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('Unknown format «xml»: use json, csv, pdf, statement');
  }, 120_000);
});
