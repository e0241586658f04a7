import { sql, type Kysely } from 'kysely';

// An approved inventory stays as signed, except the renditions it offers: after approval the
// form is rendered again with the signed approval block and the archival ciphers, and the
// inventory names those (the draft's renditions the head signed stay in the stored statement).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE OR REPLACE FUNCTION inventories_approved_frozen() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'approved' THEN RAISE EXCEPTION 'an approved inventory is never deleted (%)', OLD.id; END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'approved' AND (to_jsonb(NEW) - 'renditions' - 'updated_at') IS DISTINCT FROM (to_jsonb(OLD) - 'renditions' - 'updated_at') THEN
    RAISE EXCEPTION 'an approved inventory is never changed (%)', OLD.id;
  END IF;
  RETURN NEW;
END
$fn$;
`.execute(db);
}
