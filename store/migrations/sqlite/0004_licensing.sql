-- tollgate schema 0004 (SQLite): license applications and licenses.
-- An application is kept as one JSON document (tollgate.Application) with
-- the columns the store filters on beside it, and a version that every
-- change advances (optimistic locking). application_assignments lists the
-- organizations a case is assigned or referred to (the licensing agency
-- once submitted, each referred agency), which the auth policy's
-- "assigned" rule reads. Licenses keep their items with the consumption
-- accounting (reserved and shipped units and value) that shipping writes;
-- CHECK constraints keep it from going negative or past the license.

CREATE TABLE licensing_agencies (
	code       TEXT PRIMARY KEY CHECK (code IN ('BIS', 'DOD', 'STATE', 'DOE')),
	org_id     TEXT NOT NULL UNIQUE REFERENCES orgs (id),
	updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE licensing_sequences (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL CHECK (value >= 0)
) STRICT;
INSERT INTO licensing_sequences (name, value) VALUES ('control_number', 0), ('license_number', 0);

CREATE TABLE applications (
	id             TEXT PRIMARY KEY,
	org_id         TEXT NOT NULL REFERENCES orgs (id),
	state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'under_review', 'info_requested', 'referred',
		'escalated', 'approved', 'approved_in_part', 'denied', 'returned_without_action', 'withdrawn')),
	control_number TEXT UNIQUE,
	version        INTEGER NOT NULL CHECK (version >= 1),
	doc            TEXT NOT NULL,
	created_by     TEXT NOT NULL,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	submitted_at   TEXT
) STRICT;
CREATE INDEX applications_org_idx ON applications (org_id, id);
CREATE INDEX applications_state_idx ON applications (state, id);

CREATE TABLE application_assignments (
	application_id TEXT NOT NULL REFERENCES applications (id),
	org_id         TEXT NOT NULL REFERENCES orgs (id),
	reason         TEXT NOT NULL,
	assigned_at    TEXT NOT NULL,
	PRIMARY KEY (application_id, org_id)
) STRICT;
CREATE INDEX application_assignments_org_idx ON application_assignments (org_id, application_id);

CREATE TABLE application_documents (
	application_id TEXT NOT NULL REFERENCES applications (id),
	digest         TEXT NOT NULL,
	name           TEXT NOT NULL,
	content_type   TEXT NOT NULL,
	size           INTEGER NOT NULL CHECK (size > 0),
	content        BLOB NOT NULL,
	uploaded_by    TEXT NOT NULL,
	uploaded_at    TEXT NOT NULL,
	PRIMARY KEY (application_id, digest)
) STRICT;

CREATE TABLE licenses (
	id                TEXT PRIMARY KEY,
	number            TEXT NOT NULL UNIQUE,
	holder_org_id     TEXT NOT NULL REFERENCES orgs (id),
	issuing_org_id    TEXT NOT NULL REFERENCES orgs (id),
	application_id    TEXT NOT NULL UNIQUE REFERENCES applications (id),
	control_number    TEXT NOT NULL,
	destination       TEXT NOT NULL,
	parties           TEXT NOT NULL,
	valid_from        TEXT NOT NULL,
	valid_to          TEXT NOT NULL,
	status            TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'suspended')),
	status_reason     TEXT NOT NULL,
	status_changed_at TEXT,
	issued_at         TEXT NOT NULL
) STRICT;
CREATE INDEX licenses_holder_idx ON licenses (holder_org_id, id);
CREATE INDEX licenses_issuer_idx ON licenses (issuing_org_id, id);

CREATE TABLE license_items (
	license_id     TEXT NOT NULL REFERENCES licenses (id),
	seq            INTEGER NOT NULL,
	product        TEXT NOT NULL,
	eccn           TEXT NOT NULL,
	description    TEXT NOT NULL,
	quantity       INTEGER NOT NULL CHECK (quantity > 0),
	value_cents    INTEGER NOT NULL CHECK (value_cents > 0),
	reserved_units INTEGER NOT NULL CHECK (reserved_units >= 0),
	reserved_cents INTEGER NOT NULL CHECK (reserved_cents >= 0),
	shipped_units  INTEGER NOT NULL CHECK (shipped_units >= 0),
	shipped_cents  INTEGER NOT NULL CHECK (shipped_cents >= 0),
	PRIMARY KEY (license_id, product),
	UNIQUE (license_id, seq),
	CHECK (reserved_units + shipped_units <= quantity),
	CHECK (reserved_cents + shipped_cents <= value_cents)
) STRICT;

CREATE TABLE license_conditions (
	license_id   TEXT NOT NULL REFERENCES licenses (id),
	condition_id TEXT NOT NULL,
	seq          INTEGER NOT NULL,
	text         TEXT NOT NULL,
	binds        TEXT NOT NULL,
	PRIMARY KEY (license_id, condition_id),
	UNIQUE (license_id, seq)
) STRICT;

CREATE TABLE license_acknowledgments (
	license_id      TEXT NOT NULL,
	condition_id    TEXT NOT NULL,
	role            TEXT NOT NULL,
	party_id        TEXT NOT NULL,
	signed_by       TEXT NOT NULL,
	document_digest TEXT NOT NULL,
	recorded_by     TEXT NOT NULL,
	at              TEXT NOT NULL,
	PRIMARY KEY (license_id, condition_id, role, party_id),
	FOREIGN KEY (license_id, condition_id) REFERENCES license_conditions (license_id, condition_id)
) STRICT;
