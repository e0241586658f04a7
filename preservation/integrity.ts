// Integrity runs: re-verify every stored dossier (objects in every store, chains, inventories,
// signatures) and, when asked, repair missing or damaged object copies from a sound copy in
// another store, then verify again. Every repair and every run is an audit event, so the
// archive can show when each object was last proven intact and what was restored.
import type { Actor } from '../audit/audit.service';
import { recordAudit } from '../audit/audit.service';
import { loadSystemKey, writeAuditAnchor } from '../audit/audit-anchor';
import { repairObject, type ObjectRepair } from '../storage';
import { CONTENT_KEY_PATH, verifyStoredDossiers, type VerifyDeps, type VerifyReport } from '../ingest/aip/verify';
import { repairDossierKey } from '../destruction/content';
import { processRepairQueue, type RepairQueueOutcome } from './read-repair';
import type { PdfaEngine } from '../validators/pdfa';
import { revalidateRenditions } from './revalidate';
import { recheckSignaturesOf, type RecheckSummary } from './reconciliation.service';

export interface IntegrityRunOptions {
  actor: Actor;
  repair: boolean;
  dossierId?: string;
  /** The recorded run (integrity_runs) this is, named in the audit events. */
  runId?: string;
  /**
   * Folder of the system key (systemKeyDir(config)): the audit log's head is anchored in
   * storage at the end of the run. Absent: no anchor (unit tests of the verification alone).
   */
  anchorKeyDir?: string;
  /** Also re-validate every stored PDF/A rendition with this engine (revalidate.ts). */
  revalidatePdfa?: PdfaEngine;
  onProgress?: (phase: 'verify' | 'repair' | 'reverify', done: number, total: number, item: string) => void;
}

export interface IntegrityRunReport {
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  /** The first verification. */
  verification: VerifyReport;
  repairs: (ObjectRepair & { paths: string[]; dossiers: string[] })[];
  /** Verification after repairs (absent when nothing was repaired). */
  afterRepair?: VerifyReport;
  /** Copies queued for repair by verified reads, worked on by this run (with repair). */
  repairQueue?: RepairQueueOutcome;
  /** Signatures re-verified from each AIP's evidence; reconciliation tasks opened (p.97-1). */
  signatures?: RecheckSummary;
  /** The audit anchor written at the end of the run. */
  anchor?: { name: string; count: number; lastHash: string | null } | { error: string };
}

/** Objects whose copy in some store is missing or damaged, with where they are used. */
function damagedObjects(report: VerifyReport): Map<string, { paths: Set<string>; dossiers: Set<string> }> {
  const out = new Map<string, { paths: Set<string>; dossiers: Set<string> }>();
  const add = (sha256: string | undefined, path: string | undefined, dossier: string) => {
    if (!sha256) return;
    const entry = out.get(sha256) ?? { paths: new Set<string>(), dossiers: new Set<string>() };
    if (path) entry.paths.add(path);
    entry.dossiers.add(dossier);
    out.set(sha256, entry);
  };
  for (const d of report.dossiers) {
    for (const f of d.failures) if (f.kind === 'object-missing' || f.kind === 'object-corrupt') add(f.sha256, f.path, d.index);
  }
  for (const r of report.rejectedItems) {
    for (const f of r.failures) if (f.kind === 'object-missing' || f.kind === 'object-corrupt') add(f.sha256, f.path, `rejected:${r.transferId}`);
  }
  return out;
}

