// Nothing hangs, nothing half-done (issue 9): every failure ends the transfer `failed` with its
// step and reason; retry resumes it cleanly, cancel stops it; the same bytes uploaded again are
// a 409 naming the earlier transfer. Sender failures (a manifest nested 100,000 deep) fail once.
// A package packed without transfer.json ingests with what the catalog knows; document strings
// with NUL and other control characters are sanitised; one bad document never fails the others;
// p.147 counts all files of a document together. Runs on PGlite and on the PostgreSQL server.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { isAppError } from '../../common/errors';
import {
  cancelTransfer,
  loadTools,
  processTransfer,
  receiveTransfer,
  retryTransfer,
  runIngest,
  type IngestDeps,
  type IngestReport,
  type IngestTools,
} from '../../ingest';
import { packTransfer } from '../../ingest/transfer';
import { makeDocx, rawTar, KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import { quarantineDir } from '../../ingest/pipeline/context';
import { testDatabaseKinds } from '../helpers/db';
import { createIngestEnv, type IngestEnv } from './helpers';

const root = path.resolve(import.meta.dirname, '../..');
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ARCHIVIST: Actor = { userId: '00000000-0000-4000-8000-000000000001', username: 'keeper', roles: ['archivist'] };
const OTHER_CLERK: Actor = { userId: '00000000-0000-4000-8000-000000000002', username: 'clerk2', roles: ['department_clerk'] };

interface RawFile { name: string; content: Buffer; title?: string; attachments?: { name: string; content: Buffer }[] }

/** A transfer tar with a hand-written manifest (titles as given, control characters included). */
function rawTransfer(index: string, files: RawFile[], transfer: Record<string, unknown> = {}): Buffer {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const manifest = {
    schemaVersion: 'muragat.transfer/1',
    transfer: { organisation: { bin: '123456789012', name: 'Ұйым' }, department: { code: '03', name: 'Кадр' }, year: 2025, fonds: '12', createdAt: '2026-01-15T10:00:00Z', ...transfer },
    dossiers: [
      {
        index,
        title: 'Бұйрықтар',
        retention: { kind: 'permanent' },
        documents: files.map((f, i) => ({
          path: `${index}/${f.name}`,
          sha256: sha(f.content),
          size: f.content.length,
          title: f.title ?? `Бұйрық ${i + 1}`,
          date: '2025-01-10',
          language: 'kk',
          ...(f.attachments ? { attachments: f.attachments.map((a) => ({ path: `${index}/${a.name}`, sha256: sha(a.content), size: a.content.length })) } : {}),
        })),
      },
    ],
  };
  return rawTar([
    { name: 'manifest.json', content: JSON.stringify(manifest) },
    ...files.flatMap((f) => [{ name: `${index}/${f.name}`, content: f.content }, ...(f.attachments ?? []).map((a) => ({ name: `${index}/${a.name}`, content: a.content }))]),
  ]);
}

const text = (s: string) => Buffer.from(`${s}\n${KAZAKH_TEXT.join('\n')}\n`);

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/muragat.js'), ...args], { cwd: root, env: { ...process.env, ...env, VITEST: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

for (const kind of testDatabaseKinds()) {
  describe(`transfer state machine and hostile inputs [${kind}]`, () => {
    let env: IngestEnv;
    let tools: IngestTools;
    let n = 0;
    const tarOf = async (bytes: Buffer) => {
      const file = path.join(env.root, `t-${++n}.tar`);
      await writeFile(file, bytes);
      return file;
    };
    const transferRow = (id: string) => env.db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const auditActions = async (id: string) =>
      (await env.db.selectFrom('audit_events').select('action').where('object_id', '=', id).orderBy('id').execute()).map((r) => r.action);
    const steps = async (id: string) =>
      Object.fromEntries((await env.db.selectFrom('ingest_steps').select(['step', 'status', 'attempt']).where('transfer_id', '=', id).execute()).map((s) => [s.step, `${s.status}/${s.attempt}`]));

    beforeAll(async () => {
      env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' }, kind);
      tools = await loadTools();
    }, 120_000);
    afterAll(async () => env?.close());

    it('a failing step ends the transfer failed with step, code and reason; a retry resumes at that step and completes once', async () => {
      const tar = await tarOf(rawTransfer('03-30', [{ name: 'хат-1.txt', content: text('Бірінші хат') }, { name: 'хат-2.txt', content: text('Екінші хат') }]));
      const broken: IngestDeps = { ...env.deps, tools: { ...tools, createConverter: () => { throw new Error('converter exploded'); } } };
      const failed = await runIngest(broken, { tarPath: tar });
      expect(failed.status).toBe('failed');
      expect(failed.failure).toMatchObject({ step: 'convert', code: 'ingest.step_failed' });
      expect(failed.failure!.message).toContain('converter exploded');
      expect(failed.problems?.[0]?.message).toContain('converter exploded');
      const row = await transferRow(failed.transfer);
      expect(row.status).toBe('failed');
      expect(row.failure).toMatchObject({ step: 'convert', code: 'ingest.step_failed', params: { step: 'convert' } });
      expect(await auditActions(failed.transfer)).toContain('transfer.fail');
      // Running it again does nothing: a failed transfer waits for a decision, no loop.
      const again = await processTransfer(env.deps, failed.transfer);
      expect(again.status).toBe('failed');
      expect((await steps(failed.transfer)).convert).toBe('failed/1');

      // A clerk who did not upload it cannot retry it; the archivist can.
      await expect(retryTransfer(env.deps, OTHER_CLERK, failed.transfer)).rejects.toMatchObject({ status: 404 });
      const retried = await retryTransfer(env.deps, ARCHIVIST, failed.transfer);
      expect(retried).toEqual({ transferId: failed.transfer, status: 'queued', restarted: false });
      await expect(retryTransfer(env.deps, ARCHIVIST, failed.transfer)).rejects.toMatchObject({ status: 409, code: 'transfer.not_retryable' });
      const report = await processTransfer(env.deps, failed.transfer);
      expect(report.status).toBeUndefined();
      expect(report.failure).toBeUndefined();
      expect(report.dossiers).toHaveLength(1);
      expect(report.dossiers[0]!.documents.map((d) => d.status)).toEqual(['accepted', 'accepted']);
      const s = await steps(failed.transfer);
      // Steps before the failure were not redone; the failed one ran a second time.
      expect(s.unpack).toBe('done/1');
      expect(s.identify).toBe('done/1');
      expect(s.convert).toBe('done/1');
      expect(s.complete).toBe('done/1');
      expect((await transferRow(failed.transfer)).status).toBe('completed');
      const dossiers = await env.db.selectFrom('dossiers').select('id').where('transfer_id', '=', failed.transfer).execute();
      expect(dossiers).toHaveLength(1);
      const docs = await env.db.selectFrom('dossier_documents').select('document_id').where('dossier_id', '=', dossiers[0]!.id).execute();
      expect(docs).toHaveLength(2);
      expect(await auditActions(failed.transfer)).toEqual(expect.arrayContaining(['transfer.receive', 'transfer.fail', 'transfer.retry', 'transfer.complete']));
    }, 300_000);

    it('a failure in the store step leaves no half-stored dossier; the retry stores it once', async () => {
      const tar = await tarOf(rawTransfer('03-31', [{ name: 'хат.txt', content: text('Сақтау сынағы') }]));
      const broken: IngestDeps = { ...env.deps, tools: { ...tools, renderInternalInventory: async () => { throw new Error('disk full'); } } };
      const failed = await runIngest(broken, { tarPath: tar });
      expect(failed.failure).toMatchObject({ step: 'store', code: 'ingest.step_failed' });
      expect(await env.db.selectFrom('dossiers').select('id').where('transfer_id', '=', failed.transfer).execute()).toEqual([]);
      await retryTransfer(env.deps, ARCHIVIST, failed.transfer);
      const report = await processTransfer(env.deps, failed.transfer);
      expect(report.dossiers[0]!.id).toBeTruthy();
      expect(report.dossiers[0]!.documents[0]!.status).toBe('accepted');
    }, 300_000);

    it('cancel stops a transfer, keeps its package in the store, and a retry restores it from there', async () => {
      const tar = await tarOf(rawTransfer('03-32', [{ name: 'өтініш.txt', content: text('Болдырмау сынағы') }]));
      const id = await receiveTransfer(env.deps, { tarPath: tar });
      const cancelled = await cancelTransfer(env.deps, ARCHIVIST, id);
      expect(cancelled).toEqual({ transferId: id, status: 'cancelled' });
      expect((await transferRow(id)).status).toBe('cancelled');
      expect(await stat(quarantineDir(env.deps, id)).catch(() => null)).toBeNull();
      await expect(cancelTransfer(env.deps, ARCHIVIST, id)).rejects.toMatchObject({ status: 409, code: 'transfer.not_cancellable' });
      // Nothing runs for a cancelled transfer.
      const report = await processTransfer(env.deps, id);
      expect(report.status).toBe('cancelled');
      expect(await steps(id)).toEqual({});
      // The same bytes again: 409 naming the cancelled transfer, so the UI offers a retry.
      await expect(receiveTransfer(env.deps, { tarPath: tar, duplicates: 'conflict' })).rejects.toMatchObject({
        status: 409,
        code: 'transfer.duplicate_failed',
        details: { transferId: id, status: 'cancelled' },
      });
      const retried = await retryTransfer(env.deps, ARCHIVIST, id);
      expect(retried.restarted).toBe(true);
      const done = await processTransfer(env.deps, id);
      expect(done.dossiers[0]!.documents[0]!.status).toBe('accepted');
      await expect(receiveTransfer(env.deps, { tarPath: tar, duplicates: 'conflict' })).rejects.toMatchObject({
        status: 409,
        code: 'transfer.duplicate_accepted',
        details: { transferId: id, status: 'completed' },
      });
      expect(await auditActions(id)).toEqual(expect.arrayContaining(['transfer.cancel', 'transfer.retry', 'transfer.complete']));
    }, 300_000);

    it('a manifest of 100,000 nested arrays fails the transfer once with a clear sender error, under a queue too', async () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      const tar = await tarOf(rawTar([{ name: 'manifest.json', content: deep }, { name: '03-12/a.txt', content: 'a' }]));
      const report = await runIngest(env.deps, { tarPath: tar });
      expect(report.status).toBe('failed');
      expect(report.failure).toMatchObject({ step: 'manifest', code: 'ingest.json_too_deep' });
      expect(report.failure!.message).toContain('manifest.json');
      expect(JSON.stringify(report)).not.toMatch(/call stack/i);
      // Under the job queue (attempt set) a sender failure is still a result, never a thrown error
      // the queue would retry.
      await retryTransfer(env.deps, ARCHIVIST, report.transfer);
      const second = await processTransfer(env.deps, report.transfer, { attempt: 1 });
      expect(second.failure).toMatchObject({ step: 'manifest', code: 'ingest.json_too_deep' });
      expect((await transferRow(report.transfer)).status).toBe('failed');
      // Same bytes again: 409 with the failed transfer.
      const err = await receiveTransfer(env.deps, { tarPath: tar, duplicates: 'conflict' }).catch((e: unknown) => e);
      expect(isAppError(err) && err.code).toBe('transfer.duplicate_failed');
      expect(isAppError(err) && err.details).toEqual({ transferId: report.transfer, status: 'failed' });
    }, 120_000);

    it('documents with NUL, control characters, lone surrogates and over-long titles are sanitised; a document whose check throws is rejected alone', async () => {
      const long = 'Ұ'.repeat(10_000);
      const files: RawFile[] = [
        { name: 'nul.txt', content: text('NUL'), title: 'Бұйрық\u0000' },
        { name: 'controls.txt', content: text('controls'), title: 'Хат\u0007\u001b[31m\u0085 №5\r\nекінші жол' },
        { name: 'surrogate.txt', content: text('surrogate'), title: 'Есеп \uD800 жартылай' },
        { name: 'long.txt', content: text('long'), title: long },
        { name: 'bad.txt', content: text('throws') },
      ];
      const tar = await tarOf(rawTransfer('03-33', files));
      const throwing: IngestDeps = {
        ...env.deps,
        tools: {
          ...tools,
          identifyFormat: async (file, name) => {
            if (name === 'bad.txt') throw new TypeError("Cannot read properties of undefined (reading 'Info\u0000')");
            return tools.identifyFormat(file, name);
          },
        },
      };
      const report = await runIngest(throwing, { tarPath: tar });
      expect(report.status).toBeUndefined();
      const byName = new Map(report.dossiers.flatMap((d) => d.documents).map((d) => [path.basename(d.source), d]));
      for (const name of ['nul.txt', 'controls.txt', 'surrogate.txt', 'long.txt']) expect(byName.get(name)!.status, name).toBe('accepted');
      const bad = byName.get('bad.txt')!;
      expect(bad.status).toBe('rejected');
      expect(bad.problems[0]).toMatchObject({ code: 'ingest.document_check_failed' });
      expect(bad.problems[0]!.message).toContain('identify');
      expect(bad.problems[0]!.message).not.toMatch(CONTROL);
      const rows = await env.db.selectFrom('dossier_documents').innerJoin('documents', 'documents.id', 'dossier_documents.document_id').select(['documents.source_path', 'dossier_documents.metadata']).where('documents.transfer_id', '=', report.transfer).execute();
      const titles = new Map(rows.map((r) => [path.basename(r.source_path), (r.metadata as { title: string }).title]));
      expect(titles.get('nul.txt')).toBe('Бұйрық');
      expect(titles.get('controls.txt')).toBe('Хат[31m №5\nекінші жол');
      expect(titles.get('surrogate.txt')).toBe('Есеп \uFFFD жартылай');
      expect(titles.get('long.txt')!.length).toBeLessThanOrEqual(2000);
      expect(titles.get('long.txt')).toMatch(/…\[truncated\]$/);
      for (const t of titles.values()) {
        expect(t).not.toMatch(CONTROL);
        expect(t).not.toMatch(LONE_SURROGATE);
      }
    }, 300_000);

    it('a package packed from a folder without transfer.json (a real PDF whose Info title ends in NUL) ingests with what the catalog knows', async () => {
      const tree = path.join(env.root, 'no-transfer-json');
      await mkdir(path.join(tree, '03-12'), { recursive: true });
      // A real producer's PDF (Word export from the PDF.js test suite) with a NUL-terminated title.
      const pdf = await PDFDocument.load(await readFile(path.join(root, '../shared/corpus/realworld-dev/pdf/bug854315.pdf')), { updateMetadata: false });
      pdf.setTitle('Бұйрық №7 жеке құрам бойынша\u0000');
      pdf.setCreationDate(new Date('2025-03-01T09:00:00Z'));
      await writeFile(path.join(tree, '03-12', 'бұйрық-7.pdf'), await pdf.save());
      await writeFile(path.join(tree, '03-12', 'хат.docx'), makeDocx({ title: 'Хат\u0085 №5', author: 'Әбенова', created: '2025-02-01T00:00:00Z', paragraphs: KAZAKH_TEXT }));
      await writeFile(path.join(tree, '03-12', '2025-03-05 Өтініш №3.txt'), text('Өтініш'));
      const tar = path.join(env.root, 'no-transfer-json.tar');
      const packed = await packTransfer(tree, tar, { lang: 'en' });
      // pack says exactly what it could not infer …
      const missing = packed.missing.map((p) => p.message).join('\n');
      expect(missing).toContain('"organisation"');
      expect(missing).toContain('"title"');
      // … and what it took from the documents is already clean.
      expect(JSON.stringify(packed.manifest)).not.toMatch(CONTROL);
      expect(packed.manifest.dossiers[0]!.documents.map((d) => d.title)).toContain('Бұйрық №7 жеке құрам бойынша');

      // Without the catalog knowing the organisation: refused at the manifest step, before any conversion.
      const refused = await runIngest(env.deps, { tarPath: tar });
      expect(refused.failure).toMatchObject({ step: 'manifest', code: 'ingest.metadata_missing' });
      expect(refused.problems!.map((p) => p.message).join('\n')).toContain('transfer.organisation.name');
      expect(refused.problems!.map((p) => p.message).join('\n')).toContain('dossiers/0/title');
      expect((await steps(refused.transfer)).convert).toBeUndefined();

      // The archive's own organisation, department and the year's nomenclature fill the gaps.
      const org = createOrganisationService({ db: env.db });
      await org.save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Пример»', bin: '123456789012', fondsNumber: '12' });
      const department = await org.addDepartment(SYSTEM_ACTOR, { code: '03', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
      const nomenclature = await env.db.insertInto('nomenclature').values({ year: packed.manifest.transfer.year }).returning('id').executeTakeFirstOrThrow();
      await env.db
        .insertInto('nomenclature_items')
        .values({ nomenclature_id: nomenclature.id, department_id: department.id, position: 1, case_index: '03-12', heading: 'Жеке құрам бойынша бұйрықтар', retention_kind: 'years', retention_years: 75, retention_article: '597', dossier_count: null, note: null })
        .execute();
      await retryTransfer(env.deps, ARCHIVIST, refused.transfer);
      const report = await processTransfer(env.deps, refused.transfer);
      expect(report.failure).toBeUndefined();
      expect(report.dossiers).toHaveLength(1);
      expect(report.dossiers[0]!.title).toBe('Жеке құрам бойынша бұйрықтар');
      expect(report.dossiers[0]!.documents.map((d) => d.status)).toEqual(['accepted', 'accepted', 'accepted']);
      const dossier = await env.db.selectFrom('dossiers').select('metadata').where('transfer_id', '=', refused.transfer).executeTakeFirstOrThrow();
      const meta = dossier.metadata as { fonds?: string; retention?: { years?: number }; department?: { name?: string } };
      expect(meta.fonds).toBe('12');
      expect(JSON.stringify(dossier.metadata)).not.toMatch(CONTROL);
    }, 300_000);

    it('p.147: a 3-file document over 95 MB in total is rejected although each file is under the limit; the others are stored', async () => {
      const part = 33 * 1024 * 1024;
      const tar = await tarOf(
        rawTransfer('03-34', [
          {
            name: 'үлкен.txt',
            content: Buffer.alloc(part, 0x61),
            attachments: [
              { name: 'қосымша-1.txt', content: Buffer.alloc(part, 0x62) },
              { name: 'қосымша-2.txt', content: Buffer.alloc(part, 0x63) },
            ],
          },
          { name: 'кіші.txt', content: text('Шағын құжат') },
        ]),
      );
      const report = await runIngest(env.deps, { tarPath: tar });
      const [big, small] = report.dossiers[0]!.documents;
      expect(big!.status).toBe('rejected');
      const p147 = big!.problems.find((p) => p.clause === 'p.147');
      expect(p147, JSON.stringify(big!.problems)).toBeDefined();
      expect(p147!.code).toBe('transfer.document_too_large');
      expect(p147!.message).toContain('99.0');
      expect(small!.status).toBe('accepted');
    }, 300_000);

    // The CLI opens its data folder's own embedded catalog: run once, with the PGlite suite.
    it.skipIf(kind !== 'pglite')('`muragat ingest` of a package that fails exits 1 printing the report with the reason and how to retry, no stack trace', async () => {
      const cliEnv = { ...env.env, MURAGAT_DATA_DIR: path.join(env.root, 'cli-data'), MURAGAT_LANG: 'en' };
      const deep = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
      const tar = await tarOf(rawTar([{ name: 'manifest.json', content: deep }]));
      const run = await cli(['ingest', tar], cliEnv);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toContain('manifest');
      expect(run.stdout).toMatch(/nested more than \d+ levels/);
      expect(run.stdout).toContain('muragat transfer retry');
      expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      const id = /Transfer ([0-9a-f-]{36})/.exec(run.stdout)![1]!;
      const json = await cli(['ingest', tar, '--json'], cliEnv);
      expect(json.code).toBe(1);
      expect((JSON.parse(json.stdout) as IngestReport).failure).toMatchObject({ step: 'manifest', code: 'ingest.json_too_deep' });
      const cancel = await cli(['transfer', 'cancel', id], cliEnv);
      expect(cancel.code, cancel.stderr).toBe(0);
      expect(cancel.stdout).toContain('cancelled');
      expect((await readdir(path.join(cliEnv.MURAGAT_DATA_DIR, 'quarantine')).catch(() => [] as string[])).includes(id)).toBe(false);
    }, 180_000);
  });
}
