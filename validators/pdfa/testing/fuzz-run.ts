// Fuzz driver, run in a child process so that a hang is caught by the parent's time limit:
// mutates seed PDFs with a seeded PRNG (byte flips, truncation, chunk duplication and deletion,
// keyword damage) and validates every mutant. Prints one JSON summary line.
// Usage: node bin/run-ts.js validators/pdfa/testing/fuzz-run.ts <seed> <count> [perFileMs]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateBytes } from '../builtin';
import { corpusDir } from './corpus';
import { cidKeyedCff, cidSetBits, iccProfile, pdfa, stream, trueTypeProgram } from './build-pdf';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['obj', 'endobj', 'stream', 'endstream', '<<', '>>', '[', ']', '(', ')', '<', '>', 'R', '/Length', 'xref', 'trailer', '%%EOF', '0 0 R', '99999999999', '-1', '/Filter /FlateDecode', 'BI', 'q', '\\'];

export function mutate(src: Buffer, rnd: () => number): Buffer {
  const pick = (n: number) => Math.floor(rnd() * n);
  let b = Buffer.from(src);
  const ops = 1 + pick(4);
  for (let k = 0; k < ops && b.length > 0; k++) {
    const at = pick(b.length);
    switch (pick(6)) {
      case 0: // byte flips
        for (let i = 0, n = 1 + pick(16); i < n; i++) b[pick(b.length)] = pick(256);
        break;
      case 1: // truncation
        b = b.subarray(0, at);
        break;
      case 2: {
        // chunk duplication
        const len = 1 + pick(Math.min(4096, b.length - at));
        const chunk = b.subarray(at, at + len);
        const to = pick(b.length);
        b = Buffer.concat([b.subarray(0, to), chunk, chunk, b.subarray(to)]);
        break;
      }
      case 3: {
        // chunk deletion
        const len = 1 + pick(Math.min(4096, b.length - at));
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + len)]);
        break;
      }
      case 4: // keyword insertion
        b = Buffer.concat([b.subarray(0, at), Buffer.from(` ${TOKENS[pick(TOKENS.length)]} `, 'latin1'), b.subarray(at)]);
        break;
      default: {
        // deep nesting bomb
        const open = pick(2) ? '[' : '<<';
        b = Buffer.concat([b.subarray(0, at), Buffer.from(open.repeat(200 + pick(5000)), 'latin1'), b.subarray(at)]);
      }
    }
  }
  return b;
}

export function seedFiles(limit = 40): Buffer[] {
  const seeds: Buffer[] = [
    pdfa(),
    pdfa({ resources: '/Font << /F1 9 0 R >> /XObject << /Im0 10 0 R >>', content: 'q BT /F1 12 Tf (abc) Tj ET /Im0 Do Q', extra: ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>', stream('/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace [/ICCBased 11 0 R] /BitsPerComponent 8', '\x00\x00\x00'), stream('/N 3', iccProfile())] }),
    // Type 0 subsets: TrueType with a CIDToGIDMap stream, CID-keyed CFF with an embedded CMap.
    cidFontSeed('/CIDFontType2', '/FontFile2', stream('', trueTypeProgram(12)), '/Identity-H', '/CIDToGIDMap 14 0 R', [
      stream('', Buffer.from([0, 0, 0, 3, 0, 1, 0, 2])),
    ]),
    cidFontSeed('/CIDFontType0', '/FontFile3', stream('/Subtype /CIDFontType0C', cidKeyedCff([1, 2, 3, 5])), '14 0 R', '', [
      stream(
        '/Type /CMap /CMapName /Seed-H /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /WMode 0',
        '1 begincodespacerange <00> <7f> endcodespacerange 1 begincodespacerange <8000> <ffff> endcodespacerange\n' +
          '2 begincidrange <41> <43> 1 <8000> <8010> 5 endcidrange 1 begincidchar <61> 3 endcidchar',
      ),
    ]),
  ];
  const base = seeds.length;
  const dir = corpusDir();
  if (dir) {
    const files = readdirSync(path.join(dir, 'files'))
      .map((f) => path.join(dir, 'files', f))
      .filter((f) => statSync(f).size < 200_000)
      .sort();
    const step = Math.max(1, Math.floor(files.length / limit));
    for (let i = 0; i < files.length && seeds.length < limit + base; i += step) seeds.push(readFileSync(files[i]!));
  }
  return seeds;
}

function cidFontSeed(subtype: string, fileKey: string, program: Buffer, encoding: string, cidToGid: string, extra: Buffer[]): Buffer {
  return pdfa({
    resources: '/Font << /F1 9 0 R >>',
    content: 'BT /F1 12 Tf <00010002> Tj (ABa) Tj [<8001> 5 (C)] TJ ET',
    extra: [
      `<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Seed /Encoding ${encoding} /DescendantFonts [10 0 R] >>`,
      `<< /Type /Font /Subtype ${subtype} /BaseFont /ABCDEF+Seed /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ${cidToGid} /DW 1000 /W [1 [1000 1000]] /FontDescriptor 11 0 R >>`,
      `<< /Type /FontDescriptor /FontName /ABCDEF+Seed /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 ${fileKey} 12 0 R /CIDSet 13 0 R >>`,
      program,
      stream('', cidSetBits([1, 2, 3, 5, 6])),
      ...extra,
    ],
  });
}

export interface FuzzSummary {
  mutants: number;
  pass: number;
  fail: number;
  unreadable: number;
  thrown: string[];
  malformed: number;
  maxMs: number;
  totalMs: number;
}

export function runFuzz(seed: number, count: number, perFileMs: number): FuzzSummary {
  const rnd = mulberry32(seed);
  const seeds = seedFiles();
  const s: FuzzSummary = { mutants: 0, pass: 0, fail: 0, unreadable: 0, thrown: [], malformed: 0, maxMs: 0, totalMs: 0 };
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const src = seeds[i % seeds.length]!;
    const m = mutate(src, rnd);
    const start = performance.now();
    try {
      const r = validateBytes(m, { timeoutMs: perFileMs });
      if (typeof r.compliant !== 'boolean' || !Array.isArray(r.failures)) s.malformed++;
      else if (r.unreadable) s.unreadable++;
      else if (r.compliant) s.pass++;
      else s.fail++;
    } catch (error) {
      s.thrown.push(`mutant ${i}: ${(error as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
    }
    s.maxMs = Math.max(s.maxMs, performance.now() - start);
    s.mutants++;
  }
  s.totalMs = performance.now() - t0;
  return s;
}

if (process.argv[1] && /fuzz-run\.ts$/.test(process.argv[1])) {
  const [seed = '1', count = '2000', perFile = '2000'] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(runFuzz(Number(seed), Number(count), Number(perFile))) + '\n');
}
