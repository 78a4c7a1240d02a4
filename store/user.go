package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"tollgate"
)

var _ tollgate.UserService = (*DB)(nil)

const userColumns = `id, org_id, email, name, roles, disabled, password_hash, created_at, updated_at`

// FindUserByID implements tollgate.UserService.
func (db *DB) FindUserByID(ctx context.Context, id string) (*tollgate.User, error) {
	var u *tollgate.User
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		u, err = findUserByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindUserByID: %w", err)
	}
	return u, nil
}

// FindUserByEmail implements tollgate.UserService. The email is
// normalized (tollgate.NormalizeEmail) before the lookup.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*tollgate.User, error) {
	users, err := db.FindUsersByEmail(ctx, email)
	switch {
	case err != nil:
		return nil, fmt.Errorf("store.FindUserByEmail: %w", err)
	case len(users) == 0:
		return nil, fmt.Errorf("store.FindUserByEmail: %w", tollgate.Errorf(tollgate.ENOTFOUND, "no user with email %q", tollgate.NormalizeEmail(email)))
	case len(users) > 1:
		return nil, fmt.Errorf("store.FindUserByEmail: %w", tollgate.Errorf(tollgate.ECONFLICT,
			"users of %d organizations have email %q; name the user by id", len(users), tollgate.NormalizeEmail(email)))
	}
	return users[0], nil
}

// FindUsersByEmail implements tollgate.UserService. The email is
// normalized (tollgate.NormalizeEmail) before the lookup.
func (db *DB) FindUsersByEmail(ctx context.Context, email string) ([]*tollgate.User, error) {
	email = tollgate.NormalizeEmail(email)
	var users []*tollgate.User
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		users, err = queryAll(ctx, tx, scanUser, `SELECT `+userColumns+` FROM users WHERE email = ? ORDER BY id`, email)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindUsersByEmail: %w", err)
	}
	return users, nil
}

// FindUsers implements tollgate.UserService.
func (db *DB) FindUsers(ctx context.Context, filter tollgate.UserFilter) ([]*tollgate.User, string, error) {
	var (
		users []*tollgate.User
		next  string
	)
	err := db.View(ctx, func(tx *Tx) (err error) {
		users, next, err = findUsers(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store.FindUsers: %w", err)
	}
	return users, next, nil
}

// CreateUser implements tollgate.UserService. The email is normalized
// before it is validated and stored.
func (db *DB) CreateUser(ctx context.Context, u *tollgate.User) error {
	u.Email = tollgate.NormalizeEmail(u.Email)
	if err := u.Validate(); err != nil {
		return fmt.Errorf("store.CreateUser: %w", err)
	}
	if err := db.Update(ctx, func(tx *Tx) error { return createUser(ctx, tx, u) }); err != nil {
		return fmt.Errorf("store.CreateUser: %w", err)
	}
	return nil
}

// UpdateUser implements tollgate.UserService.
func (db *DB) UpdateUser(ctx context.Context, id string, upd tollgate.UserUpdate) (*tollgate.User, error) {
	var u *tollgate.User
	err := db.Update(ctx, func(tx *Tx) (err error) {
		u, err = updateUser(ctx, tx, id, upd)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.UpdateUser: %w", err)
	}
	return u, nil
}

// SetPasswordHash implements tollgate.UserService.
func (db *DB) SetPasswordHash(ctx context.Context, id, hash, keepSessionID string) error {
	err := db.Update(ctx, func(tx *Tx) error {
		u, err := findUserByID(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, tx.Time(tx.now), u.ID)
		if err != nil {
			return err
		}
		n, err := endUserSessions(ctx, tx, u.ID, tollgate.SessionEndPasswordChanged, keepSessionID)
		if err != nil {
			return err
		}
		// The record states the user by its view (auditView), which holds
		// the hash only by digest.
		after := *u
		after.PasswordHash, after.UpdatedAt = hash, tx.now
		return tx.AuditDetails(ctx, "user.set_password", "user", u.ID, u, &after, map[string]any{"sessions_ended": n})
	})
	if err != nil {
		return fmt.Errorf("store.SetPasswordHash: %w", err)
	}
	return nil
}

func findUserByID(ctx context.Context, tx *Tx, id string) (*tollgate.User, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "user %q not found", id)
	}
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "user %q not found", id)
	}
	return u, err
}

