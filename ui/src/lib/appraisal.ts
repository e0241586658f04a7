// Shapes of the appraisal and destruction-act API (server/routes/appraisal.routes.ts,
// destruction-acts.routes.ts) and the catalog keys naming their codes, so no code reaches users.
import { ApiError } from './api';
import type { MessageKey } from './messages';

export interface Retention { kind: 'permanent' | 'years' | 'years_epk' | 'until_needed'; years?: number | null; article?: string | null }
export interface Decision { id: string; decision: 'destroy' | 'keep_permanently' | 'extend'; extendYears: number | null; reason: string; status: 'decided' | 'proposed' | 'applied' | 'rejected'; decidedBy: string; decidedAt: string; protocol: { number: string; date: string } | null }
export interface Entry {
  dossierId: string; index: string; heading: string; fonds: string | null; year: number | null; department: string | null;
  startDate: string | null; endDate: string | null; retention: Retention; originalRetention: Retention | null; article: string | null;
  earliestDestruction: string | null; epk: boolean; needsReview: boolean; decision: Decision | null;
  hold: { holdId: string; reason: string } | null; act: { actId: string; number: string; status: string } | null;
}
export interface Group { fonds: string | null; year: number | null; department: string | null; article: string | null; count: number; epk: number; continued: boolean; dossiers: Entry[] }
export interface AppraisalList { by: string; total: number; needsReview: number; decided: number; page: number; pageSize: number; pages: number; groups: Group[] }
export interface Hold { id: string; scope: 'dossier' | 'series' | 'year'; dossierId: string | null; caseIndex: string | null; year: number | null; kind: 'legal' | 'audit'; reason: string; placedBy: string; placedAt: string; active: boolean; liftedBy: string | null; liftedAt: string | null; liftReason: string | null }
export type ActStatus = 'draft' | 'submitted' | 'agreed' | 'approved' | 'executed';
export interface ActSummary { id: string; number: string; year: number; date: string; status: ActStatus; dossiers: number; createdBy: string }
export interface ActRendition { id: string; language: 'kk' | 'ru'; statusAtRender: string; sha256: string; size: number; createdBy: string; createdAt: string; signedBy: string | null; signedAt: string | null }
export interface Act {
  id: string; number: string; year: number; date: string; fondsNumber: string | null; basis: string; status: ActStatus;
  appraiser: { name: string; position: string };
  permanentInventories: { year: number; inventories: { number: number; department: string; protocol: { number: string; date: string } | null }[] }[];
  protocol: { number: string; date: string } | null;
  approval: { name: string; position: string | null; date: string } | null;
  execution: { executedBy: string; executedAt: string; method: string } | null;
  createdBy: string;
  rows: { position: number; dossierId: string; index: string; heading: string; year: number | null; startDate: string | null; endDate: string | null; retention: Retention }[];
  totals: { dossiers: number; years: number[] };
  renditions: ActRendition[];
}

export const actStatusKey = (status: string): MessageKey => `appraisal.ui_status_${status}` as MessageKey;
export const decisionKey = (decision: string): MessageKey => `appraisal.ui_decision_${decision}` as MessageKey;
export const decisionStatusKey = (status: string): MessageKey => `appraisal.ui_decision_status_${status}` as MessageKey;
export const scopeKey = (scope: string): MessageKey => `appraisal.ui_scope_${scope}` as MessageKey;
export const holdKindKey = (kind: string): MessageKey => `appraisal.ui_hold_kind_${kind}` as MessageKey;

/** `2025-01-09` → `09.01.2025`. */
export function dateText(date: string | null | undefined): string {
  const m = date ? /^(\d{4})-(\d{2})-(\d{2})/.exec(date) : null;
  return m ? `${m[3]}.${m[2]}.${m[1]}` : (date ?? '');
}

/** Retention in words through the translator: «5 жыл (СТК), 23-бап». */
export function retentionText(t: (key: MessageKey, params?: Record<string, string | number>) => string, r: Retention): string {
  const period = r.kind === 'permanent' ? t('appraisal.ui_retention_permanent') : r.kind === 'until_needed' ? t('appraisal.ui_retention_until_needed') : t(r.kind === 'years_epk' ? 'appraisal.ui_retention_years_epk' : 'appraisal.ui_retention_years', { years: r.years ?? 0 });
  return r.article ? t('appraisal.ui_retention_article', { period, article: r.article }) : period;
}

/** The bytes of a stored act rendition, exactly as the head signs them. */
export function renditionBytes(actId: string, renditionId: string): Promise<Uint8Array> {
  return storedBytes(`/api/destruction-acts/${encodeURIComponent(actId)}/renditions/${encodeURIComponent(renditionId)}`);
}

/** The certificate of destruction's statement: the exact bytes the executor signs (and the system signed). */
export function certificateStatementBytes(certificateId: string): Promise<Uint8Array> {
  return storedBytes(`/api/destruction/certificates/${encodeURIComponent(certificateId)}/statement`);
}

/** Stored bytes exactly as the server will verify a signature over them (errors as ApiError). */
async function storedBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(0, 'network', (error as Error).message, null, null);
  }
  if (!response.ok) throw ApiError.fromAnswer(response.status, response.statusText, await response.json().catch(() => null), response.headers.get('x-request-id'));
  return new Uint8Array(await response.arrayBuffer());
}

/** A certificate of destruction as GET /api/destruction/certificates/{id} answers. */
export interface DestructionCertificate {
  id: string; actId: string; actNumber: string; executedAt: string; executedBy: string; executorName: string | null; method: string;
  statementSha256: string; systemKeyId: string;
  executorSignature: { cmsSha256: string; signer: { subject: string | null; serialNumber: string | null } | null; signedBy: string | null; signedAt: string | null } | null;
}
