// Table types of the nomenclature of cases (номенклатура дел, App. 26): one row per year and
// revision, its sections (departments in the approved order) and its items (case headings).
import type { ColumnType, Generated } from 'kysely';
import type { Json } from '../../database/types';
import type { RetentionKind } from '../tables';

/**
 * A step of the approval chain (p.133), in this order: signed by the head of the records
 * service; agreed by the expert commission's protocol; agreed by the state review commission
 * (ЭПК) when required; approved by the organisation head.
 */
export type ApprovalStep = 'records_head' | 'expert_commission' | 'state_review' | 'organisation_head';

export interface NomenclatureApproval {
  step: ApprovalStep;
  /** Protocol number and date of a commission (expert_commission, state_review). */
  protocolNumber: string | null;
  /** The date of the signature or of the protocol, YYYY-MM-DD. */
  date: string;
  /** Who recorded the step (the signer or, for a protocol, the commission's secretary). */
  username: string;
  /** Name and position printed on the form. */
  name: string | null;
  position: string | null;
  /** When the step was recorded. */
  at: string;
}

/** draft → approved (in force) → superseded (a later revision of the same year was approved). */
export type NomenclatureStatus = 'draft' | 'approved' | 'superseded';

export interface NomenclatureTable {
  id: Generated<string>;
  year: number;
  /** 1 for the year's first nomenclature; a change after approval is a new revision (draft). */
  revision: Generated<number>;
  status: Generated<NomenclatureStatus>;
  approvals: Json<NomenclatureApproval[]>;
  approved_at: Date | null;
  /** Whether the state review commission (ЭПК) must agree it (p.133: at least every 5 years). */
  epk_required: Generated<boolean>;
  /** The nomenclature it was copied from (last year's) or revises (same year). */
  based_on: string | null;
  in_force_from: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Generated<Date>;
}

/** p.129: the form of the documents — electronic (with its medium) or paper. */
export type DocumentForm = 'electronic' | 'paper';

export interface NomenclatureItemsTable {
  id: Generated<string>;
  nomenclature_id: string;
  department_id: string;
  position: number;
  case_index: string;
  heading: string;
  heading_ru: Generated<string | null>;
  retention_kind: RetentionKind;
  retention_years: number | null;
  retention_article: string | null;
  /** Version of the retention list the article was checked against (null: no list then). */
  retention_list_version: Generated<number | null>;
  dossier_count: number | null;
  note: string | null;
  /** Carried-over case (переходящее дело): keeps its index from the year it was opened (p.149). */
  carried_over: Generated<boolean>;
  carried_from_year: Generated<number | null>;
  document_form: Generated<DocumentForm>;
  /** Kind and place of the media (p.154), e.g. "ЭА АЖ серверi". */
  medium: Generated<string | null>;
  created_at: Generated<Date>;
}

export interface NomenclatureSectionsTable {
  nomenclature_id: string;
  department_id: string;
  position: number;
}

export interface NomenclatureTables {
  nomenclature: NomenclatureTable;
  nomenclature_items: NomenclatureItemsTable;
  nomenclature_sections: NomenclatureSectionsTable;
}
