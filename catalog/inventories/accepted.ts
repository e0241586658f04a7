// Which dossiers the archive has accepted, so an inventory (App. 30) may list them: those of a
// transfer the archivist accepted with its act (catalog/acceptance, App. 33). One place, so the
// inventories follow the acceptance rule wherever it is decided.
import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../database/database';
import { dossierAccepted } from '../acceptance/accepted';

/** A where-clause over `dossiers`: the dossier is accepted by the archive. */
export function isAccepted(eb: ExpressionBuilder<Database, 'dossiers'>) {
  return dossierAccepted(eb);
}
