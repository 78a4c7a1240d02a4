-- tollgate schema 0003 (SQLite): the audit log. audit_records holds each
-- record's canonical encoding byte for byte (the Merkle tree's leaf) with
-- the fields the API filters on; audit_hashes holds the tree's stored
-- hashes in golang.org/x/mod/sumdb/tlog's layout; audit_size is the one row
-- every append locks and advances; audit_checkpoints keeps the signed
-- checkpoints made. Records and hashes are never updated or deleted.

CREATE TABLE audit_records (
	seq         INTEGER PRIMARY KEY CHECK (seq >= 0),
	time        TEXT NOT NULL,
	action      TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	org_id      TEXT NOT NULL,
	token_id    TEXT NOT NULL,
	canonical   BLOB NOT NULL
) STRICT;
CREATE INDEX audit_records_object_idx ON audit_records (object_type, object_id, seq);
CREATE INDEX audit_records_user_idx ON audit_records (user_id, seq);
CREATE INDEX audit_records_action_idx ON audit_records (action, seq);

CREATE TABLE audit_hashes (
	idx  INTEGER PRIMARY KEY CHECK (idx >= 0),
	hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

CREATE TABLE audit_size (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	size INTEGER NOT NULL CHECK (size >= 0)
) STRICT;
INSERT INTO audit_size (id, size) VALUES (1, 0);

CREATE TABLE audit_checkpoints (
	tree_size  INTEGER NOT NULL CHECK (tree_size >= 0),
	key_hash   TEXT NOT NULL,
	root_hash  TEXT NOT NULL,
	note       BLOB NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (tree_size, key_hash)
) STRICT;
CREATE INDEX audit_checkpoints_created_idx ON audit_checkpoints (created_at);

CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_hashes_no_update BEFORE UPDATE ON audit_hashes
BEGIN SELECT RAISE(ABORT, 'audit hashes are append-only'); END;
CREATE TRIGGER audit_hashes_no_delete BEFORE DELETE ON audit_hashes
BEGIN SELECT RAISE(ABORT, 'audit hashes are append-only'); END;
