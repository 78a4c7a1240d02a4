-- tollgate schema 0009 (SQLite): a user's email is unique within its
-- organization, no longer across all of them. A global unique email let
-- any exporter's administrator learn, by creating a user, whether an
-- address was in use in any other organization (issue 17 §2). Signing in
-- by email tries each user with the address (auth.Authenticator.Login).
--
-- SQLite cannot drop a column's UNIQUE constraint, so users is rebuilt as
-- 0002 rebuilt orgs: the foreign keys of tokens, sessions and others are
-- counted while the table is gone and settled by the copy.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE users_0009 (
	id            TEXT PRIMARY KEY,
	org_id        TEXT NOT NULL REFERENCES orgs (id),
	email         TEXT NOT NULL,
	name          TEXT NOT NULL,
	roles         TEXT NOT NULL,
	disabled      INTEGER NOT NULL CHECK (disabled IN (0, 1)),
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;
INSERT INTO users_0009 (id, org_id, email, name, roles, disabled, password_hash, created_at, updated_at)
	SELECT id, org_id, email, name, roles, disabled, password_hash, created_at, updated_at FROM users;
DROP TABLE users;
CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	org_id        TEXT NOT NULL REFERENCES orgs (id),
	email         TEXT NOT NULL,
	name          TEXT NOT NULL,
	roles         TEXT NOT NULL,
	disabled      INTEGER NOT NULL CHECK (disabled IN (0, 1)),
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	UNIQUE (org_id, email)
) STRICT;
INSERT INTO users (id, org_id, email, name, roles, disabled, password_hash, created_at, updated_at)
	SELECT id, org_id, email, name, roles, disabled, password_hash, created_at, updated_at FROM users_0009;
DROP TABLE users_0009;
CREATE INDEX users_org_idx ON users (org_id, id);
CREATE INDEX users_email_idx ON users (email);
PRAGMA defer_foreign_keys = OFF;
