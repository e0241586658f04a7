// Full-text search of the catalog (issue 13, docs/search.md): the query and its filters, the
// search itself, the rendition text kept at ingest and the backfill. Knows nothing of HTTP.
export { parseSearchInput, queryTerms, FILTER_NAMES, SEARCH_PARAMS, RETENTION_KINDS, RESULT_TYPES, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, type SearchFilters, type SearchInput, type RetentionKind, type ResultType } from './query';
export { search, parseHighlight, tsqueryText, similarWords, matchQuery, COUNT_CAP, type SearchHit, type SearchResult, type SearchViewer, type SnippetPart } from './search.service';
export { storeDocumentText, cleanText, MAX_TEXT_CHARS } from './text';
export { keepRenditionText, storedRenditionText, pdfFileText } from './extract';
export { reindexSearch, type ReindexReport, type ReindexOptions } from './reindex';
