// Does a rendition's text still carry the source's text? Conversion legitimately moves text
// (footnotes and endnotes to the page foot or the end, annotation and form text into the page,
// right-to-left runs reversed by the text extractor, ligatures, hyphenation at line ends, text
// split into other runs or lines), so the comparison is of multisets of normalised words, never of
// sequences. What it must still catch is lost or changed content: a dropped paragraph, a changed
// number, a substituted word. The criterion (docs/ingest.md, "Reproducibility check"):
//   - every number of the source is in the rendition as often as in the source;
//   - no run of RUN_LIMIT or more consecutive source words is missing (a lost passage);
//   - in strict mode (text documents, PDFs) at most one missing word per NOISE_WORDS source words;
//     in layout mode (spreadsheets, slides: hidden sheets, clipped cells and off-slide text are
//     legitimately not printed) at least LAYOUT_COVERAGE of the source words are found.
// A source word split or joined differently (hyphenation, run or line breaks) counts as found when
// it equals two or three consecutive rendition words joined, or the rendition word that two or
// three consecutive source words make together, or (three letters or more, not a number) when it
// is inside a rendition word whose white space was lost. Scripts without spaces (Chinese,
// Japanese, Korean, Thai…) are compared character by character. A word a narrow table cell
// broke at its right edge without a hyphen ("окрашивае" / "мой", "24" / "0") counts as found when
// the extractor saw its two pieces stacked: the head ending its line in the cell, the tail starting
// the next line below it in the same column (`RenditionText.breaks`, from the words' positions).

export type CompareMode = 'strict' | 'layout';

export interface TextComparison {
  ok: boolean;
  sourceWords: number;
  missingWords: number;
  /** Longest run of consecutive source words not found. */
  longestMissingRun: number;
  /** Numbers of the source missing from the rendition (at most 10). */
  missingNumbers: string[];
  /** A few missing words, for the report (at most 10). */
  examples: string[];
  reason?: 'numbers' | 'passage' | 'words';
}

/**
 * Two words of the rendition that may be one word broken at a line end without a hyphen: `head`
 * ends its line (no word follows it on that line within a space's width) and `tail` starts the
 * next line below it in the same column. Found by position (reproducibility.ts), never guessed
 * from the words alone: the pieces of a lost word lying anywhere else do not count.
 */
export interface BrokenWord { head: string; tail: string }
/** A rendition's text with the positions-derived line breaks its words may have been broken at. */
export interface RenditionText { text: string; breaks?: BrokenWord[] }

export const RUN_LIMIT = 4;
export const NOISE_WORDS = 1000;
export const LAYOUT_COVERAGE = 0.9;
/** Above this many missing words the rendition is clearly not the source: no search inside words. */
const GLUED_SEARCH_LIMIT = 2000;

