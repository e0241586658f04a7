// A POSIX tar (pax) of the clerk's files, as a Blob made of the File objects themselves: the
// browser never reads a 95 MB scan into memory to pack it, it streams it when the Blob is
// sent. Stream-based tar libraries (tar-stream) want every byte as a buffer, which is why this
// small writer exists. Names are UTF-8 in a pax "path" record (Kazakh and Russian file names
// are longer than ustar's 100 bytes); the server unpacks with its safe unpacker
// (ingest/transfer/unpack.ts), which decides what is acceptable.

export interface TarSource {
  name: string;
  file: Blob;
}

const BLOCK = 512;
const encoder = new TextEncoder();

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, type: '0' | 'x', mtime: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (text: string, offset: number, width: number) => block.set(encoder.encode(text).subarray(0, width), offset);
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtime, 12), 136, 12);
  put('        ', 148, 8); // checksum counted as spaces
  put(type, 156, 1);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return block;
}

/** One pax record: "<length> path=<name>\n", the length counting itself. */
function paxRecord(key: string, value: string): Uint8Array {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = encoder.encode(body).length;
  let length = bodyBytes + 1;
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
  return encoder.encode(`${length}${body}`);
}

function padding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The tar of `sources` in the given order; every entry carries its full name in a pax record. */
export function tarBlob(sources: TarSource[], mtime = Math.floor(Date.now() / 1000)): Blob {
  const parts: BlobPart[] = [];
  sources.forEach((source, i) => {
    const record = paxRecord('path', source.name.normalize('NFC'));
    parts.push(header(`PaxHeaders/${i}`, record.length, 'x', mtime) as BlobPart, record as BlobPart, padding(record.length) as BlobPart);
    // The ustar name is a plain fallback; readers use the pax path.
    parts.push(header(`entry-${i}`, source.file.size, '0', mtime) as BlobPart, source.file, padding(source.file.size) as BlobPart);
  });
  parts.push(new Uint8Array(BLOCK * 2) as BlobPart);
  return new Blob(parts, { type: 'application/x-tar' });
}
