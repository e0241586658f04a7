// Which dossiers the archive has accepted: those of a transfer the archivist accepted (with its
// act). An inventory (App. 30) lists only these; a returned transfer's dossiers never count.
import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../database/database';

/** A where-clause over `dossiers`: the dossier's transfer was accepted by the archive. */
export function dossierAccepted(eb: ExpressionBuilder<Database, 'dossiers'>) {
  return eb.exists(
    eb
      .selectFrom('transfer_acceptances as ta')
      .select('ta.id')
      .whereRef('ta.transfer_id', '=', 'dossiers.transfer_id')
      .where('ta.decision', '=', 'accepted'),
  );
}
