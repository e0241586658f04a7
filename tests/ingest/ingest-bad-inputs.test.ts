// Bad inputs: each bad document is named with a clear reason while the rest of the transfer
// is stored; unsafe packages are refused as a whole and still kept. Nothing handed over is lost.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest, receiveTransfer, startWorker, buildReport, verifyStoredDossiers, loadTools, readManifest, type IngestReport, type ReportDocument } from '../../ingest';
import { parseConfig } from '../../common/config';
import { runProcess } from '../../common/process';
import { buildOdt, markZipEncrypted } from '../../ingest/scan/fixtures';
import { makeDocx, makePdf, rawTar, KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import { signDetached } from '../../validators/signature';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from './helpers';

describe('ingest of bad inputs', () => {
  let env: IngestEnv;
  let report: IngestReport;
  const docs = new Map<string, ReportDocument>();

  beforeAll(async () => {
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    const p12 = new Uint8Array(await readFile(env.pki.signerP12Path));
    const tar = await buildFixtureTransfer(env, 'bad', async (dir) => {
      const put = async (name: string, bytes: Uint8Array | string) => {
        await mkdir(path.join(dir, '03-15'), { recursive: true });
        await writeFile(path.join(dir, '03-15', name), bytes);
      };
      const docx = makeDocx({ title: 'Бұзылған', author: 'x', created: '2025-02-01T00:00:00Z', paragraphs: KAZAKH_TEXT, pages: 1 });
      await put('corrupt.docx', docx.slice(0, Math.floor(docx.length / 2)));
      await put('plain.pdf', await makePdf({ title: 'Құпия', pages: 1 }));
      const encrypted = await runProcess('qpdf', ['--encrypt', 'user', 'owner', '256', '--', path.join(dir, '03-15', 'plain.pdf'), path.join(dir, '03-15', 'secret.pdf')]);
      expect(encrypted.code).toBe(0);
      await writeFile(path.join(dir, '03-15', 'plain.pdf'), '');
      await put('plain.pdf', await makePdf({ title: 'Ашық', pages: 1 }));
      await put('secret.odt', buildOdt(true));
      await put('secret.zip', markZipEncrypted(zipSync({ 'a.txt': strToU8('Құпия мәтін') })));
      await put('bundle.zip', zipSync({ 'хат-1.txt': strToU8('Бірінші хат мәтіні.\n'), 'письмо-2.txt': strToU8('Текст второго письма.\n') }));
      await put('empty.txt', '');
      await put('really-a-pdf.docx', await makePdf({ title: 'PDF', pages: 1 }));
      await put('data.xyz', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)));
      await put('wrong-sig.txt', 'Қол қойылған мәтін.\n');
      await put('wrong-sig.txt.p7s', await signDetached(strToU8('басқа мазмұн'), p12, env.pki.password));
      await put('wrong-sig-accepted.txt', 'Архивист қабылдаған мәтін.\n');
      await put('wrong-sig-accepted.txt.p7s', await signDetached(strToU8('басқа мазмұн 2'), p12, env.pki.password));
    });
    report = await runIngest(env.deps, {
      tarPath: tar,
      options: { acceptInvalidSignature: { '03-15/wrong-sig-accepted.txt': 'Қолтаңба куәлігі ауыстырылған; түпнұсқа қағаз нұсқамен салыстырылды' } },
    });
    for (const d of report.dossiers) for (const doc of d.documents) docs.set(doc.source, doc);
  }, 600_000);
  afterAll(async () => env?.close());

  const expectRejected = (source: string, status: 'rejected' | 'conversion-failed', code: RegExp) => {
    const doc = docs.get(`03-15/${source}`);
    expect(doc, `${source} missing from ${[...docs.keys()].join(', ')}`).toBeDefined();
    expect(doc!.status, `${source}: ${JSON.stringify(doc!.problems)}`).toBe(status);
    expect(doc!.problems.some((p) => code.test(p.code)), `${source}: ${JSON.stringify(doc!.problems)}`).toBe(true);
    expect(doc!.problems.every((p) => p.message.length > 10)).toBe(true);
  };

  it('names each bad document with its reason', () => {
    expect(['rejected', 'conversion-failed']).toContain(docs.get('03-15/corrupt.docx')!.status);
    expect(docs.get('03-15/corrupt.docx')!.problems.length).toBeGreaterThan(0);
    expectRejected('secret.pdf', 'rejected', /^ingest\.encrypted$/);
    expectRejected('secret.odt', 'rejected', /^ingest\.encrypted$/);
    expectRejected('secret.zip', 'rejected', /^ingest\.(encrypted|container_refused)$/);
    expectRejected('empty.txt', 'rejected', /^ingest\.empty_file$|empty|zero/);
    expectRejected('really-a-pdf.docx', 'rejected', /^ingest\.extension_mismatch$/);
    expectRejected('data.xyz', 'rejected', /^ingest\.unknown_format$/);
    expectRejected('wrong-sig.txt', 'rejected', /^ingest\.signature_invalid$/);
  });

  it('accepts an invalid signature only with the archivist\'s recorded reason', () => {
    const doc = docs.get('03-15/wrong-sig-accepted.txt')!;
    expect(doc.status).toBe('accepted');
    expect(doc.signature).toBe('invalid');
    expect(doc.problems.find((p) => p.code === 'ingest.signature_invalid_accepted')!.message).toContain('түпнұсқа қағаз');
  });

  it('expands a container into separate accepted documents', () => {
    expect(docs.get('03-15/bundle.zip/хат-1.txt')?.status).toBe('accepted');
    expect(docs.get('03-15/bundle.zip/письмо-2.txt')?.status).toBe('accepted');
  });

  it('stores the good documents and keeps every rejected original in the AIP', async () => {
    expect(docs.get('03-12/qabyldau-buiryq.docx')!.status).toBe('accepted');
    const d = await env.db.selectFrom('dossiers').selectAll().where('case_index', '=', '03-15').executeTakeFirstOrThrow();
    const manifest = await readManifest(env.storage, d.aip_manifest_sha256);
    const kept = await env.db.selectFrom('documents').select(['sha256', 'status', 'source_path']).where('transfer_id', '=', report.transfer).execute();
    const inAip = new Set(manifest.files.map((f) => f.sha256));
    for (const doc of kept.filter((k) => k.source_path.startsWith('03-15/') && k.status === 'rejected')) {
      expect(inAip.has(doc.sha256), `${doc.source_path} not kept`).toBe(true);
    }
    const v = await verifyStoredDossiers({ db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() });
    expect(v.ok, JSON.stringify(v.dossiers.flatMap((x) => x.failures))).toBe(true);
  });

  it.each([
    ['a ../ entry', [{ name: 'manifest.json', content: '{}' }, { name: '../evil.txt', content: 'x' }]],
    ['a symbolic link', [{ name: 'manifest.json', content: '{}' }, { name: '03-12/link.txt', type: '2' as const, linkname: '/etc/passwd' }]],
  ])('refuses a package with %s as a whole, keeping it', async (_name, entries) => {
    const tar = path.join(env.root, `unsafe-${_name.replace(/\W+/g, '-')}.tar`);
    await writeFile(tar, rawTar(entries));
    const r = await runIngest(env.deps, { tarPath: tar });
    expect(r.dossiers).toEqual([]);
    expect(r.problems![0]!.code).toBe('ingest.unsafe_package');
    const t = await env.db.selectFrom('transfers').select(['status', 'report']).where('id', '=', r.transfer).executeTakeFirstOrThrow();
    expect(t.status).toBe('failed');
    const kept = await readManifest(env.storage, (t.report as { rejectedItemsManifest: string }).rejectedItemsManifest);
    expect(kept.files.map((f) => f.path)).toEqual(['source/transfer.tar']);
  });

  const rawTransfer = (index: string, files: { name: string; content: Buffer; sha256?: string }[]) => {
    const manifest = {
      schemaVersion: 'muragat.transfer/1',
      transfer: { organisation: { bin: '123456789012', name: 'Ұйым' }, department: { code: '03', name: 'Кадр' }, year: 2025, fonds: '12', compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, createdAt: '2026-01-15T10:00:00Z' },
      dossiers: [{ index, title: 'Бұйрықтар', retention: { kind: 'permanent' }, documents: files.map((f, i) => ({
        path: `${index}/${f.name}`, sha256: f.sha256 ?? createHash('sha256').update(f.content).digest('hex'), size: f.content.length, title: `Бұйрық ${i + 1}`, date: '2025-01-10', language: 'kk',
      })) }],
    };
    return rawTar([{ name: 'manifest.json', content: JSON.stringify(manifest) }, ...files.map((f) => ({ name: `${index}/${f.name}`, content: f.content }))]);
  };

  it('rejects a document whose bytes do not match the manifest hash, keeping the others', async () => {
    const tar = path.join(env.root, 'mismatch.tar');
    await writeFile(tar, rawTransfer('03-20', [
      { name: 'Бұйрық.txt', content: Buffer.from('Басқа мәтін'), sha256: '0'.repeat(64) },
      { name: 'дұрыс.txt', content: Buffer.from('Дұрыс мәтін, қазақ әріптері: әғқңөұүһі.\n') },
    ]));
    const r = await runIngest(env.deps, { tarPath: tar });
    const [bad, good] = r.dossiers[0]!.documents;
    expect(bad!.status).toBe('rejected');
    expect(bad!.problems.some((p) => /sha256|hash|mismatch/i.test(p.code)), JSON.stringify(bad!.problems)).toBe(true);
    expect(good!.status).toBe('accepted');
  });

  it('rejects a document over the 95 MB limit (p.147), keeping the others', async () => {
    const tar = path.join(env.root, 'huge.tar');
    await writeFile(tar, rawTransfer('03-21', [
      { name: 'үлкен.txt', content: Buffer.alloc(96 * 1024 * 1024, 0x61) },
      { name: 'кіші.txt', content: Buffer.from('Шағын құжат.\n') },
    ]));
    const r = await runIngest(env.deps, { tarPath: tar });
    const [huge, small] = r.dossiers[0]!.documents;
    expect(huge!.status).toBe('rejected');
    expect(huge!.problems.some((p) => /size|large|limit/i.test(p.code) || p.clause === 'p.147'), JSON.stringify(huge!.problems)).toBe(true);
    expect(small!.status).toBe('accepted');
  }, 300_000);

  it('refuses a package over MURAGAT_TRANSFER_MAX_BYTES before copying it, and records why', async () => {
    const tar = path.join(env.root, 'limit.tar');
    await writeFile(tar, rawTransfer('03-22', [{ name: 'хат.txt', content: Buffer.from('Хат мәтіні.\n') }]));
    const config = parseConfig({ ...env.env, MURAGAT_TRANSFER_MAX_BYTES: '1024' });
    await expect(runIngest({ ...env.deps, config }, { tarPath: tar })).rejects.toMatchObject({ status: 413, code: 'ingest.transfer_too_large' });
    const refused = await env.db.selectFrom('transfers').select(['status', 'problems']).where('source_sha256', 'is', null).execute();
    expect(refused.some((r) => r.status === 'failed' && r.problems[0]?.code === 'ingest.transfer_too_large')).toBe(true);
  });

  it('the worker processes a received transfer left for it', async () => {
    const tar = path.join(env.root, 'queued.tar');
    await writeFile(tar, rawTransfer('03-23', [{ name: 'өтініш.txt', content: Buffer.from('Өтініш мәтіні, қазақ тілінде.\n') }]));
    const id = await receiveTransfer(env.deps, { tarPath: tar });
    const worker = startWorker(env.deps, { once: true });
    await worker.done;
    const r = await buildReport(env, id);
    expect(r.dossiers[0]!.documents[0]!.status).toBe('accepted');
    expect((await env.db.selectFrom('transfers').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('completed');
  }, 120_000);
});
