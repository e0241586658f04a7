import { sql, type Kysely } from 'kysely';

// The expert commission (ЭК, issue 12, p.31, p.48): its settings (one row: the organisation has
// one expert commission), members with their commission role and term, meetings with attendance,
// agenda items (proposed by other domains, put on a meeting's agenda by the secretary), one vote
// per member per item (with a reservation and a dissent text, p.48), and the protocol's stored
// renditions (PDF/A-1b, kk and ru) with the chair's and the secretary's detached CMS signatures.
// Dates of terms and meetings are calendar dates kept as 'YYYY-MM-DD' text, so both engines read
// them back the same and no time zone shifts a meeting to the day before.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE commission_settings (
  id int PRIMARY KEY CHECK (id = 1),
  name_kk text NOT NULL,
  name_ru text NOT NULL,
  -- Quorum: strictly more than this share (percent) of the members in office must be present.
  quorum_percent int NOT NULL CHECK (quorum_percent BETWEEN 0 AND 99),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL
);
INSERT INTO commission_settings (id, name_kk, name_ru, quorum_percent, updated_by)
VALUES (1, 'Сараптау комиссиясы', 'Экспертная комиссия', 50, 'system');

CREATE TABLE commission_members (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  role text NOT NULL CHECK (role IN ('chair', 'secretary', 'member')),
  term_from text NOT NULL CHECK (term_from ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  term_to text CHECK (term_to ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (term_to IS NULL OR term_to >= term_from)
);
CREATE INDEX commission_members_user ON commission_members (user_id);

CREATE TABLE commission_meetings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number text NOT NULL CHECK (length(number) BETWEEN 1 AND 50),
  meeting_date text NOT NULL CHECK (meeting_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  place text NOT NULL CHECK (length(place) BETWEEN 1 AND 500),
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'held', 'protocol_drafted', 'protocol_signed')),
  protocol_number text,
  protocol_date text CHECK (protocol_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  held_at timestamptz,
  drafted_at timestamptz,
  signed_at timestamptz
);
CREATE UNIQUE INDEX commission_meetings_number ON commission_meetings (substr(meeting_date, 1, 4), number);

CREATE TABLE commission_attendance (
  meeting_id uuid NOT NULL REFERENCES commission_meetings(id),
  member_id uuid NOT NULL REFERENCES commission_members(id),
  PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE commission_agenda_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  meeting_id uuid REFERENCES commission_meetings(id),
  position int,
  kind text NOT NULL CHECK (kind IN ('nomenclature_approval', 'inventory_approval', 'destruction_act_approval', 'move_to_permanent', 'extend_retention')),
  subject_id text NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 200),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 1000),
  details jsonb,
  proposed_by text NOT NULL,
  proposed_at timestamptz NOT NULL DEFAULT now(),
  outcome text CHECK (outcome IN ('adopted', 'rejected', 'no_quorum')),
  votes_for int,
  votes_against int,
  votes_abstain int,
  present int,
  in_office int,
  closed_by text,
  closed_at timestamptz,
  CHECK ((outcome IS NULL) = (closed_at IS NULL))
);
CREATE INDEX commission_agenda_items_subject ON commission_agenda_items (kind, subject_id);
CREATE INDEX commission_agenda_items_meeting ON commission_agenda_items (meeting_id, position);

CREATE TABLE commission_votes (
  item_id uuid NOT NULL REFERENCES commission_agenda_items(id),
  member_id uuid NOT NULL REFERENCES commission_members(id),
  vote text NOT NULL CHECK (vote IN ('for', 'against', 'abstain')),
  reservation boolean NOT NULL DEFAULT false,
  dissent text CHECK (dissent IS NULL OR length(dissent) BETWEEN 1 AND 10000),
  cast_by text NOT NULL,
  cast_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (item_id, member_id),
  CHECK (NOT reservation OR dissent IS NOT NULL)
);

CREATE TABLE commission_protocol_renditions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  meeting_id uuid NOT NULL REFERENCES commission_meetings(id),
  language text NOT NULL CHECK (language IN ('kk', 'ru')),
  title text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL CHECK (size >= 0),
  storage_key text NOT NULL,
  -- A redraft before any signature replaces the renditions; the old ones stay, superseded.
  superseded boolean NOT NULL DEFAULT false,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commission_protocol_renditions_meeting ON commission_protocol_renditions (meeting_id, created_at);

CREATE TABLE commission_protocol_signatures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  rendition_id uuid NOT NULL REFERENCES commission_protocol_renditions(id),
  member_id uuid NOT NULL REFERENCES commission_members(id),
  role text NOT NULL CHECK (role IN ('chair', 'secretary')),
  cms_sha256 text NOT NULL CHECK (cms_sha256 ~ '^[0-9a-f]{64}$'),
  signer jsonb,
  signed_by text NOT NULL,
  signed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (rendition_id, role)
);
`.execute(db);
}
