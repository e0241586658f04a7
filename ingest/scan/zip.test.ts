// ZipArchive read from the file and read whole (readWholeUpTo) must give the same answers: the
// same entries, part heads, small parts and streamed content, and the same errors for a damaged
// archive. Real packages from Apache POI's test files (realworld-dev) and a truncated copy.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { ZipArchive } from './zip';

const OFFICE = '/work/shared/corpus/realworld-dev/office';
const PACKAGES = ['49386-null_dates.pptx', '47889.xlsx', 'WithGIF.docx'].map((f) => path.join(OFFICE, f));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-zip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Everything a reader of the archive sees, read one way. */
async function look(file: string, options: { readWholeUpTo?: number }) {
  const zip = await ZipArchive.open(file, options);
  try {
    const parts = zip.entries.filter((e) => /\.(xml|rels)$/i.test(e.name));
    const heads = [];
    for (const e of parts) heads.push((await zip.head(e, (h) => h.includes(0x3e))).toString('latin1'));
    const types = zip.find('[Content_Types].xml');
    const largest = [...parts].sort((a, b) => b.uncompressedSize - a.uncompressedSize)[0]!;
    return {
      entries: zip.entries,
      heads,
      types: types ? (await zip.readSmall(types)).toString('utf8') : null,
      largest: await text(await zip.stream(largest, 64 * 1024 * 1024)),
    };
  } finally {
    await zip.close();
  }
}

describe('ZipArchive read whole', () => {
  it.skipIf(!PACKAGES.every((f) => existsSync(f)))('answers as when read from the file, for real packages', async () => {
    for (const file of PACKAGES) {
      const fromFile = await look(file, {});
      const whole = await look(file, { readWholeUpTo: 64 * 1024 * 1024 });
      expect(whole).toEqual(fromFile);
      expect(fromFile.entries.length).toBeGreaterThan(5);
      expect(fromFile.types).toContain('<Types');
    }
  });

  it.skipIf(!existsSync(PACKAGES[2]!))('reports a truncated archive with the same error either way', async () => {
    const bytes = await readFile(PACKAGES[2]!);
    const cut = path.join(dir, 'cut.docx');
    await writeFile(cut, bytes.subarray(0, bytes.length - 40));
    const fromFile = await ZipArchive.open(cut).catch((e: Error) => e.message);
    const whole = await ZipArchive.open(cut, { readWholeUpTo: bytes.length }).catch((e: Error) => e.message);
    expect(typeof fromFile).toBe('string');
    expect(whole).toBe(fromFile);
  });

  it.skipIf(!existsSync(PACKAGES[2]!))('refuses an entry whose data would run past the end, either way', async () => {
    // An entry as a damaged central directory could declare it: more data than the file holds.
    const { size } = await stat(PACKAGES[2]!);
    for (const options of [{}, { readWholeUpTo: size }]) {
      const zip = await ZipArchive.open(PACKAGES[2]!, options);
      try {
        const entry = { ...zip.entries.find((e) => e.compressedSize > 100)!, compressedSize: size };
        await expect(zip.readSmall(entry, 64 * 1024 * 1024)).rejects.toThrow(/runs past the end/);
        await expect(zip.head(entry, () => false)).rejects.toThrow(/runs past the end/);
      } finally {
        await zip.close();
      }
    }
  });
});
