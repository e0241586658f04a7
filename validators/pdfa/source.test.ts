// The loader's byte scans (source.ts) find exactly what the regular expressions over a Latin-1
// copy of the whole file found before (the copy cost as much memory as the file), and a file read
// lazily — its long image payloads left on disk — gets the same report as the file in memory.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateBytes, validateFile } from './builtin';
import { PdfDocument } from './document';
import { HOLE_LIMITS, objHeaderStart, xrefKeywordEnd } from './source';
import { pdfa, stream } from './testing/build-pdf';
import { corpusDir } from './testing/corpus';
import { mulberry32, mutate, seedFiles } from './testing/fuzz-run';

const PIECES = ['0', '1', '7', '12', '99999999999', '123456', ' ', '  ', '\n', '\r', '\r\n', '\t', '\0', '\f', 'obj', 'ob', 'xref', 'startxref', 'endobj', 'x', 'R', '<<', '%'];

function randomText(rnd: () => number, pieces: number): string {
  let s = '';
  for (let i = 0; i < pieces; i++) s += PIECES[Math.floor(rnd() * PIECES.length)];
  return s;
}

function byRegex(re: RegExp, text: string): [number, number][] {
  const out: [number, number][] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

function objHeaders(text: string): [number, number][] {
  const b = Buffer.from(text, 'latin1');
  const out: [number, number][] = [];
  let lastIndex = 0;
  for (let o = b.indexOf('obj', 0, 'latin1'); o >= 0; o = b.indexOf('obj', o + 3, 'latin1')) {
    const at = objHeaderStart(b, o, lastIndex);
    if (at < 0) continue;
    lastIndex = o + 3;
    out.push([at, o + 3]);
  }
  return out;
}

function xrefEnds(text: string): number[] {
  const b = Buffer.from(text, 'latin1');
  const out: number[] = [];
  let lastIndex = 0;
  for (let x = b.indexOf('xref', 0, 'latin1'); x >= 0; x = b.indexOf('xref', x + 1, 'latin1')) {
    const end = xrefKeywordEnd(b, x, lastIndex);
    if (end < 0) continue;
    lastIndex = end;
    out.push(end);
  }
  return out;
}

describe('PDF byte scans', () => {
  it('find the same object headers as the header regex', () => {
    const rnd = mulberry32(20261201);
    for (let i = 0; i < 20000; i++) {
      const text = randomText(rnd, 1 + Math.floor(rnd() * 30));
      expect(objHeaders(text), JSON.stringify(text)).toEqual(byRegex(/(\d{1,10})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+obj/g, text));
    }
  });

  it('find the same xref keywords as the xref regex', () => {
    const rnd = mulberry32(7);
    for (let i = 0; i < 20000; i++) {
      const text = randomText(rnd, 1 + Math.floor(rnd() * 20));
      expect(xrefEnds(text), JSON.stringify(text)).toEqual(byRegex(/(?:^|[\r\n])[ \t]*xref[ \t]*(?:\r\n|\r|\n)/g, text).map(([, e]) => e));
    }
  });
});

describe('lazily read files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'muragat-pdfa-source-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'input.pdf');
  const both = (bytes: Uint8Array) => {
    writeFileSync(file, bytes);
    return { file: validateFile(file, { timeoutMs: 5000 }), bytes: validateBytes(bytes, { timeoutMs: 5000 }) };
  };

  it('report what the file in memory reports, with holes everywhere', () => {
    // Tiny holes: nearly every stretch between keywords stays on disk until something reads it,
    // so loading on demand and re-parsing after the lexer ran into a hole are both exercised.
    const saved = { ...HOLE_LIMITS };
    Object.assign(HOLE_LIMITS, { minBytes: 48, margin: 4 });
    try {
      const inputs: Buffer[] = [];
      const corpus = corpusDir();
      if (corpus) {
        const files = readdirSync(path.join(corpus, 'files')).sort();
        for (let i = 0; i < files.length; i += 3) inputs.push(readFileSync(path.join(corpus, 'files', files[i]!)));
      }
      const seeds = seedFiles(40);
      const rnd = mulberry32(20261201);
      for (let i = 0; i < 800; i++) inputs.push(mutate(seeds[i % seeds.length]!, rnd));
      for (const [i, input] of inputs.entries()) {
        const r = both(input);
        expect(JSON.stringify(r.file), `input ${i}`).toBe(JSON.stringify(r.bytes));
      }
    } finally {
      Object.assign(HOLE_LIMITS, saved);
    }
  }, 120_000);

  it('leave a large image payload unread', () => {
    // 3 MB of image data with no ASCII in it, so no keyword splits it.
    const rnd = mulberry32(3);
    const data = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = 0x80 + Math.floor(rnd() * 128);
    const image = stream('/Type /XObject /Subtype /Image /Width 1024 /Height 1024 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode', data);
    const bytes = pdfa({ resources: '/XObject << /Im0 9 0 R >>', content: 'q 100 0 0 100 0 0 cm /Im0 Do Q', extra: [image] });
    const r = both(bytes);
    expect(r.file).toEqual(r.bytes);
    const doc = PdfDocument.fromFile(file, bytes.length, Date.now() + 5000);
    expect(doc.catalog).toBeDefined();
    expect(doc.source.unreadBytes).toBeGreaterThan(data.length - 8192);
    // Asking for the stream's data reads it in.
    const im = doc.stream(doc.objects.get(9)?.value);
    expect(Buffer.from(im!.data).equals(data)).toBe(true);
    expect(doc.source.unreadBytes).toBe(0);
  });
});
