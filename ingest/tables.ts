// Table types owned by ingest (transfers, pipeline state).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface IngestTables {}
