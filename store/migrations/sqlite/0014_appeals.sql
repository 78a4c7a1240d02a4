-- tollgate schema 0014 (SQLite): the appeal levels after the Operating
-- Committee (EO 12981 §5; regime.md §9). An escalated case's decision waits
-- in 'appeal_window' while a dissenting agency may appeal it, and the case
-- is 'appealed' while ACEP, EARB or the President decides. The appeals
-- themselves live in the application's JSON document.
--
-- SQLite cannot change a CHECK constraint in place, so applications is
-- rebuilt as 0002 rebuilt orgs: with defer_foreign_keys the references
-- from assignments, documents, licenses and reservations are counted while
-- the table is away and settled when its rows come back.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE applications_0014 (
	id             TEXT PRIMARY KEY,
	org_id         TEXT NOT NULL,
	state          TEXT NOT NULL,
	control_number TEXT,
	version        INTEGER NOT NULL,
	doc            TEXT NOT NULL,
	created_by     TEXT NOT NULL,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	submitted_at   TEXT
) STRICT;
INSERT INTO applications_0014 (id, org_id, state, control_number, version, doc, created_by, created_at, updated_at, submitted_at)
	SELECT id, org_id, state, control_number, version, doc, created_by, created_at, updated_at, submitted_at FROM applications;
DROP TABLE applications;
CREATE TABLE applications (
	id             TEXT PRIMARY KEY,
	org_id         TEXT NOT NULL REFERENCES orgs (id),
	state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'under_review', 'info_requested', 'referred',
		'escalated', 'appeal_window', 'appealed', 'approved', 'approved_in_part', 'denied', 'returned_without_action', 'withdrawn')),
	control_number TEXT UNIQUE,
	version        INTEGER NOT NULL CHECK (version >= 1),
	doc            TEXT NOT NULL,
	created_by     TEXT NOT NULL,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	submitted_at   TEXT
) STRICT;
INSERT INTO applications (id, org_id, state, control_number, version, doc, created_by, created_at, updated_at, submitted_at)
	SELECT id, org_id, state, control_number, version, doc, created_by, created_at, updated_at, submitted_at FROM applications_0014;
DROP TABLE applications_0014;
CREATE INDEX applications_org_idx ON applications (org_id, id);
CREATE INDEX applications_state_idx ON applications (state, id);
PRAGMA defer_foreign_keys = OFF;
