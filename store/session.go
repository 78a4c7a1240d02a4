package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tollgate"
)

const sessionColumns = `id, user_id, org_id, hash, created_at, last_seen_at, idle_expires_at, expires_at, ended_at, end_reason`

// CreateSession implements tollgate.UserService. The session's OrgID is
// its user's organization (filled in when empty; EINVALID when it
// differs); a disabled user gets no session (EUNAUTHORIZED, as a failed
// sign-in).
func (db *DB) CreateSession(ctx context.Context, s *tollgate.Session) error {
	switch {
	case !tollgate.IsHexDigest(s.Hash):
		return fmt.Errorf("store.CreateSession: %w", tollgate.FieldErrorf("hash", "must be a lower-case hex SHA-256 digest"))
	case s.ExpiresAt.IsZero() || s.IdleExpiresAt.IsZero():
		return fmt.Errorf("store.CreateSession: %w", tollgate.FieldErrorf("expires_at", "both deadlines are required"))
	}
	err := db.Update(ctx, func(tx *Tx) error {
		u, err := findUserByID(ctx, tx, s.UserID)
		if err != nil {
			return err
		}
		switch {
		case s.OrgID == "":
			s.OrgID = u.OrgID
		case s.OrgID != u.OrgID:
			return tollgate.FieldErrorf("org_id", "the session's organization must be its user's")
		}
		if u.Disabled {
			return tollgate.Errorf(tollgate.EUNAUTHORIZED, "wrong email or password")
		}
		s.ID = newID()
		if s.CreatedAt.IsZero() {
			s.CreatedAt = tx.now
		}
		if s.LastSeenAt.IsZero() {
			s.LastSeenAt = s.CreatedAt
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.UserID, s.OrgID, s.Hash, tx.Time(s.CreatedAt), tx.Time(s.LastSeenAt), tx.Time(s.IdleExpiresAt),
			tx.Time(s.ExpiresAt), tx.nullTime(s.EndedAt), s.EndReason)
		if err != nil {
			return err
		}
		return tx.AuditDetails(ctx, "session.create", "session", s.ID, nil, s, map[string]any{"user_id": s.UserID})
	})
	if err != nil {
		return fmt.Errorf("store.CreateSession: %w", err)
	}
	return nil
}

// FindSessionByHash implements tollgate.UserService.
func (db *DB) FindSessionByHash(ctx context.Context, hash string) (*tollgate.Session, error) {
	var s *tollgate.Session
	err := db.viewOne(ctx, func(tx *Tx) error {
		if !tollgate.IsHexDigest(hash) {
			return tollgate.Errorf(tollgate.ENOTFOUND, "session not found")
		}
		var err error
		s, err = scanSession(tx.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = ?`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			return tollgate.Errorf(tollgate.ENOTFOUND, "session not found")
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindSessionByHash: %w", err)
	}
	return s, nil
}

// TouchSession implements tollgate.UserService. An ended session is left
// as it is. Like TouchToken it is bookkeeping and is not audited.
func (db *DB) TouchSession(ctx context.Context, id string, lastSeen, idleExpires time.Time) error {
	if !validID(id) {
		return nil
	}
	err := db.updateUnaudited(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, idle_expires_at = ?
			WHERE id = ? AND ended_at IS NULL AND last_seen_at < ?`,
			tx.Time(lastSeen), tx.Time(idleExpires), id, tx.Time(lastSeen))
		return err
	})
	if err != nil {
		return fmt.Errorf("store.TouchSession: %w", err)
	}
	return nil
}

// EndSession implements tollgate.UserService. A session that does not
// exist is not an error either: there is nothing left to end.
func (db *DB) EndSession(ctx context.Context, id, reason string) error {
	if !validID(id) {
		return nil
	}
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := endSessions(ctx, tx, `id = ?`, []any{id}, reason)
		return err
	})
	if err != nil {
		return fmt.Errorf("store.EndSession: %w", err)
	}
	return nil
}

// endSessions ends the open sessions matching the condition where (with
// args) for reason, recording each one's end (session.end), and returns
// how many it ended.
func endSessions(ctx context.Context, tx *Tx, where string, args []any, reason string) (int, error) {
	open, err := queryAll(ctx, tx, scanSession, `SELECT `+sessionColumns+` FROM sessions
		WHERE ended_at IS NULL AND `+where+` ORDER BY id`+tx.d.forUpdate, args...)
	if err != nil {
		return 0, err
	}
	for _, s := range open {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ?`, tx.Time(tx.now), reason, s.ID)
		if err != nil {
			return 0, err
		}
		ended := *s
		ended.EndedAt, ended.EndReason = tx.now, reason
		if err := tx.AuditDetails(ctx, "session.end", "session", s.ID, s, &ended, map[string]any{"reason": reason}); err != nil {
			return 0, err
		}
	}
	return len(open), nil
}

// EndUserSessions implements tollgate.UserService.
func (db *DB) EndUserSessions(ctx context.Context, userID, reason string) (int, error) {
	var n int
	err := db.Update(ctx, func(tx *Tx) (err error) {
		n, err = endUserSessions(ctx, tx, userID, reason, "")
		if err != nil || n == 0 {
			return err
		}
		return tx.AuditDetails(ctx, "session.end_all", "user", userID, nil, nil, map[string]any{"reason": reason, "sessions_ended": n})
	})
	if err != nil {
		return 0, fmt.Errorf("store.EndUserSessions: %w", err)
	}
	return n, nil
}

// endUserSessions ends the open sessions of a user, except keep, and
// returns how many it ended.
func endUserSessions(ctx context.Context, tx *Tx, userID, reason, keep string) (int, error) {
	if !validID(userID) {
		return 0, nil
	}
	return endSessions(ctx, tx, `user_id = ? AND id <> ?`, []any{userID, keepID(keep)}, reason)
}

// keepID returns the session id to spare, or the nil UUID (which no
// session has) when there is none, so that one query fits both cases and
// PostgreSQL can compare it with a uuid column.
func keepID(id string) string {
	if !validID(id) {
		return "00000000-0000-0000-0000-000000000000"
	}
	return id
}

func scanSession(s scanner) (*tollgate.Session, error) {
	var ses tollgate.Session
	if err := s.Scan(&ses.ID, &ses.UserID, &ses.OrgID, &ses.Hash, timeColumn{&ses.CreatedAt}, timeColumn{&ses.LastSeenAt},
		timeColumn{&ses.IdleExpiresAt}, timeColumn{&ses.ExpiresAt}, timeColumn{&ses.EndedAt}, &ses.EndReason); err != nil {
		return nil, err
	}
	return &ses, nil
}
