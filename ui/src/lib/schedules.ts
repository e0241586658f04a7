// Shapes and words shared by the transfer schedule pages (App. 31) and the acceptance panel.
import type { MessageKey } from './messages';

// The API's own types (catalog/schedules/views.ts), so the pages cannot drift from it.
import type { ScheduleRowView } from '../../../catalog/schedules/views';
export type { RowState, PersonView, ScheduleRowView, ScheduleSummary, ScheduleView, ReminderView } from '../../../catalog/schedules/views';

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
