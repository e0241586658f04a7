// Shapes of the acceptance of transfers (App. 33) as the API answers them.
export interface ActPerson { userId: string | null; name: string; position: string | null }
export interface ActRow {
  position: number;
  dossierId: string;
  index: string;
  volume: number;
  title: string;
  documents: number;
  files: number;
  signed: number;
  unsigned: number;
  bytes: number;
  retention: { kind: 'permanent' | 'years' | 'years_epk' | 'until_needed'; years: number | null; article: string | null } | null;
}
export interface ActView {
  id: string;
  number: number;
  actYear: number;
  transferId: string;
  department: { code: string; nameKk: string | null; nameRu: string | null };
  recordsYears: string;
  handedOver: ActPerson;
  accepted: ActPerson;
  approved: ActPerson | null;
  approvedAt: string | null;
  status: 'accepted' | 'approved';
  stateOfDocuments: string;
  rows: ActRow[];
  totals: { dossiers: number; documents: number; files: number; signed: number; unsigned: number; bytes: number };
  acceptedInWords: { kk: string; ru: string };
  renditions: Partial<Record<'kk' | 'ru', { renditionId?: string; sha256: string; size: number }>>;
  createdAt: string;
}
export interface DecisionView {
  transferId: string;
  decision: 'accepted' | 'returned';
  reason: string | null;
  decidedAt: string;
  decidedBy: { userId: string | null; name: string };
  scheduleRowId: string | null;
  act: ActView | null;
}
