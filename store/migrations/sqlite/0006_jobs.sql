-- tollgate schema 0006 (SQLite): background jobs. leases holds one row per
-- named lease (the scheduler's leadership): taken, renewed and released
-- with conditional upserts, its token counting changes of holder. job_runs
-- is the ledger of periodic work: one row per (job, slot), claimed before
-- the job runs, so each slot runs once however many schedulers race.
-- Timestamps are UTC text 2006-01-02T15:04:05.000000Z.

CREATE TABLE leases (
	name        TEXT PRIMARY KEY,
	holder      TEXT NOT NULL,
	token       INTEGER NOT NULL CHECK (token >= 1),
	acquired_at TEXT NOT NULL,
	renewed_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL
) STRICT;

CREATE TABLE job_runs (
	job         TEXT NOT NULL,
	slot        INTEGER NOT NULL,
	holder      TEXT NOT NULL,
	token       INTEGER NOT NULL,
	started_at  TEXT NOT NULL,
	finished_at TEXT,
	error       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (job, slot)
) STRICT;
CREATE INDEX job_runs_started_idx ON job_runs (started_at);
