// Tables of the destruction domain (filled by its migrations in destruction/migrations/).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DestructionTables {}
