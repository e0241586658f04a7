// Case index uniqueness (issue 10): one dossier per case index, department and year, its
// volumes numbered. The department and year (until now only on the transfer) are kept on the
// dossier so that a unique index can hold the rule; a trigger fills them from the transfer, so
// every writer of dossiers keeps it without knowing. Dossiers already duplicated are numbered
// as volumes deterministically — in the order their transfers were received — and each
// renumbering is recorded in the audit log (the AIP keeps the volume the sender gave).
import { sql, type Kysely } from 'kysely';
import { recordAudit, SYSTEM_ACTOR } from '../../audit/audit.service';

interface Row {
  id: string;
  department: string | null;
  year: number | null;
  case_index: string;
  volume: number;
  transfer_id: string;
}

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE dossiers ADD COLUMN IF NOT EXISTS department text;
ALTER TABLE dossiers ADD COLUMN IF NOT EXISTS year integer;
UPDATE dossiers SET department = t.department, year = t.year FROM transfers t WHERE t.id = dossiers.transfer_id;
CREATE FUNCTION dossiers_case_of_transfer() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.department IS NULL OR NEW.year IS NULL THEN
    SELECT coalesce(NEW.department, t.department), coalesce(NEW.year, t.year) INTO NEW.department, NEW.year FROM transfers t WHERE t.id = NEW.transfer_id;
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER dossiers_case_of_transfer BEFORE INSERT ON dossiers FOR EACH ROW EXECUTE FUNCTION dossiers_case_of_transfer();
`.execute(db);

  await numberDuplicateVolumes(db);
  await sql`CREATE UNIQUE INDEX dossiers_case_volume ON dossiers (department, year, case_index, volume)`.execute(db);
}

/**
 * Numbers the dossiers sharing a case index, department and year as volumes 1…n, in the order
 * their transfers were received; returns how many were renumbered. Exported for its test.
 */
export async function numberDuplicateVolumes(db: Kysely<any>): Promise<number> {
  let renumbered = 0;
  const { rows } = await sql<Row & { received_at: Date }>`
SELECT d.id, d.department, d.year, d.case_index, d.volume, d.transfer_id, t.received_at
FROM dossiers d JOIN transfers t ON t.id = d.transfer_id
ORDER BY d.department, d.year, d.case_index, t.received_at, d.transfer_id, d.volume, d.id`.execute(db);
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    if (r.department === null || r.year === null) continue;
    const key = `${r.department}\u0000${r.year}\u0000${r.case_index}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    const volumes = group.map((r) => r.volume);
    if (new Set(volumes).size === volumes.length) continue;
    // Two steps so that no intermediate state breaks (transfer_id, case_index, volume).
    for (const [i, r] of group.entries()) await sql`UPDATE dossiers SET volume = ${-(i + 1)} WHERE id = ${r.id}`.execute(db);
    for (const [i, r] of group.entries()) {
      await sql`UPDATE dossiers SET volume = ${i + 1} WHERE id = ${r.id}`.execute(db);
      if (r.volume !== i + 1) {
        renumbered += 1;
        await recordAudit(db, {
          actor: SYSTEM_ACTOR,
          action: 'dossier.renumber_volume',
          objectType: 'dossier',
          objectId: r.id,
          details: { index: r.case_index, department: r.department, year: r.year, transfer: r.transfer_id, from: r.volume, to: i + 1, reason: 'case index uniqueness (migration 202612066001)' },
        });
      }
    }
  }
  return renumbered;
}
