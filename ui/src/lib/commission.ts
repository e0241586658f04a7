// The expert commission's API shapes as the UI reads them (server/routes/commission.routes.ts),
// and the words for their codes (roles, statuses, kinds, votes, outcomes) in the commission area.
import { ApiError } from './api';
import type { MessageKey } from './messages';
// The API's own types, so the pages cannot drift from what it answers.
import type { AgendaItemView, MeetingSummary, MeetingView, MemberView, ProtocolRenditionView, VoteView } from '../../../commission/commission.service';
export type { AgendaItemView, MeetingSummary, MeetingView, MemberView, ProtocolRenditionView, VoteView } from '../../../commission/commission.service';

export type CommissionRole = 'chair' | 'secretary' | 'member';
export type MeetingStatus = 'planned' | 'held' | 'protocol_drafted' | 'protocol_signed';
export type AgendaItemKind = 'nomenclature_approval' | 'inventory_approval' | 'destruction_act_approval' | 'move_to_permanent' | 'extend_retention';
export type VoteChoice = 'for' | 'against' | 'abstain';
export type ItemOutcome = 'adopted' | 'rejected' | 'no_quorum';

export const AGENDA_ITEM_KINDS: AgendaItemKind[] = ['nomenclature_approval', 'inventory_approval', 'destruction_act_approval', 'move_to_permanent', 'extend_retention'];
export const VOTE_CHOICES: VoteChoice[] = ['for', 'against', 'abstain'];

export interface CommissionOverview {
  settings: { nameKk: string; nameRu: string; quorumPercent: number };
  memberships: MemberView[];
}

export const roleKey = (role: CommissionRole): MessageKey => `commission.ui_role_${role}`;
export const statusKey = (status: MeetingStatus): MessageKey => `commission.ui_status_${status}`;
export const kindKey = (kind: AgendaItemKind): MessageKey => `commission.ui_kind_${kind}`;
export const voteKey = (vote: VoteChoice): MessageKey => `commission.ui_vote_${vote}`;
export const outcomeKey = (outcome: ItemOutcome): MessageKey => `commission.ui_outcome_${outcome}`;

/** `2026-03-12` → `12.03.2026`, as documents in Kazakhstan write dates. */
export function dateText(date: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date ?? '');
  return m ? `${m[3]}.${m[2]}.${m[1]}` : (date ?? '');
}

/** Where the document under review opens in the UI, when it has a page. */
export function subjectPath(item: Pick<AgendaItemView, 'kind' | 'subjectId'>): string | null {
  const id = encodeURIComponent(item.subjectId);
  switch (item.kind) {
    case 'move_to_permanent':
    case 'extend_retention':
      return `/dossiers/${id}`;
    case 'inventory_approval':
      return `/inventories/${id}`;
    case 'nomenclature_approval':
      return '/nomenclature';
    case 'destruction_act_approval':
      return `/destruction-acts/${id}`;
  }
}

/** The stored protocol bytes, exactly as the server verifies a signature over them. */
export async function protocolBytes(renditionId: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(`/api/commission/protocol-renditions/${encodeURIComponent(renditionId)}`, { credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network', (e as Error).message, null, null);
  }
  if (!response.ok) throw ApiError.fromAnswer(response.status, response.statusText, await response.json().catch(() => null), response.headers.get('x-request-id'));
  return new Uint8Array(await response.arrayBuffer());
}
