// `muragat transfer pack|check` end to end through main(), on the fixture tree.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTransferTree, rawTar } from '../../ingest/transfer/testing/fixtures';
import { runCli as run } from '../../tests/helpers/cli';

let work: string;
let tree: string;

beforeAll(async () => {
  process.env.MURAGAT_LANG = 'en';
  work = await mkdtemp(path.join(tmpdir(), 'muragat-transfer-cli-'));
  tree = path.join(work, 'tree');
  await buildTransferTree(tree);
});
afterAll(async () => {
  delete process.env.MURAGAT_LANG;
  await rm(work, { recursive: true, force: true });
});

describe('muragat transfer', () => {
  it('packs, printing inferred and missing metadata, then checks clean (exit 0)', async () => {
    const out = path.join(work, 'p.tar.gz');
    const packed = await run('transfer', 'pack', tree, '-o', out, '--gzip');
    expect(packed.code).toBe(0);
    expect(packed.stdout).toContain('2 dossiers, 6 documents, 10 files');
    expect(packed.stdout).toContain('Inferred metadata');
    // What is not given, by what the archive does with it (ingest/intake/pack-gaps.ts).
    expect(packed.stdout).toMatch(/Not given \(optional; nobody fills them in\):\n(?:  .*\n)*  03-15\/Справка[^\n]*: [^\n]*date/);
    const checked = await run('transfer', 'check', out);
    expect(checked).toMatchObject({ code: 0 });
    expect(checked.stdout).toContain('The package is sound: 2 dossiers, 6 documents, 10 files.');
    const json = await run('transfer', 'check', out, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, problems: [] });
  });

  it('pack --json prints the manifest', async () => {
    const res = await run('transfer', 'pack', tree, '-o', path.join(work, 'j.tar'), '--json');
    expect(res.code).toBe(0);
    const body = JSON.parse(res.stdout) as { manifest: { schemaVersion: string }; missing: unknown[] };
    expect(body.manifest.schemaVersion).toBe('muragat.transfer/1');
    expect(body.missing.length).toBeGreaterThan(0);
  });

  it('check exits 1 and names the entry of a hostile package', async () => {
    const bad = path.join(work, 'bad.tar');
    await writeFile(bad, rawTar([{ name: '03-12/a.txt', content: 'a' }, { name: '03-12/l', type: '2', linkname: '/etc/shadow' }]));
    const res = await run('transfer', 'check', bad, '--json');
    expect(res.code).toBe(1);
    const body = JSON.parse(res.stdout) as { ok: boolean; problems: { where: string; code: string; message: string }[] };
    expect(body.ok).toBe(false);
    expect(body.problems[0]).toMatchObject({ where: '03-12/l', code: 'transfer.unsafe_entry' });
    expect(body.problems[0]!.message).toContain('/etc/shadow');
  });

  it('exits 2 for a missing package or folder and for missing options', async () => {
    expect((await run('transfer', 'check', path.join(work, 'nope.tar'))).code).toBe(2);
    expect((await run('transfer', 'pack', path.join(work, 'nope'), '-o', path.join(work, 'x.tar'))).code).toBe(2);
    expect((await run('transfer', 'pack', tree)).code).toBe(2);
  });
});
