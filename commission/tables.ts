// Tables of the commission domain (filled by its migrations in commission/migrations/).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CommissionTables {}
