-- tollgate schema 0001 (SQLite): organizations, parties, list versions and
-- their entries, screenings with hits, hit decisions, idempotency keys.
-- Ids are UUIDv7 text; timestamps are UTC text 2006-01-02T15:04:05.000000Z;
-- lists of names, addresses and identifiers are JSON text.

CREATE TABLE orgs (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('exporter', 'agency', 'lab', 'broker', 'auditor')),
	name       TEXT NOT NULL,
	country    TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX orgs_kind_idx ON orgs (kind, id);

CREATE TABLE parties (
	id                   TEXT PRIMARY KEY,
	org_id               TEXT NOT NULL REFERENCES orgs (id),
	role                 TEXT NOT NULL CHECK (role IN ('purchaser', 'intermediate_consignee', 'ultimate_consignee', 'end_user')),
	type                 TEXT NOT NULL,
	legal_name           TEXT NOT NULL,
	other_names          TEXT NOT NULL,
	addresses            TEXT NOT NULL,
	country              TEXT NOT NULL,
	headquarters_country TEXT NOT NULL,
	ultimate_parent      TEXT NOT NULL,
	identifiers          TEXT NOT NULL,
	screening_status     TEXT NOT NULL CHECK (screening_status IN ('unscreened', 'clear', 'pending_review', 'blocked')),
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL
) STRICT;
CREATE INDEX parties_org_idx ON parties (org_id, id);
CREATE INDEX parties_status_idx ON parties (screening_status, id);

CREATE TABLE list_versions (
	id            TEXT PRIMARY KEY,
	source        TEXT NOT NULL,
	format        TEXT NOT NULL,
	digest        TEXT NOT NULL UNIQUE,
	file_name     TEXT NOT NULL,
	published     TEXT,
	counts        TEXT NOT NULL,
	entity_count  INTEGER NOT NULL,
	problem_count INTEGER NOT NULL,
	imported_at   TEXT NOT NULL
) STRICT;
CREATE INDEX list_versions_source_idx ON list_versions (source, id);

CREATE TABLE list_entries (
	version_id TEXT NOT NULL REFERENCES list_versions (id),
	seq        INTEGER NOT NULL,
	list       TEXT NOT NULL,
	source_id  TEXT NOT NULL,
	digest     TEXT NOT NULL,
	entity     TEXT NOT NULL,
	PRIMARY KEY (version_id, seq)
) STRICT;
CREATE INDEX list_entries_listing_idx ON list_entries (version_id, list, source_id);

CREATE TABLE screenings (
	id          TEXT PRIMARY KEY,
	party_id    TEXT NOT NULL REFERENCES parties (id),
	screened_at TEXT NOT NULL,
	threshold   REAL NOT NULL
) STRICT;
CREATE INDEX screenings_party_idx ON screenings (party_id, id);

CREATE TABLE screening_list_versions (
	screening_id TEXT NOT NULL REFERENCES screenings (id),
	position     INTEGER NOT NULL,
	version_id   TEXT NOT NULL REFERENCES list_versions (id),
	PRIMARY KEY (screening_id, position)
) STRICT;
CREATE INDEX screening_list_versions_version_idx ON screening_list_versions (version_id);

CREATE TABLE screening_hits (
	screening_id  TEXT NOT NULL REFERENCES screenings (id),
	seq           INTEGER NOT NULL,
	list          TEXT NOT NULL,
	source_id     TEXT NOT NULL,
	entity_digest TEXT NOT NULL,
	name          TEXT NOT NULL,
	matched_name  TEXT NOT NULL,
	score         REAL NOT NULL,
	explanation   TEXT,
	PRIMARY KEY (screening_id, seq)
) STRICT;

CREATE TABLE hit_decisions (
	id            TEXT PRIMARY KEY,
	party_id      TEXT NOT NULL REFERENCES parties (id),
	list          TEXT NOT NULL,
	source_id     TEXT NOT NULL,
	entity_digest TEXT NOT NULL,
	kind          TEXT NOT NULL CHECK (kind IN ('false_positive', 'true_match')),
	reason        TEXT NOT NULL,
	decided_by    TEXT NOT NULL,
	decided_at    TEXT NOT NULL
) STRICT;
CREATE INDEX hit_decisions_party_idx ON hit_decisions (party_id, id);

CREATE TABLE idempotency_keys (
	scope          TEXT NOT NULL,
	key            TEXT NOT NULL,
	request_digest TEXT NOT NULL,
	state          TEXT NOT NULL CHECK (state IN ('pending', 'done')),
	status         INTEGER,
	content_type   TEXT,
	body           BLOB,
	created_at     TEXT NOT NULL,
	finished_at    TEXT,
	PRIMARY KEY (scope, key)
) STRICT;
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
