-- tollgate schema 0002 (PostgreSQL): users, their API tokens and browser
-- sessions, and the operator organization kind for system administrators.
-- Token and session secrets are never stored: only the hex SHA-256 of each
-- (auth.HashSecret), unique, which is what a request is looked up by.
-- Passwords are argon2id hashes in PHC form, or '' for token-only users.

ALTER TABLE orgs DROP CONSTRAINT orgs_kind_check,
	ADD CONSTRAINT orgs_kind_check CHECK (kind IN ('exporter', 'agency', 'lab', 'broker', 'auditor', 'operator'));

CREATE TABLE users (
	id            UUID PRIMARY KEY,
	org_id        UUID NOT NULL REFERENCES orgs (id),
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	roles         TEXT NOT NULL,
	disabled      BOOLEAN NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_org_idx ON users (org_id, id);

CREATE TABLE tokens (
	id           UUID PRIMARY KEY,
	user_id      UUID NOT NULL REFERENCES users (id),
	org_id       UUID NOT NULL REFERENCES orgs (id),
	name         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
	created_at   TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ,
	last_used_at TIMESTAMPTZ,
	revoked_at   TIMESTAMPTZ
);
CREATE INDEX tokens_user_idx ON tokens (user_id, id);

CREATE TABLE sessions (
	id              UUID PRIMARY KEY,
	user_id         UUID NOT NULL REFERENCES users (id),
	org_id          UUID NOT NULL REFERENCES orgs (id),
	hash            TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
	created_at      TIMESTAMPTZ NOT NULL,
	last_seen_at    TIMESTAMPTZ NOT NULL,
	idle_expires_at TIMESTAMPTZ NOT NULL,
	expires_at      TIMESTAMPTZ NOT NULL,
	ended_at        TIMESTAMPTZ,
	end_reason      TEXT NOT NULL
);
CREATE INDEX sessions_open_idx ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- One row at most: the first system administrator, made by the first
-- `tollgate serve` on an empty store. Its primary key lets only one of
-- several replicas starting together make it.
CREATE TABLE auth_bootstrap (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	user_id    UUID NOT NULL REFERENCES users (id),
	created_at TIMESTAMPTZ NOT NULL
);
