// A pristine embedded catalog — what PGlite's initdb writes, before any migration — kept once
// per machine and PGlite version, so that a new data folder is a copy of it rather than a new
// initdb. initdb grows its WebAssembly heap to ≈ 830 MB (measured: a bare process creating a
// PGlite folder peaks at 829 MB), and even in a short-lived child process (db.ts
// createEmbeddedCatalog) that is what a first `muragat ingest` on a fresh data folder cost the
// machine. Copying the template and migrating it in that child peaks at ≈ 330 MB.
// The template is made by the first creation that finds none (that one creation still pays
// initdb), or ahead of time: `npm run catalog:template` (the Docker image does it at build).
// Run: node bin/run-ts.js database/pglite-template.ts   (builds it if missing; prints its folder)
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The installed PGlite's version (its package.json is not among its exports: found beside its entry). */
function pgliteVersion(): string {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Where this machine keeps the pristine catalog of the installed PGlite version. */
export function templateDir(): string {
  return path.join(ROOT, 'node_modules', '.cache', 'muragat', `pglite-initdb-${pgliteVersion()}`);
}

export function hasTemplate(): boolean {
  return existsSync(path.join(templateDir(), 'PG_VERSION'));
}

/** Copies the template into `target` (which must not exist yet). */
export async function copyTemplate(target: string): Promise<void> {
  await cp(templateDir(), target, { recursive: true, errorOnExist: true, force: false });
}

/**
 * Keeps `source` — a closed, never-migrated catalog fresh from initdb — as the template, unless
 * one exists already. Written beside and renamed into place, so a reader never sees half of it;
 * of two processes keeping one at once, one wins and the other's copy is dropped.
 */
export async function keepAsTemplate(source: string): Promise<void> {
  if (hasTemplate()) return;
  const target = templateDir();
  const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await cp(source, staging, { recursive: true });
    await rename(staging, target).catch(() => undefined);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Makes the template if there is none (initdb in this process: run it ahead of time, not in an ingest). */
export async function buildTemplate(): Promise<string> {
  if (hasTemplate()) return templateDir();
  const { PGlite } = await import('@electric-sql/pglite');
  const staging = `${templateDir()}.build-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(path.dirname(staging), { recursive: true });
  try {
    const pglite = await PGlite.create(staging);
    await pglite.close();
    await keepAsTemplate(staging);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return templateDir();
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, 'pglite-template.ts')) {
  process.stdout.write(`${await buildTemplate()}\n`);
}