func findUsers(ctx context.Context, tx *Tx, filter tollgate.UserFilter) ([]*tollgate.User, string, error) {
	limit, err := pageLimit(filter.Limit)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeCursor(filter.Cursor, validID)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT ` + userColumns + ` FROM users WHERE 1 = 1`
	var args []any
	switch {
	case filter.OrgID == "":
	case !validID(filter.OrgID):
		return nil, "", nil // no organization has that id, so none of its users match
	default:
		q += ` AND org_id = ?`
		args = append(args, filter.OrgID)
	}
	if after != "" {
		q += ` AND id > ?`
		args = append(args, after)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit+1)
	users, err := queryAll(ctx, tx, scanUser, q, args...)
	if err != nil {
		return nil, "", err
	}
	users, next := page(users, limit, func(u *tollgate.User) string { return u.ID })
	return users, next, nil
}

func createUser(ctx context.Context, tx *Tx, u *tollgate.User) error {
	if _, err := findOrgByID(ctx, tx, u.OrgID); err != nil {
		return err
	}
	u.ID = newID()
	u.CreatedAt, u.UpdatedAt = tx.now, tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.OrgID, u.Email, u.Name, jsonValue{nonNil(u.Roles)}, u.Disabled, u.PasswordHash,
		tx.Time(u.CreatedAt), tx.Time(u.UpdatedAt))
	if tx.d.uniqueViolation(err) {
		return tollgate.Errorf(tollgate.ECONFLICT, "a user of this organization has email %q", u.Email)
	}
	if err != nil {
		return err
	}
	return tx.Audit(ctx, "user.create", "user", u.ID, nil, u)
}

func updateUser(ctx context.Context, tx *Tx, id string, upd tollgate.UserUpdate) (*tollgate.User, error) {
	u, err := findUserByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	before := *u
	if upd.Name != nil {
		u.Name = *upd.Name
	}
	if upd.Roles != nil {
		u.Roles = slices.Clone(*upd.Roles)
	}
	if upd.Disabled != nil {
		u.Disabled = *upd.Disabled
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	u.UpdatedAt = tx.now
	_, err = tx.ExecContext(ctx, `UPDATE users SET name = ?, roles = ?, disabled = ?, updated_at = ? WHERE id = ?`,
		u.Name, jsonValue{u.Roles}, u.Disabled, tx.Time(u.UpdatedAt), u.ID)
	if err != nil {
		return nil, err
	}
	details := map[string]any{}
	if u.Disabled && !before.Disabled {
		n, err := endUserSessions(ctx, tx, u.ID, tollgate.SessionEndUserDisabled, "")
		if err != nil {
			return nil, err
		}
		details["sessions_ended"] = n
		revoked, err := revokeUserTokens(ctx, tx, u.ID)
		if err != nil {
			return nil, err
		}
		details["tokens_revoked"] = revoked
	}
	if !slices.Equal(u.Roles, before.Roles) {
		details["roles"] = u.Roles
	}
	return u, tx.AuditDetails(ctx, "user.update", "user", u.ID, &before, u, details)
}

func scanUser(s scanner) (*tollgate.User, error) {
	var u tollgate.User
	if err := s.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, jsonColumn{&u.Roles}, &u.Disabled, &u.PasswordHash,
		timeColumn{&u.CreatedAt}, timeColumn{&u.UpdatedAt}); err != nil {
		return nil, err
	}
	return &u, nil
}

// Bootstrap makes the first system administrator of an empty store: it
// stores org, then u as a member of org, then t as u's token (its Hash set
// by the caller), in one transaction, and reports true. When the store
// already has a user, or was bootstrapped before, it stores nothing and
// reports false.
//
// Several replicas starting together on one database may all call it; at
// most one makes the administrator. The auth_bootstrap table holds at most
// one row (its key is the constant 1): a second transaction's insert waits
// for the first to end and then inserts nothing (SQLite's single writer
// orders them outright; on PostgreSQL the serializable loser is retried
// and then sees the first one's user).
func (db *DB) Bootstrap(ctx context.Context, org *tollgate.Org, u *tollgate.User, t *tollgate.Token) (bool, error) {
	u.Email = tollgate.NormalizeEmail(u.Email)
	if err := org.Validate(); err != nil {
		return false, fmt.Errorf("store.Bootstrap: %w", err)
	}
	check := *u
	check.OrgID = "org" // the org's id is not known yet; Validate wants one
	if err := check.Validate(); err != nil {
		return false, fmt.Errorf("store.Bootstrap: %w", err)
	}
	if !tollgate.IsHexDigest(t.Hash) || t.Name == "" {
		return false, fmt.Errorf("store.Bootstrap: %w", tollgate.FieldErrorf("token", "needs a name and a hash"))
	}
	var made bool
	err := db.Update(ctx, func(tx *Tx) error {
		made = false
		var users int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) AS any_user`).Scan(&users); err != nil {
			return err
		}
		if users > 0 {
			return nil
		}
		if err := createOrg(ctx, tx, org); err != nil {
			return err
		}
		u.OrgID = org.ID
		if err := createUser(ctx, tx, u); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO auth_bootstrap (id, user_id, created_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO NOTHING`, u.ID, tx.Time(tx.now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			// Another replica bootstrapped and its users are gone: roll back
			// ours rather than make a second administrator.
			return errBootstrapped
		}
		t.UserID, t.OrgID = u.ID, u.OrgID
		if err := createToken(ctx, tx, t); err != nil {
			return err
		}
		made = true
		return nil
	})
	if errors.Is(err, errBootstrapped) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store.Bootstrap: %w", err)
	}
	return made, nil
}

// errBootstrapped rolls back a bootstrap that finds it was done before.
var errBootstrapped = tollgate.Errorf(tollgate.ECONFLICT, "the store was bootstrapped before")
