// Set-up shared by the fault tests (issue 15) on the PostgreSQL server: transfers with office
// documents, a fake LibreOffice whose behaviour a file switches at run time (ok, slow, hang,
// crash), and the checks every fault must pass afterwards: nothing half-stored (every object
// file hashes to its name, no temp file left behind), each transfer completed once, and
// `verify --all` clean.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { LANGUAGES, hasMessage, t } from '../../common/i18n';
import { loadTools, verifyStoredDossiers } from '../../ingest';
import { makeDocx } from '../../ingest/transfer/testing/fixtures';
import { textToPdfA } from '../../ingest/convert';
import { writeFakeSoffice } from '../helpers/fake-soffice';
import { writeTransferTar, type JobsEnv, type TransferFile } from '../jobs/helpers';

/** The text of every office document of these tests; the fake LibreOffice's PDF says the same. */
export const OFFICE_TEXT = 'Muragat fault test order number twelve about the archive transfer';

export type OfficeMode = 'ok' | 'slow' | 'hang' | 'crash';

export interface FakeOffice {
  bin: string;
  dir: string;
  /** Changes what the next calls do. */
  mode(m: OfficeMode): Promise<void>;
  /** Calls so far (each writes one line). */
  calls(): Promise<number>;
  /** Calls whose process is still running. */
  alive(): Promise<number[]>;
  /** Kills what a hanging call left behind (the test's own processes only, by pid). */
  cleanup(): Promise<void>;
}

/**
 * A stand-in for soffice (SOFFICE_BIN): `ok` converts by copying a PDF/A that holds
 * OFFICE_TEXT, `slow` does so after 4 s, `hang` sleeps for ten minutes, `crash` dies of SIGSEGV.
 */
export async function fakeOffice(dir: string): Promise<FakeOffice> {
  const bin = path.join(dir, 'soffice');
  await writeFile(path.join(dir, 'template.pdf'), await textToPdfA(OFFICE_TEXT, { title: 'template' }));
  await writeFile(path.join(dir, 'mode'), 'ok');
  await writeFakeSoffice(bin, {
    version: 'LibreOffice 7.0.0.0 fake',
    // Behaviour from $DIR/mode; each call is logged with its pid.
    onCall: `DIR='${dir}'
echo "$$" >> "$DIR/calls"
case "$(cat "$DIR/mode")" in
  hang) exec sleep 600;;
  crash) kill -SEGV $$;;
  slow) sleep 4;;
esac`,
    template: '"$DIR/template.pdf"',
  });
  const pids = async () => (await readFile(path.join(dir, 'calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
  return {
    bin,
    dir,
    mode: (m) => writeFile(path.join(dir, 'mode'), m),
    calls: async () => (await pids()).length,
    async alive() {
      return (await pids()).filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
    },
    async cleanup() {
      for (const pid of await pids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

let dossierNumber = 500;

/** A transfer of one dossier: `office` .docx documents (OFFICE_TEXT) and `texts` plain-text ones. */
export async function officeTransfer(dir: string, seed: string, counts: { office?: number; texts?: number; textBytes?: number } = {}): Promise<string> {
  const index = `03-${++dossierNumber}`;
  const files: Omit<TransferFile, 'title'>[] = [];
  for (let i = 0; i < (counts.office ?? 1); i++) files.push({ name: `бұйрық-${i + 1}.docx`, content: Buffer.from(makeDocx({ title: `Бұйрық ${seed} ${i + 1}`, paragraphs: [OFFICE_TEXT] })), language: 'kk' });
  for (let i = 0; i < (counts.texts ?? 1); i++) {
    const line = `Хат ${seed}/${i + 1}. Қазақстан Республикасы, мұрағат тапсыруы.\n`;
    const body = counts.textBytes ? line.repeat(Math.ceil(counts.textBytes / Buffer.byteLength(line))) : line;
    files.push({ name: `хат-${i + 1}.txt`, content: Buffer.from(body), language: 'kk' });
  }
  return writeTransferTar(dir, seed, { index, title: `Бұйрықтар ${seed}` }, files.map((f, i) => ({ ...f, title: `Құжат ${i + 1}` })));
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/**
 * Nothing half-stored in a file location: every object under objects/ hashes to its name (a
 * write cut short never became visible) and no temp file is left in tmp/ (a failed write
 * cleaned up after itself; a killed process's leftovers are named by the caller's `allowTmp`).
 */
export async function expectStoreSound(root: string, options: { allowTmp?: boolean } = {}): Promise<{ objects: number; tmp: number }> {
  let objects = 0;
  for await (const file of walk(path.join(root, 'objects'))) {
    const name = path.basename(file);
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    expect(await sha256Of(file), `object ${name} in ${root}`).toBe(name);
    objects += 1;
  }
  let tmp = 0;
  for await (const file of walk(path.join(root, 'tmp'))) {
    if ((await stat(file)).isFile()) tmp += 1;
  }
  if (!options.allowTmp) expect(tmp, `temp files left in ${root}/tmp`).toBe(0);
  return { objects, tmp };
}

/** `verify --all` on the catalog and every location: every stored dossier sound. */
export async function expectVerifyAll(env: JobsEnv): Promise<void> {
  const verify = await verifyStoredDossiers({ db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() });
  expect(verify.ok, JSON.stringify(verify.dossiers.filter((d) => !(d as { ok?: boolean }).ok).slice(0, 2))).toBe(true);
}

/** Documents of a transfer with their status and recorded problems. */
export async function documentsOf(env: JobsEnv, transferId: string): Promise<{ source: string; status: string; problems: { code: string; message?: string; details?: unknown }[] }[]> {
  const rows = await env.db.selectFrom('documents').selectAll().where('transfer_id', '=', transferId).execute();
  return rows.map((r) => ({ source: r.source_path, status: r.status, problems: (Array.isArray(r.problems) ? r.problems : []) as { code: string; message?: string; details?: unknown }[] }));
}

/** A recorded problem reads as a sentence in every language (its code is a catalog key; details are its parameters). */
export function expectTranslatedProblem(p: { code: string; message?: string; details?: unknown }): void {
  expect(hasMessage(p.code), `message for ${p.code}`).toBe(true);
  for (const lang of LANGUAGES) {
    const said = t(lang, p.code, (p.details ?? {}) as Record<string, unknown>);
    expect(said, `${p.code} in ${lang}`).not.toBe(p.code);
    expect(said.trim().length).toBeGreaterThan(10);
  }
}

export async function removeQuietly(p: string): Promise<void> {
  await rm(p, { recursive: true, force: true }).catch(() => undefined);
}
