// Table types of the retention list (перечень документов со сроками хранения): versioned lists,
// their articles, and which version each dossier was given.
import type { ColumnType, Generated } from 'kysely';
import type { RetentionKind } from '../tables';

export interface RetentionListsTable {
  id: Generated<string>;
  /** 1, 2, 3…: every import makes the next version; older versions stay as they were. */
  version: number;
  title: string;
  /** The file it was imported from (name only) and its format. */
  source_name: string | null;
  source_format: 'csv' | 'json';
  imported_by: string;
  imported_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RetentionArticlesTable {
  id: Generated<string>;
  list_id: string;
  position: number;
  /** Article (пункт, статья) number as printed: "26а", "657б", "23". */
  article: string;
  document_type_kk: string;
  document_type_ru: string;
  retention_kind: RetentionKind;
  retention_years: number | null;
  note: string | null;
}

export interface DossierRetentionListsTable {
  dossier_id: string;
  list_id: string;
  assigned_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RetentionTables {
  retention_lists: RetentionListsTable;
  retention_articles: RetentionArticlesTable;
  dossier_retention_lists: DossierRetentionListsTable;
}
