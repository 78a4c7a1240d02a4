-- tollgate schema 0003 (PostgreSQL): the audit log. audit_records holds each
-- record's canonical encoding byte for byte (the Merkle tree's leaf) with
-- the fields the API filters on; audit_hashes holds the tree's stored
-- hashes in golang.org/x/mod/sumdb/tlog's layout; audit_size is the one row
-- every append locks (SELECT … FOR UPDATE) and advances, so appends from
-- several replicas serialise; audit_checkpoints keeps the signed
-- checkpoints made. Records and hashes are never updated or deleted.

CREATE TABLE audit_records (
	seq         BIGINT PRIMARY KEY CHECK (seq >= 0),
	time        TIMESTAMPTZ NOT NULL,
	action      TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	org_id      TEXT NOT NULL,
	token_id    TEXT NOT NULL,
	canonical   BYTEA NOT NULL
);
CREATE INDEX audit_records_object_idx ON audit_records (object_type, object_id, seq);
CREATE INDEX audit_records_user_idx ON audit_records (user_id, seq);
CREATE INDEX audit_records_action_idx ON audit_records (action, seq);

CREATE TABLE audit_hashes (
	idx  BIGINT PRIMARY KEY CHECK (idx >= 0),
	hash BYTEA NOT NULL CHECK (length(hash) = 32)
);

CREATE TABLE audit_size (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	size BIGINT NOT NULL CHECK (size >= 0)
);
INSERT INTO audit_size (id, size) VALUES (1, 0);

CREATE TABLE audit_checkpoints (
	tree_size  BIGINT NOT NULL CHECK (tree_size >= 0),
	key_hash   TEXT NOT NULL,
	root_hash  TEXT NOT NULL,
	note       BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tree_size, key_hash)
);
CREATE INDEX audit_checkpoints_created_idx ON audit_checkpoints (created_at);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
	FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_hashes_append_only BEFORE UPDATE OR DELETE ON audit_hashes
	FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
	FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_hashes_no_truncate BEFORE TRUNCATE ON audit_hashes
	FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
