-- tollgate schema 0008 (PostgreSQL): engagements. An exporter engages a
-- broker for its imports or a lab for its tests, from starts_on to ends_on
-- (both included; NULL: no end yet), optionally limited to applications or
-- lots (JSON arrays of strings; [] for no limit). A broker or lab writes
-- about an exporter's units only under one in force on the write's date.

CREATE TABLE engagements (
	id              UUID PRIMARY KEY,
	exporter_org_id UUID NOT NULL REFERENCES orgs (id),
	engaged_org_id  UUID NOT NULL REFERENCES orgs (id),
	kind            TEXT NOT NULL CHECK (kind IN ('imports', 'tests')),
	starts_on       TIMESTAMPTZ NOT NULL,
	ends_on         TIMESTAMPTZ,
	application_ids TEXT NOT NULL,
	lots            TEXT NOT NULL,
	created_by      TEXT NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL,
	CHECK (engaged_org_id <> exporter_org_id),
	CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX engagements_exporter_idx ON engagements (exporter_org_id, id);
CREATE INDEX engagements_engaged_idx ON engagements (engaged_org_id, exporter_org_id, kind);
