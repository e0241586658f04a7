// Table types of the transfer schedule (App. 31): one schedule per year, a row per department.
import type { ColumnType, Generated } from 'kysely';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type ScheduleStatus = 'draft' | 'approved';

export interface TransferSchedulesTable {
  id: Generated<string>;
  /** The year the transfers are received in («… в ____ году»). */
  year: number;
  /** The year of the dossiers transferred: a transfer of that year and the row's department fills the row. */
  records_year: number;
  /** The form's number and place of compilation, as printed. */
  number: string | null;
  place: string | null;
  status: ColumnType<ScheduleStatus, ScheduleStatus | undefined, ScheduleStatus>;
  compiled_by: string | null;
  created_at: Ts;
  approved_by: string | null;
  approved_at: NullableTs;
}

export interface TransferScheduleRowsTable {
  id: Generated<string>;
  schedule_id: string;
  position: number;
  department_id: string;
  /** Date (YYYY-MM-DD) by which the department transfers its e-dossiers. */
  deadline: ColumnType<string, string, string>;
  responsible_id: string;
  note: string | null;
  created_at: Ts;
}

export interface ScheduleTables {
  transfer_schedules: TransferSchedulesTable;
  transfer_schedule_rows: TransferScheduleRowsTable;
}
