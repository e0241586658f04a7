// Shapes of the research API (server/routes/research.routes.ts): researchers, copy requests,
// packages and notifications, for the researcher portal and the archivist's queue.
export type RequestStatus = 'submitted' | 'approved' | 'refused' | 'copies_ready' | 'delivered' | 'expired';
export type ResearcherStatus = 'pending' | 'confirmed' | 'refused';

export interface ResearcherProfile {
  id: string;
  userId: string;
  username: string;
  fullName: string;
  organisation: string;
  email: string | null;
  phone: string | null;
  purpose: string;
  status: ResearcherStatus;
  registeredBy: 'self' | 'archivist';
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

export interface RequestView {
  id: string;
  number: string;
  status: RequestStatus;
  researcher: { id: string; fullName: string; organisation: string; username: string };
  purpose: string;
  delivery: 'electronic' | 'paper';
  language: 'kk' | 'ru';
  createdAt: string;
  dueAt: string;
  overdue: boolean;
  decidedBy: string | null;
  decidedAt: string | null;
  refusalReason: string | null;
  copiesAt: string | null;
  deliveredAt: string | null;
  items: { position: number; dossierId: string; documentPosition: number | null; label: string }[];
  package: { id: string; fileName: string; size: number; sha256: string; createdAt: string; expiresAt: string; expired: boolean; downloads: number } | null;
}

export interface NotificationView {
  id: string;
  kind: string;
  requestId: string | null;
  researcherId: string | null;
  params: Record<string, string | number>;
  createdAt: string;
  read: boolean;
}

export const REQUEST_STATUSES: RequestStatus[] = ['submitted', 'approved', 'refused', 'copies_ready', 'delivered', 'expired'];

/** Catalog key of a request status (research area). */
export function statusKey(status: string): string {
  return `research.status_${status}`;
}

export function researcherStatusKey(status: string): string {
  return `research.researcher_status_${status}`;
}

/** Catalog key of a notification's text. */
export function notificationKey(kind: string): string {
  return `research.ui_note_${kind}`;
}

export function packageUrl(requestId: string): string {
  return `/api/research/requests/${requestId}/package`;
}

export function printUrl(requestId: string): string {
  return `/api/research/requests/${requestId}/print`;
}
