// A PDF as Poppler should read it for text: without the catalog's OutputIntents. With an
// OutputIntent, Poppler builds colour transforms to its ICC profile for every page it interprets
// (liblcms2), and that, not the text, was most of pdftotext's time: the word boxes of a 180-page
// LibreOffice PDF/A rendition took 10.6 s of CPU with Ghostscript's/LibreOffice's sRGB intent
// and 0.4 s without, the same words and boxes. The intent only says how colours are meant to be
// printed, so the text check reads a copy whose catalog is replaced by one without it: an
// incremental update appended to a copy (the original bytes unchanged before it, as PDF allows),
// never a rewrite. Anything this does not recognise — a cross-reference stream, an encrypted or
// hybrid file, a catalog it cannot cut cleanly — is read as it is.
import { copyFile, appendFile, open } from 'node:fs/promises';

/** How far from the end the trailer of a classic cross-reference table is looked for. */
const TAIL_BYTES = 4096;
/** A catalog object larger than this is left alone (a catalog is a few hundred bytes). */
const CATALOG_MAX_BYTES = 64 * 1024;
/** Cross-reference sections followed back through /Prev to find the catalog. */
const MAX_SECTIONS = 16;

interface Located {
  num: number;
  gen: number;
  body: string;
  trailer: string;
  startxref: number;
  size: number;
}

/**
 * Writes `target`, a copy of `file` whose catalog has no /OutputIntents, and answers true; false
 * (and nothing written that matters) when the file has none or is not one this reads simply.
 */
export async function copyWithoutOutputIntents(file: string, target: string): Promise<boolean> {
  const found = await locateCatalog(file).catch(() => null);
  if (!found) return false;
  const body = withoutOutputIntents(found.body);
  if (body === null) return false;
  const keep = ['Info', 'ID'].map((k) => new RegExp(`/${k}\\s*(\\d+\\s+\\d+\\s+R|\\[[^\\]]*\\])`).exec(found.trailer)?.[0]).filter(Boolean);
  const object = `\n${found.num} ${found.gen} obj\n${body}\nendobj\n`;
  const objectAt = found.size + 1; // after the leading newline
  const xrefAt = found.size + Buffer.byteLength(object, 'latin1');
  const update =
    `${object}xref\n${found.num} 1\n${String(objectAt).padStart(10, '0')} ${String(found.gen).padStart(5, '0')} n \n` +
    `trailer\n<< /Size ${found.trailerSize} /Root ${found.num} ${found.gen} R ${keep.join(' ')} /Prev ${found.startxref} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  await copyFile(file, target);
  await appendFile(target, Buffer.from(update, 'latin1'));
  return true;
}

/** The catalog's dictionary without its /OutputIntents entry, or null when it has none or the entry is not a plain reference or array of references. */
export function withoutOutputIntents(body: string): string | null {
  const matches = [...body.matchAll(/\/OutputIntents(?![A-Za-z0-9])/g)];
  if (matches.length !== 1) return null;
  const at = matches[0]!.index!;
  const rest = body.slice(at + '/OutputIntents'.length);
  const value = /^\s*(\[(\s*\d+\s+\d+\s+R)*\s*\]|\d+\s+\d+\s+R)/.exec(rest);
  if (!value) return null;
  return body.slice(0, at) + body.slice(at + '/OutputIntents'.length + value[0].length);
}

async function locateCatalog(file: string): Promise<(Located & { trailerSize: number }) | null> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const read = async (at: number, length: number): Promise<string> => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - at)));
      if (buf.length) await fh.read(buf, 0, buf.length, at);
      return buf.toString('latin1');
    };
    const tail = await read(Math.max(0, size - TAIL_BYTES), TAIL_BYTES);
    const end = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!end) return null;
    const startxref = Number(end[1]);
    const trailerAt = tail.lastIndexOf('trailer');
    if (trailerAt < 0) return null;
    const trailer = tail.slice(trailerAt, end.index);
    // Encrypted strings, hybrid files (a second, stream table) and files without a plain root are read as they are.
    if (/\/(Encrypt|XRefStm)\b/.test(trailer)) return null;
    const root = /\/Root\s+(\d+)\s+(\d+)\s+R/.exec(trailer);
    const trailerSize = /\/Size\s+(\d+)/.exec(trailer);
    if (!root || !trailerSize) return null;
    const num = Number(root[1]);
    const gen = Number(root[2]);
    const offset = await objectOffset(read, startxref, num, Number(trailerSize[1]));
    if (offset === null || offset >= size) return null;
    const text = await read(offset, CATALOG_MAX_BYTES);
    const head = new RegExp(`^${num}\\s+${gen}\\s+obj\\b`).exec(text);
    const stop = text.indexOf('endobj');
    if (!head || stop < 0) return null;
    const body = text.slice(head[0].length, stop).trim();
    if (!body.startsWith('<<') || !body.endsWith('>>') || !/\/Type\s*\/Catalog\b/.test(body)) return null;
    if (body.split('<<').length !== body.split('>>').length) return null;
    return { num, gen, body, trailer, startxref, size, trailerSize: Number(trailerSize[1]) };
  } finally {
    await fh.close();
  }
}

/** Offset of object `num` from classic cross-reference tables (following /Prev), or null. */
async function objectOffset(read: (at: number, length: number) => Promise<string>, startxref: number, num: number, objects: number): Promise<number | null> {
  let at: number | null = startxref;
  for (let section = 0; at !== null && section < MAX_SECTIONS; section++) {
    // A table of `objects` entries is at most 20 bytes each plus subsection headers.
    const text = await read(at, 20 * objects + 64 * 1024);
    if (!text.startsWith('xref')) return null;
    const header = /\s*(\d+)\s+(\d+)[ \t]*(?:\r\n|\r|\n)/y;
    // Entries are 20 bytes ("offset generation n|f" and a two-byte end of line); some writers end
    // them with one byte, which is tolerated.
    const entry = /(\d{10}) (\d{5}) ([nf])[ \t]?(?:\r\n|\r|\n)/y;
    let pos = 4;
    for (;;) {
      header.lastIndex = pos;
      const m = header.exec(text);
      if (!m) break;
      const first = Number(m[1]);
      const count = Number(m[2]);
      pos = header.lastIndex;
      for (let i = 0; i < count; i++) {
        entry.lastIndex = pos;
        const e = entry.exec(text);
        if (!e) return null;
        pos = entry.lastIndex;
        if (first + i === num) return e[3] === 'n' ? Number(e[1]) : null;
      }
    }
    if (!text.startsWith('trailer', pos + (/^\s*/.exec(text.slice(pos, pos + 64))?.[0].length ?? 0))) return null;
    const prev = /\/Prev\s+(\d+)/.exec(text.slice(pos, pos + 4096));
    at = prev ? Number(prev[1]) : null;
  }
  return null;
}
