// The transfer schedule (App. 31): compiled by the archive, approved by the organisation head,
// each row's state from the transfers received and the archive's decisions; reminders.
export {
  ARCHIVE_TIME_ZONE,
  ROW_STATES,
  archiveToday,
  createScheduleService,
  rowState,
  scheduleRowForTransfer,
  validDate,
  type AddRowInput,
  type CreateScheduleInput,
  type PersonView,
  type ReminderView,
  type RowState,
  type ScheduleRowView,
  type ScheduleService,
  type ScheduleSummary,
  type ScheduleView,
} from './schedules.service';
export type { ScheduleTables, ScheduleStatus } from './tables';
