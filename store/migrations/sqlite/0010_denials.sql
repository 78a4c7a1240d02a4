-- tollgate schema 0010 (SQLite): refused requests, counted per window.
-- One row per (principal, permission, minute): every replica adds its
-- denials to the row with an upsert, and the window's one audit record is
-- appended after the window has closed (CloseDenialWindows), when its count
-- is final; recorded_at marks it done, and later additions to a recorded
-- window are dropped, so no window is recorded twice.
-- Timestamps are UTC text 2006-01-02T15:04:05.000000Z.

CREATE TABLE auth_denials (
	principal    TEXT NOT NULL,
	permission   TEXT NOT NULL,
	window_start TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	credential   TEXT NOT NULL,
	kind         TEXT NOT NULL,
	method       TEXT NOT NULL,
	route        TEXT NOT NULL,
	reason       TEXT NOT NULL,
	remote       TEXT NOT NULL,
	email        TEXT NOT NULL,
	count        INTEGER NOT NULL CHECK (count >= 1),
	first_at     TEXT NOT NULL,
	last_at      TEXT NOT NULL,
	recorded_at  TEXT,
	PRIMARY KEY (principal, permission, window_start)
) STRICT;
CREATE INDEX auth_denials_window_idx ON auth_denials (window_start);
