// Tables of the search domain (search/migrations/202612070500_search.ts, docs/search.md).
import type { ColumnType } from 'kysely';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;

/** The text of a document's rendition (pdftotext), written at ingest or by `muragat search reindex`. */
export interface SearchTextsTable {
  document_id: string;
  rendition_sha256: string | null;
  content: string;
  chars: number;
  truncated: ColumnType<boolean, boolean | undefined, boolean>;
  extracted_at: Ts;
  /** The text's part of its search vector (weight D), made by a trigger when the text is kept. */
  vector: ColumnType<string | null, never, never>;
  /** The text's surface words for the vocabulary (search_words), added when its dossier is indexed. */
  words: ColumnType<string[] | null, never, never>;
}

/**
 * One row per stored dossier (position 0) and per document of it; written only by the
 * triggers of the migration, read by the search.
 */
export interface SearchEntriesTable {
  dossier_id: string;
  position: number;
  document_id: string | null;
  title: string;
  case_index: string;
  fonds: string | null;
  year: number | null;
  department: string | null;
  doc_kind: string | null;
  languages: string[];
  retention: string | null;
  doc_date: ColumnType<string | null, never, never>;
  vector: ColumnType<string, never, never>;
}

/** Surface words of the catalog (trigram-indexed): what a misspelt query term meant. */
export interface SearchWordsTable {
  word: string;
}

/** Dossiers the search never shows again (destroyed), their text deleted. */
export interface SearchWithdrawnTable {
  dossier_id: string;
  reason: string;
  at: Ts;
}

export interface SearchTables {
  search_texts: SearchTextsTable;
  search_entries: SearchEntriesTable;
  search_words: SearchWordsTable;
  search_withdrawn: SearchWithdrawnTable;
}
