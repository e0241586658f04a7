// Triple DES (EDE) in CBC mode, decryption only. WebCrypto has no DES, and PKCS#12 files from
// older tools (and `openssl pkcs12 -legacy`-style exports) protect the private key with
// pbeWithSHAAnd3-KeyTripleDES-CBC, so signing in the browser needs this. Bit-array
// implementation with the S-boxes and P merged into lookup tables; key bags are a few kilobytes.

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const FP: number[] = (() => {
  const inv = new Array<number>(64);
  IP.forEach((from, to) => (inv[from - 1] = to + 1));
  return inv;
})();
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31,
  23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51, 45,
  33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
   4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
   0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
   13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
   10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
   4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
   9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
   1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
   7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

type Bits = number[];

function toBits(bytes: Uint8Array): Bits {
  const bits: Bits = [];
  for (const byte of bytes) for (let i = 7; i >= 0; i--) bits.push((byte >> i) & 1);
  return bits;
}

const permute = (bits: Bits, table: number[]): Bits => table.map((p) => bits[p - 1]!);

/** Per round, the 48-bit subkey as eight 6-bit values (one per S-box). */
function subkeys(key: Uint8Array): number[][] {
  const cd = permute(toBits(key), PC1);
  let c = cd.slice(0, 28);
  let d = cd.slice(28);
  const keys: number[][] = [];
  for (const shift of SHIFTS) {
    c = c.slice(shift).concat(c.slice(0, shift));
    d = d.slice(shift).concat(d.slice(0, shift));
    const k = permute(c.concat(d), PC2);
    keys.push(Array.from({ length: 8 }, (_, s) => k.slice(s * 6, s * 6 + 6).reduce((v, b) => (v << 1) | b, 0)));
  }
  return keys;
}

/** S-box lookups with the P permutation folded in: SP[s][six bits] is a 32-bit word. */
const SP: Uint32Array[] = S.map((box, s) => {
  const table = new Uint32Array(64);
  for (let v = 0; v < 64; v++) {
    const row = ((v >> 4) & 2) | (v & 1);
    const col = (v >> 1) & 15;
    const out = box[row * 16 + col]!;
    const bits: Bits = new Array<number>(32).fill(0);
    for (let i = 0; i < 4; i++) bits[s * 4 + i] = (out >> (3 - i)) & 1;
    table[v] = permute(bits, P).reduce((w, b) => ((w << 1) | b) >>> 0, 0);
  }
  return table;
});

/** f(R, K): the expansion E is done arithmetically (box s reads bits 4s..4s+5 of R, wrapping). */
function feistel(r: number, k: number[]): number {
  // R with DES bit 32 prepended and bit 1 appended: 34 bits, box s takes 6 of them at offset 4s.
  const ext = (r & 1) * 2 ** 33 + r * 2 + (r >>> 31);
  let f = 0;
  for (let s = 0; s < 8; s++) f |= SP[s]![(Math.floor(ext / 2 ** (28 - 4 * s)) & 63) ^ k[s]!]!;
  return f >>> 0;
}

function permute64(block: Uint8Array, table: number[]): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 64; i++) {
    const p = table[i]! - 1;
    if (block[p >> 3]! & (0x80 >> (p & 7))) out[i >> 3]! |= 0x80 >> (i & 7);
  }
  return out;
}

const word = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

function desBlock(block: Uint8Array, keys: number[][], decrypt: boolean): Uint8Array {
  const x = permute64(block, IP);
  let l = word(x, 0);
  let r = word(x, 4);
  for (let i = 0; i < 16; i++) {
    const f = feistel(r, keys[decrypt ? 15 - i : i]!);
    [l, r] = [r, (l ^ f) >>> 0];
  }
  const pre = new Uint8Array([r >>> 24, r >>> 16, r >>> 8, r, l >>> 24, l >>> 16, l >>> 8, l]);
  return permute64(pre, FP);
}

/** des-ede3-cbc decryption with PKCS#7 padding removal. key: 24 bytes (or 16 for two-key). */
export function tripleDesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 24 && key.length !== 16) throw new Error('3DES key must be 16 or 24 bytes');
  if (iv.length !== 8 || data.length === 0 || data.length % 8 !== 0) throw new Error('3DES: bad IV or data length');
  const k1 = subkeys(key.subarray(0, 8));
  const k2 = subkeys(key.subarray(8, 16));
  const k3 = key.length === 24 ? subkeys(key.subarray(16, 24)) : k1;
  const out = new Uint8Array(data.length);
  let prev = iv;
  for (let off = 0; off < data.length; off += 8) {
    const block = data.subarray(off, off + 8);
    // EDE decryption: D_k1(E_k2(D_k3(c))).
    const plain = desBlock(desBlock(desBlock(block, k3, true), k2, false), k1, true);
    for (let i = 0; i < 8; i++) out[off + i] = plain[i]! ^ prev[i]!;
    prev = block;
  }
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > 8 || out.subarray(out.length - pad).some((b) => b !== pad)) throw new Error('3DES: bad padding');
  return out.subarray(0, out.length - pad);
}
