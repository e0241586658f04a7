// Tables of the appraisal domain (appraisal/migrations/202612070200_appraisal.ts): decisions per
// dossier, retention changed by the commission, holds, destruction acts with rows and renditions.
import type { ColumnType, Generated } from 'kysely';
import type { Json } from '../database/types';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type AppraisalDecisionKind = 'destroy' | 'keep_permanently' | 'extend';
/** destroy: decided at once; keep/extend: proposed to the commission, then applied or rejected. */
export type AppraisalDecisionStatus = 'decided' | 'proposed' | 'applied' | 'rejected';

export interface ProtocolRef {
  number: string;
  date: string;
}

export interface AppraisalDecisionsTable {
  id: Generated<string>;
  dossier_id: string;
  decision: AppraisalDecisionKind;
  extend_years: number | null;
  reason: string;
  status: AppraisalDecisionStatus;
  agenda_item_id: string | null;
  current: ColumnType<boolean, boolean | undefined, boolean>;
  decided_by: string;
  decided_by_user: string | null;
  decided_at: Ts;
  resolved_at: NullableTs;
  protocol: Json<ProtocolRef> | null;
}

export interface StoredRetention {
  kind: 'permanent' | 'years' | 'years_epk' | 'until_needed';
  years?: number | null;
  article?: string | null;
}

export interface AppraisalRetentionChangesTable {
  id: Generated<string>;
  dossier_id: string;
  decision_id: string;
  previous: Json<StoredRetention>;
  retention: Json<StoredRetention>;
  protocol: Json<ProtocolRef>;
  applied_by: string;
  applied_at: Ts;
}

export type HoldScope = 'dossier' | 'series' | 'year';
export type HoldKind = 'legal' | 'audit';

export interface AppraisalHoldsTable {
  id: Generated<string>;
  scope: HoldScope;
  dossier_id: string | null;
  case_index: string | null;
  year: number | null;
  kind: HoldKind;
  reason: string;
  placed_by: string;
  placed_by_user: string | null;
  placed_at: Ts;
  lifted_by: string | null;
  lifted_by_user: string | null;
  lifted_at: NullableTs;
  lift_reason: string | null;
}

export type DestructionActStatus = 'draft' | 'submitted' | 'agreed' | 'approved' | 'executed';

export interface ActPerson {
  name: string;
  position: string;
}

/** The approved permanent inventories of one year, as the act's line names them. */
export interface PermanentInventoriesOfYear {
  year: number;
  inventories: { number: number; department: string; approvedAt: string | null; protocol: ProtocolRef | null }[];
}

export interface ActApproval {
  renditionId: string;
  cmsSha256: string;
  signer: Record<string, unknown>;
  name: string;
  position: string | null;
  username: string;
  date: string;
}

export interface ActExecution {
  executedBy: string;
  executedAt: string;
  method: string;
  certificateId?: string | null;
}

export interface DestructionActsTable {
  id: Generated<string>;
  number: string;
  act_year: number;
  act_date: ColumnType<string, string, string>;
  fonds_number: string | null;
  basis: string;
  status: ColumnType<DestructionActStatus, DestructionActStatus | undefined, DestructionActStatus>;
  appraiser: Json<ActPerson>;
  permanent_inventories: Json<PermanentInventoriesOfYear[]>;
  agenda_item_id: string | null;
  protocol: Json<ProtocolRef> | null;
  approval: Json<ActApproval> | null;
  execution: Json<ActExecution> | null;
  created_by: string;
  created_by_user: string | null;
  created_at: Generated<Date>;
  updated_at: Ts;
  submitted_at: NullableTs;
  agreed_at: NullableTs;
  approved_at: NullableTs;
  executed_at: NullableTs;
}

export interface DestructionActItemsTable {
  act_id: string;
  dossier_id: string;
  position: number;
  case_index: string;
  heading: string;
  year: number | null;
  department: string | null;
  start_date: string | null;
  end_date: string | null;
  retention: Json<StoredRetention>;
  inventory_number: string | null;
}

export interface DestructionActRenditionsTable {
  id: Generated<string>;
  act_id: string;
  language: 'kk' | 'ru';
  status_at_render: string;
  sha256: string;
  size: ColumnType<string | number, number, number>;
  created_by: string;
  created_at: Generated<Date>;
  signature_sha256: string | null;
  signer: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  signed_by: string | null;
  signed_at: NullableTs;
}

export interface AppraisalTables {
  appraisal_decisions: AppraisalDecisionsTable;
  appraisal_retention_changes: AppraisalRetentionChangesTable;
  appraisal_holds: AppraisalHoldsTable;
  destruction_acts: DestructionActsTable;
  destruction_act_items: DestructionActItemsTable;
  destruction_act_renditions: DestructionActRenditionsTable;
}
