// A LibreOffice that hangs or crashes (issue 15), end to end on the PostgreSQL server: a fake
// soffice through SOFFICE_BIN (tests/faults/helpers.ts) and the real job queue (graphile-worker)
// worked in this process, so the converter's time limit can be shortened to seconds through
// the ingest's own tools seam instead of the production 180 s. The transfer must finish: its
// office document refused with the reason named (the time limit, the crash) in every language,
// the other documents accepted, nothing half-stored, `verify --all` clean, and no fake soffice
// left running.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, setConfig, type Config } from '../../common/config';
import { LANGUAGES, hasMessage, t } from '../../common/i18n';
import { enqueueTransfer, loadTools, receiveTransfer, startWorker, type IngestDeps } from '../../ingest';
import { closeJobQueue } from '../../jobs';
import { auditCount, createJobsEnv, statuses, waitFor, type JobsEnv } from '../jobs/helpers';
import { documentsOf, expectStoreSound, expectTranslatedProblem, expectVerifyAll, fakeOffice, officeTransfer, removeQuietly, type FakeOffice } from './helpers';

const onServer = !!process.env.TEST_DATABASE_URL;
/** The converter's time limit for one office batch in these tests (production: 180 s). */
const OFFICE_TIMEOUT_MS = 4000;

describe.skipIf(!onServer)('a LibreOffice that hangs or crashes, on the PostgreSQL server', () => {
  let env: JobsEnv;
  let office: FakeOffice;
  let deps: IngestDeps;
  let saved: Config;
  let officeDir: string;

  beforeAll(async () => {
    officeDir = await mkdtemp(path.join(tmpdir(), 'muragat-fault-office-'));
    office = await fakeOffice(officeDir);
    env = await createJobsEnv({ SOFFICE_BIN: office.bin });
    saved = loadConfig();
    // The converter finds soffice through the process's configuration.
    setConfig(parseConfig({ ...process.env, ...env.env, SOFFICE_BIN: office.bin } as Record<string, string>));
    const tools = await loadTools();
    deps = { ...env.deps, tools: { ...tools, createConverter: (o) => tools.createConverter({ ...o, timeoutMs: OFFICE_TIMEOUT_MS }) } };
  }, 60_000);
  afterAll(async () => {
    await office?.cleanup();
    if (saved) setConfig(saved);
    if (env) await closeJobQueue(env.db);
    await env?.close();
    await removeQuietly(officeDir);
  });

  async function ingestWith(mode: 'ok' | 'hang' | 'crash', seed: string): Promise<string> {
    await office.mode(mode);
    const tar = await officeTransfer(env.root, seed, { office: 1, texts: 1 });
    const id = await receiveTransfer(deps, { tarPath: tar });
    await enqueueTransfer(deps, id);
    const worker = startWorker(deps);
    try {
      await waitFor(`transfer ${seed} finished`, async () => ['completed', 'failed'].includes((await statuses(env.db)).get(id) ?? ''), 150_000, 250);
    } finally {
      await worker.stop();
    }
    return id;
  }

  async function expectOfficeRefusedRestAccepted(id: string, reason: RegExp): Promise<void> {
    expect((await statuses(env.db)).get(id)).toBe('completed');
    expect((await auditCount(env.db, 'transfer.complete')).get(id)).toBe(1);
    const docs = await documentsOf(env, id);
    const docx = docs.find((d) => d.source.endsWith('.docx'))!;
    const text = docs.find((d) => d.source.endsWith('.txt'))!;
    expect(text.status).toBe('accepted');
    expect(docx.status, JSON.stringify(docx.problems)).not.toBe('accepted');
    expect(docx.problems.length).toBeGreaterThan(0);
    // The reason names what happened to LibreOffice, in words, in every language.
    expect(docx.problems.map((p) => p.message ?? '').join(' | ')).toMatch(reason);
    // Converter problems keep the tool's reason in English (ingest/convert problem()); their code
    // has a catalog entry in every language (convert.problem_<code>), the parameters are not kept.
    for (const p of docx.problems) {
      if (hasMessage(p.code)) expectTranslatedProblem(p);
      else for (const lang of LANGUAGES) expect(t(lang, `convert.problem_${p.code}`), `convert.problem_${p.code} [${lang}]`).not.toBe(`convert.problem_${p.code}`);
    }
    await expectStoreSound(path.join(env.root, 'primary'));
    await expectVerifyAll(env);
  }

  it('a hanging soffice is stopped at its time limit; the transfer completes with the document refused for the timeout', async () => {
    const started = Date.now();
    const id = await ingestWith('hang', 'office-hang');
    await expectOfficeRefusedRestAccepted(id, /LibreOffice|time|seconds/i);
    expect(await office.calls()).toBeGreaterThan(0);
    // The time limit killed the whole process group: no soffice is left hanging.
    expect(await office.alive()).toEqual([]);
    console.log(`hanging soffice: transfer finished in ${((Date.now() - started) / 1000).toFixed(1)} s after ${await office.calls()} soffice call(s)`);
  }, 200_000);

  it('a crashing soffice: the transfer completes with the document refused for the crash', async () => {
    const id = await ingestWith('crash', 'office-crash');
    await expectOfficeRefusedRestAccepted(id, /LibreOffice|crash|signal|SIGSEGV/i);
  }, 200_000);

  it('once soffice works again the next transfer converts its office document', async () => {
    const id = await ingestWith('ok', 'office-ok');
    const docs = await documentsOf(env, id);
    expect(docs.map((d) => d.status), JSON.stringify(docs.map((d) => d.problems))).toEqual(['accepted', 'accepted']);
    await expectVerifyAll(env);
  }, 200_000);
});
