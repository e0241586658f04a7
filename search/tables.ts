// Tables of the search domain (filled by its migrations in search/migrations/).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SearchTables {}
