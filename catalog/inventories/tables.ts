// Table types of the inventories of e-dossiers (App. 30) and the archival ciphers (p.181).
import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../database/types';

export type InventoryCategory = 'permanent' | 'over_10' | 'personnel';
export type InventoryStatus = 'draft' | 'approved' | 'discarded';

/** A person named on the form: position and name (p.210: position, initials, surname). */
export interface InventoryPerson {
  name: string;
  position: string;
  /** YYYY-MM-DD, when the form names a date beside the person. */
  date?: string;
}

/** The expert commission's protocol that agreed the inventory (App. 30). */
export interface CommissionProtocol {
  number: string;
  date: string;
}

/** Stored PDF/A renditions of the form (kk, ru): object sha256 and size. */
export interface InventoryRenditions {
  kk?: { renditionId?: string; sha256: string; size: number };
  ru?: { renditionId?: string; sha256: string; size: number };
}

/** The head's approval: the signed statement, the CMS and who signed it (accounts/signers). */
export interface InventoryApproval {
  statementSha256: string;
  cmsSha256: string;
  verdict: string;
  signer: Record<string, unknown>;
}

export interface InventoriesTable {
  id: Generated<string>;
  fonds_number: string;
  number: number;
  department_code: string;
  year: number;
  category: InventoryCategory;
  status: ColumnType<InventoryStatus, InventoryStatus | undefined, InventoryStatus>;
  compiler: Json<InventoryPerson>;
  commission: Json<CommissionProtocol> | null;
  handed_over: Json<InventoryPerson> | null;
  accepted_by: Json<InventoryPerson> | null;
  renditions: Json<InventoryRenditions> | null;
  approval: Json<InventoryApproval> | null;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Timestamp;
  approved_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  discarded_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  discard_reason: string | null;
}

export interface InventoryItemsTable {
  inventory_id: string;
  sequence: number;
  dossier_id: string;
  case_index: string;
  title: string;
  start_date: string | null;
  end_date: string | null;
  document_count: number;
  size_bytes: ColumnType<number, number | string, number | string>;
  retention: Json<{ kind: string; years?: number; article?: string }>;
  note: string | null;
  released: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ArchivalCiphersTable {
  dossier_id: string;
  inventory_id: string;
  fonds_number: string;
  inventory_number: number;
  case_number: number;
  code: string;
  given_by: string;
  given_at: Generated<Date>;
}

export interface InventoryTables {
  inventories: InventoriesTable;
  inventory_items: InventoryItemsTable;
  archival_ciphers: ArchivalCiphersTable;
}
