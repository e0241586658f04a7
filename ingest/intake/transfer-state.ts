// The transfer state machine's transitions that are not the pipeline's own progress:
//   queued/processing ──failTransfer──▶ failed ──retryTransfer──▶ queued
//   queued/processing/failed ──cancelTransfer──▶ cancelled ──retryTransfer──▶ queued
// Each transition is one transaction with its audit event (transfer.fail, transfer.retry,
// transfer.cancel). A failed transfer keeps its quarantine folder so a retry resumes at the
// failed step; whatever removes that folder, the package itself is kept in the store as
// evidence, so a retry can always start again from the original bytes.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConflictError, NotFoundError } from '../../common/errors';
import { t } from '../../common/i18n';
import { logger } from '../../common/logger';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { AipBuilder } from '../aip';
import type { Problem, TransferStatus } from '../tables';
import { requestCancel } from '../../jobs';
import { signalCancel } from '../pipeline/cancel';
import { problem, quarantineDir } from '../pipeline/context';
import { sanitiseDeep } from '../pipeline/sanitise';
import { STEPS } from '../pipeline/state';
import type { IngestDeps } from '../pipeline/tools';

/** Why a transfer failed: the step, the message key and its parameters (translated at the edge). */
export interface TransferFailure {
  step: string;
  code: string;
  params: Record<string, unknown>;
  /** The English text, kept for codes no catalog knows. */
  message: string;
  at: string;
}

export interface FailTransferInput {
  /** Default: the step running (or next to run) when the failure happened. */
  step?: string;
  /** A message key (`ingest.*`, `transfer.*`, `jobs.*`, …). */
  code: string;
  params?: Record<string, unknown>;
  /** Problems for the report; default one made of code and params. */
  problems?: Problem[];
  actor?: Actor;
}

type StateDeps = Pick<IngestDeps, 'db' | 'storage' | 'config'>;

const ACTIVE: TransferStatus[] = ['uploading', 'queued', 'processing'];
const TOOL = { name: 'muragat', version: process.env.npm_package_version ?? '0.1.0' };

/** The step that was running (or would have run next) — where a failure is placed. */
export async function currentStep(deps: Pick<IngestDeps, 'db'>, transferId: string): Promise<string> {
  const rows = await deps.db.selectFrom('ingest_steps').select(['step', 'status']).where('transfer_id', '=', transferId).execute();
  const running = STEPS.find((s) => rows.some((r) => r.step === s && (r.status === 'running' || r.status === 'failed')));
  if (running) return running;
  return STEPS.find((s) => !rows.some((r) => r.step === s && r.status === 'done')) ?? 'receive';
}

/** The failure of a failed transfer, translated; null for any other state. */
export function failureView(failure: unknown, lang: Parameters<typeof t>[0]): { step: string; code: string; message: string } | null {
  if (!failure || typeof failure !== 'object') return null;
  const f = failure as Partial<TransferFailure>;
  if (!f.code) return null;
  const text = t(lang, f.code, f.params ?? {});
  return { step: f.step ?? 'receive', code: f.code, message: text === f.code ? (f.message ?? f.code) : text };
}

/**
 * Ends an unfinished transfer as failed with its reason. Returns false when the transfer was
 * already final (completed, failed or cancelled): a late failure never overwrites an outcome.
 */
export async function failTransfer(deps: StateDeps, transferId: string, input: FailTransferInput): Promise<boolean> {
  const actor = input.actor ?? SYSTEM_ACTOR;
  const params = sanitiseDeep(input.params ?? {});
  const step = input.step ?? (await currentStep(deps, transferId));
  const english = t('en', input.code, params);
  const failure: TransferFailure = { step, code: input.code, params, message: english === input.code ? input.code : english, at: new Date().toISOString() };
  const problems = sanitiseDeep(input.problems?.length ? input.problems : [problem(input.code, params)]);
  const keptAs = await keepPackage(deps, transferId);
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('transfers').select(['status', 'report']).where('id', '=', transferId).forUpdate().executeTakeFirst();
    if (!row || !ACTIVE.includes(row.status)) return false;
    const report = { ...((row.report as Record<string, unknown> | null) ?? {}), ...(keptAs ? { rejectedItemsManifest: keptAs } : {}) };
    await trx
      .updateTable('transfers')
      .set({ status: 'failed', finished_at: new Date(), failure: JSON.stringify(failure), problems: JSON.stringify(problems), report: JSON.stringify(report) })
      .where('id', '=', transferId)
      .execute();
    await trx
      .updateTable('ingest_steps')
      .set({ status: 'failed', finished_at: new Date(), error: JSON.stringify({ code: failure.code, message: failure.message }) })
      .where('transfer_id', '=', transferId)
      .where('step', '=', step)
      .where('status', '=', 'running')
      .execute();
    await recordAudit(trx, { actor, action: 'transfer.fail', objectType: 'transfer', objectId: transferId, details: { step, code: failure.code, problems: problems.map((p) => p.code), keptAs } });
    return true;
  });
}

