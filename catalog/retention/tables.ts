// Table types of the retention list (перечень документов со сроками хранения): versioned lists,
// their articles, and which version each dossier was given.
import type { ColumnType, Generated } from 'kysely';
import type { RetentionKind } from './arithmetic';

export interface RetentionListsTable {
  id: Generated<string>;
  /** 1, 2, 3…: every import makes the next version; older versions stay as they were. */
  version: number;
  title: string;
  /** The file it was imported from (name only) and its format. */
  source_name: string | null;
  /** 'editor': published from a draft edited in the UI. */
  source_format: 'csv' | 'json' | 'editor';
  imported_by: string;
  imported_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** The version a published draft was copied from; null for a file import. */
  based_on_version: ColumnType<number | null, number | null | undefined, number | null>;
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
  /** Documents on personnel (по личному составу): their own inventory when kept over 10 years (p.195). */
  personnel: ColumnType<boolean, boolean | undefined, boolean>;
}

/** The one draft: an editable copy that becomes the next version when published. */
export interface RetentionListDraftsTable {
  id: Generated<string>;
  singleton: Generated<boolean>;
  title: string;
  based_on_version: number | null;
  source_name: string | null;
  source_format: 'csv' | 'json' | 'editor';
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RetentionDraftArticlesTable {
  id: Generated<string>;
  draft_id: string;
  position: number;
  article: string;
  document_type_kk: string;
  document_type_ru: string;
  retention_kind: RetentionKind;
  retention_years: number | null;
  note: string | null;
  personnel: boolean;
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
  retention_list_drafts: RetentionListDraftsTable;
  retention_draft_articles: RetentionDraftArticlesTable;
}
