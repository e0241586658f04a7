// Shapes and words shared by the transfer schedule pages (App. 31) and the acceptance panel.
import type { MessageKey } from './messages';

export type RowState = 'due' | 'overdue' | 'processing' | 'received' | 'accepted';
export interface PersonView { userId: string | null; username?: string; name: string | null; position: string | null }
export interface ScheduleRowView {
  id: string;
  position: number;
  department: { id: string; code: string; nameKk: string; nameRu: string };
  deadline: string;
  responsible: PersonView & { username: string; name: string };
  note: string | null;
  state: RowState;
  daysLeft: number;
  transfer: { id: string; sourceName: string; receivedAt: string; status: string } | null;
  late: boolean;
  returned: { transferId: string; reason: string; at: string } | null;
  acceptedActId: string | null;
}
export interface ScheduleSummary {
  id: string;
  year: number;
  recordsYear: number;
  number: string | null;
  place: string | null;
  status: 'draft' | 'approved';
  createdAt: string;
  compiledBy: PersonView | null;
  approvedBy: PersonView | null;
  approvedAt: string | null;
  rowCount: number;
}
export interface ScheduleView extends ScheduleSummary {
  rows: ScheduleRowView[];
  counts: Record<RowState, number>;
  today: string;
}
export interface ReminderView { scheduleId: string; year: number; recordsYear: number; audience: 'responsible' | 'archive'; row: ScheduleRowView }

/** YYYY-MM-DD as the reader writes dates (DD.MM.YYYY in kk and ru, as the forms print them). */
export function day(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : date;
}

/** "9 days left", "due today", "3 days overdue" for an open row; empty for the others. */
export function daysText(t: (key: MessageKey, params?: Record<string, string | number>) => string, row: Pick<ScheduleRowView, 'state' | 'daysLeft'>): string {
  if (row.state === 'due') return row.daysLeft === 0 ? t('schedules.due_today') : t('schedules.days_left', { days: row.daysLeft });
  if (row.state === 'overdue') return t('schedules.days_overdue', { days: -row.daysLeft });
  return '';
}

export function departmentName(lang: string, d: ScheduleRowView['department']): string {
  return `${d.code} ${lang === 'ru' ? d.nameRu : d.nameKk}`;
}
