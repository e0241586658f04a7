import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../common/errors';
import { sha256Hex } from '../../common/hash';
import { validateAgainst } from '../../validators/schemas';
import { checkManifestAgainstFiles, checkTransfer, DOCUMENT_LIMITS, packTransfer, unpackTransfer, type TransferManifest } from './index';
import { buildTransferTree, rawTar, type FixtureTree, type RawTarEntry } from './testing/fixtures';

let work: string;
let tree: FixtureTree;
const createdAt = new Date('2026-01-15T10:00:00Z');

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'muragat-transfer-test-'));
  tree = await buildTransferTree(path.join(work, 'tree'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function fresh(name: string): Promise<string> {
  const dir = path.join(work, name);
  await rm(dir, { recursive: true, force: true });
  return dir;
}

async function writeTar(name: string, entries: RawTarEntry[], gzip = false): Promise<string> {
  const file = path.join(work, name);
  await writeFile(file, rawTar(entries, { gzip }));
  return file;
}

async function refusal(tar: string, limits = {}): Promise<{ error: ValidationError; dest: string }> {
  const dest = await fresh(`out-${path.basename(tar)}`);
  try {
    await unpackTransfer(tar, dest, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { error: error as ValidationError, dest };
  }
  throw new Error(`${tar} was unpacked but should have been refused`);
}

describe('packTransfer', () => {
  it('packs the fixture tree into a package that checks clean, with every document and signature', async () => {
    const out = path.join(work, 'sample.tar');
    const { manifest, inferred, missing } = await packTransfer(tree.dir, out, { createdAt, lang: 'en' });
    expect(validateAgainst('transfer-manifest', manifest).problems).toEqual([]);
    expect(manifest.transfer).toMatchObject({ department: { code: '03', name: 'Кадр бөлімі' }, year: 2025, fonds: '12', compiledBy: { name: 'Әбенова Г. С.' }, createdAt: '2026-01-15T10:00:00Z' });
    expect(manifest.dossiers.map((d) => d.index)).toEqual(['03-12', '03-15']);
    const docs = manifest.dossiers.flatMap((d) => d.documents);
    expect(docs).toHaveLength(tree.documents.length);
    for (const expected of tree.documents) {
      const doc = docs.find((d) => d.path === expected.path);
      expect(doc, expected.path).toBeDefined();
      expect(doc!.language, expected.path).toBe(expected.language);
      expect(doc!.title, expected.path).toBe(expected.title);
      expect(doc!.date, expected.path).toBe(expected.date);
      if (expected.number) expect(doc!.number, expected.path).toBe(expected.number);
      expect((doc!.signatures ?? []).length > 0, expected.path).toBe(expected.signed);
    }
    // Chronological order inside a dossier (p.159).
    expect(manifest.dossiers[0]!.documents.map((d) => d.date)).toEqual(['2025-03-01', '2025-04-02', '2025-06-15']);
    expect(manifest.dossiers[0]).toMatchObject({ startDate: '2025-03-01', endDate: '2025-06-15', inferred: ['startDate', 'endDate'] });
    const txt = docs.find((d) => d.path.endsWith('.txt') && d.path.startsWith('03-12'))!;
    expect(txt.signatures![0]!.path).toBe('03-12/2025-03-01 Бұйрық №12-н.txt.p7s');
    expect(txt.inferred).toEqual(['title', 'date', 'number', 'language']);
    const docx = docs.find((d) => d.path.endsWith('.docx'))!;
    expect(docx).toMatchObject({ author: 'Сейітова А. Б.', pages: 1, inferred: ['title', 'date', 'language', 'author', 'pages'] });
    const pdf = docs.find((d) => d.path.endsWith('.pdf'))!;
    expect(pdf).toMatchObject({ kind: 'акт', pages: 2, inferred: ['pages'] });
    const multi = docs.find((d) => d.path === '03-15/Справка/1-бет.txt')!;
    expect(multi.attachments?.map((a) => a.path)).toEqual(['03-15/Справка/2-бет.txt']);
    // What was inferred and what is missing, each naming the file.
    expect(inferred.some((p) => p.where === '03-12/qabyldau-buiryq.docx' && p.message.includes('from the document properties'))).toBe(true);
    expect(missing.map((p) => `${p.where} ${p.params?.field}`)).toEqual(
      expect.arrayContaining(['03-15/Справка date', '03-15/Справка number', '03-12/Приказ об отпуске.odt number']),
    );
    expect(missing.every((p) => p.message.length > 0 && p.code.startsWith('transfer.'))).toBe(true);

    const result = await checkTransfer(out, { lang: 'en' });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.manifest).toEqual(manifest);
    // Every file of the tree except the metadata files travels in the tar.
    expect(result.entries.map((e) => e.path)).toContain('03-15/akt-proverki.pdf.sig');
    expect(result.entries.map((e) => e.path)).not.toContain('03-15/akt-proverki.pdf.meta.json');
  });

  it('is deterministic and gzips on request', async () => {
    const a = path.join(work, 'a.tar');
    const b = path.join(work, 'b.tar');
    await packTransfer(tree.dir, a, { createdAt });
    await packTransfer(tree.dir, b, { createdAt });
    expect(sha256Hex(await readFile(a))).toBe(sha256Hex(await readFile(b)));
    const gz = path.join(work, 'a.tar.gz');
    await packTransfer(tree.dir, gz, { createdAt, gzip: true });
    const bytes = await readFile(gz);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect((await checkTransfer(gz)).ok).toBe(true);
  });

  it('reports missing transfer metadata and infers the department and year', async () => {
    const dir = await fresh('bare');
    await buildTransferTree(dir, { transferJson: false, dossierJson: false });
    const { manifest, missing, inferred } = await packTransfer(dir, path.join(work, 'bare.tar'), { createdAt, lang: 'ru' });
    expect(manifest.transfer.department).toEqual({ code: '03' });
    expect(manifest.transfer.year).toBe(2025);
    expect(inferred.map((p) => `${p.where} ${p.params?.field}`)).toEqual(expect.arrayContaining(['transfer.json department', 'transfer.json year']));
    expect(missing.map((p) => `${p.where} ${p.params?.field}`)).toEqual(
      expect.arrayContaining(['transfer.json organisation', 'transfer.json fonds', 'transfer.json compiledBy', '03-12 title', '03-12 retention']),
    );
    expect(missing.find((p) => p.where === '03-12' && p.params?.field === 'title')!.message).toBe('03-12: метаданные «title» не указаны и не определены.');
  });

  it('points schema problems at the metadata file the sender wrote, and reads dd.mm.yyyy dates', async () => {
    const dir = await fresh('badmeta');
    await buildTransferTree(dir);
    const metaFile = path.join(dir, '03-15', 'akt-proverki.pdf.meta.json');
    const meta = JSON.parse(await readFile(metaFile, 'utf8')) as Record<string, unknown>;
    await writeFile(metaFile, JSON.stringify({ ...meta, date: '20.05.2025', language: 'kazakh' }));
    try {
      await packTransfer(dir, path.join(work, 'badmeta.tar'), { lang: 'en' });
      expect.unreachable();
    } catch (error) {
      const problems = ((error as ValidationError).details as { problems: { where: string; code: string; message: string }[] }).problems;
      expect(problems).toEqual([
        expect.objectContaining({
          where: '03-15/akt-proverki.pdf.meta.json (manifest.json#/dossiers/1/documents/0/language)',
          code: 'transfer.manifest_invalid',
        }),
      ]);
    }
    // A malformed given value is reported where it was written, never replaced by a guess.
    const transferFile = path.join(dir, 'transfer.json');
    const transferMeta = JSON.parse(await readFile(transferFile, 'utf8')) as Record<string, unknown>;
    await writeFile(metaFile, JSON.stringify({ ...meta, date: '20.05.2025' }));
    await writeFile(transferFile, JSON.stringify({ ...transferMeta, year: 'жиырма' }));
    await expect(packTransfer(dir, path.join(work, 'badyear.tar'), { lang: 'en' })).rejects.toMatchObject({
      details: { problems: [expect.objectContaining({ where: 'transfer.json (manifest.json#/transfer/year)' })] },
    });
    await writeFile(transferFile, JSON.stringify({ ...transferMeta, year: '2025' }));
    const { manifest } = await packTransfer(dir, path.join(work, 'goodmeta.tar'), { createdAt });
    expect(manifest.transfer.year).toBe(2025);
    expect(manifest.dossiers[1]!.documents[0]).toMatchObject({ path: '03-15/akt-proverki.pdf', date: '2025-05-20' });
  });

  it('refuses a tree it cannot pack faithfully and says where', async () => {
    const dir = await fresh('badtree');
    await buildTransferTree(dir);
    await writeFile(path.join(dir, 'stray.txt'), 'x');
    await mkdir(path.join(dir, 'Бұйрықтар'));
    await writeFile(path.join(dir, '03-12', 'lost.docx.p7s'), 'sig');
    await writeFile(path.join(dir, '03-12', 'dossier.json'), '{"title": "x", "titel": "y"}');
    await symlink('/etc/passwd', path.join(dir, '03-12', 'link.txt'));
    try {
      await packTransfer(dir, path.join(work, 'bad.tar'), { lang: 'en' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const problems = ((error as ValidationError).details as { problems: { where: string; code: string }[] }).problems;
      expect(problems.map((p) => `${p.where} ${p.code}`).sort()).toEqual(
        [
          '03-12/dossier.json transfer.pack_unknown_field',
          '03-12/link.txt transfer.pack_link',
          '03-12/lost.docx.p7s transfer.pack_orphan_signature',
          'stray.txt transfer.pack_stray_file',
          'Бұйрықтар transfer.pack_bad_dossier_folder',
        ].sort(),
      );
    }
    await expect(readdir(work)).resolves.not.toContain('bad.tar');
  });

  it('refuses a metadata file nested 100,000 deep with a clear problem naming it, not a stack overflow', async () => {
    const dir = await fresh('deeptree');
    await buildTransferTree(dir);
    await writeFile(path.join(dir, '03-12', 'dossier.json'), '{"title":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}');
    const error = await packTransfer(dir, path.join(work, 'deep.tar'), { lang: 'en' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const problems = ((error as ValidationError).details as { problems: { where: string; code: string; message: string }[] }).problems;
    const deep = problems.find((p) => p.where === '03-12/dossier.json');
    expect(deep, JSON.stringify(problems)).toMatchObject({ code: 'transfer.pack_bad_json' });
    expect(deep!.message).toMatch(/nested more than 64 levels/);
    expect(JSON.stringify(problems)).not.toMatch(/call stack/i);
  });

  it('checkTransfer reports a manifest nested 100,000 deep as unreadable, naming the limit', async () => {
    const tar = path.join(work, 'deep-manifest.tar');
    await writeFile(tar, rawTar([{ name: 'manifest.json', content: '['.repeat(100_000) + ']'.repeat(100_000) }]));
    const result = await checkTransfer(tar, { lang: 'en' });
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ code: 'transfer.manifest_unreadable', where: 'manifest.json' });
    expect(result.problems[0]!.message).toMatch(/nested more than 64 levels/);
  });
});

describe('unpackTransfer refuses hostile tars and leaves nothing behind', () => {
  const ok = { name: '03-12/a.txt', content: 'ok' };
  const cases: [string, RawTarEntry[], string][] = [
    ['parent', [ok, { name: '../x', content: 'evil' }], 'parent_reference'],
    ['nested-parent', [ok, { name: '03-12/../../x', content: 'evil' }], 'parent_reference'],
    ['absolute', [ok, { name: '/etc/x', content: 'evil' }], 'absolute_path'],
    ['symlink', [ok, { name: '03-12/l', type: '2', linkname: '/etc/passwd' }], 'link'],
    ['hardlink', [ok, { name: '03-12/h', type: '1', linkname: '03-12/a.txt' }], 'link'],
    ['chardev', [ok, { name: '03-12/null', type: '3' }], 'special_file'],
    ['fifo', [ok, { name: '03-12/fifo', type: '6' }], 'special_file'],
    ['duplicate', [ok, { name: '03-12/a.txt', content: 'again' }], 'duplicate_name'],
    ['case-duplicate', [ok, { name: '03-12/A.TXT', content: 'again' }], 'duplicate_name'],
    ['nfd-duplicate', [{ name: '03-12/\u04d9.txt', content: '1' }, { name: '03-12/\u0430\u0308.txt', content: '2' }, { name: '03-12/й.txt', content: '3' }, { name: '03-12/\u0438\u0306.txt', content: '4' }], 'duplicate_name'],
    ['control', [ok, { name: '03-12/a\u0007b.txt', content: 'x' }], 'control_character'],
    ['newline', [ok, { name: '03-12/a\nb.txt', content: 'x' }], 'control_character'],
    ['file-vs-dir', [ok, { name: '03-12/a.txt/b', content: 'x' }], 'name_conflict'],
  ];
  it.each(cases)('%s', async (name, entries, reason) => {
    const tar = await writeTar(`${name}.tar`, entries);
    const { error, dest } = await refusal(tar);
    expect(error.code).toBe('transfer.unsafe_entry');
    expect(error.params.reason).toBe(reason);
    expect(String(error.params.entry)).not.toBe('');
    expect(await readdir(dest)).toEqual([]);
  });

  it('names control characters visibly in the message', async () => {
    const { error } = await refusal(await writeTar('ctl2.tar', [{ name: 'x\u001b[31m.txt', content: 'x' }]));
    expect(error.params.entry).toBe('x\\u001b[31m.txt');
  });

  it('refuses too many entries, an oversized entry and a too large total', async () => {
    const many = await writeTar('many.tar', Array.from({ length: 6 }, (_, i) => ({ name: `03-12/${i}.txt`, content: 'x' })));
    expect((await refusal(many, { maxEntries: 5 })).error.params.reason).toBe('too_many_entries');
    const big = await writeTar('big.tar', [ok, { name: '03-12/big.bin', content: Buffer.alloc(4096) }]);
    const { error, dest } = await refusal(big, { maxEntryBytes: 1024 });
    expect(error.params).toMatchObject({ entry: '03-12/big.bin', reason: 'entry_size', size: 4096, max: 1024 });
    expect(await readdir(dest)).toEqual([]);
    const total = await writeTar('total.tar', Array.from({ length: 4 }, (_, i) => ({ name: `03-12/${i}.bin`, content: Buffer.alloc(1000) })));
    expect((await refusal(total, { maxTotalBytes: 2500 })).error.params).toMatchObject({ reason: 'total_size', entry: '03-12/2.bin' });
  });

  it('stops a gzip bomb by its compression ratio before inflating it', async () => {
    // 64 MiB of zeros in a tar compresses to about 64 KiB.
    const tar = gzipSync(rawTar([{ name: '03-12/zeros.bin', content: Buffer.alloc(64 * 1024 * 1024) }]), { level: 9 });
    const file = path.join(work, 'bomb.tar.gz');
    await writeFile(file, tar);
    const { error, dest } = await refusal(file);
    expect(error.params.reason).toBe('compression_ratio');
    expect(Number(error.params.ratio)).toBeGreaterThanOrEqual(200);
    expect(await readdir(dest)).toEqual([]);
  });

  it('stops a bomb hidden behind incompressible data (sliding window)', async () => {
    // 4 MiB of random bytes keep the overall ratio under 50 for the first ~200 MiB of zeros;
    // only the window check sees the zeros for what they are.
    const { randomBytes } = await import('node:crypto');
    const tar = gzipSync(
      rawTar([
        { name: '03-12/noise.bin', content: randomBytes(4 * 1024 * 1024) },
        { name: '03-12/zeros.bin', content: Buffer.alloc(140 * 1024 * 1024) },
      ]),
      { level: 9 },
    );
    const file = path.join(work, 'hidden-bomb.tar.gz');
    await writeFile(file, tar);
    const { error, dest } = await refusal(file, { maxRatio: 50 });
    expect(error.params.reason).toBe('compression_ratio');
    expect(await readdir(dest)).toEqual([]);
  });

  it('refuses a truncated tar as damaged and a non-empty destination', async () => {
    const whole = rawTar([{ name: '03-12/a.bin', content: Buffer.alloc(5000, 1) }]);
    const file = path.join(work, 'truncated.tar');
    await writeFile(file, whole.subarray(0, 2048));
    expect((await refusal(file)).error.params.reason).toBe('damaged');
    const dest = await fresh('occupied');
    await mkdir(dest, { recursive: true });
    await writeFile(path.join(dest, 'keep.txt'), 'mine');
    await expect(unpackTransfer(await writeTar('fine.tar', [ok]), dest)).rejects.toMatchObject({ code: 'transfer.destination_not_empty' });
    expect(await readFile(path.join(dest, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('writes small entries whole and large ones streamed, with the same bytes, hashes and refusals', async () => {
    const { randomBytes } = await import('node:crypto');
    const small = randomBytes(1000);
    const large = randomBytes(300 * 1024); // above the size written in one call
    const tar = await writeTar('sizes.tar', [{ name: '03-12/small.bin', content: small }, { name: '03-12/sub/large.bin', content: large }]);
    const dest = await fresh('sizes-out');
    const { entries } = await unpackTransfer(tar, dest);
    expect(entries).toEqual([
      { path: '03-12/small.bin', size: 1000, sha256: sha256Hex(small) },
      { path: '03-12/sub/large.bin', size: large.length, sha256: sha256Hex(large) },
    ]);
    expect((await readFile(path.join(dest, '03-12/small.bin'))).equals(small)).toBe(true);
    expect((await readFile(path.join(dest, '03-12/sub/large.bin'))).equals(large)).toBe(true);
    // A tar cut inside either kind of entry is damaged, and nothing of it stays.
    for (const [name, content] of [['small', small], ['large', large]] as const) {
      const whole = rawTar([{ name: `03-12/${name}.bin`, content }]);
      const file = path.join(work, `cut-${name}.tar`);
      await writeFile(file, whole.subarray(0, 512 + Math.floor(content.length / 2)));
      const { error, dest: cutDest } = await refusal(file);
      expect(error.params.reason).toBe('damaged');
      expect(await readdir(cutDest)).toEqual([]);
    }
  });

  it('unpacks a safe tar with long Unicode names (pax) and hashes while streaming', async () => {
    const longName = `03-12/${'Ұзын атау '.repeat(12).trim()}.txt`;
    const tar = await writeTar('safe.tar', [{ name: '03-12/', type: '5' }, ok, { name: longName, content: 'қазақша' }]);
    const dest = await fresh('safe-out');
    const { entries } = await unpackTransfer(tar, dest);
    expect(entries).toEqual([
      { path: '03-12/a.txt', size: 2, sha256: sha256Hex('ok') },
      { path: longName, size: Buffer.byteLength('қазақша'), sha256: sha256Hex('қазақша') },
    ]);
    expect(await readFile(path.join(dest, longName), 'utf8')).toBe('қазақша');
  });
});

describe('checkManifestAgainstFiles and checkTransfer', () => {
  let manifest: TransferManifest;
  let entries: { path: string; size: number; sha256: string }[];
  beforeAll(async () => {
    const out = path.join(work, 'base.tar');
    ({ manifest } = await packTransfer(tree.dir, out, { createdAt }));
    ({ entries } = await checkTransfer(out));
  });
  const clone = () => JSON.parse(JSON.stringify(manifest)) as TransferManifest;

  it('finds a SHA-256 mismatch, a size mismatch, a missing and an extra file', () => {
    const m = clone();
    const doc = m.dossiers[0]!.documents[0]!;
    doc.sha256 = '0'.repeat(64);
    m.dossiers[1]!.documents[0]!.size += 1;
    const dropped = entries.filter((e) => e.path !== m.dossiers[1]!.documents[1]!.path);
    const extra = [...dropped, { path: '03-12/unlisted.txt', size: 3, sha256: sha256Hex('abc') }];
    const problems = checkManifestAgainstFiles(m, extra, { lang: 'en' });
    expect(problems.map((p) => `${p.where} ${p.code}`).sort()).toEqual(
      [
        `${doc.path} transfer.sha256_mismatch`,
        `${m.dossiers[1]!.documents[0]!.path} transfer.size_mismatch`,
        `${m.dossiers[1]!.documents[1]!.path} transfer.file_missing`,
        '03-12/unlisted.txt transfer.file_extra',
      ].sort(),
    );
    const mismatch = problems.find((p) => p.code === 'transfer.sha256_mismatch')!;
    expect(mismatch.message).toContain('0'.repeat(64));
    expect(mismatch.message).toContain(entries.find((e) => e.path === doc.path)!.sha256);
  });

  it('enforces the per-document limits of p.147 and the case index format', () => {
    const m = clone();
    const doc = m.dossiers[0]!.documents[0]!;
    const files = Array.from({ length: 80 }, (_, i) => ({ path: `03-12/scan-${i}.jpg`, size: 10, sha256: sha256Hex(String(i)) }));
    doc.attachments = files;
    const big = { path: m.dossiers[0]!.documents[1]!.path, size: DOCUMENT_LIMITS.maxFileBytes + 1, sha256: m.dossiers[0]!.documents[1]!.sha256 };
    m.dossiers[0]!.documents[1]!.size = big.size;
    const all = [...entries.filter((e) => e.path !== big.path), big, ...files];
    m.dossiers[1]!.index = '04-15';
    const problems = checkManifestAgainstFiles(m, all, { lang: 'en' });
    const tooMany = problems.find((p) => p.code === 'transfer.too_many_files')!;
    expect(tooMany).toMatchObject({ where: 'manifest.json#/dossiers/0/documents/0', clause: 'p.147' });
    expect(problems.find((p) => p.code === 'transfer.document_too_large')).toMatchObject({ where: big.path, clause: 'p.147' });
    expect(problems.find((p) => p.code === 'transfer.index_department')).toMatchObject({ where: 'manifest.json#/dossiers/1/index' });
    expect(problems.filter((p) => p.code === 'transfer.path_outside_dossier').length).toBeGreaterThan(0);
  });

  it('counts the 95 MB of p.147 over all files of a document together, not per file', () => {
    const m = clone();
    const doc = m.dossiers[0]!.documents[0]!;
    const third = Math.floor(DOCUMENT_LIMITS.maxFileBytes / 3) + 1024 * 1024;
    const parts = [0, 1].map((i) => ({ path: `03-12/part-${i}.pdf`, size: third, sha256: sha256Hex(`part-${i}`) }));
    doc.attachments = parts;
    doc.size = third;
    const main = { ...entries.find((e) => e.path === doc.path)!, size: third };
    const all = [...entries.filter((e) => e.path !== doc.path), main, ...parts];
    const problems = checkManifestAgainstFiles(m, all, { lang: 'en' });
    const tooLarge = problems.filter((p) => p.code === 'transfer.document_too_large');
    expect(tooLarge).toHaveLength(1);
    expect(tooLarge[0]).toMatchObject({ where: doc.path, clause: 'p.147' });
    // The original, its two attachments and its signature: all counted.
    expect(tooLarge[0]!.message).toContain(`${1 + parts.length + (doc.signatures?.length ?? 0)} files total`);
    // Each file alone is well under the limit.
    expect(problems.some((p) => p.code === 'transfer.file_too_large')).toBe(false);
  });

  it('reports schema problems with the manifest pointer', () => {
    const m = clone() as unknown as { dossiers: { index: string }[] };
    m.dossiers[0]!.index = '03_12';
    const problems = checkManifestAgainstFiles(m as unknown as TransferManifest, entries, { lang: 'en' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ where: 'manifest.json#/dossiers/0/index', code: 'transfer.manifest_invalid' }),
        expect.objectContaining({ where: 'manifest.json#/dossiers/0/index', code: 'transfer.index_format', clause: 'p.149' }),
      ]),
    );
  });

  it('checkTransfer turns an altered file, an unsafe entry or a missing manifest into problems', async () => {
    const m = clone();
    const target = m.dossiers[0]!.documents[0]!;
    const tarEntries: RawTarEntry[] = [{ name: 'manifest.json', content: JSON.stringify(m) }];
    for (const d of m.dossiers) for (const doc of d.documents) {
      for (const f of [doc, ...(doc.attachments ?? []), ...(doc.signatures ?? [])]) {
        const bytes = await readFile(path.join(tree.dir, f.path));
        tarEntries.push({ name: f.path, content: f.path === target.path ? Buffer.concat([bytes.subarray(0, -1), Buffer.from('X')]) : bytes });
      }
    }
    const altered = await checkTransfer(await writeTar('altered.tar', tarEntries), { lang: 'kk' });
    expect(altered.ok).toBe(false);
    expect(altered.problems.map((p) => `${p.where} ${p.code}`)).toEqual([`${target.path} transfer.sha256_mismatch`]);
    expect(altered.problems[0]!.message).toContain('бақылау сипаттамасы сәйкес емес');

    const unsafe = await checkTransfer(await writeTar('unsafe.tar', [...tarEntries.slice(0, 2), { name: '../evil', content: 'x' }]), { lang: 'en' });
    expect(unsafe.problems).toEqual([expect.objectContaining({ where: '../evil', code: 'transfer.unsafe_entry' })]);
    expect(unsafe.problems[0]!.message).toBe('Entry "../evil" refused: the path contains "..".');

    const noManifest = await checkTransfer(await writeTar('nomanifest.tar', tarEntries.slice(1)));
    expect(noManifest.problems.map((p) => p.code)).toEqual(['transfer.manifest_missing']);
  });
});
