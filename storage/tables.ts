// Table types owned by storage (the repair queue).
import type { ColumnType, Generated } from 'kysely';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTs = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type StorageRepairStatus = 'pending' | 'repaired' | 'resolved';

export interface StorageRepairsTable {
  id: Generated<string>;
  sha256: string;
  location: string;
  fault: 'missing' | 'damaged' | 'unreadable';
  detected_by: 'read' | 'integrity';
  status: ColumnType<StorageRepairStatus, StorageRepairStatus | undefined, StorageRepairStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  source_location: string | null;
  detected_at: Ts;
  resolved_at: NullableTs;
}

export interface StorageTables {
  storage_repairs: StorageRepairsTable;
}
