import { sql, type Kysely } from 'kysely';

// Editing the retention list in the UI (issue 11). Published versions stay frozen; an edit
// happens in the one draft (a mutable copy), and publishing it makes the next version, so a
// dossier still keeps the version it was given. Articles get a personnel flag (документы по
// личному составу, p.195): until now 75 years stood for personnel; existing rows are filled
// by that rule, the one place the frozen articles are ever written.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE retention_articles ADD COLUMN personnel boolean NOT NULL DEFAULT false;
ALTER TABLE retention_articles DISABLE TRIGGER retention_articles_frozen;
UPDATE retention_articles SET personnel = (retention_years = 75 AND retention_kind IN ('years', 'years_epk'));
ALTER TABLE retention_articles ENABLE TRIGGER retention_articles_frozen;

-- A published draft has no file behind it: its format is "editor". based_on_version: the
-- version the draft was copied from (null for a file import).
ALTER TABLE retention_lists DROP CONSTRAINT retention_lists_source_format_check;
ALTER TABLE retention_lists ADD CONSTRAINT retention_lists_source_format_check CHECK (source_format IN ('csv', 'json', 'editor'));
ALTER TABLE retention_lists ADD COLUMN based_on_version integer;

CREATE TABLE retention_list_drafts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- One draft at a time: two drafts racing to the next version would lose one's edits.
  singleton boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  based_on_version integer REFERENCES retention_lists(version),
  source_name text,
  source_format text NOT NULL CHECK (source_format IN ('csv', 'json', 'editor')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE retention_draft_articles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  draft_id uuid NOT NULL REFERENCES retention_list_drafts(id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 1),
  article text NOT NULL CHECK (length(article) BETWEEN 1 AND 50),
  document_type_kk text NOT NULL,
  document_type_ru text NOT NULL,
  retention_kind text NOT NULL CHECK (retention_kind IN ('permanent', 'years', 'years_epk', 'until_needed')),
  retention_years integer CHECK (retention_years BETWEEN 1 AND 100),
  note text,
  personnel boolean NOT NULL DEFAULT false,
  CHECK ((retention_kind IN ('years', 'years_epk')) = (retention_years IS NOT NULL))
);
CREATE UNIQUE INDEX retention_draft_articles_article ON retention_draft_articles (draft_id, lower(article));
CREATE INDEX retention_draft_articles_position ON retention_draft_articles (draft_id, position);
`.execute(db);
}
