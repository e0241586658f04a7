// Queries on signer bindings (which certificate or IIN belongs to which user). No delete:
// a removed binding stays, marked removed, so an old signature still names its binding.
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../database/database';
import type { SignerBindingsTable, SignerBindingStatus } from './signers.tables';

export type SignerBindingRow = Selectable<SignerBindingsTable>;
type Db = Kysely<Database> | Transaction<Database>;

export async function insertSignerBinding(db: Db, values: Insertable<SignerBindingsTable>): Promise<SignerBindingRow> {
  return db.insertInto('signer_bindings').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findSignerBinding(db: Db, id: string): Promise<SignerBindingRow | undefined> {
  return db.selectFrom('signer_bindings').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listSignerBindings(db: Db, filter: { userId?: string; status?: SignerBindingStatus[] }): Promise<SignerBindingRow[]> {
  return db
    .selectFrom('signer_bindings')
    .selectAll()
    .$if(filter.userId !== undefined, (q) => q.where('user_id', '=', filter.userId!))
    .$if(!!filter.status?.length, (q) => q.where('status', 'in', filter.status!))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The binding (not removed) of a certificate, by its issuer and serial number. */
export async function bindingOfCertificate(db: Db, issuer: string, serialNumber: string): Promise<SignerBindingRow | undefined> {
  return db
    .selectFrom('signer_bindings')
    .selectAll()
    .where('kind', '=', 'certificate')
    .where('issuer', '=', issuer)
    .where('serial_number', '=', serialNumber)
    .where('status', '<>', 'removed')
    .executeTakeFirst();
}

/** The IIN binding (not removed) of an IIN. */
export async function bindingOfIin(db: Db, iin: string): Promise<SignerBindingRow | undefined> {
  return db.selectFrom('signer_bindings').selectAll().where('kind', '=', 'iin').where('iin', '=', iin).where('status', '<>', 'removed').executeTakeFirst();
}

export async function setSignerBindingStatus(
  db: Db,
  id: string,
  from: SignerBindingStatus[],
  values: Partial<Pick<SignerBindingRow, 'status' | 'confirmed_at' | 'confirmed_by' | 'removed_at' | 'removed_by' | 'removed_reason'>>,
): Promise<SignerBindingRow | undefined> {
  return db.updateTable('signer_bindings').set(values).where('id', '=', id).where('status', 'in', from).returningAll().executeTakeFirst();
}
