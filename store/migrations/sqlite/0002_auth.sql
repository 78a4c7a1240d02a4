-- tollgate schema 0002 (SQLite): users, their API tokens and browser
-- sessions, and the operator organization kind for system administrators.
-- Token and session secrets are never stored: only the hex SHA-256 of each
-- (auth.HashSecret), unique, which is what a request is looked up by.
-- Passwords are argon2id hashes in PHC form, or '' for token-only users.

-- orgs gains the kind 'operator'. SQLite cannot change a CHECK constraint
-- in place, so the table is rebuilt. Dropping it breaks, for a moment, the
-- foreign keys of the tables that reference it; with defer_foreign_keys
-- they are counted instead of refused, and copying the rows back into the
-- new orgs settles every one of them before the transaction commits.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE orgs_0002 (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	name       TEXT NOT NULL,
	country    TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
INSERT INTO orgs_0002 (id, kind, name, country, created_at, updated_at)
	SELECT id, kind, name, country, created_at, updated_at FROM orgs;
DROP TABLE orgs;
CREATE TABLE orgs (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('exporter', 'agency', 'lab', 'broker', 'auditor', 'operator')),
	name       TEXT NOT NULL,
	country    TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
INSERT INTO orgs (id, kind, name, country, created_at, updated_at)
	SELECT id, kind, name, country, created_at, updated_at FROM orgs_0002;
DROP TABLE orgs_0002;
CREATE INDEX orgs_kind_idx ON orgs (kind, id);
PRAGMA defer_foreign_keys = OFF;

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	org_id        TEXT NOT NULL REFERENCES orgs (id),
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	roles         TEXT NOT NULL,
	disabled      INTEGER NOT NULL CHECK (disabled IN (0, 1)),
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX users_org_idx ON users (org_id, id);

CREATE TABLE tokens (
	id           TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id),
	org_id       TEXT NOT NULL REFERENCES orgs (id),
	name         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
	created_at   TEXT NOT NULL,
	expires_at   TEXT,
	last_used_at TEXT,
	revoked_at   TEXT
) STRICT;
CREATE INDEX tokens_user_idx ON tokens (user_id, id);

CREATE TABLE sessions (
	id              TEXT PRIMARY KEY,
	user_id         TEXT NOT NULL REFERENCES users (id),
	org_id          TEXT NOT NULL REFERENCES orgs (id),
	hash            TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
	created_at      TEXT NOT NULL,
	last_seen_at    TEXT NOT NULL,
	idle_expires_at TEXT NOT NULL,
	expires_at      TEXT NOT NULL,
	ended_at        TEXT,
	end_reason      TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_open_idx ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- One row at most: the first system administrator, made by the first
-- `tollgate serve` on an empty store. Its primary key lets only one of
-- several replicas starting together make it.
CREATE TABLE auth_bootstrap (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	user_id    TEXT NOT NULL REFERENCES users (id),
	created_at TEXT NOT NULL
) STRICT;
