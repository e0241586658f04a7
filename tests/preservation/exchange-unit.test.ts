// The exchange's checks that need no archive: BagIt tag files and their validation (RFC 8493
// path encoding, Payload-Oxum, unlisted and missing files, tag manifests), and the import's
// refusals of a tar with an escaping or link entry and of a folder without METS.xml, made
// before anything is stored (no database is touched).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { bagTagFiles, importPackages, PackageRefused, problemMessage, validateBag, type ImportDeps } from '../../preservation/exchange';

const noArchive = {} as ImportDeps; // the refusals below come before any use of it
const operator = { userId: null, username: 'cli:test', roles: [] };

async function makeBag(root: string, files: Record<string, string>): Promise<void> {
  const payload = [];
  for (const [rel, text] of Object.entries(files)) {
    const bytes = Buffer.from(text);
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), bytes);
    payload.push({ path: rel, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), sha512: createHash('sha512').update(bytes).digest('hex') });
  }
  for (const t of bagTagFiles(payload, { sourceOrganization: 'Test', externalIdentifier: 'x', externalDescription: 'unit', software: 'Muragat test', baggingDate: new Date('2026-12-07T00:00:00Z') })) {
    await writeFile(path.join(root, t.name), t.bytes);
  }
}

describe('exchange checks without an archive', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'muragat-exchange-unit-'));
  });
  afterAll(async () => rm(work, { recursive: true, force: true }));

  it('writes bag tag files that validate, with a % in a name percent-encoded', async () => {
    const root = path.join(work, 'bag');
    await makeBag(root, { 'data/P/METS.xml': '<mets/>', 'data/P/100% файл.txt': 'мәтін' });
    expect((await readFile(path.join(root, 'manifest-sha256.txt'), 'utf8'))).toContain('data/P/100%25 файл.txt');
    expect(await readFile(path.join(root, 'bag-info.txt'), 'utf8')).toContain(`Payload-Oxum: ${Buffer.byteLength('<mets/>') + Buffer.byteLength('мәтін')}.2`);
    expect((await validateBag(root)).problems).toEqual([]);
  });

  it('names an unlisted file, a missing one, a changed tag file and a wrong Payload-Oxum', async () => {
    const root = path.join(work, 'bag2');
    await makeBag(root, { 'data/P/METS.xml': '<mets/>', 'data/P/a.txt': 'a' });
    await writeFile(path.join(root, 'data/P/extra.txt'), 'smuggled');
    await rm(path.join(root, 'data/P/a.txt'));
    await writeFile(path.join(root, 'bag-info.txt'), (await readFile(path.join(root, 'bag-info.txt'), 'utf8')).replace('External-Description: unit', 'External-Description: changed'));
    const { problems } = await validateBag(root);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'bag_unlisted_file', file: 'manifest-sha256.txt', field: 'data/P/extra.txt' }),
        expect.objectContaining({ code: 'bag_missing_file', file: 'manifest-sha512.txt', field: 'data/P/a.txt' }),
        expect.objectContaining({ code: 'bag_bad_checksum', file: 'tagmanifest-sha256.txt', field: 'bag-info.txt' }),
        expect.objectContaining({ code: 'bag_bad_oxum', file: 'bag-info.txt', field: 'Payload-Oxum' }),
      ]),
    );
    for (const p of problems) for (const lang of ['kk', 'ru', 'en'] as const) expect(problemMessage(lang, p)).not.toMatch(/exchange\.|bag_/);
  });

  it('refuses a link in a bag folder instead of reading what it points to', async () => {
    const root = path.join(work, 'bag3');
    await makeBag(root, { 'data/P/METS.xml': '<mets/>', 'data/P/a.txt': 'a' });
    await rm(path.join(root, 'data/P/a.txt'));
    await symlink('/etc/hostname', path.join(root, 'data/P/a.txt'));
    expect((await validateBag(root)).problems).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'bag_unsafe_path', field: 'data/P/a.txt' })]));
  });

  it('refuses a tar whose entry escapes the package or is a link, and a folder without METS.xml', async () => {
    const file = path.join(work, 'evil.tar');
    const pack = tar.pack();
    const writing = pipeline(pack, createWriteStream(file));
    pack.entry({ name: 'P/METS.xml' }, '<mets/>');
    pack.entry({ name: '../outside.txt' }, 'escape');
    pack.entry({ name: 'P/link', type: 'symlink', linkname: '/etc/passwd' });
    pack.finalize();
    await writing;
    const error = await importPackages(noArchive, { source: file, actor: operator }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageRefused);
    expect((error as PackageRefused).problems.map((p) => p.file)).toEqual(['../outside.txt', 'P/link']);
    await expect(readFile(path.join(work, 'outside.txt'))).rejects.toThrow();

    const empty = path.join(work, 'empty');
    await mkdir(path.join(empty, 'P'), { recursive: true });
    const none = await importPackages(noArchive, { source: empty, actor: operator }).catch((e: unknown) => e);
    expect((none as PackageRefused).problems).toEqual([expect.objectContaining({ code: 'missing_mets', requirement: 'CSIPSTR4' })]);
    await expect(importPackages(noArchive, { source: path.join(work, 'nowhere'), actor: operator })).rejects.toMatchObject({ code: 'exchange.source_missing', status: 404 });
    await expect(importPackages(noArchive, { source: empty, actor: { userId: 'u', username: 'r', roles: ['researcher'] } })).rejects.toMatchObject({ code: 'exchange.forbidden', status: 403 });
  });
});
