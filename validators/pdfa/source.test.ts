// The byte scans of document.ts find exactly what the regular expressions over a Latin-1 copy of
// the file found before (the copy cost as much memory as the file): random strings over an
// alphabet that forms object headers and xref keywords, compared match by match.
import { describe, expect, it } from 'vitest';
import { objHeaderStart, xrefKeywordEnd } from './document';
import { mulberry32 } from './testing/fuzz-run';

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
