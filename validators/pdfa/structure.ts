// ISO 19005-1 6.1: file structure — header, trailer, cross-reference table, strings, streams,
// indirect objects, filters, embedded files, implementation limits, optional content.
import { CosDict, CosStream, CosString, nameOf, type CosObject } from './cos';
import type { PdfDocument } from './document';
import type { Findings } from './findings';

export function checkStructure(doc: PdfDocument, out: Findings): void {
  const len = doc.length;
  const b = (p: number) => doc.byte(p);

  // 6.1.2 header at offset 0, then a comment line with at least four bytes > 127.
  if (!/^%PDF-\d\.\d/.test(doc.slice(0, 16))) out.fail('6-1-2-t01', 'offset 0');
  let p = 0;
  while (p < len && p < 1024 && b(p) !== 10 && b(p) !== 13) p++;
  if (b(p) === 13 && b(p + 1) === 10) p += 2;
  else p++;
  const binaryOk = b(p) === 0x25 && [1, 2, 3, 4].every((k) => (b(p + k) ?? 0) > 127);
  if (!binaryOk) out.fail('6-1-2-t02', `offset ${p}`);

  // 6.1.3 trailer: ID, no Encrypt, nothing after the last %%EOF but one EOL.
  const last = doc.lastTrailer;
  const linearized = doc.isLinearized;
  const firstTrailer = doc.trailers[0]?.dict;
  const lastId = last?.get('ID');
  if (linearized ? !firstTrailer?.has('ID') : !last?.has('ID')) out.fail('6-1-3-t01', 'trailer');
  if (doc.trailers.some((t) => t.dict.has('Encrypt'))) out.fail('6-1-3-t02', 'trailer');
  const eof = doc.lastEof;
  if (eof < 0) out.fail('6-1-3-t03', 'end of file');
  else {
    // Only a short tail can be one of the allowed ones; a long one is never copied out.
    const rest = len - (eof + 5) <= 2 ? doc.slice(eof + 5, len) : null;
    if (!(rest === '' || rest === '\n' || rest === '\r' || rest === '\r\n')) out.fail('6-1-3-t03', `offset ${eof + 5}`);
  }
  if (linearized && lastId && firstTrailer?.get('ID') && !sameId(doc.resolve(firstTrailer.get('ID')), doc.resolve(lastId))) {
    out.fail('6-1-3-t04', 'trailer');
  }

  // 6.1.4 cross-reference table spacing.
  checkXref(doc, out);

  // Lexical findings (6.1.6 hex strings, 6.1.12 limits) from every parsed object.
  for (const issue of doc.issues) out.fail(issue.rule, `offset ${issue.offset}`, issue.detail);

  // 6.1.7 streams, 6.1.8 indirect objects, 6.1.10 LZW, 6.1.11 embedded files.
  for (const o of doc.objects.values()) {
    const where = `object ${o.num} ${o.gen}`;
    if (!o.spacingOk) out.fail('6-1-8-t01', where);
    if (o.stream) {
      if (!o.stream.lengthOk) out.fail('6-1-7-t01', where, `Length ${o.stream.declaredLength ?? '?'} ≠ ${o.stream.actualLength}`);
      if (!o.stream.keywordOk || !o.stream.endKeywordOk) out.fail('6-1-7-t02', where);
    }
    if (o.value instanceof CosStream) {
      const d = o.value.dict;
      // PDF/A-1 is based on PDF 1.4: cross-reference streams (and the object streams that
      // need them) are not part of it.
      const type = nameOf(d.get('Type'));
      if (type === 'XRef' || type === 'ObjStm') out.fail('6-1-4-t03', where);
      if (d.has('F') || d.has('FFilter') || d.has('FDecodeParms')) out.fail('6-1-7-t03', where);
      if (filterNames(doc, d.get('Filter')).some((f) => f === 'LZWDecode' || f === 'LZW')) out.fail('6-1-10-t01', where);
    }
    walkDicts(o.value, (d) => {
      const type = nameOf(d.get('Type'));
      if ((type === 'Filespec' || type === 'F') && d.has('EF')) out.fail('6-1-11-t01', where);
    });
  }
  if (doc.objects.size > 8388607) out.fail('6-1-12-t07');

  const catalog = doc.catalog;
  if (catalog) {
    const names = doc.dict(catalog.get('Names'));
    if (names?.has('EmbeddedFiles')) out.fail('6-1-11-t02', 'catalog Names');
    if (catalog.has('OCProperties')) out.fail('6-1-13-t01', 'catalog');
  }
}

function sameId(a: CosObject | undefined, b: CosObject | undefined): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    return x instanceof CosString && y instanceof CosString && Buffer.from(x.bytes).equals(Buffer.from(y.bytes));
  });
}

export function filterNames(doc: PdfDocument, f: CosObject | undefined): string[] {
  const r = doc.resolve(f);
  if (Array.isArray(r)) return r.map((x) => doc.name(x) ?? '');
  const n = nameOf(r);
  return n ? [n] : [];
}

/** Visits every dictionary inside a (direct) object tree, bounded in depth. */
export function walkDicts(o: CosObject | undefined, visit: (d: CosDict) => void, depth = 0): void {
  if (depth > 32 || o === undefined || o === null) return;
  if (o instanceof CosStream) return walkDicts(o.dict, visit, depth + 1);
  if (o instanceof CosDict) {
    visit(o);
    for (const v of o.map.values()) if (typeof v === 'object') walkDicts(v, visit, depth + 1);
  } else if (Array.isArray(o)) for (const v of o) if (typeof v === 'object') walkDicts(v, visit, depth + 1);
}

function checkXref(doc: PdfDocument, out: Findings): void {
  const len = doc.length;
  const b = (p: number) => doc.byte(p);
  // Every "xref" in the file (as /xref/g finds them), from the loader's scan.
  for (const at of doc.xrefWords) {
    if (b(at - 1) === 0x74 /* t */) continue; // startxref
    if (at > 0 && !isJsSpace(b(at - 1))) continue;
    let p = at + 4;
    // 6.1.4-t02: exactly one EOL between "xref" and the first subsection header.
    if (b(p) === 13 && b(p + 1) === 10) p += 2;
    else if (b(p) === 10 || b(p) === 13) p += 1;
    else {
      out.fail('6-1-4-t02', `offset ${at}`);
      continue;
    }
    const first = b(p);
    if (!(first !== undefined && first >= 0x30 && first <= 0x39)) {
      out.fail('6-1-4-t02', `offset ${at}`);
      continue;
    }
    // Subsection headers: "start count" with exactly one space.
    for (let guard = 0; guard < 100000; guard++) {
      const line = /^(\d+)([ \t]+)(\d+)[ \t]*(\r\n|\r|\n)/.exec(doc.slice(p, p + 64));
      if (!line) break;
      if (line[2] !== ' ') out.fail('6-1-4-t01', `offset ${p}`);
      const count = Number(line[3]);
      p += line[0].length + count * 20;
      if (p > len) break;
      // Entries might not be exactly 20 bytes in a damaged table; resynchronise on the next header.
      while (p < len && (b(p) === 32 || b(p) === 13 || b(p) === 10)) p++;
    }
  }
}

/** Latin-1 characters matched by /[\r\n\s]/: tab, LF, VT, FF, CR, space and no-break space. */
function isJsSpace(c: number | undefined): boolean {
  return c !== undefined && ((c >= 9 && c <= 13) || c === 32 || c === 0xa0);
}
