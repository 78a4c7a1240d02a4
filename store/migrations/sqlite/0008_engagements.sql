-- tollgate schema 0008 (SQLite): engagements. An exporter engages a broker
-- for its imports or a lab for its tests, from starts_on to ends_on (both
-- included; NULL: no end yet), optionally limited to applications or lots
-- (JSON arrays of strings; [] for no limit). A broker or lab writes about
-- an exporter's units only under one in force on the write's date.
-- Dates are UTC text 2006-01-02T00:00:00.000000Z.

CREATE TABLE engagements (
	id              TEXT PRIMARY KEY,
	exporter_org_id TEXT NOT NULL REFERENCES orgs (id),
	engaged_org_id  TEXT NOT NULL REFERENCES orgs (id),
	kind            TEXT NOT NULL CHECK (kind IN ('imports', 'tests')),
	starts_on       TEXT NOT NULL,
	ends_on         TEXT,
	application_ids TEXT NOT NULL,
	lots            TEXT NOT NULL,
	created_by      TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	CHECK (engaged_org_id <> exporter_org_id),
	CHECK (ends_on IS NULL OR ends_on >= starts_on)
) STRICT;
CREATE INDEX engagements_exporter_idx ON engagements (exporter_org_id, id);
CREATE INDEX engagements_engaged_idx ON engagements (engaged_org_id, exporter_org_id, kind);
