import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { ValidationError } from '../../common/errors';
import { runProcess } from '../../common/process';
import { buildRar4, markZipEncrypted } from '../scan/fixtures';
import { expandContainer, safeEntryPath } from './index';

let dir: string;
let n = 0;
const haveBsdtar = await runProcess('bsdtar', ['--version']).then((r) => r.code === 0, () => false);

async function archive(data: Uint8Array, name = `a${n++}.zip`): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, data);
  return p;
}
async function refusal(file: string, dest: string): Promise<ValidationError> {
  try {
    await expandContainer(file, dest);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a refusal');
}
async function listing(d: string): Promise<string[]> {
  return readdir(d, { recursive: true }).catch(() => [] as string[]);
}

/** Rewrites one entry name in a fflate ZIP (local and central headers) keeping its length. */
function renameEntry(zip: Uint8Array, from: string, to: string): Buffer {
  expect(to.length).toBe(from.length);
  const buf = Buffer.from(zip);
  let at = buf.indexOf(from);
  while (at >= 0) {
    buf.write(to, at, 'latin1');
    at = buf.indexOf(from, at + 1);
  }
  return buf;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-container-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('safeEntryPath', () => {
  it('accepts nested relative names and refuses escapes', () => {
    expect(safeEntryPath('a/b/c.txt')).toBe('a/b/c.txt');
    expect(safeEntryPath('./a//b.txt')).toBe('a/b.txt');
    expect(safeEntryPath('a\\b.txt')).toBe('a/b.txt');
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'C:/x', 'C:\\x', '..\\x', '', 'a\0b']) expect(safeEntryPath(bad)).toBeNull();
  });
});

describe('expandContainer (ZIP)', () => {
  it('unpacks nested files with Cyrillic names', async () => {
    const zip = await archive(zipSync({ 'бұйрық.txt': strToU8('Қазақстан'), 'папка/': new Uint8Array(), 'папка/b.txt': strToU8('b'.repeat(5000)) }));
    const dest = path.join(dir, 'ok');
    const { entries } = await expandContainer(zip, dest);
    expect(entries.map((e) => e.name).sort()).toEqual(['бұйрық.txt', 'папка/b.txt']);
    expect(await readFile(path.join(dest, 'бұйрық.txt'), 'utf8')).toBe('Қазақстан');
    expect(entries.every((e) => e.path.startsWith(dest + path.sep))).toBe(true);
  });

  it('refuses path traversal and absolute names without writing anything', async () => {
    const zip = await archive(renameEntry(zipSync({ 'ok.txt': strToU8('fine'), 'xx/evil.txt': strToU8('bad') }), 'xx/evil.txt', '../evil.txt'));
    const dest = path.join(dir, 'trav');
    const e = await refusal(zip, dest);
    expect(e.code).toBe('unsafe_path');
    expect(e.messageKey).toBe('convert.container_unsafe_path');
    expect(e.params).toMatchObject({ entry: '../evil.txt' });
    expect(await listing(dest)).toEqual([]);
    await expect(readFile(path.join(dir, 'evil.txt'))).rejects.toThrow();
    const abs = await archive(renameEntry(zipSync({ 'xetc/passwd': strToU8('x') }), 'xetc/passwd', '/etc/passwd'));
    expect((await refusal(abs, path.join(dir, 'abs'))).code).toBe('unsafe_path');
  });

  it('refuses symbolic links', async () => {
    const raw = Buffer.from(zipSync({ 'link': strToU8('/etc/passwd') }));
    // Mark the entry as made on Unix with mode lrwxrwxrwx.
    const cd = raw.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    raw.writeUInt16LE((3 << 8) | 20, cd + 4);
    raw.writeUInt32LE((0o120777 << 16) >>> 0, cd + 38);
    const e = await refusal(await archive(raw), path.join(dir, 'link'));
    expect(e.code).toBe('link');
  });

  it('refuses a compression bomb by ratio', async () => {
    const zip = await archive(zipSync({ 'zeros.bin': new Uint8Array(20 * 1024 * 1024) }, { level: 9 }));
    const e = await refusal(zip, path.join(dir, 'bomb'));
    expect(e.code).toBe('bomb');
    expect(String(e.params.detail)).toMatch(/expands \d+:1/);
  });

  it('stops at the actual inflated size when the declared size lies', async () => {
    const data = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
    const raw = Buffer.from(zipSync({ 'liar.bin': data }, { level: 0 }));
    // Declare 100 bytes in both headers; the stream holds 2 MiB.
    raw.writeUInt32LE(100, 22);
    const cd = raw.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    raw.writeUInt32LE(100, cd + 24);
    const dest = path.join(dir, 'liar');
    const e = await refusal(await archive(raw), dest);
    expect(['bomb', 'damaged']).toContain(e.code);
    expect(await listing(dest)).toEqual([]);
  });

  it('refuses encrypted ZIPs with code encrypted', async () => {
    const zip = await archive(markZipEncrypted(zipSync({ 'secret.txt': strToU8('x') })));
    const e = await refusal(zip, path.join(dir, 'enc'));
    expect(e.code).toBe('encrypted');
    expect(e.messageKey).toBe('convert.container_encrypted');
  });

  it('refuses too many entries and non-archives', async () => {
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i < 30; i++) many[`f${i}.txt`] = strToU8('x');
    const zip = await archive(zipSync(many));
    await expect(expandContainer(zip, path.join(dir, 'many'), { maxEntries: 10 })).rejects.toMatchObject({ code: 'too_many_entries' });
    const notZip = await archive(strToU8('just text'), 'note.zip');
    expect((await refusal(notZip, path.join(dir, 'nz'))).code).toBe('not_archive');
    const truncated = await archive(zipSync({ 'a.txt': strToU8('hello world') }).subarray(0, 30));
    expect((await refusal(truncated, path.join(dir, 'tr'))).code).toBe('damaged');
  });
});

describe.skipIf(!haveBsdtar)('expandContainer (RAR via bsdtar)', () => {
  it('unpacks a RAR archive', async () => {
    const rar = await archive(buildRar4([{ name: 'a.txt', data: strToU8('hello') }, { name: 'бөлім/b.txt', data: strToU8('world') }]), 'ok.rar');
    const dest = path.join(dir, 'rar');
    const { entries } = await expandContainer(rar, dest);
    expect(entries.map((e) => e.name).sort()).toEqual(['a.txt', 'бөлім/b.txt']);
    expect(await readFile(path.join(dest, 'бөлім/b.txt'), 'utf8')).toBe('world');
  });

  it('refuses a RAR with a traversal name before extracting', async () => {
    const rar = await archive(buildRar4([{ name: 'a.txt', data: strToU8('x') }, { name: '../evil.txt', data: strToU8('x') }]), 'evil.rar');
    const dest = path.join(dir, 'rar-evil');
    expect((await refusal(rar, dest)).code).toBe('unsafe_path');
    expect(await listing(dest)).toEqual([]);
  });

  it('reports a damaged RAR', async () => {
    const rar = await archive(Buffer.from('Rar!\x1a\x07\x00garbage-garbage', 'latin1'), 'bad.rar');
    expect((await refusal(rar, path.join(dir, 'rar-bad'))).code).toBe('damaged');
  });
});
