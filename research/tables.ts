// Tables of the research domain (research/migrations/).
import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string | undefined, string>;
type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type ResearcherStatus = 'pending' | 'confirmed' | 'refused';
export type RequestStatus = 'submitted' | 'approved' | 'refused' | 'copies_ready' | 'delivered' | 'expired';
export type RequestDelivery = 'electronic' | 'paper';

export interface ResearchersTable {
  id: Generated<string>;
  user_id: string;
  full_name: string;
  organisation: string;
  email: string | null;
  phone: string | null;
  purpose: string;
  status: ResearcherStatus;
  registered_by: 'self' | 'archivist';
  created_at: Ts;
  decided_by: string | null;
  decided_at: NullableTs;
  decision_reason: string | null;
}

export interface ResearchRequestsTable {
  id: Generated<string>;
  number: string;
  researcher_id: string;
  user_id: string;
  status: RequestStatus;
  purpose: string;
  delivery: RequestDelivery;
  language: 'kk' | 'ru';
  created_at: Ts;
  due_at: Ts;
  decided_by: string | null;
  decided_by_user: string | null;
  decided_at: NullableTs;
  refusal_reason: string | null;
  copies_at: NullableTs;
  delivered_at: NullableTs;
  updated_at: Ts;
}

export interface ResearchRequestItemsTable {
  request_id: string;
  position: number;
  dossier_id: string;
  document_position: number | null;
  label: string;
}

export interface PackageManifestFile {
  path: string;
  sha256: string;
  size: number;
  role: 'copy' | 'signature' | 'report' | 'readme' | 'print';
}

export interface ResearchPackagesTable {
  id: Generated<string>;
  request_id: string;
  token_sha256: string;
  sha256: string;
  size: ColumnType<number, number, number>;
  file_name: string;
  manifest: Json<{ files: PackageManifestFile[] }>;
  created_by: string;
  created_at: Ts;
  expires_at: Ts;
  downloads: ColumnType<number, number | undefined, number>;
  /** When the sweep removed the expired package's file (research/sweep.ts), else NULL. */
  removed_at: NullableTs;
}

export interface ResearchNotificationsTable {
  id: Generated<string>;
  user_id: string;
  request_id: string | null;
  researcher_id: string | null;
  kind: string;
  params: Json<Record<string, string | number>>;
  created_at: Ts;
  read_at: NullableTs;
}

export interface ResearchTables {
  researchers: ResearchersTable;
  research_requests: ResearchRequestsTable;
  research_request_items: ResearchRequestItemsTable;
  research_packages: ResearchPackagesTable;
  research_notifications: ResearchNotificationsTable;
}
