// The archivist's decision on a transfer refused because its case index is already kept for
// that department and year (steps/case-index.ts): add its dossiers as new volumes. The
// decision is kept in the transfer's options (so every later resume honours it), recorded in
// the audit log, and the transfer is put back in the queue at the step that refused it.
import { ConflictError, ForbiddenError } from '../../common/errors';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import type { Problem } from '../tables';
import type { IngestDeps } from '../pipeline/tools';
import { retryTransfer } from './transfer-state';

export async function decideNewVolume(
  deps: Pick<IngestDeps, 'db' | 'storage' | 'config'>,
  actor: Actor,
  transferId: string,
): Promise<{ transferId: string; status: 'queued'; indexes: string[] }> {
  if (actor !== SYSTEM_ACTOR && !actor.roles.includes('archivist')) {
    throw new ForbiddenError('ingest.new_volume_archivist_only', 'ingest.new_volume_archivist_only', { user: actor.username });
  }
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(transferId);
  const row = isUuid ? await deps.db.selectFrom('transfers').select(['id', 'status', 'failure', 'problems', 'options']).where('id', '=', transferId).executeTakeFirst() : undefined;
  const failure = row?.failure as { code?: string } | null | undefined;
  if (!row || row.status !== 'failed' || failure?.code !== 'ingest.case_index_exists') {
    throw new ConflictError('ingest.new_volume_not_applicable', 'ingest.new_volume_not_applicable', { id: transferId, status: row?.status ?? '—' });
  }
  const indexes = [
    ...new Set(
      ((row.problems ?? []) as Problem[])
        .filter((p) => p.code === 'ingest.case_index_exists')
        .map((p) => String((p.details as { index?: unknown } | undefined)?.index ?? ''))
        .filter(Boolean),
    ),
  ];
  await deps.db.transaction().execute(async (trx) => {
    const options = { ...((row.options as Record<string, unknown> | null) ?? {}), newVolumes: indexes };
    await trx.updateTable('transfers').set({ options: JSON.stringify(options) }).where('id', '=', row.id).execute();
    await recordAudit(trx, { actor, action: 'transfer.new_volume', objectType: 'transfer', objectId: row.id, details: { indexes } });
  });
  const retried = await retryTransfer(deps, actor, row.id);
  return { transferId: retried.transferId, status: retried.status, indexes };
}
