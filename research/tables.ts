// Tables of the research domain (filled by its migrations in research/migrations/).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ResearchTables {}
