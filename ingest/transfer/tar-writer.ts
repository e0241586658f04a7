// Deterministic tar: entries in a fixed order, fixed mtime, mode, owner; gzip without a
// file name or timestamp. The same content always gives the same bytes (and the same hash).
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

export interface TarItem {
  name: string;
  /** Bytes to store, or a file to stream from. */
  content: Uint8Array | { file: string; size: number };
}

export async function writeDeterministicTar(outPath: string, items: TarItem[], options: { gzip?: boolean; mtime: Date }): Promise<void> {
  const pack = tar.pack();
  const tmp = `${outPath}.partial-${process.pid}`;
  const mtime = new Date(Math.floor(options.mtime.getTime() / 1000) * 1000);
  const writing = options.gzip
    ? pipeline(pack, createGzip({ level: 9 }), createWriteStream(tmp, { flags: 'wx' }))
    : pipeline(pack, createWriteStream(tmp, { flags: 'wx' }));
  try {
    for (const item of items) {
      const header = { name: item.name, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime, type: 'file' as const };
      const content = item.content;
      if (content instanceof Uint8Array) {
        await new Promise<void>((resolve, reject) => {
          pack.entry({ ...header, size: content.length }, Buffer.from(content), (err) => (err ? reject(err) : resolve()));
        });
      } else {
        const { file, size } = content;
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry({ ...header, size }, (err) => (err ? reject(err) : resolve()));
          const src = createReadStream(file);
          src.on('error', (e) => {
            sink.destroy(e);
            reject(e);
          });
          src.pipe(sink as unknown as NodeJS.WritableStream);
        });
      }
    }
    pack.finalize();
    await writing;
    await rename(tmp, outPath);
  } catch (error) {
    pack.destroy();
    await writing.catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  }
}
