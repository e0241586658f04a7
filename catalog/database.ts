// The one Database interface: every domain's table types, merged. Each domain owns its tables.
import type { CatalogTables } from './tables';
import type { IngestTables } from '../ingest/tables';
import type { SessionTables } from './sessions.tables';
import type { JobTables } from '../jobs/tables';
import type { SignerTables } from './signers.tables';
import type { StorageTables } from '../storage/tables';
import type { RetentionTables } from './retention/tables';

export interface Database extends CatalogTables, IngestTables, SessionTables, StorageTables, SignerTables, JobTables, RetentionTables {}