/** Archivists and administrators act on any transfer; a clerk on the transfers they uploaded. */
async function loadForAction(deps: Pick<IngestDeps, 'db'>, actor: Actor, transferId: string) {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(transferId);
  const row = isUuid
    ? await deps.db.selectFrom('transfers').select(['id', 'status', 'source_sha256', 'actor', 'failure']).where('id', '=', transferId).executeTakeFirst()
    : undefined;
  const owner = (row?.actor as { userId?: string | null } | undefined)?.userId ?? null;
  // No user account (the system, or the operator's CLI on the archive's own machine) acts on any.
  const mayAct = actor.userId === null || actor.roles.includes('archivist') || actor.roles.includes('admin') || owner === actor.userId;
  // Someone else's transfer is "not found" for a clerk, as on the read side.
  if (!row || !mayAct) throw new NotFoundError('ingest.transfer_not_found', 'ingest.transfer_not_found', { id: transferId });
  return row;
}

/**
 * Puts a failed or cancelled transfer back in the queue. Steps already done stay done (their
 * effects are durable and every step is safe to re-run); the failed step and any step that
 * refused the package run again. When the quarantine copy is gone the package is restored from
 * the store and the transfer starts over (unless its dossiers are already stored). The caller
 * hands the transfer to processing (submitTransfer / the queue / processTransfer).
 */
export async function retryTransfer(deps: StateDeps, actor: Actor, transferId: string): Promise<{ transferId: string; status: 'queued'; restarted: boolean }> {
  const row = await loadForAction(deps, actor, transferId);
  if (row.status !== 'failed' && row.status !== 'cancelled') {
    throw new ConflictError('transfer.not_retryable', 'transfer.not_retryable', { status: row.status }, { transferId, status: row.status });
  }
  if (!row.source_sha256) throw new ConflictError('transfer.retry_no_package', 'transfer.retry_no_package', { id: transferId }, { transferId, status: row.status });
  const restored = await ensurePackage(deps, transferId, row.source_sha256);
  const steps = await deps.db.selectFrom('ingest_steps').select(['step', 'status', 'output']).where('transfer_id', '=', transferId).execute();
  const storeDone = steps.some((s) => s.step === 'store' && s.status === 'done');
  const restart = restored && !storeDone;
  const refused = (s: (typeof steps)[number]) => s.status === 'done' && (s.output as { ok?: boolean } | null)?.ok === false;
  // The manifest step is cheap and safe to re-run (document rows are kept): running it again
  // picks up what the catalog learnt meanwhile (organisation, nomenclature) for the store step.
  const redo = restart
    ? steps.map((s) => s.step)
    : steps.filter((s) => s.status !== 'done' || refused(s) || (s.step === 'manifest' && !storeDone)).map((s) => s.step);
  const manifest = steps.find((s) => s.step === 'manifest' && !redo.includes('manifest'));
  const keptProblems = ((manifest?.output as { problems?: Problem[] } | null)?.problems ?? []);
  await deps.db.transaction().execute(async (trx) => {
    const now = await trx.selectFrom('transfers').select('status').where('id', '=', transferId).forUpdate().executeTakeFirstOrThrow();
    if (now.status !== row.status) throw new ConflictError('transfer.not_retryable', 'transfer.not_retryable', { status: now.status }, { transferId, status: now.status });
    if (redo.length) await trx.deleteFrom('ingest_steps').where('transfer_id', '=', transferId).where('step', 'in', redo).execute();
    // Starting over: the documents are recorded again by the manifest step.
    if (restart) await trx.deleteFrom('documents').where('transfer_id', '=', transferId).execute();
    await trx
      .updateTable('transfers')
      .set({ status: 'queued', finished_at: null, failure: null, problems: JSON.stringify(keptProblems) })
      .where('id', '=', transferId)
      .execute();
    const failure = row.failure as Partial<TransferFailure> | null;
    await recordAudit(trx, {
      actor,
      action: 'transfer.retry',
      objectType: 'transfer',
      objectId: transferId,
      details: { from: row.status, step: failure?.step ?? null, code: failure?.code ?? null, redo, restarted: restart },
    });
  });
  return { transferId, status: 'queued', restarted: restart };
}

/**
 * Cancels an unfinished or failed transfer: nothing more is processed and nothing is stored
 * as a dossier; the package is kept in the store as evidence. A transfer being processed stops
 * in the step it is in: its processor is signalled (in this process at once, in another through
 * the lease's cancel flag and its heartbeat), kills the programs working on it, removes its work
 * folder and audits the stop (`transfer.processing_stop`, pipeline/run.ts).
 */
