// Shapes of the research API (server/routes/research.routes.ts): researchers, copy requests,
// packages and notifications, for the researcher portal and the archivist's queue.
// The API's own types, so the pages cannot drift from what it answers.
import type { NotificationView, RequestView, ResearcherProfile } from '../../../research/requests.service';
export type { NotificationView, RequestView, ResearcherProfile } from '../../../research/requests.service';
export type RequestStatus = 'submitted' | 'approved' | 'refused' | 'copies_ready' | 'delivered' | 'expired';
export type ResearcherStatus = 'pending' | 'confirmed' | 'refused';

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
