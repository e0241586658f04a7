// A pristine embedded catalog — what PGlite's initdb writes, before any migration — kept once
// per machine and PGlite version, so that a new data folder is a copy of it rather than a new
// initdb. initdb grows its WebAssembly heap to ≈ 830 MB (measured: a bare process creating a
// PGlite folder peaks at 829 MB), and even in a short-lived child process (db.ts
// createEmbeddedCatalog) that is what a first `muragat ingest` on a fresh data folder cost the
// machine. Copying the template and migrating it in that child peaks at ≈ 330 MB.
// A second template is the same catalog migrated, keyed by the migration set (names and
// contents): a new data folder is then a plain copy of files made in the opening process — no
// child, no PGlite, a few MB — and the opener finds it current. It is kept by the creation child
// after it migrated (the first fresh folder after a change of migrations pays the child), or made
// ahead of time with the pristine one: `npm run catalog:template` (the Docker image does it).
// Run: node bin/run-ts.js database/pglite-template.ts   (builds it if missing; prints its folder)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MIGRATION_FOLDERS } from './migrator';

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
  return path.join(CACHE(), `pglite-initdb-${pgliteVersion()}`);
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

const CACHE = () => path.join(ROOT, 'node_modules', '.cache', 'muragat');
const MIGRATED_PREFIX = () => `pglite-migrated-${pgliteVersion()}-`;

/** The migration set's key: every migration file's name and contents. */
export async function migrationSetKey(): Promise<string> {
  const hash = createHash('sha256');
  for (const folder of MIGRATION_FOLDERS) {
    for (const file of (await readdir(folder).catch(() => [] as string[])).sort()) {
      hash.update(`${path.basename(path.dirname(folder))}/${file}\0`);
      hash.update(await readFile(path.join(folder, file)));
    }
  }
  return hash.digest('hex').slice(0, 24);
}

async function migratedDir(): Promise<string> {
  return path.join(CACHE(), `${MIGRATED_PREFIX()}${await migrationSetKey()}`);
}

export async function hasMigratedTemplate(): Promise<boolean> {
  const dir = await migratedDir();
  return existsSync(path.join(dir, 'PG_VERSION')) && existsSync(`${dir}.applied.json`);
}

/**
 * Copies the migrated template of the current migration set into `target`; returns the
 * migrations it holds, or null when there is none (then the creation child is needed).
 */
export async function copyMigratedTemplate(target: string): Promise<string[] | null> {
  const dir = await migratedDir();
  if (!existsSync(path.join(dir, 'PG_VERSION')) || !existsSync(`${dir}.applied.json`)) return null;
  const applied = JSON.parse(await readFile(`${dir}.applied.json`, 'utf8')) as string[];
  await cp(dir, target, { recursive: true, errorOnExist: true, force: false });
  return applied;
}

/**
 * Keeps `source` — a closed catalog just migrated to the current set — as the migrated template
 * (with the list of migrations it holds), and drops the templates of earlier migration sets.
 */
export async function keepAsMigratedTemplate(source: string, applied: string[]): Promise<void> {
  const target = await migratedDir();
  if (existsSync(path.join(target, 'PG_VERSION'))) return;
  const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(CACHE(), { recursive: true });
  try {
    await cp(source, staging, { recursive: true });
    await writeFile(`${target}.applied.json`, JSON.stringify(applied));
    await rename(staging, target).catch(() => undefined);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const mine = path.basename(target);
  for (const name of await readdir(CACHE()).catch(() => [] as string[])) {
    if (name.startsWith(MIGRATED_PREFIX()) && !name.startsWith(mine)) await rm(path.join(CACHE(), name), { recursive: true, force: true });
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
  // The migrated one: a catalog created (from the pristine template) and migrated by the
  // creation child, which keeps it; the folder made here is then removed.
  const { createEmbeddedCatalog } = await import('./db');
  const scratch = path.join(CACHE(), `scratch-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    if (!(await hasMigratedTemplate())) await createEmbeddedCatalog(path.join(scratch, 'db'));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  process.stdout.write(`${await migratedDir()}\n`);
}
