// What a researcher may get of a requested dossier or document. The decision belongs to access/
// (researcherViewOf: open, restricted until a date, personal data, for official use, the
// archivist's rules and exceptions; docs/access.md); this module only asks it, so a request is
// never approved nor a copy made of what the researcher could not read themself.
import type { Kysely } from 'kysely';
import { researcherViewOf, type ResearcherView } from '../access';
import type { Actor } from '../audit/audit.service';
import type { Database } from '../database/database';

export type { ResearcherView };
export type ViewTarget = { dossierId: string } | { documentId: string };

/** The researcher's view of a target: 'full' (copies may be made), 'metadata' or 'none'. */
export function researcherView(db: Kysely<Database>, researcher: Actor, target: ViewTarget, now = new Date()): Promise<ResearcherView> {
  return researcherViewOf(db, researcher, target, now);
}
