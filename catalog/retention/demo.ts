// The demo retention list: the articles the seeded nomenclature cites (demo/seed.ts), with
// document types in Kazakh and Russian. The seeds hold no retention list (BRIEF §9), so the
// articles and periods follow the typical list's usual entries and are illustrative.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Actor } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import { findList } from './retention.repository';
import { createRetentionService, type RetentionListView } from './retention.service';

export const DEMO_RETENTION_LIST = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo', 'retention-list.csv');

/** Imports the demo list as version 1 when there is no list yet; else leaves the catalog alone. */
export async function importDemoRetentionList(db: Kysely<Database>, actor: Actor): Promise<RetentionListView | null> {
  if (await findList(db)) return null;
  return createRetentionService({ db }).importList(actor, {
    content: readFileSync(DEMO_RETENTION_LIST, 'utf8'),
    format: 'csv',
    sourceName: path.basename(DEMO_RETENTION_LIST),
    title: 'Үлгі тізбе (демо) / Примерный перечень (демо)',
  });
}
