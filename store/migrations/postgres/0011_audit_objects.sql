-- tollgate schema 0011 (PostgreSQL): the last recorded state of each
-- audited object. audit_objects keeps, per object, the canonical JSON whose
-- digest its last audit record states as after-digest (NULL once the log
-- says the object no longer exists), written with the record. tollgate
-- audit reconcile compares live rows with the log's digests; when a row
-- differs and this copy still hashes to the record's digest, it names the
-- fields that changed. The copy is no evidence of its own: the log's digest
-- is.

CREATE TABLE audit_objects (
	object_type TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	body        BYTEA,
	PRIMARY KEY (object_type, object_id)
);
