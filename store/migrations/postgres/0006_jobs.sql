-- tollgate schema 0006 (PostgreSQL): background jobs. leases holds one row
-- per named lease (the scheduler's leadership): taken, renewed and released
-- with conditional upserts, its token counting changes of holder. job_runs
-- is the ledger of periodic work: one row per (job, slot), claimed before
-- the job runs, so each slot runs once however many replicas race.

CREATE TABLE leases (
	name        TEXT PRIMARY KEY,
	holder      TEXT NOT NULL,
	token       BIGINT NOT NULL CHECK (token >= 1),
	acquired_at TIMESTAMPTZ NOT NULL,
	renewed_at  TIMESTAMPTZ NOT NULL,
	expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE job_runs (
	job         TEXT NOT NULL,
	slot        BIGINT NOT NULL,
	holder      TEXT NOT NULL,
	token       BIGINT NOT NULL,
	started_at  TIMESTAMPTZ NOT NULL,
	finished_at TIMESTAMPTZ,
	error       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (job, slot)
);
CREATE INDEX job_runs_started_idx ON job_runs (started_at);
