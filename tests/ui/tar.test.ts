// The browser's tar is read by the server's safe unpacker with every name and byte intact.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { unpackTransfer } from '../../ingest/transfer/unpack';
import { tarBlob } from '../../ui/src/lib/tar';

it('writes long UTF-8 names in pax records and file bytes that unpackTransfer reads back', async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'muragat-ui-tar-'));
  try {
    const long = `02-07/Қызметкерлерді іссапарға жіберу туралы бұйрық №12-н 2025-03-01.docx`;
    const sources = [
      { name: long, file: new Blob([new Uint8Array(1000).fill(7)]) },
      { name: `${long}.p7s`, file: new Blob(['sig']) },
      { name: '02-07/empty.txt', file: new Blob([]) },
    ];
    const blob = tarBlob(sources, 1_700_000_000);
    expect(blob.size % 512).toBe(0);
    const tarPath = path.join(work, 'tree.tar');
    await writeFile(tarPath, new Uint8Array(await blob.arrayBuffer()));
    const { entries } = await unpackTransfer(tarPath, path.join(work, 'out'));
    expect(new Map(entries.map((e) => [e.path, e.size]))).toEqual(new Map([[long, 1000], [`${long}.p7s`, 3], ['02-07/empty.txt', 0]]));
    expect(await readFile(path.join(work, 'out', `${long}.p7s`), 'utf8')).toBe('sig');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
