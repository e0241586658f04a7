// Shared by the retention list tests (catalog/retention): what a refused list file says.
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../../database/database';
import { RetentionListInvalidError } from '../../catalog/retention/retention.service';
import type { ListProblem } from '../../catalog/retention/list-file';

/** The problems of a list the service refused; fails the test if it was not refused as invalid. */
export async function problemsOf(promise: Promise<unknown>): Promise<ListProblem[]> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RetentionListInvalidError);
  return (error as RetentionListInvalidError).problems;
}

/** A stored dossier row of `transferId` (placeholder digests), for the retention checks that read only its metadata; returns its id. */
export async function insertStoredDossier(db: Kysely<Database>, transferId: string, caseIndex: string, metadata: Record<string, unknown> = {}, title = caseIndex): Promise<string> {
  const row = await db
    .insertInto('dossiers')
    .values({
      transfer_id: transferId,
      case_index: caseIndex,
      title,
      status: 'stored',
      aip_manifest_sha256: 'a'.repeat(64),
      inventory_sha256: 'b'.repeat(64),
      integrity_sha256: 'c'.repeat(64),
      metadata: JSON.stringify(metadata),
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
