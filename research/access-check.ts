// What a researcher may get of a requested dossier or document. The decision belongs to access/
// (researcherViewOf, docs/access.md); this module only asks it, so a request is never approved
// nor a copy made of what the researcher could not read themself. Until access/ exports the
// function (it is being written beside this domain), the document's own access rule (p.212:
// restricted by the fonds creator until a date) decides, as ingest's readers already do.
import type { Kysely } from 'kysely';
import * as access from '../access';
import type { Actor } from '../audit/audit.service';
import type { Database } from '../database/database';

export type ResearcherView = 'full' | 'metadata' | 'none';
export type ViewTarget = { dossierId: string } | { documentId: string };
type ViewOf = (db: Kysely<Database>, actor: Actor, target: ViewTarget, now?: Date) => Promise<ResearcherView>;

interface AccessRule {
  kind?: string;
  until?: string;
}

async function fallbackView(db: Kysely<Database>, target: ViewTarget, now: Date): Promise<ResearcherView> {
  const today = now.toISOString().slice(0, 10);
  const rows = await db
    .selectFrom('dossier_documents')
    .select(['metadata'])
    .$if('dossierId' in target, (q) => q.where('dossier_id', '=', (target as { dossierId: string }).dossierId))
    .$if('documentId' in target, (q) => q.where('document_id', '=', (target as { documentId: string }).documentId))
    .execute();
  if (!rows.length) return 'none';
  const closed = rows.some((r) => {
    const rule = (r.metadata as { access?: AccessRule }).access;
    return rule?.kind === 'restricted' && !(rule.until && rule.until <= today);
  });
  return closed ? 'metadata' : 'full';
}

/** The researcher's view of a target: 'full' (copies may be made), 'metadata' or 'none'. */
export async function researcherView(db: Kysely<Database>, researcher: Actor, target: ViewTarget, now = new Date()): Promise<ResearcherView> {
  const decide = (access as unknown as { researcherViewOf?: ViewOf }).researcherViewOf;
  if (typeof decide === 'function') return decide(db, researcher, target, now);
  return fallbackView(db, target, now);
}
