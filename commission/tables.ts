// Tables of the commission domain (commission/migrations/202612070100_commission.ts).
import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../database/types';

export type CommissionRole = 'chair' | 'secretary' | 'member';
export type MeetingStatus = 'planned' | 'held' | 'protocol_drafted' | 'protocol_signed';
export type AgendaItemKind = 'nomenclature_approval' | 'inventory_approval' | 'destruction_act_approval' | 'move_to_permanent' | 'extend_retention';
export type VoteChoice = 'for' | 'against' | 'abstain';
export type ItemOutcome = 'adopted' | 'rejected' | 'no_quorum';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface CommissionSettingsTable {
  id: number;
  name_kk: string;
  name_ru: string;
  quorum_percent: number;
  updated_at: Timestamp;
  updated_by: string;
}

export interface CommissionMembersTable {
  id: Generated<string>;
  user_id: string;
  role: CommissionRole;
  term_from: string;
  term_to: string | null;
  created_by: string;
  created_at: Generated<Date>;
}

export interface CommissionMeetingsTable {
  id: Generated<string>;
  number: string;
  meeting_date: string;
  place: string;
  status: Generated<MeetingStatus>;
  protocol_number: string | null;
  protocol_date: string | null;
  created_by: string;
  created_at: Generated<Date>;
  held_at: NullableTimestamp;
  drafted_at: NullableTimestamp;
  signed_at: NullableTimestamp;
}

export interface CommissionAttendanceTable {
  meeting_id: string;
  member_id: string;
}

export interface CommissionAgendaItemsTable {
  id: Generated<string>;
  meeting_id: string | null;
  position: number | null;
  kind: AgendaItemKind;
  subject_id: string;
  title: string;
  details: Json<unknown> | null;
  proposed_by: string;
  proposed_at: Generated<Date>;
  outcome: ItemOutcome | null;
  votes_for: number | null;
  votes_against: number | null;
  votes_abstain: number | null;
  present: number | null;
  in_office: number | null;
  closed_by: string | null;
  closed_at: NullableTimestamp;
}

export interface CommissionVotesTable {
  item_id: string;
  member_id: string;
  vote: VoteChoice;
  reservation: Generated<boolean>;
  dissent: string | null;
  cast_by: string;
  cast_at: Generated<Date>;
}

export interface CommissionProtocolRenditionsTable {
  id: Generated<string>;
  meeting_id: string;
  language: 'kk' | 'ru';
  title: string;
  sha256: string;
  size: ColumnType<string | number, number, number>;
  storage_key: string;
  superseded: Generated<boolean>;
  created_by: string;
  created_at: Generated<Date>;
}

export interface CommissionProtocolSignaturesTable {
  id: Generated<string>;
  rendition_id: string;
  member_id: string;
  role: 'chair' | 'secretary';
  cms_sha256: string;
  signer: Json<Record<string, unknown> | null> | null;
  signed_by: string;
  signed_at: Generated<Date>;
}

export interface CommissionTables {
  commission_settings: CommissionSettingsTable;
  commission_members: CommissionMembersTable;
  commission_meetings: CommissionMeetingsTable;
  commission_attendance: CommissionAttendanceTable;
  commission_agenda_items: CommissionAgendaItemsTable;
  commission_votes: CommissionVotesTable;
  commission_protocol_renditions: CommissionProtocolRenditionsTable;
  commission_protocol_signatures: CommissionProtocolSignaturesTable;
}