// Bidi controls, zero-width joiners and marks, soft hyphen, Arabic tatweel, BOM: none of these is
// content, and extractors keep or drop them at will.
const INVISIBLE = /[\u00AD\u0640\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/gu;
const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;
// Combining marks (Arabic harakat, Hebrew points) are dropped: extractors disagree on them.
const MARKS = /\p{M}+/gu;

/** NFKC (ligatures ﬁ → fi, Arabic presentation forms → letters, full-width digits), lower case, invisible characters removed. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .normalize('NFD')
    .replace(MARKS, '')
    .normalize('NFC')
    .toLowerCase()
    // A word hyphenated at a line end is one word: "infor-\nmation".
    .replace(/(\p{L})[-\u2010\u2011]\s*\n\s*(\p{Ll})/gu, '$1$2');
}

// Scripts written without spaces between words: each character is a word of its own, so line
// breaks placed anywhere by the layout do not change the words.
const UNSPACED = /([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}])/u;
const UNSPACED_ALL = new RegExp(UNSPACED.source, 'gu');

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Words of normalised text: runs of letters and digits; single letters are noise (bullets, list
 * marks). Each distinct word is one string shared by all its occurrences: a long document's
 * word list is then an array of references to its vocabulary (a 4 MB text: 336,000 words, 37 MB
 * as separate strings, ≈ 3 MB shared).
 */
export function tokenise(text: string): string[] {
  const out: string[] = [];
  const seen = new Map<string, string>();
  for (const [w] of normaliseText(text).replace(UNSPACED_ALL, ' $1 ').matchAll(WORD)) {
    if (w.length >= 2 || /\p{N}/u.test(w) || UNSPACED.test(w)) {
      let shared = seen.get(w);
      if (shared === undefined) {
        // Its own copy: a match is a slice that would keep the whole normalised text alive.
        shared = flat(w);
        seen.set(shared, shared);
      }
      out.push(shared);
    }
  }
  return out;
}

/** Whether `tokenise` would find at least one word (without building the list). */
export function hasWords(text: string): boolean {
  for (const [w] of normaliseText(text).replace(UNSPACED_ALL, ' $1 ').matchAll(WORD)) {
    if (w.length >= 2 || /\p{N}/u.test(w) || UNSPACED.test(w)) return true;
  }
  return false;
}

/** A string that owns its characters: V8 makes a match of 13 characters or more a slice of the text it came from. */
function flat(w: string): string {
  return w.length >= 13 ? Buffer.from(w, 'utf8').toString('utf8') : w;
}

const isNumber = (w: string) => /^\p{N}+$/u.test(w);

/** Letters-and-digits pieces of a normalised word, single letters included ("основно", "й"). */
function pieces(word: string): string[] {
  return normaliseText(word).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * Which of `wanted` (keys of source words not found on their own) the rendition wrote split in
 * two or three consecutive words. Only joins as long as a wanted word are made: joining every
 * pair and triple of a long text held two strings per rendition word (a 4 MB text: about 1.2
 * million strings and most of the check's memory) for the few words, usually none, that ask.
 * The last rendition word stands alone as a "join" of itself, as it always has.
 */
function splitWords(ren: string[], wanted: string[], key: (w: string) => string): Set<string> {
  const found = new Set<string>();
  if (!wanted.length) return found;
  const keys = new Set(wanted);
  const lengths = new Set(wanted.map((w) => w.length));
  const longest = Math.max(...lengths);
  const check = (joined: string) => {
    const k = key(joined);
    if (keys.has(k)) found.add(k);
  };
  for (let i = 0; i < ren.length; i++) {
    const a = ren[i]!.length;
    if (a >= longest) {
      if (i === ren.length - 1 && lengths.has(a)) check(ren[i]!);
      continue;
    }
    const b = ren[i + 1]?.length ?? 0;
    if (lengths.has(a + b)) check(ren[i]! + (ren[i + 1] ?? ''));
    if (i + 2 < ren.length && lengths.has(a + b + ren[i + 2]!.length)) check(ren[i]! + ren[i + 1]! + ren[i + 2]!);
  }
  return found;
}

export function compareTexts(source: string, renditionInput: string | RenditionText, mode: CompareMode = 'strict'): TextComparison {
  const rendition = typeof renditionInput === 'string' ? renditionInput : renditionInput.text;
  const breaks = typeof renditionInput === 'string' ? [] : renditionInput.breaks ?? [];
  const src = tokenise(source);
  const ren = tokenise(rendition);
  const rtl = RTL.test(source) || RTL.test(rendition);
  // Right-to-left words come out of extractors in logical or in visual order (letters reversed),
  // numbers inside them too: the key of a word is then the smaller of it and its reverse.
  const key = rtl ? (w: string) => {
    const r = [...w].reverse().join('');
    return r < w ? r : w;
  } : (w: string) => w;
  const available = new Map<string, number>();
  const take = (k: string): boolean => {
    const n = available.get(k) ?? 0;
    if (n <= 0) return false;
    available.set(k, n - 1);
    return true;
  };
  for (const w of ren) available.set(key(w), (available.get(key(w)) ?? 0) + 1);
  const found = src.map((w) => take(key(w)));
  const joins = splitWords(ren, src.filter((w, i) => !found[i] && !isNumber(w)).map(key), key);
  // Second pass: what is still missing may be split or joined differently.
  for (let i = 0; i < src.length; i++) {
    if (found[i]) continue;
    const w = src[i]!;
    // A word given back by a span below.
    if (take(key(w))) {
      found[i] = true;
      continue;
    }
    if (!isNumber(w) && joins.has(key(w))) {
      found[i] = true;
      continue;
    }
    // Spans of two or three source words around this one that the rendition wrote as one word
    // ("01-081" printed "01081"). A neighbour already matched on its own gives its word back.
    for (const [from, to] of [[i, i + 1], [i - 1, i], [i, i + 2], [i - 1, i + 1], [i - 2, i]] as const) {
      if (from < 0 || to >= src.length) continue;
      if (take(key(src.slice(from, to + 1).join('')))) {
        for (let j = from; j <= to; j++) {
          if (found[j] && j !== i) available.set(key(src[j]!), (available.get(key(src[j]!)) ?? 0) + 1);
          found[j] = true;
        }
        break;
      }
    }
  }
  // Words broken at a cell's line end without a hyphen: the head's last piece and the tail's first
  // piece, stacked in the rendition, make the source word. A piece that is a word of its own
  // (not a single letter) is used up, so it cannot also stand for another source word.
  if (breaks.length && found.some((ok) => !ok)) {
    const joined = new Map<string, { head: string; tail: string }[]>();
    for (const b of breaks) {
      const head = pieces(b.head).at(-1);
      const tail = pieces(b.tail)[0];
      if (!head || !tail) continue;
      const k = key(head + tail);
      joined.set(k, [...(joined.get(k) ?? []), { head, tail }]);
    }
    const isToken = (p: string) => p.length >= 2 || /\p{N}/u.test(p) || UNSPACED.test(p);
    for (let i = 0; i < src.length; i++) {
      if (found[i]) continue;
      for (const pair of joined.get(key(src[i]!)) ?? []) {
        const headOk = !isToken(pair.head) || (available.get(key(pair.head)) ?? 0) > 0;
        const tailOk = !isToken(pair.tail) || (available.get(key(pair.tail)) ?? 0) > (key(pair.tail) === key(pair.head) && isToken(pair.head) ? 1 : 0);
        if (!headOk || !tailOk) continue;
        if (isToken(pair.head)) take(key(pair.head));
        if (isToken(pair.tail)) take(key(pair.tail));
        found[i] = true;
        break;
      }
    }
  }
  // Third pass: words glued to their neighbours by lost white space ("PagePAGE", tight kerning)
  // are found inside a longer rendition word. Not numbers: "2025" inside "12025" is another number.
  const stillMissing = found.reduce((n, ok) => n + (ok ? 0 : 1), 0);
  if (stillMissing && stillMissing <= GLUED_SEARCH_LIMIT) {
    const longer = [...available.entries()].filter(([, n]) => n > 0).map(([w]) => w).join('\u0001');
    for (let i = 0; i < src.length; i++) {
      const w = src[i]!;
      if (found[i] || isNumber(w) || w.length < 3) continue;
      if (longer.includes(key(w))) found[i] = true;
    }
  }
  let missing = 0;
  let run = 0;
  let longest = 0;
  const missingNumbers: string[] = [];
  const examples: string[] = [];
  found.forEach((ok, i) => {
    if (ok) {
      run = 0;
      return;
    }
    missing += 1;
    run += 1;
    longest = Math.max(longest, run);
    const w = src[i]!;
    if (isNumber(w) && missingNumbers.length < 10) missingNumbers.push(w);
    if (examples.length < 10 && !examples.includes(w)) examples.push(w);
  });
  let reason: TextComparison['reason'];
  if (mode === 'strict') {
    if (src.some(isNumber) && missingNumbers.length) reason = 'numbers';
    else if (longest >= RUN_LIMIT) reason = 'passage';
    else if (missing > Math.floor(src.length / NOISE_WORDS)) reason = 'words';
  } else if (src.length && (src.length - missing) / src.length < LAYOUT_COVERAGE) {
    reason = 'words';
  }
  return { ok: !reason, sourceWords: src.length, missingWords: missing, longestMissingRun: longest, missingNumbers, examples, reason };
}
