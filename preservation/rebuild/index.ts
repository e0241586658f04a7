// `muragat catalog rebuild --from-storage` (docs/rebuild.md): the archive survives losing its
// database. The AIPs in the storage locations are found (scan), read and checked into a plan
// with every problem named by its dossier (plan), and only then written, in one transaction
// (write). Destroyed dossiers stay out: a sealed dossier's key tombstone or a location's
// destruction register says so. Refuses a catalog that already holds holdings unless told.
import { ConflictError } from '../../common/errors';
import { scanStorage } from './scan';
import { planRebuild } from './plan';
import { catalogedAips, writePlan } from './write';
import type { RebuildDeps, RebuildOptions, RebuildReport } from './types';

export type { RebuildDeps, RebuildOptions, RebuildProgress, RebuildProblem, RebuildReport, RebuiltDossier, LeftOutDossier, RebuildPhase } from './types';
export { CATALOG_CONTEXT_PATH, catalogContextOf, type CatalogContext } from './context';
export { currentManifest } from './plan';

/** Rows that make a catalog "not empty" for the rebuild: its holdings, not its users or settings. */
async function holdingsCount(deps: RebuildDeps): Promise<{ dossiers: number; transfers: number }> {
  const [d, tr] = await Promise.all([
    deps.db.selectFrom('dossiers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    deps.db.selectFrom('transfers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { dossiers: Number(d.n), transfers: Number(tr.n) };
}

export async function rebuildCatalog(deps: RebuildDeps, options: RebuildOptions): Promise<RebuildReport> {
  const held = await holdingsCount(deps);
  if (!options.intoNonEmpty && (held.dossiers > 0 || held.transfers > 0)) {
    throw new ConflictError('rebuild.catalog_not_empty', 'rebuild.catalog_not_empty', { dossiers: held.dossiers, transfers: held.transfers });
  }
  const progress = (phase: 'scan' | 'read' | 'write') => (done: number, total: number, item: string) => options.onProgress?.({ phase, done, total, item });
  const listing = await scanStorage(deps.storage, progress('scan'));
  const plan = await planRebuild(deps, listing, progress('read'));

  // Into a catalog that is not empty: the AIPs it already holds are left as they are.
  const already = options.intoNonEmpty ? await catalogedAips(deps.db) : { keys: new Set<string>(), manifests: new Set<string>() };
  const fresh = plan.dossiers.filter((d) => !already.keys.has(`${d.transferId}/${d.index}/${d.volume}`) && !already.manifests.has(d.manifestSha256));
  const errors = plan.problems.filter((p) => p.severity === 'error');
  const refused = errors.length > 0 && !options.acceptLosses;
  const report: RebuildReport = {
    ok: errors.length === 0,
    written: false,
    dryRun: Boolean(options.dryRun),
    locations: listing.stores.map((s) => s.location),
    objectsScanned: listing.holders.size,
    manifestsFound: plan.manifestsFound,
    dossiers: fresh.map((d) => ({ aipId: d.aipId, index: d.index, volume: d.volume, title: d.title, transferId: d.transferId, manifest: d.manifestSha256, status: d.status, documents: d.chain.length, sealed: d.key !== null, ...(d.withLosses ? { withLosses: true } : {}) })),
    leftOut: plan.leftOut,
    transfers: 0,
    documents: 0,
    organisation: false,
    departments: 0,
    problems: plan.problems,
  };
  if (refused || options.dryRun) return report;
  // The lost audit log ended at its latest anchor in storage: the new log's rebuild event names it.
  const anchors = (await Promise.all(listing.stores.map((store) => store.listRecords('anchors').catch(() => [] as string[])))).flat().sort();
  const written = await writePlan(
    deps.db,
    plan,
    fresh,
    options.actor,
    { locations: report.locations, destroyed: plan.leftOut.filter((l) => l.destroyedBy).length, problems: plan.problems.length, acceptLosses: Boolean(options.acceptLosses), lastAnchor: anchors.at(-1) ?? null },
    progress('write'),
  );
  for (const d of report.dossiers) {
    const id = written.ids.get(d.aipId);
    if (id) d.id = id;
  }
  report.dossiers = report.dossiers.filter((d) => d.id);
  return { ...report, written: true, transfers: written.transfers, documents: written.documents, organisation: written.organisation, departments: written.departments };
}
