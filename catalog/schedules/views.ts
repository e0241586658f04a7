// What the schedule service returns (and the UI reads: ui/src/lib/schedules.ts re-exports
// these types, so the pages and the API cannot drift apart). Types only.
import type { ScheduleStatus } from './tables';

export type RowState = 'due' | 'overdue' | 'processing' | 'received' | 'accepted';

export interface PersonView {
  userId: string | null;
  username?: string;
  name: string | null;
  position: string | null;
}

export interface ScheduleRowView {
  id: string;
  position: number;
  department: { id: string; code: string; nameKk: string; nameRu: string };
  deadline: string;
  responsible: PersonView & { userId: string; username: string; name: string };
  note: string | null;
  state: RowState;
  /** Days from today to the deadline: negative when past. */
  daysLeft: number;
  /** The transfer that decided the state (the one awaiting a decision, being processed, or accepted). */
  transfer: { id: string; sourceName: string; receivedAt: string; status: string } | null;
  /** Received (or accepted) after the deadline. */
  late: boolean;
  /** The latest return of this row's transfers, when nothing newer has come. */
  returned: { transferId: string; reason: string; at: string } | null;
  acceptedActId: string | null;
}

export interface ScheduleSummary {
  id: string;
  year: number;
  recordsYear: number;
  number: string | null;
  place: string | null;
  status: ScheduleStatus;
  createdAt: string;
  compiledBy: PersonView | null;
  approvedBy: PersonView | null;
  approvedAt: string | null;
  rowCount: number;
}

export interface ScheduleView extends ScheduleSummary {
  rows: ScheduleRowView[];
  /** How many rows are in each state. */
  counts: Record<RowState, number>;
  /** The date the states were computed for (YYYY-MM-DD, the archive's calendar). */
  today: string;
}

export interface ReminderView {
  scheduleId: string;
  year: number;
  recordsYear: number;
  /** `responsible`: the user is the row's responsible person; `archive`: the user keeps the archive. */
  audience: 'responsible' | 'archive';
  row: ScheduleRowView;
}
