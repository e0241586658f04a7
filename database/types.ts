// Column types shared by every domain's table interfaces.
import type { ColumnType } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: read as parsed JSON, written as a JSON string (the same on pg and PGlite). */
export type Json<T> = ColumnType<T, string | undefined, string>;

/** Tables of the database layer itself. */
export interface DatabaseTables {
  muragat_meta: { key: string; value: string };
}
