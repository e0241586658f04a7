// Reconciliation tasks (p.97-1): a re-check from the AIP's evidence that finds a signature of a
// permanent or over-10-year dossier no longer verifying opens one task; the archivist compares
// with the paper original; the organisation head re-certifies the e-copy when the paper
// matches; without a matching paper the document keeps a recorded mark. Nothing is re-signed
// by itself, every step is audited. On PGlite and PostgreSQL.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../audit/audit.service';
import { listAuditEvents } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import { AipBuilder } from '../../ingest/aip';
import { addReportEvidence, evidenceFile, EVIDENCE_RECORDS_PATH } from '../../ingest/aip/signature-evidence';
import {
  getReconciliationTask, listReconciliationTasks, needsReconciliation, recertifyElectronicCopy, recheckDossierSignatures, recordPaperComparison,
} from '../../preservation/reconciliation.service';
import { FsObjectStore, type Storage } from '../../storage';
import { signDetached, verifySignature } from '../../validators/signature';
import { describeEachDatabase } from '../helpers/db';

const NCA = path.resolve(process.cwd(), '../shared/fixtures/nca-rk');
const AT = new Date('2022-10-01T00:00:00Z');
const SYSTEM: Actor = { userId: null, username: 'system', roles: ['admin'] };
const ARCHIVIST: Actor = { userId: null, username: 'archivist1', roles: ['archivist'] };
const HEAD: Actor = { userId: null, username: 'director', roles: ['organisation_head'] };

let dir: string;
let storage: Storage;
let trustDir: string;
let p12: Uint8Array;
let trust: { anchors: Uint8Array[]; crls: Uint8Array[] };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-reconcile-'));
  storage = { primary: new FsObjectStore(path.join(dir, 'store')), replicas: [] };
  trustDir = path.join(dir, 'trust');
  if (!existsSync(NCA)) return;
  await cp(path.join(NCA, 'nca_gost2015_test.cer'), path.join(trustDir, 'anchors', 'ca.cer'));
  await cp(path.join(NCA, 'nca_gost2022_test.crl'), path.join(trustDir, 'ca.crl'));
  p12 = new Uint8Array(await readFile(path.join(NCA, 'individual-2015-gost.p12')));
  trust = { anchors: [new Uint8Array(await readFile(path.join(NCA, 'nca_gost2015_test.cer')))], crls: [new Uint8Array(await readFile(path.join(NCA, 'nca_gost2022_test.crl')))] };
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An AIP with one signed document; `stored` is what the AIP holds as that document. */
async function aipWithSignedDocument(signed: string, stored: string, index: string): Promise<string> {
  const content = new TextEncoder().encode(signed);
  const cms = await signDetached(content, p12, 'Aa123456', { signingTime: AT });
  const report = await verifySignature({ signature: cms, content, trust });
  expect(report.verdict, report.reason).toBe('valid');
  const aip = new AipBuilder(storage);
  const original = await aip.addBytes('documents/0001/original/order.txt', 'original', new TextEncoder().encode(stored));
  const sig = await aip.addBytes('documents/0001/signatures/order.txt.p7s', 'signature', cms);
  const record = await addReportEvidence(aip, report, cms, { signature: { path: sig.path, sha256: sig.sha256 }, content: { path: original.path, sha256: original.sha256 } });
  await aip.addJson(EVIDENCE_RECORDS_PATH, 'evidence', evidenceFile([record]));
  const sealed = await aip.seal({ aipId: `t/${index}/1`, dossierIndex: index, fonds: '12', year: 2022, createdAt: AT.toISOString(), transferId: 't', events: [], tools: [] } as never);
  return sealed.sha256;
}

async function addDossier(db: Kysely<Database>, index: string, manifest: string, retention: Record<string, unknown>): Promise<string> {
  const t = await db.insertInto('transfers').values({ status: 'completed', department: '01', year: 2022, source_name: `${index}.tar` } as never).returning('id').executeTakeFirstOrThrow();
  const row = await db.insertInto('dossiers').values({
    transfer_id: (t as { id: string }).id,
    case_index: index,
    title: `Dossier ${index}`,
    status: 'stored',
    aip_manifest_sha256: manifest,
    inventory_sha256: 'b'.repeat(64),
    integrity_sha256: 'c'.repeat(64),
    metadata: JSON.stringify({ schemaVersion: 'muragat.dossier/1', index, retention }),
  } as never).returning('id').executeTakeFirstOrThrow();
  return (row as { id: string }).id;
}

it('p.97-1 concerns permanent and over-10-year retention only', () => {
  expect(needsReconciliation({ kind: 'permanent' })).toBe(true);
  expect(needsReconciliation({ kind: 'years', years: 75 })).toBe(true);
  expect(needsReconciliation({ kind: 'years_epk', years: 15 })).toBe(true);
  expect(needsReconciliation({ kind: 'years', years: 10 })).toBe(false);
  expect(needsReconciliation({ kind: 'until_needed' })).toBe(false);
});

