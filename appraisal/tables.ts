// Tables of the appraisal domain (filled by its migrations in appraisal/migrations/).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppraisalTables {}
