// The department a transfer package declares (manifest.json → transfer.department.code),
// read before the package is received so an upload for another department is refused
// before anything of it enters the catalog. Streams the tar (optionally gzip) and stops at
// the manifest; the pipeline reads the same entry, named the same way (NFC, no "./").
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { isGzip } from '../ingest/transfer';
import { parseBoundedJson } from '../ingest/pipeline/bounded-json';

// A manifest lists every document of a transfer; 10,000 documents fit in a few megabytes.
const MANIFEST_MAX_BYTES = 64 * 1024 * 1024;

function entryName(raw: string): string {
  let name = raw.normalize('NFC');
  while (name.startsWith('./')) name = name.slice(2);
  return name;
}

/**
 * The department code the package's manifest declares, or null when there is no readable
 * manifest.json naming one (such a package would be rejected by the pipeline).
 */
export async function readTransferDepartment(tarPath: string): Promise<string | null> {
  const source = createReadStream(tarPath);
  const input: Readable = (await isGzip(tarPath)) ? source.pipe(createGunzip()) : source;
  const extract = tar.extract();
  let manifest: Buffer | null = null;
  let tooLarge = false;
  try {
    input.pipe(extract);
    source.on('error', (e) => extract.destroy(e));
    input.on('error', (e) => extract.destroy(e));
    for await (const entry of extract) {
      if (entry.header.type === 'file' && entryName(entry.header.name) === 'manifest.json') {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > MANIFEST_MAX_BYTES) {
            tooLarge = true;
            break;
          }
          chunks.push(chunk);
        }
        if (!tooLarge) manifest = Buffer.concat(chunks);
        // A second manifest.json makes the unpacker refuse the whole package (a name
        // collision), so the first one is the only one that can ever count.
        break;
      } else {
        entry.resume();
      }
    }
  } catch {
    return null;
  } finally {
    source.destroy();
    extract.destroy();
  }
  if (tooLarge || !manifest) return null;
  try {
    // The same size and depth bounds as the manifest step: this read runs before any check.
    const parsed = parseBoundedJson(manifest, { where: 'manifest.json' }) as { transfer?: { department?: { code?: unknown } } };
    const code = parsed?.transfer?.department?.code;
    return typeof code === 'string' && code.trim() ? code : null;
  } catch {
    return null;
  }
}