describeEachDatabase('signature reconciliation', (getDb) => {
  it.skipIf(!existsSync(NCA))('opens one task per failing signature, then comparison, re-certification by the head, or a recorded mark', async () => {
    const { db } = getDb();
    // A sound permanent dossier: re-checked from its evidence, nothing to do.
    const sound = await addDossier(db, '01-01', await aipWithSignedDocument('Бұйрық № 1.\n', 'Бұйрық № 1.\n', '01-01'), { kind: 'permanent' });
    const ok = await recheckDossierSignatures({ db, storage }, SYSTEM, sound);
    expect(ok).toMatchObject({ checked: 1, valid: 1, failed: [], opened: [] });

    // A permanent dossier whose stored copy no longer matches its signature.
    const broken = await addDossier(db, '01-02', await aipWithSignedDocument('Бұйрық № 2.\n', 'Бұйрық № 2 (өзгертілген).\n', '01-02'), { kind: 'permanent' });
    const first = await recheckDossierSignatures({ db, storage }, SYSTEM, broken, { runId: 'run-1' });
    expect(first.failed).toHaveLength(1);
    expect(first.opened).toHaveLength(1);
    const again = await recheckDossierSignatures({ db, storage }, SYSTEM, broken, { runId: 'run-2' });
    expect(again.opened).toEqual([]);
    expect(again.failed[0]!.taskId).toBe(first.opened[0]);

    // A 5-year dossier with the same fault opens no task (p.97-1 does not apply); it is reported.
    const temporary = await addDossier(db, '01-03', await aipWithSignedDocument('Хат.\n', 'Хат (өзгертілген).\n', '01-03'), { kind: 'years', years: 5 });
    const short = await recheckDossierSignatures({ db, storage }, SYSTEM, temporary);
    expect(short.failed).toHaveLength(1);
    expect(short.opened).toEqual([]);

    const taskId = first.opened[0]!;
    const task = await getReconciliationTask(db, taskId);
    expect(task).toMatchObject({ status: 'open', verdictBefore: 'valid', verdictFound: 'invalid', retention: 'permanent', caseIndex: '01-02' });
    expect(await listReconciliationTasks(db, { status: 'open' })).toHaveLength(1);

    // Only the archivist compares; a missing paper needs a note describing it.
    await expect(recordPaperComparison(db, HEAD, taskId, { comparison: 'paper_matches' })).rejects.toMatchObject({ code: 'signature.reconciliation_archivist_only' });
    await expect(recordPaperComparison(db, ARCHIVIST, taskId, { comparison: 'no_paper' })).rejects.toMatchObject({ code: 'signature.reconciliation_note_required' });
    // The head cannot re-certify before the comparison.
    await expect(recertifyElectronicCopy({ db, storage, trustDir }, HEAD, taskId, { cms: new Uint8Array([0x30]) })).rejects.toMatchObject({ code: 'signature.reconciliation_not_awaiting' });

    const compared = await recordPaperComparison(db, ARCHIVIST, taskId, { comparison: 'paper_matches', note: 'Түпнұсқа 12-қор, 3-тізімдеме, 7-іс, 4-парақ' });
    expect(compared.status).toBe('awaiting_recertification');

    // The head's own CMS over the stored e-copy; another document's signature is refused.
    const stored = new TextEncoder().encode('Бұйрық № 2 (өзгертілген).\n');
    const wrong = await signDetached(new TextEncoder().encode('something else'), p12, 'Aa123456', { signingTime: AT });
    await expect(recertifyElectronicCopy({ db, storage, trustDir }, HEAD, taskId, { cms: wrong })).rejects.toMatchObject({ code: 'signature.reconciliation_recertification_invalid' });
    await expect(recertifyElectronicCopy({ db, storage, trustDir }, ARCHIVIST, taskId, { cms: wrong })).rejects.toMatchObject({ code: 'signature.reconciliation_head_only' });
    const headCms = await signDetached(stored, p12, 'Aa123456', { signingTime: AT });
    const done = await recertifyElectronicCopy({ db, storage, trustDir }, HEAD, taskId, { cms: headCms });
    expect(done.status).toBe('recertified');
    expect(done.closedAt).not.toBeNull();
    expect((done.recertification as { serialNumber: string }).serialNumber).toMatch(/^[0-9a-f]+$/);
    // The original signature is untouched (nothing re-signed): the re-check still reports it,
    // under the resolved task, without opening another.
    const after = await recheckDossierSignatures({ db, storage }, SYSTEM, broken);
    expect(after.failed).toHaveLength(1);
    expect(after.opened).toEqual([]);
    expect(after.failed[0]!.taskId).toBe(taskId);

    // No paper original: the document keeps the recorded mark, the task closes.
    const lost = await addDossier(db, '01-04', await aipWithSignedDocument('Акт № 9.\n', 'Акт № 9 (өзгертілген).\n', '01-04'), { kind: 'years', years: 75 });
    const lostTask = (await recheckDossierSignatures({ db, storage }, SYSTEM, lost)).opened[0]!;
    const marked = await recordPaperComparison(db, ARCHIVIST, lostTask, { comparison: 'no_paper', note: 'Қағаз түпнұсқа мұрағатқа берілмеген' });
    expect(marked.status).toBe('marked');
    expect(marked.mark).toContain('No paper original');
    expect(marked.mark).toContain('Қағаз түпнұсқа мұрағатқа берілмеген');

    const actions = (await listAuditEvents(db, { objectType: 'dossier', objectId: broken, limit: 50 })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['signature.reconciliation_open', 'signature.reconciliation_compare', 'signature.reconciliation_recertify']));
  });
});
