// Minimal Type 1 font program reader (eexec decryption, CharStrings): glyph names, advance
// widths from hsbw/sbw and the built-in encoding — for CharSet (6.3.5) and width (6.3.6) checks.
import { Encodings } from '@pdf-lib/standard-fonts';

export interface Type1Info {
  /** Glyph name → advance width in text space units (×1000 / em). */
  widths: Map<string, number>;
  builtinEncoding: Map<number, string>;
}

export function readType1(data: Uint8Array, length1: number | undefined): Type1Info | null {
  try {
    return parse(data, length1);
  } catch {
    return null;
  }
}

function decrypt(bytes: Uint8Array, key: number): Uint8Array {
  let r = key;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    out[i] = c ^ (r >> 8);
    r = ((c + r) * 52845 + 22719) & 0xffff;
  }
  return out;
}

function parse(data: Uint8Array, length1: number | undefined): Type1Info | null {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let start = buf.indexOf('eexec');
  if (start < 0) return null;
  start += 5;
  while (start < buf.length && (buf[start] === 13 || buf[start] === 10 || buf[start] === 32 || buf[start] === 9)) start++;
  if (length1 !== undefined && length1 > 0 && length1 < buf.length && Math.abs(length1 - start) < 8) start = length1;
  const clear = buf.subarray(0, start).toString('latin1');
  const builtinEncoding = new Map<number, string>();
  if (/\/Encoding\s+StandardEncoding\s+def/.test(clear)) {
    for (const [code, name] of winAnsiNames()) builtinEncoding.set(code, name);
  } else {
    for (const m of clear.matchAll(/dup\s+(\d+)\s*\/([^\s/]+)\s+put/g)) builtinEncoding.set(Number(m[1]), m[2]!);
  }
  const matrix = /\/FontMatrix\s*\[\s*([-\d.eE]+)/.exec(clear);
  const scale = matrix ? Number(matrix[1]) * 1000 : 1;
  let enc: Uint8Array = buf.subarray(start);
  const isHex = [0, 1, 2, 3].every((i) => /[0-9A-Fa-f]/.test(String.fromCharCode(enc[i] ?? 0)));
  if (isHex) enc = Buffer.from(Buffer.from(enc).toString('latin1').replace(/[^0-9A-Fa-f]/g, ''), 'hex');
  const plain = Buffer.from(decrypt(enc, 55665));
  const text = plain.toString('latin1');
  const lenIVm = /\/lenIV\s+(\d+)/.exec(text);
  const lenIV = lenIVm ? Number(lenIVm[1]) : 4;
  const cs = text.indexOf('/CharStrings');
  if (cs < 0) return null;
  const widths = new Map<string, number>();
  const re = /\/([^\s/<>[\]{}()%]+)\s+(\d+)\s+(\S+)\s/g;
  re.lastIndex = cs + 12;
  for (let guard = 0, m = re.exec(text); m && guard < 70000; guard++, m = re.exec(text)) {
    const len = Number(m[2]);
    const at = m.index + m[0].length;
    if (at + len > plain.length) break;
    const w = charStringWidth(decrypt(plain.subarray(at, at + len), 4330).subarray(lenIV));
    widths.set(m[1]!, w === null ? NaN : w * scale);
    re.lastIndex = at + len;
  }
  return { widths, builtinEncoding };
}

/** Advance width from the first hsbw or sbw command of a Type 1 charstring. */
function charStringWidth(cs: Uint8Array): number | null {
  const stack: number[] = [];
  for (let i = 0; i < cs.length && i < 4096; ) {
    const v = cs[i]!;
    if (v >= 32) {
      if (v <= 246) {
        stack.push(v - 139);
        i++;
      } else if (v <= 250) {
        stack.push((v - 247) * 256 + cs[i + 1]! + 108);
        i += 2;
      } else if (v <= 254) {
        stack.push(-(v - 251) * 256 - cs[i + 1]! - 108);
        i += 2;
      } else {
        stack.push((cs[i + 1]! << 24) | (cs[i + 2]! << 16) | (cs[i + 3]! << 8) | cs[i + 4]!);
        i += 5;
      }
      continue;
    }
    if (v === 13) return stack.length >= 2 ? stack[stack.length - 1]! : null; // hsbw: sbx wx
    if (v === 12) {
      const sub = cs[i + 1];
      if (sub === 7) return stack.length >= 4 ? stack[stack.length - 2]! : null; // sbw: sbx sby wx wy
      if (sub === 12 && stack.length >= 2) {
        const b = stack.pop()!;
        const a = stack.pop()!;
        stack.push(b === 0 ? 0 : a / b); // div
      }
      i += 2;
      continue;
    }
    return null; // any other command before the width: not a well-formed charstring
  }
  return null;
}

let winAnsi: Map<number, string> | undefined;
/** WinAnsiEncoding code → glyph name. */
export function winAnsiNames(): Map<number, string> {
  if (!winAnsi) {
    winAnsi = new Map();
    const e = Encodings.WinAnsi;
    for (const cp of e.supportedCodePoints) {
      const { code, name } = e.encodeUnicodeCodePoint(cp);
      if (!winAnsi.has(code)) winAnsi.set(code, name);
    }
  }
  return winAnsi;
}
