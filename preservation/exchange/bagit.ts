// BagIt (RFC 8493): the tag files of a bag whose payload was written by a sink, and the
// validation of a bag on import (every manifest entry present with its digest, every payload
// file in every manifest, the tag manifests, Payload-Oxum).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { WrittenFile } from './sink';

export const BAGIT_VERSION = '1.0';
const ALGORITHMS = ['sha256', 'sha512'] as const;
type Algorithm = (typeof ALGORITHMS)[number];

/** RFC 8493 §2.1.3: CR, LF and % in a manifest's file path are percent-encoded. */
export function encodeManifestPath(p: string): string {
  return p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function decodeManifestPath(p: string): string {
  return p.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function manifestText(files: { path: string; digest: string }[]): string {
  return files.map((f) => `${f.digest}  ${encodeManifestPath(f.path)}\n`).join('');
}

export interface BagInfo {
  sourceOrganization: string;
  externalIdentifier: string;
  externalDescription: string;
  software: string;
  baggingDate: Date;
}

/** The tag files of a bag whose payload files (paths under `data/`) are `payload`. */
export function bagTagFiles(payload: WrittenFile[], info: BagInfo): { name: string; bytes: Buffer }[] {
  const octets = payload.reduce((n, f) => n + f.size, 0);
  // Labels are single lines (RFC 8493 §2.2.2); values here never hold a line break.
  const one = (s: string) => s.replace(/[\r\n]+/g, ' ');
  const tags: { name: string; bytes: Buffer }[] = [
    { name: 'bagit.txt', bytes: Buffer.from(`BagIt-Version: ${BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n`) },
    {
      name: 'bag-info.txt',
      bytes: Buffer.from(
        [
          `Source-Organization: ${one(info.sourceOrganization)}`,
          `Bagging-Date: ${info.baggingDate.toISOString().slice(0, 10)}`,
          `Bag-Software-Agent: ${one(info.software)}`,
          `External-Identifier: ${one(info.externalIdentifier)}`,
          `External-Description: ${one(info.externalDescription)}`,
          `Payload-Oxum: ${octets}.${payload.length}`,
          '',
        ].join('\n'),
      ),
    },
    { name: 'manifest-sha256.txt', bytes: Buffer.from(manifestText(payload.map((f) => ({ path: f.path, digest: f.sha256 })))) },
    { name: 'manifest-sha512.txt', bytes: Buffer.from(manifestText(payload.map((f) => ({ path: f.path, digest: f.sha512 })))) },
  ];
  const digest = (alg: Algorithm, b: Buffer) => createHash(alg).update(b).digest('hex');
  for (const alg of ALGORITHMS) {
    tags.push({ name: `tagmanifest-${alg}.txt`, bytes: Buffer.from(manifestText(tags.filter((t) => !t.name.startsWith('tagmanifest-')).map((t) => ({ path: t.name, digest: digest(alg, t.bytes) })))) });
  }
  return tags;
}

// ---- validation -----------------------------------------------------------------------------

export interface BagProblem {
  /** The file the problem is in (a tag file or a payload file). */
  file: string;
  /** The field or line: `BagIt-Version`, `line 3`, a payload path. */
  field: string;
  code: 'bag_missing_tag' | 'bag_bad_declaration' | 'bag_no_manifest' | 'bag_bad_line' | 'bag_missing_file' | 'bag_bad_checksum' | 'bag_unlisted_file' | 'bag_bad_oxum' | 'bag_unsafe_path';
  params?: Record<string, string | number>;
}

async function hashFile(file: string, alg: Algorithm): Promise<string> {
  const h = createHash(alg);
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, p)));
    else out.push(p);
  }
  return out;
}

function parseManifest(text: string, file: string, problems: BagProblem[]): Map<string, string> {
  const entries = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^([0-9a-fA-F]+)[ \t]+(.+)$/.exec(line);
    if (!m) {
      problems.push({ file, field: `line ${i + 1}`, code: 'bag_bad_line' });
      return;
    }
    entries.set(decodeManifestPath(m[2]!.replace(/^\*/, '')), m[1]!.toLowerCase());
  });
  return entries;
}

