// Tables of the preservation domain (filled by its migrations in preservation/migrations/).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PreservationTables {}
