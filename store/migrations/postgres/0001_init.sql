-- tollgate schema 0001 (PostgreSQL): organizations, parties, list versions and
-- their entries, screenings with hits, hit decisions, idempotency keys.
-- Ids are UUIDv7 (uuid); timestamps are timestamptz;
-- lists of names, addresses and identifiers are JSON text.

CREATE TABLE orgs (
	id         UUID PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('exporter', 'agency', 'lab', 'broker', 'auditor')),
	name       TEXT NOT NULL,
	country    TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX orgs_kind_idx ON orgs (kind, id);

CREATE TABLE parties (
	id                   UUID PRIMARY KEY,
	org_id               UUID NOT NULL REFERENCES orgs (id),
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
	created_at           TIMESTAMPTZ NOT NULL,
	updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX parties_org_idx ON parties (org_id, id);
CREATE INDEX parties_status_idx ON parties (screening_status, id);

CREATE TABLE list_versions (
	id            UUID PRIMARY KEY,
	source        TEXT NOT NULL,
	format        TEXT NOT NULL,
	digest        TEXT NOT NULL UNIQUE,
	file_name     TEXT NOT NULL,
	published     TIMESTAMPTZ,
	counts        TEXT NOT NULL,
	entity_count  INTEGER NOT NULL,
	problem_count INTEGER NOT NULL,
	imported_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX list_versions_source_idx ON list_versions (source, id);

CREATE TABLE list_entries (
	version_id UUID NOT NULL REFERENCES list_versions (id),
	seq        BIGINT NOT NULL,
	list       TEXT NOT NULL,
	source_id  TEXT NOT NULL,
	digest     TEXT NOT NULL,
	entity     TEXT NOT NULL,
	PRIMARY KEY (version_id, seq)
);
CREATE INDEX list_entries_listing_idx ON list_entries (version_id, list, source_id);

CREATE TABLE screenings (
	id          UUID PRIMARY KEY,
	party_id    UUID NOT NULL REFERENCES parties (id),
	screened_at TIMESTAMPTZ NOT NULL,
	threshold   DOUBLE PRECISION NOT NULL
);
CREATE INDEX screenings_party_idx ON screenings (party_id, id);

CREATE TABLE screening_list_versions (
	screening_id UUID NOT NULL REFERENCES screenings (id),
	position     INTEGER NOT NULL,
	version_id   UUID NOT NULL REFERENCES list_versions (id),
	PRIMARY KEY (screening_id, position)
);
CREATE INDEX screening_list_versions_version_idx ON screening_list_versions (version_id);

CREATE TABLE screening_hits (
	screening_id  UUID NOT NULL REFERENCES screenings (id),
	seq           INTEGER NOT NULL,
	list          TEXT NOT NULL,
	source_id     TEXT NOT NULL,
	entity_digest TEXT NOT NULL,
	name          TEXT NOT NULL,
	matched_name  TEXT NOT NULL,
	score         DOUBLE PRECISION NOT NULL,
	explanation   TEXT,
	PRIMARY KEY (screening_id, seq)
);

CREATE TABLE hit_decisions (
	id            UUID PRIMARY KEY,
	party_id      UUID NOT NULL REFERENCES parties (id),
	list          TEXT NOT NULL,
	source_id     TEXT NOT NULL,
	entity_digest TEXT NOT NULL,
	kind          TEXT NOT NULL CHECK (kind IN ('false_positive', 'true_match')),
	reason        TEXT NOT NULL,
	decided_by    TEXT NOT NULL,
	decided_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX hit_decisions_party_idx ON hit_decisions (party_id, id);

CREATE TABLE idempotency_keys (
	scope          TEXT NOT NULL,
	key            TEXT NOT NULL,
	request_digest TEXT NOT NULL,
	state          TEXT NOT NULL CHECK (state IN ('pending', 'done')),
	status         INTEGER,
	content_type   TEXT,
	body           BYTEA,
	created_at     TIMESTAMPTZ NOT NULL,
	finished_at    TIMESTAMPTZ,
	PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
