// Which dossiers the archive has accepted, so an inventory (App. 30) may list them. One place,
// so the switch to the explicit accept step (catalog/acceptance/, issue 11) is one line here.
// Until that step exists, a dossier is accepted once it is stored: its internal inventory and
// its integrity statement are signed (p.206–208) and it sits in the archive's storage.
import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../database/database';

/** A where-clause over `dossiers`: the dossier is accepted by the archive. */
export function isAccepted(eb: ExpressionBuilder<Database, 'dossiers'>) {
  return eb('dossiers.status', '=', 'stored');
}