export async function runIntegrity(deps: VerifyDeps, options: IntegrityRunOptions): Promise<IntegrityRunReport> {
  const startedAt = new Date().toISOString();
  const progress = (phase: 'verify' | 'reverify') => (done: number, total: number, item: string) => options.onProgress?.(phase, done, total, item);
  const verification = await verifyStoredDossiers(deps, { dossierId: options.dossierId, onProgress: progress('verify') });
  const repairs: IntegrityRunReport['repairs'] = [];
  let afterRepair: VerifyReport | undefined;
  let repairQueue: RepairQueueOutcome | undefined;
  if (options.repair) {
    const stores = [deps.storage.primary, ...deps.storage.replicas];
    const damaged = [...damagedObjects(verification)];
    let done = 0;
    for (const [sha256, where] of damaged) {
      options.onProgress?.('repair', done++, damaged.length, sha256);
      const result = await repairObject(sha256, stores);
      const entry = { ...result, paths: [...where.paths], dossiers: [...where.dossiers] };
      repairs.push(entry);
      await recordAudit(deps.db, {
        actor: options.actor,
        action: result.unrepaired.length === 0 ? 'storage.repair' : 'storage.repair_failed',
        objectType: 'object',
        objectId: sha256,
        details: { source: result.source, repaired: result.repaired, unrepaired: result.unrepaired, paths: entry.paths, dossiers: entry.dossiers, ...(options.runId ? { runId: options.runId } : {}) },
      });
    }
    // Content keys of sealed dossiers missing or damaged in a key area (docs/destruction.md).
    let keysRepaired = 0;
    for (const d of verification.dossiers.filter((x) => x.failures.some((f) => f.path === CONTENT_KEY_PATH))) {
      const locations = await repairDossierKey(deps, d.id);
      keysRepaired += locations.length;
      await recordAudit(deps.db, { actor: options.actor, action: 'storage.key_repair', objectType: 'dossier', objectId: d.id, details: { index: d.index, locations, ...(options.runId ? { runId: options.runId } : {}) } });
    }
    // Bad copies met by downloads since the last run wait in the repair queue.
    repairQueue = await processRepairQueue(deps, { actor: options.actor, ...(options.runId ? { runId: options.runId } : {}) });
    if (repairs.some((r) => r.repaired.length > 0) || repairQueue.repaired > 0 || keysRepaired > 0) {
      afterRepair = await verifyStoredDossiers(deps, { dossierId: options.dossierId, onProgress: progress('reverify') });
    }
  }
  const final = afterRepair ?? verification;
  if (options.revalidatePdfa) {
    // Reported under the verify phase: the renditions are part of what is verified.
    const found = await revalidateRenditions(deps, { engine: options.revalidatePdfa, dossierIds: final.dossiers.map((d) => d.id), onProgress: progress('verify') });
    for (const d of final.dossiers) {
      const failures = found.get(d.id);
      if (!failures?.length) continue;
      d.failures.push(...failures);
      d.ok = false;
      final.ok = false;
    }
  }
  // Each signature re-verified from its AIP's own evidence (no trust folder): a failure in a
  // permanent or over-10-year dossier opens a reconciliation task (preservation/reconciliation.service.ts).
  const signatures = await recheckSignaturesOf({ db: deps.db, storage: deps.storage }, options.actor, final.dossiers.map((d) => d.id), options.runId ? { runId: options.runId } : {});
  const report: IntegrityRunReport = { ok: final.ok, startedAt, finishedAt: new Date().toISOString(), verification, repairs, ...(afterRepair ? { afterRepair } : {}), ...(repairQueue ? { repairQueue } : {}), signatures };
  await recordAudit(deps.db, {
    actor: options.actor,
    action: 'integrity.run',
    objectType: options.dossierId ? 'dossier' : 'archive',
    objectId: options.dossierId ?? null,
    details: {
      ...(options.runId ? { runId: options.runId } : {}),
      ok: report.ok,
      dossiers: final.dossiers.length,
      failedDossiers: final.dossiers.filter((d) => !d.ok).map((d) => d.index),
      objectsChecked: verification.objectsChecked,
      ...(options.revalidatePdfa ? { revalidatePdfa: options.revalidatePdfa } : {}),
      repaired: repairs.reduce((n, r) => n + r.repaired.length, 0),
      unrepaired: repairs.reduce((n, r) => n + r.unrepaired.length, 0),
      startedAt,
      finishedAt: report.finishedAt,
      ...(repairQueue ? { repairQueue } : {}),
    },
  });
  if (options.anchorKeyDir) {
    // After the run's own event, so the anchor covers it. A failed anchor does not fail the
    // check of the archive; the report says so.
    try {
      const key = (await loadSystemKey(options.anchorKeyDir, { create: true }))!;
      const written = await writeAuditAnchor({ db: deps.db, storage: deps.storage, key }, 'integrity-run');
      report.anchor = { name: written.name, count: written.anchor.count, lastHash: written.anchor.lastHash };
    } catch (error) {
      report.anchor = { error: (error as Error).message };
    }
  }
  return report;
}