/** Checks a bag folder; `onFile` is told of each file hashed (progress). */
export async function validateBag(root: string, onFile?: (file: string) => void): Promise<{ problems: BagProblem[]; payload: string[] }> {
  const problems: BagProblem[] = [];
  const read = (name: string) => readFile(path.join(root, name), 'utf8').catch(() => null);
  const declaration = await read('bagit.txt');
  if (declaration === null) return { problems: [{ file: 'bagit.txt', field: 'bagit.txt', code: 'bag_missing_tag' }], payload: [] };
  const version = /^BagIt-Version:\s*(\S+)\s*$/m.exec(declaration)?.[1];
  const encoding = /^Tag-File-Character-Encoding:\s*(\S+)\s*$/m.exec(declaration)?.[1];
  if (!version || !/^[01]\.\d+$/.test(version)) problems.push({ file: 'bagit.txt', field: 'BagIt-Version', code: 'bag_bad_declaration', params: { value: version ?? '' } });
  if (!encoding || encoding.toUpperCase() !== 'UTF-8') problems.push({ file: 'bagit.txt', field: 'Tag-File-Character-Encoding', code: 'bag_bad_declaration', params: { value: encoding ?? '' } });

  const top = await readdir(root);
  const manifests = top.filter((n) => /^manifest-(sha256|sha512)\.txt$/.test(n));
  if (!manifests.length) problems.push({ file: 'manifest-sha256.txt', field: 'manifest-<algorithm>.txt', code: 'bag_no_manifest' });
  const payload = (await stat(path.join(root, 'data')).catch(() => null))?.isDirectory() ? (await listFiles(path.join(root, 'data'))).map((p) => `data/${p}`) : [];
  const payloadSet = new Set(payload);

  const check = async (name: string, entries: Map<string, string>, alg: Algorithm, payloadManifest: boolean) => {
    for (const [rel, digest] of entries) {
      const target = path.resolve(root, rel);
      if (!target.startsWith(path.resolve(root) + path.sep) || (payloadManifest && !rel.startsWith('data/'))) {
        problems.push({ file: name, field: rel, code: 'bag_unsafe_path' });
        continue;
      }
      // lstat: a link in a bag folder could otherwise read a file outside it.
      const st = await lstat(target).catch(() => null);
      if (st?.isSymbolicLink()) {
        problems.push({ file: name, field: rel, code: 'bag_unsafe_path' });
        continue;
      }
      if (!st?.isFile()) {
        problems.push({ file: name, field: rel, code: 'bag_missing_file' });
        continue;
      }
      const actual = await hashFile(target, alg);
      onFile?.(rel);
      if (actual !== digest) problems.push({ file: name, field: rel, code: 'bag_bad_checksum', params: { algorithm: alg, expected: digest, actual } });
    }
  };
  for (const name of manifests) {
    const alg = /^manifest-(sha256|sha512)\.txt$/.exec(name)![1] as Algorithm;
    const entries = parseManifest((await read(name)) ?? '', name, problems);
    await check(name, entries, alg, true);
    for (const p of payloadSet) if (!entries.has(p)) problems.push({ file: name, field: p, code: 'bag_unlisted_file' });
  }
  for (const name of top.filter((n) => /^tagmanifest-(sha256|sha512)\.txt$/.test(n))) {
    const alg = /^tagmanifest-(sha256|sha512)\.txt$/.exec(name)![1] as Algorithm;
    await check(name, parseManifest((await read(name)) ?? '', name, problems), alg, false);
  }
  const info = await read('bag-info.txt');
  const oxum = info ? /^Payload-Oxum:\s*(\d+)\.(\d+)\s*$/m.exec(info) : null;
  if (oxum) {
    let octets = 0;
    for (const p of payload) octets += (await stat(path.join(root, p))).size;
    if (Number(oxum[1]) !== octets || Number(oxum[2]) !== payload.length) {
      problems.push({ file: 'bag-info.txt', field: 'Payload-Oxum', code: 'bag_bad_oxum', params: { expected: `${oxum[1]}.${oxum[2]}`, actual: `${octets}.${payload.length}` } });
    }
  }
  return { problems, payload };
}
