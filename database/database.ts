// The one Database interface: every domain's table types, merged. Each domain owns its tables.
import type { DatabaseTables } from './types';
import type { AccountTables } from '../accounts/tables';
import type { AuditTables } from '../audit/tables';
import type { CatalogTables } from '../catalog/tables';
import type { IngestTables } from '../ingest/tables';
import type { SessionTables } from '../accounts/sessions.tables';
import type { JobTables } from '../jobs/tables';
import type { SignerTables } from '../accounts/signers.tables';
import type { StorageTables } from '../storage/tables';
import type { RetentionTables } from '../catalog/retention/tables';
import type { ScheduleTables } from '../catalog/schedules/tables';
import type { AcceptanceTables } from '../catalog/acceptance/tables';
import type { InventoryTables } from '../catalog/inventories/tables';
import type { FormTables } from '../forms/tables';
import type { CommissionTables } from '../commission/tables';
import type { AppraisalTables } from '../appraisal/tables';
import type { DestructionTables } from '../destruction/tables';
import type { ResearchTables } from '../research/tables';
import type { SearchTables } from '../search/tables';
import type { PreservationTables } from '../preservation/tables';
import type { AccessTables } from '../access/tables';

export interface Database extends DatabaseTables, AccountTables, AuditTables, CatalogTables, IngestTables, SessionTables, StorageTables, SignerTables, JobTables, RetentionTables, InventoryTables, ScheduleTables, AcceptanceTables, FormTables,
  CommissionTables, AppraisalTables, DestructionTables, ResearchTables, SearchTables, PreservationTables, AccessTables {}
