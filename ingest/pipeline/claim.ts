// One transfer, one processor. Before any step runs, the processor — a queue worker, the API
// process or `muragat ingest` — takes the transfer's lease (jobs/leases.ts), keyed by the
// package's hash, so two receipts of the same bytes meet at the same lock. Whoever finds it held
// waits for the holder and then answers with the same report; a holder that died is taken over.
// Each claim works in its own folder (`quarantine/<transfer>/claim-<run>`): the folder of a
// dead holder is moved into the new claim (finished steps' files are reused), so nobody's
// unpack ever deletes the files another processor is reading.
import { link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { logger } from '../../common/logger';
import { acquireLease, leaseTiming, JobCancelledError, type Lease } from '../../jobs';
import { quarantineDir } from './context';
import type { IngestDeps } from './tools';

export interface TransferClaim {
  /** This claim's work folder; `source.tar` is linked into it. */
  work: string;
  lease: Lease;
  /** Throws when the lease was lost or cancellation requested (call between steps). */
  checkpoint(): void;
  /**
   * Releases the lease; removes the transfer's quarantine folder once the transfer is completed
   * (a failed or cancelled one keeps it, so a retry resumes where it stopped).
   */
  release(outcome: 'completed' | 'failed' | 'cancelled', error?: string): Promise<void>;
}

export interface ClaimOptions {
  /** Told once when another processor holds the transfer (the caller then waits for it). */
  onBusy?: (owner: string) => void;
  signal?: AbortSignal;
  attempt?: number;
}

function isFinal(status: string | undefined): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** Takes the transfer; null when another processor finished it while we waited. */
export async function claimTransfer(deps: IngestDeps, transferId: string, options: ClaimOptions = {}): Promise<TransferClaim | null> {
  const row = await deps.db.selectFrom('transfers').select(['source_sha256', 'status']).where('id', '=', transferId).executeTakeFirstOrThrow();
  if (isFinal(row.status)) return null;
  const key = `transfer:${row.source_sha256 ?? transferId}`;
  const status = async () => (await deps.db.selectFrom('transfers').select('status').where('id', '=', transferId).executeTakeFirst())?.status;
  const lease = await acquireLease(deps.db, key, {
    timing: leaseTiming(deps.config),
    embedded: !deps.config.databaseUrl,
    subject: { type: 'transfer', id: transferId },
    attempt: options.attempt,
    signal: options.signal,
    done: async () => isFinal(await status()),
    onBusy: (owner) => {
      logger().debug({ transfer: transferId, owner }, 'transfer is being processed by another worker; waiting for it');
      options.onBusy?.(owner);
    },
  });
  if (!lease) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new JobCancelledError(key);
    return null;
  }
  // The holder may have finished between our last look and the lease.
  if (isFinal(await status())) {
    await lease.release('completed');
    return null;
  }
  const base = quarantineDir(deps, transferId);
  const work = path.join(base, `claim-${lease.runId}`);
  try {
    await mkdir(base, { recursive: true });
    // A previous holder's folder (it died or was taken over) becomes ours, with its files.
    const previous = (await readdir(base)).filter((n) => n.startsWith('claim-') && n !== path.basename(work));
    const inherited = previous.length ? await newest(base, previous) : null;
    if (inherited) await rename(path.join(base, inherited), work);
    else await mkdir(work, { recursive: true });
    for (const other of previous) if (other !== inherited) await rm(path.join(base, other), { recursive: true, force: true });
    const source = path.join(base, 'source.tar');
    const mine = path.join(work, 'source.tar');
    if ((await stat(source).catch(() => null)) && !(await stat(mine).catch(() => null))) await link(source, mine);
  } catch (error) {
    await lease.release('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
  return {
    work,
    lease,
    checkpoint() {
      if (lease.signal.aborted) throw lease.signal.reason instanceof Error ? lease.signal.reason : new Error(String(lease.signal.reason));
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error(String(options.signal.reason));
    },
    async release(outcome, error) {
      await lease.release(outcome, error);
      if ((await status()) === 'completed') await rm(base, { recursive: true, force: true });
    },
  };
}

async function newest(base: string, names: string[]): Promise<string> {
  const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(base, n)).catch(() => null))?.mtimeMs ?? 0 })));
  return withTimes.sort((a, b) => b.t - a.t)[0]!.n;
}
