// The database layer: connection (PGlite or PostgreSQL), the merged table types and migrations.
export { openDatabase, type DatabaseHandle, type DatabaseKind, type OpenDatabaseOptions } from './db';
export { migrateToLatest } from './migrator';
export type { Database } from './database';
export { catalogLocation, openCatalog, type OpenedCatalog } from './open';