export async function cancelTransfer(deps: StateDeps, actor: Actor, transferId: string): Promise<{ transferId: string; status: 'cancelled' }> {
  const row = await loadForAction(deps, actor, transferId);
  if (row.status === 'completed' || row.status === 'cancelled') {
    throw new ConflictError('transfer.not_cancellable', 'transfer.not_cancellable', { status: row.status }, { transferId, status: row.status });
  }
  // Kept before the quarantine goes. A worker still running this transfer stops at its next step
  // boundary; if it trips over the removed folder first, its failure cannot overwrite
  // `cancelled` (failTransfer changes only unfinished transfers).
  const keptAs = await keepPackage(deps, transferId);
  const processing = await deps.db.transaction().execute(async (trx) => {
    const now = await trx.selectFrom('transfers').select(['status', 'report']).where('id', '=', transferId).forUpdate().executeTakeFirstOrThrow();
    if (now.status === 'completed' || now.status === 'cancelled') {
      throw new ConflictError('transfer.not_cancellable', 'transfer.not_cancellable', { status: now.status }, { transferId, status: now.status });
    }
    const report = { ...((now.report as Record<string, unknown> | null) ?? {}), ...(keptAs ? { rejectedItemsManifest: keptAs } : {}) };
    await trx.updateTable('transfers').set({ status: 'cancelled', finished_at: new Date(), report: JSON.stringify(report) }).where('id', '=', transferId).execute();
    // A processor in another process (a worker on the PostgreSQL server) sees this flag with its
    // next heartbeat; one in this process is told at once below.
    const processing = row.source_sha256 ? await requestCancel(trx, `transfer:${row.source_sha256}`) : false;
    await recordAudit(trx, { actor, action: 'transfer.cancel', objectType: 'transfer', objectId: transferId, details: { from: now.status, keptAs, processing } });
    return processing;
  });
  signalCancel(transferId);
  // A processor (here or in another process) stops its step, kills its programs and then removes
  // its work folder itself (pipeline/run.ts): removing it under its feet would fail the programs
  // it is still winding down. With nobody processing, the folder is removed here.
  if (!processing) await rm(quarantineDir(deps, transferId), { recursive: true, force: true });
  return { transferId, status: 'cancelled' };
}

/** The quarantined package of a transfer, wherever the current layout keeps it. */
async function findSourceTar(deps: Pick<IngestDeps, 'config'>, transferId: string): Promise<string | null> {
  const dir = quarantineDir(deps, transferId);
  const direct = path.join(dir, 'source.tar');
  if (await stat(direct).catch(() => null)) return direct;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const inner = path.join(dir, name, 'source.tar');
    if (await stat(inner).catch(() => null)) return inner;
  }
  return null;
}

/**
 * Keeps the package in the store as a sealed rejected-items AIP (content-addressed: keeping it
 * twice writes nothing new). Best effort: a store that cannot take it must not hide the reason
 * the transfer failed, so a fault here is logged and null returned.
 */
export async function keepPackage(deps: StateDeps, transferId: string): Promise<string | null> {
  try {
    const tar = await findSourceTar(deps, transferId);
    if (!tar) return null;
    const row = await deps.db.selectFrom('transfers').select(['received_at', 'source_sha256']).where('id', '=', transferId).executeTakeFirstOrThrow();
    const aip = new AipBuilder(deps.storage);
    await aip.addFile('source/transfer.tar', 'evidence', tar, row.source_sha256 ?? undefined);
    const sealed = await aip.seal({
      aipId: `${transferId}/rejected-items`,
      dossierIndex: 'rejected-items',
      createdAt: new Date(row.received_at).toISOString(),
      transferId,
      events: [],
      tools: [TOOL],
    });
    return sealed.sha256;
  } catch (error) {
    logger().error({ transfer: transferId, err: error }, 'could not keep the package of a failed transfer in the store');
    return null;
  }
}

/** Makes sure quarantine/<id>/source.tar exists; restores it from the store. True when restored. */
async function ensurePackage(deps: StateDeps, transferId: string, sha256: string): Promise<boolean> {
  if (await findSourceTar(deps, transferId)) return false;
  const dir = quarantineDir(deps, transferId);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, 'source.tar');
  for (const store of [deps.storage.primary, ...deps.storage.replicas]) {
    if (!(await store.exists(sha256).catch(() => false))) continue;
    const part = `${target}.part`;
    const hash = createHash('sha256');
    try {
      await pipeline(
        store.get(sha256),
        new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            cb(null, chunk);
          },
        }),
        createWriteStream(part),
      );
    } catch (error) {
      logger().warn({ transfer: transferId, err: error }, 'restoring a transfer package from a copy failed; trying the next');
      continue;
    }
    if (hash.digest('hex') !== sha256) continue;
    await rename(part, target);
    return true;
  }
  throw new ConflictError('transfer.retry_no_package', 'transfer.retry_no_package', { id: transferId }, { transferId });
}
