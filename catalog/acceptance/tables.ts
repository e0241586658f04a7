// Table types of the archive's acceptance of transfers (App. 33): the decision on each stored
// transfer (accepted or returned) and the acceptance act of an accepted one.
import type { ColumnType, Generated } from 'kysely';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type AcceptanceDecision = 'accepted' | 'returned';
export type ActStatus = 'accepted' | 'approved';

/** A person as the act prints them: position, name (full as kept), user. */
export interface ActPerson {
  userId: string | null;
  name: string;
  position: string | null;
}

export interface ActRetention {
  kind: 'permanent' | 'years' | 'years_epk' | 'until_needed';
  years: number | null;
  article: string | null;
}

/** One line of the act's table (App. 33 columns 1–7), as it was at acceptance. */
export interface ActRow {
  position: number;
  dossierId: string;
  index: string;
  volume: number;
  title: string;
  documents: number;
  files: number;
  /** Documents carrying an electronic digital signature, and those without one (column 5). */
  signed: number;
  unsigned: number;
  bytes: number;
  retention: ActRetention | null;
}

export interface ActTotals {
  dossiers: number;
  documents: number;
  files: number;
  signed: number;
  unsigned: number;
  bytes: number;
}

/** Stored renditions of the act per language (forms/store.ts): the object's sha256 and size. */
export type ActRenditions = Partial<Record<'kk' | 'ru', { renditionId: string; sha256: string; size: number; storedAt: string }>>;

export interface AcceptanceActsTable {
  id: Generated<string>;
  /** «АКТ №»: numbered from 1 within the year the act is made. */
  number: number;
  act_year: number;
  transfer_id: string;
  department: string;
  /** «за ____ годы»: the years of the documents ("2025", "2024–2025"). */
  records_years: string;
  handed_over_by: string | null;
  handed_over: Json<ActPerson>;
  accepted_by: string | null;
  accepted: Json<ActPerson>;
  state_of_documents: string;
  rows: Json<ActRow[]>;
  totals: Json<ActTotals>;
  status: ColumnType<ActStatus, ActStatus | undefined, ActStatus>;
  approved_by: string | null;
  approved: ColumnType<ActPerson | null, string | null | undefined, string | null>;
  approved_at: NullableTs;
  renditions: ColumnType<ActRenditions, string | undefined, string>;
  created_at: Ts;
}

export interface TransferAcceptancesTable {
  id: Generated<string>;
  transfer_id: string;
  decision: AcceptanceDecision;
  reason: string | null;
  act_id: string | null;
  schedule_row_id: string | null;
  decided_by: string | null;
  decided_by_name: string;
  decided_at: Ts;
}

export interface AcceptanceTables {
  acceptance_acts: AcceptanceActsTable;
  transfer_acceptances: TransferAcceptancesTable;
}
