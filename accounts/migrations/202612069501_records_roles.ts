import { sql, type Kysely } from 'kysely';

// Two roles of the nomenclature's approval (p.133): the head of the records service (служба
// ДОУ), who signs it, and the organisation head, who approves it ("Утверждаю").
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (
  cardinality(roles) > 0 AND roles <@ ARRAY['admin', 'archivist', 'department_clerk', 'department_head',
    'commission_chair', 'commission_secretary', 'commission_member', 'researcher',
    'records_head', 'organisation_head']::text[]);
`.execute(db);
}
