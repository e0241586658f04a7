// After the manifest: one dossier per case index, department and year (issue 10). A dossier
// whose index the archive already holds for that department and year is refused — naming the
// index and the earlier transfer — unless the archivist decided to add it as a new volume
// (`--new-volume`, or POST /api/transfers/{id}/new-volume after the refusal); its volumes are
// then numbered after the ones already kept. The decision lives on the transfer row
// (ingest/intake/case-index.service.ts), so a retry or resume honours it: a `--new-volume`
// given to the run is written there the first time it decides something. Cheap and
// repeatable, so it is not a durable step: it runs again on every resume, against what the
// catalog holds then.
import { readCaseIndexDecision, recordCaseIndexDecision } from '../../intake/case-index.service';
import type { Problem } from '../../tables';
import { problem, required, type Ctx } from '../context';
import type { PipelineStep } from '../step';

/** The decision: true for every index of the transfer, or the indexes named. */
export type NewVolumeDecision = true | string[];

export function volumeKey(index: string | null, volume: number): string {
  return `${index ?? ''}#${volume}`;
}

function decided(decision: NewVolumeDecision | undefined, index: string): boolean {
  return decision === true || (Array.isArray(decision) && decision.includes(index));
}

/** What the run was told (CLI), else what the archivist decided on the transfer before. */
async function decisionOf(ctx: Ctx): Promise<{ decision: NewVolumeDecision | undefined; stored: boolean }> {
  const stored = await readCaseIndexDecision(ctx.deps.db, ctx.transferId);
  if (ctx.options.newVolumes !== undefined) {
    const same = stored?.decision === 'new-volume' && JSON.stringify(stored.indexes ?? true) === JSON.stringify(ctx.options.newVolumes);
    return { decision: ctx.options.newVolumes, stored: same };
  }
  if (stored?.decision !== 'new-volume') return { decision: undefined, stored: true };
  return { decision: stored.indexes ?? true, stored: true };
}

export const caseIndexStep: PipelineStep = {
  // Reported as part of the manifest step: it is a verdict on what the manifest declares.
  name: 'manifest',
  async run(ctx: Ctx) {
    const manifest = required(ctx.manifest, 'manifest');
    const department = manifest.transfer.department.code;
    const year = manifest.transfer.year;
    const indexes = [...new Set(manifest.dossiers.map((d) => d.index))];
    if (!indexes.length) return { ok: true };
    const { decision, stored } = await decisionOf(ctx);
    const kept = await ctx.deps.db
      .selectFrom('dossiers')
      .innerJoin('transfers', 'transfers.id', 'dossiers.transfer_id')
      .select(['dossiers.case_index', 'dossiers.volume', 'dossiers.transfer_id', 'transfers.source_name', 'transfers.received_at'])
      // Returned by the archive (catalog/acceptance): the department's correction of it is expected.
      .select((eb) =>
        eb
          .exists(eb.selectFrom('transfer_acceptances as ta').select('ta.id').whereRef('ta.transfer_id', '=', 'dossiers.transfer_id').where('ta.decision', '=', 'returned'))
          .as('returned'),
      )
      .where('dossiers.department', '=', department)
      .where('dossiers.year', '=', year)
      .where('dossiers.case_index', 'in', indexes)
      .where('dossiers.transfer_id', '<>', ctx.transferId)
      .orderBy('transfers.received_at')
      .orderBy('dossiers.volume')
      .execute();
    const volumes = new Map<string, number>();
    const problems: Problem[] = [];
    for (const index of indexes) {
      const taken = kept.filter((k) => k.case_index === index);
      if (!taken.length) continue;
      // An index kept only by transfers the archive returned is the corrected transfer's to take:
      // its dossiers are numbered as the next volumes without a further decision.
      if (!decided(decision, index) && !taken.every((k) => k.returned)) {
        const earlier = taken[0]!;
        problems.push(
          problem(
            'ingest.case_index_exists',
            {
              index,
              department,
              year,
              transfer: earlier.transfer_id,
              source: earlier.source_name,
              received: new Date(earlier.received_at).toISOString().slice(0, 10),
              volumes: taken.map((k) => k.volume).join(', '),
            },
            'manifest.json',
            'p.206',
          ),
        );
        continue;
      }
      let next = Math.max(...taken.map((k) => k.volume));
      const own = manifest.dossiers.filter((d) => d.index === index).map((d) => d.volume ?? 1).sort((a, b) => a - b);
      for (const v of own) volumes.set(volumeKey(index, v), ++next);
    }
    if (problems.length) return { ok: false, problems };
    if (volumes.size && !stored && decision !== undefined) {
      // The run's own decision (`--new-volume`) decided something: keep it with the transfer.
      const indexes = decision === true ? null : decision;
      await ctx.deps.db.transaction().execute((trx) => recordCaseIndexDecision(trx, ctx.actor, ctx.transferId, 'new-volume', indexes, { via: 'ingest' }));
    }
    ctx.volumes = volumes;
    return { ok: true };
  },
};
