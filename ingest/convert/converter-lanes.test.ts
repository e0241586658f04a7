// convertMany's scheduling with fake tools (GS_BIN, SOFFICE_BIN): Ghostscript runs a bounded
// number of processes at once, LibreOffice batches report their files as they come out (the fake
// copies them one after another at its end), a fallback export runs beside the batches, and
// results stay in input order whatever finishes first.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, parseConfig, setConfig, type Config } from '../../common/config';
import type { FormatId } from '../scan/index';
import { createConverter, textToPdfA } from './index';
import { OfficeConverter, batches, conversionOrder, laneShares } from './office';

let dir: string;
let saved: Config;
const pdf: FormatId = { mime: 'application/pdf', name: 'PDF', version: '1.7', family: 'pdf', extensionMatches: true, encrypted: false, problems: [] };
const docx: FormatId = { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', name: 'DOCX', family: 'office', extensionMatches: true, encrypted: false, problems: [] };
const text: FormatId = { mime: 'text/plain', name: 'TXT', version: 'UTF-8', family: 'text', extensionMatches: true, encrypted: false, problems: [] };

// Fake gs: logs start/end with a timestamp, takes the time written in the input file, and
// "converts" by copying $FAKE_PDF to -sOutputFile (qpdf then sees equal page counts).
const FAKE_GS = `#!/bin/sh
if [ "$1" = "--version" ]; then echo "10.0.fake"; exit 0; fi
out=""; last=""
for a in "$@"; do case "$a" in -sOutputFile=*) out="\${a#-sOutputFile=}";; esac; last="$a"; done
echo "start $(date +%s%N) $last" >> "$FAKE_GS_LOG"
sleep "$(head -c 4 "$last" | tr -dc '0-9.')"
cp "$FAKE_PDF" "$out"
echo "end $(date +%s%N) $last" >> "$FAKE_GS_LOG"
`;
const FAKE_SOFFICE = `#!/bin/sh
if [ "$1" = "--version" ]; then echo "LibreOffice 0.0.0.fake"; exit 0; fi
outdir=""; files=""; filter=""; n=0; profile=""
while [ $# -gt 0 ]; do
  case "$1" in
    -env:UserInstallation=*) profile=$(basename "\${1#*=}"); shift;;
    --outdir) outdir="$2"; shift 2;;
    --convert-to) filter="$2"; shift 2;;
    -*) shift;;
    *) files="$files $1"; n=$((n+1)); shift;;
  esac
done
case "$filter" in *SelectPdfVersion*) kind=pdfa;; *) kind=plain;; esac
echo "call $kind $n $profile" >> "$FAKE_SOFFICE_LOG"
sleep "\${FAKE_SOFFICE_SLEEP:-0.3}"
for f in $files; do b=$(basename "$f"); cp "$FAKE_PDF" "$outdir/\${b%.*}.pdf"; done
echo "done $kind $n $profile" >> "$FAKE_SOFFICE_LOG"
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-lanes-'));
  for (const [name, body] of [['gs', FAKE_GS], ['soffice', FAKE_SOFFICE]] as const) {
    await writeFile(path.join(dir, name), body);
    await chmod(path.join(dir, name), 0o755);
  }
  await writeFile(path.join(dir, 'template.pdf'), await textToPdfA('template', { title: 'template' }));
  process.env.FAKE_PDF = path.join(dir, 'template.pdf');
  process.env.FAKE_GS_LOG = path.join(dir, 'gs.log');
  process.env.FAKE_SOFFICE_LOG = path.join(dir, 'soffice.log');
  saved = loadConfig();
  setConfig(parseConfig({ ...process.env, GS_BIN: path.join(dir, 'gs'), SOFFICE_BIN: path.join(dir, 'soffice') }));
});
afterAll(async () => {
  setConfig(saved);
  await rm(dir, { recursive: true, force: true });
});

/** Largest number of fake gs runs that overlapped in time. */
async function gsOverlap(): Promise<number> {
  const events = (await readFile(process.env.FAKE_GS_LOG!, 'utf8')).split('\n').filter(Boolean).map((l) => {
    const [kind, at] = l.split(' ');
    return { kind, at: BigInt(at!) };
  });
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind === 'end' ? -1 : 1));
  let now = 0;
  let max = 0;
  for (const e of events) max = Math.max(max, (now += e.kind === 'start' ? 1 : -1));
  return max;
}

describe('convertMany scheduling', () => {
  it('runs Ghostscript `concurrency` at a time, keeps results in input order and reports each once', async () => {
    await rm(process.env.FAKE_GS_LOG!, { force: true });
    // The first file is slow, so later ones finish first.
    const delays = ['0.8', '0.1', '0.1', '0.1', '0.1', '0.1'];
    const items = await Promise.all(
      delays.map(async (d, i) => {
        const p = path.join(dir, `in${i}.pdf`);
        await writeFile(p, `${d}\n`);
        return { path: p, format: pdf, outPath: path.join(dir, 'out', `gs${i}.pdf`) };
      }),
    );
    // verify: false — the fake tools' output is no PDF/A; this is about scheduling, not routes.
    const converter = createConverter({ workDir: path.join(dir, 'w1'), concurrency: 2, verify: false });
    const done: number[] = [];
    const results = await converter.convertMany(items, (i) => done.push(i));
    await converter.close();
    expect(results.map((r) => [r.ok, r.method, r.output])).toEqual(items.map((it) => [true, 'ghostscript', it.outPath]));
    expect([...done].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(done[0]).not.toBe(0); // reported as finished, not in input order
    expect(await gsOverlap()).toBe(2);
  }, 30_000);

  it('converts office files in one soffice run while Ghostscript and pdf-lib run beside it', async () => {
    await rm(process.env.FAKE_SOFFICE_LOG!, { force: true });
    await rm(process.env.FAKE_GS_LOG!, { force: true });
    const items: { path: string; format: FormatId; outPath: string }[] = [];
    for (let i = 0; i < 25; i++) {
      const p = path.join(dir, `doc${i}.docx`);
      await writeFile(p, `doc ${i}`);
      items.push({ path: p, format: docx, outPath: path.join(dir, 'out', `doc${i}.pdf`) });
    }
    await writeFile(path.join(dir, 'slow.pdf'), '0.2\n');
    items.push({ path: path.join(dir, 'slow.pdf'), format: pdf, outPath: path.join(dir, 'out', 'slow.pdf') });
    await writeFile(path.join(dir, 'note.txt'), 'Мұрағат жазбасы\n');
    items.push({ path: path.join(dir, 'note.txt'), format: text, outPath: path.join(dir, 'out', 'note.pdf') });
    const converter = createConverter({ workDir: path.join(dir, 'w2'), concurrency: 2, verify: false });
    const callsWhenDone = new Map<number, number>();
    const results = await converter.convertMany(items, (i) => {
      // Read synchronously: the count at the moment the file was reported.
      const log = existsSync(process.env.FAKE_SOFFICE_LOG!) ? readFileSync(process.env.FAKE_SOFFICE_LOG!, 'utf8') : '';
      callsWhenDone.set(i, log.split('\n').filter((l) => l.startsWith('call')).length);
    });
    await converter.close();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.method)).toEqual([...Array(25).fill('libreoffice'), 'ghostscript', 'pdf-lib']);
    expect(callsWhenDone.size).toBe(27);
    // One soffice run for the 25 files (a run reports its files one by one as it goes: office-faults.test.ts).
    expect([...callsWhenDone.entries()].filter(([i]) => i < 25).every(([, calls]) => calls === 1)).toBe(true);
    expect((await readFile(process.env.FAKE_SOFFICE_LOG!, 'utf8')).split('\n').filter((l) => l.startsWith('call'))).toEqual(['call pdfa 25 lo-profile']);
  }, 30_000);

  it('with two LibreOffice lanes, converts two shares of the files at once, each on its own profile', async () => {
    await rm(process.env.FAKE_SOFFICE_LOG!, { force: true });
    const items: { path: string; format: FormatId; outPath: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const p = path.join(dir, `lane${i}.docx`);
      await writeFile(p, `doc ${i} `.repeat(i + 1));
      items.push({ path: p, format: docx, outPath: path.join(dir, 'out4', `lane${i}.pdf`) });
    }
    const converter = createConverter({ workDir: path.join(dir, 'w4'), concurrency: 2, verify: false, officeLanes: 2 });
    // Each run takes 2 s, so the second starts before the first ends even on a loaded machine.
    process.env.FAKE_SOFFICE_SLEEP = '2';
    const results = await converter.convertMany(items).finally(() => delete process.env.FAKE_SOFFICE_SLEEP);
    await converter.close();
    expect(results.every((r) => r.ok && r.method === 'libreoffice')).toBe(true);
    const log = (await readFile(process.env.FAKE_SOFFICE_LOG!, 'utf8')).split('\n').filter(Boolean);
    // Both runs started before either ended: side by side, on lo-profile and lo-profile-2.
    expect(log.slice(0, 2).sort()).toEqual(['call pdfa 10 lo-profile', 'call pdfa 10 lo-profile-2']);
    expect(log.slice(2).sort()).toEqual(['done pdfa 10 lo-profile', 'done pdfa 10 lo-profile-2']);
  }, 30_000);

  it('runs a single-file fallback export beside the batches, on a profile of its own, not behind them', async () => {
    await rm(process.env.FAKE_SOFFICE_LOG!, { force: true });
    const jobs: { key: number; path: string; format: FormatId; outPath: string }[] = [];
    for (let i = 0; i < 60; i++) {
      const p = path.join(dir, `many${i}.docx`);
      await writeFile(p, `doc ${i}`);
      jobs.push({ key: i, path: p, format: docx, outPath: path.join(dir, 'out3', `many${i}.pdf`) });
    }
    const office = new OfficeConverter(path.join(dir, 'w3'), 30_000);
    let fallback: Promise<unknown> | null = null;
    const all = office.convert(jobs, (key) => {
      // The first batch is out: one of its files needs the ordinary export now.
      fallback ??= office.convert([{ key, path: jobs[key]!.path, format: docx, outPath: path.join(dir, 'out3', 'plain.pdf') }], undefined, { plainPdf: true });
    });
    const results = await all;
    await fallback;
    await office.close();
    expect([...results.values()].every((o) => o.ok)).toBe(true);
    const log = (await readFile(process.env.FAKE_SOFFICE_LOG!, 'utf8')).split('\n').filter(Boolean);
    // Batches of 50 and 10 files, one after another on one profile; the export, asked for when
    // the first batch's first file came out (the batch may still be copying the rest), started
    // before the last batch ended, on its own profile: beside the batches, not behind them.
    expect(log.filter((l) => l.includes('pdfa'))).toEqual(['call pdfa 50 lo-profile', 'done pdfa 50 lo-profile', 'call pdfa 10 lo-profile', 'done pdfa 10 lo-profile']);
    expect(log.indexOf('call plain 1 lo-profile-export')).toBeGreaterThan(log.indexOf('call pdfa 50 lo-profile'));
    expect(log.indexOf('call plain 1 lo-profile-export')).toBeLessThan(log.indexOf('done pdfa 10 lo-profile'));
  }, 30_000);
});

describe('office batches', () => {
  const job = (key: number, size: number) => ({ key, path: `f${key}.docx`, format: docx, outPath: `f${key}.pdf`, size });
  it('fills batches up to the byte and file budgets', () => {
    expect(batches(Array.from({ length: 60 }, (_, i) => job(i, 1000))).map((b) => b.length)).toEqual([50, 10]);
    // Large originals: a batch closes when the next file would pass 12 MB; one file alone may pass it.
    expect(batches([job(0, 1), ...Array.from({ length: 5 }, (_, i) => job(i + 1, 5 * 1024 * 1024)), job(6, 30 * 1024 * 1024)]).map((b) => b.map((j) => j.key))).toEqual([[0, 1, 2], [3, 4], [5], [6]]);
  });

  it('converts smallest first, the largest before the last quarter (its checks overlap their conversion)', () => {
    const sizes = [900, 50, 10, 400, 30, 20, 70, 60, 5000];
    expect(conversionOrder(sizes.map((s, i) => job(i, s))).map((j) => j.size)).toEqual([10, 20, 30, 50, 60, 70, 5000, 400, 900]);
    expect(conversionOrder([5, 4, 1, 3, 2].map((s, i) => job(i, s))).map((j) => j.size)).toEqual([1, 2, 3, 5, 4]);
    expect(conversionOrder([4, 1, 3, 2].map((s, i) => job(i, s))).map((j) => j.size)).toEqual([1, 2, 4, 3]);
    // Fewer than four files: smallest first, nothing after the largest to overlap.
    expect(conversionOrder([job(0, 3), job(1, 1), job(2, 2)]).map((j) => j.size)).toEqual([1, 2, 3]);
  });

  it('splits the files among lanes largest first, each onto the lane with the fewest bytes', () => {
    const shares = laneShares([700, 100, 300, 200, 600, 50].map((s, i) => job(i, s)), 2);
    expect(shares.map((s) => s.map((j) => j.size))).toEqual([[700, 200, 100], [600, 300, 50]]);
    // Never an empty lane: two files, three lanes.
    expect(laneShares([job(0, 1), job(1, 2)], 3).map((s) => s.length)).toEqual([1, 1]);
  });

  it('reads the number of lanes from MURAGAT_OFFICE_LANES (default 1) and refuses a bad one', () => {
    expect(parseConfig({ MURAGAT_OFFICE_LANES: '3' }).officeLanes).toBe(3);
    expect(parseConfig({}).officeLanes).toBe(1);
    expect(() => parseConfig({ MURAGAT_OFFICE_LANES: 'two' })).toThrow(/MURAGAT_OFFICE_LANES/);
  });
});
