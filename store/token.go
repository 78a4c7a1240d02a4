package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tollgate"
)

const tokenColumns = `id, user_id, org_id, name, hash, created_at, expires_at, last_used_at, revoked_at`

// CreateToken implements tollgate.UserService. The token's OrgID is its
// user's organization (filled in when empty; EINVALID when it differs),
// and a disabled user gets no new token (ECONFLICT).
func (db *DB) CreateToken(ctx context.Context, t *tollgate.Token) error {
	if !tollgate.IsHexDigest(t.Hash) {
		return fmt.Errorf("store.CreateToken: %w", tollgate.FieldErrorf("hash", "must be a lower-case hex SHA-256 digest"))
	}
	if t.Name == "" {
		return fmt.Errorf("store.CreateToken: %w", tollgate.FieldErrorf("name", "required"))
	}
	if err := db.Update(ctx, func(tx *Tx) error { return createToken(ctx, tx, t) }); err != nil {
		return fmt.Errorf("store.CreateToken: %w", err)
	}
	return nil
}

// FindTokenByHash implements tollgate.UserService.
func (db *DB) FindTokenByHash(ctx context.Context, hash string) (*tollgate.Token, error) {
	var t *tollgate.Token
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		t, err = findToken(ctx, tx, "hash", hash)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindTokenByHash: %w", err)
	}
	return t, nil
}

// FindTokenByID returns the token with id (never its secret, which is not
// stored), or ENOTFOUND. The API uses it to learn whose token a revocation
// names before it authorizes one.
func (db *DB) FindTokenByID(ctx context.Context, id string) (*tollgate.Token, error) {
	var t *tollgate.Token
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		t, err = findToken(ctx, tx, "id", id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindTokenByID: %w", err)
	}
	return t, nil
}

// FindTokens implements tollgate.UserService.
func (db *DB) FindTokens(ctx context.Context, userID string) ([]*tollgate.Token, error) {
	var out []*tollgate.Token
	err := db.View(ctx, func(tx *Tx) (err error) {
		if !validID(userID) {
			return nil
		}
		out, err = queryAll(ctx, tx, scanToken, `SELECT `+tokenColumns+` FROM tokens WHERE user_id = ? ORDER BY id DESC`, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindTokens: %w", err)
	}
	return out, nil
}

// TouchToken implements tollgate.UserService. It is bookkeeping, not a
// change anyone audits, and runs outside the audit log's lock.
func (db *DB) TouchToken(ctx context.Context, id string, at time.Time) error {
	if !validID(id) {
		return nil
	}
	err := db.updateUnaudited(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			tx.Time(at), id, tx.Time(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("store.TouchToken: %w", err)
	}
	return nil
}

// RevokeToken implements tollgate.UserService.
func (db *DB) RevokeToken(ctx context.Context, id string) error {
	err := db.Update(ctx, func(tx *Tx) error {
		t, err := findToken(ctx, tx, "id", id)
		if err != nil || !t.RevokedAt.IsZero() {
			return err
		}
		before := *t
		t.RevokedAt = tx.now
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ?`, tx.Time(tx.now), t.ID); err != nil {
			return err
		}
		return tx.AuditDetails(ctx, "token.revoke", "token", t.ID, &before, t, map[string]any{"user_id": t.UserID})
	})
	if err != nil {
		return fmt.Errorf("store.RevokeToken: %w", err)
	}
	return nil
}

// revokeUserTokens revokes every live token of a user being disabled, each
// with its own audit record, and returns how many it revoked. A disabled
// user's tokens are refused anyway; revoking them means that enabling the
// user again does not bring back credentials issued before the
// disablement, which may have leaked in the meantime.
func revokeUserTokens(ctx context.Context, tx *Tx, userID string) (int, error) {
	live, err := queryAll(ctx, tx, scanToken, `SELECT `+tokenColumns+` FROM tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY id`, userID)
	if err != nil {
		return 0, err
	}
	for _, t := range live {
		before := *t
		t.RevokedAt = tx.now
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ?`, tx.Time(tx.now), t.ID); err != nil {
			return 0, err
		}
		if err := tx.AuditDetails(ctx, "token.revoke", "token", t.ID, &before, t,
			map[string]any{"user_id": t.UserID, "reason": "user disabled"}); err != nil {
			return 0, err
		}
	}
	return len(live), nil
}

func createToken(ctx context.Context, tx *Tx, t *tollgate.Token) error {
	u, err := findUserByID(ctx, tx, t.UserID)
	if err != nil {
		return err
	}
	switch {
	case t.OrgID == "":
		t.OrgID = u.OrgID
	case t.OrgID != u.OrgID:
		return tollgate.FieldErrorf("org_id", "the token's organization must be its user's")
	}
	if u.Disabled {
		return tollgate.Errorf(tollgate.ECONFLICT, "user %s is disabled", u.ID)
	}
	t.ID, t.CreatedAt = newID(), tx.now
	_, err = tx.ExecContext(ctx, `INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.UserID, t.OrgID, t.Name, t.Hash, tx.Time(t.CreatedAt),
		tx.nullTime(t.ExpiresAt), tx.nullTime(t.LastUsedAt), tx.nullTime(t.RevokedAt))
	if tx.d.uniqueViolation(err) {
		// Two secrets with one SHA-256: a broken random source, not a user error.
		return fmt.Errorf("token hash collision: the random source repeats")
	}
	if err != nil {
		return err
	}
	return tx.AuditDetails(ctx, "token.create", "token", t.ID, nil, t, map[string]any{"user_id": t.UserID})
}

// findToken returns the token whose column (id or hash) is v.
func findToken(ctx context.Context, tx *Tx, column, v string) (*tollgate.Token, error) {
	// A hash is never quoted back: it is derived from a secret.
	notFound := tollgate.Errorf(tollgate.ENOTFOUND, "token not found")
	valid := tollgate.IsHexDigest(v)
	if column == "id" {
		notFound = tollgate.Errorf(tollgate.ENOTFOUND, "token %q not found", v)
		valid = validID(v)
	}
	if !valid {
		return nil, notFound
	}
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE `+column+` = ?`, v))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	return t, err
}

func scanToken(s scanner) (*tollgate.Token, error) {
	var t tollgate.Token
	if err := s.Scan(&t.ID, &t.UserID, &t.OrgID, &t.Name, &t.Hash, timeColumn{&t.CreatedAt},
		timeColumn{&t.ExpiresAt}, timeColumn{&t.LastUsedAt}, timeColumn{&t.RevokedAt}); err != nil {
		return nil, err
	}
	return &t, nil
}
