package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tollgate"
)

// DenialWindow is the span over which refused requests are counted into one
// audit record: at most one record per principal, permission and window.
const DenialWindow = time.Minute

// DenialGrace is how long after a window ends CloseDenialWindows waits
// before recording it, so that requests still in flight when it ended and
// replicas whose clocks lag a little have added their denials.
const DenialGrace = time.Minute

// denialRetention is how long a recorded window's row is kept after it
// ended. While it is kept, a late addition to it is dropped instead of
// opening the window again.
const denialRetention = 24 * time.Hour

// maxDenialField bounds each text field of a Denial, so that a caller
// cannot grow the table with long reasons or addresses.
const maxDenialField = 200

// Denial is one refused request (a 403, a reach for another tenant's
// object, a failed sign-in) as RecordDenial counts it. Principal and
// Permission are the key the count is kept under; the other fields
// describe the denial and are kept from the first one of its window.
type Denial struct {
	// Principal names who was refused: tollgate.Principal.Actor for a
	// signed-in caller, or "login:" and the email for a failed sign-in.
	Principal string
	// Permission is what the caller was refused (auth's permission name,
	// or "login").
	Permission string
	// UserID, OrgID and Credential identify the caller in the audit
	// record ("" when it is unknown, as for a failed sign-in); Credential
	// is a token id, or "session:" and a session id.
	UserID, OrgID, Credential string
	// Kind is api.AuthEvent's kind ("forbidden", "out_of_reach",
	// "login_failed"); the record's action is "auth." and the kind.
	Kind string
	// Method, Route, Reason, Remote and Email describe the request.
	Method, Route, Reason, Remote, Email string
}

// RecordDenial counts d in the window of the store's clock it falls in, with
// one upsert, and appends nothing to the audit log: CloseDenialWindows
// records each window once it is over. Replicas sharing one database count
// into the same row. A denial for a window already recorded (a replica
// whose clock lags by more than DenialGrace) is not counted and is
// reported as an EUNAVAILABLE error, so that the caller can log it.
func (db *DB) RecordDenial(ctx context.Context, d Denial) error {
	if d.Principal == "" || d.Permission == "" || d.Kind == "" {
		return fmt.Errorf("store.RecordDenial: %w", tollgate.Errorf(tollgate.EINVALID, "a denial needs a principal, a permission and a kind"))
	}
	err := db.writeOne(ctx, func(tx *Tx) error {
		start := tx.now.UTC().Truncate(DenialWindow)
		res, err := tx.ExecContext(ctx, `INSERT INTO auth_denials (principal, permission, window_start, user_id, org_id,
				credential, kind, method, route, reason, remote, email, count, first_at, last_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
			ON CONFLICT (principal, permission, window_start) DO UPDATE SET
				count = auth_denials.count + 1, last_at = excluded.last_at
			WHERE auth_denials.recorded_at IS NULL`,
			clip(d.Principal), clip(d.Permission), tx.Time(start), clip(d.UserID), clip(d.OrgID), clip(d.Credential),
			clip(d.Kind), clip(d.Method), clip(d.Route), clip(d.Reason), clip(d.Remote), clip(d.Email),
			tx.Time(tx.now), tx.Time(tx.now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		return tollgate.Errorf(tollgate.EUNAVAILABLE, "the denial's window %s was recorded already", start.Format(time.RFC3339))
	})
	if err != nil {
		return fmt.Errorf("store.RecordDenial: %w", err)
	}
	return nil
}

// clip bounds a denial's text field.
func clip(s string) string {
	if len(s) <= maxDenialField {
		return s
	}
	return strings.ToValidUTF8(s[:maxDenialField], "")
}

// CloseDenialWindows appends one audit record for each window of denials
// that ended at least DenialGrace before the store's clock and is not
// recorded yet, with the window's count, and marks it recorded in the same
// transaction; it then forgets recorded windows older than a day. It
// returns how many windows it recorded. It records at most a few hundred
// windows per transaction, in as many transactions as it takes. Several
// replicas may call it at once: a window is marked with a conditional update in the transaction
// that appends its record, so only one of them records it.
//
// The record's action is "auth." and the first denial's kind, its actor
// the principal refused, its object the permission; its details hold the
// count, the window, and the method, route, reason and remote address of
// the window's first denial.
func (db *DB) CloseDenialWindows(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := db.closeDenialBatch(ctx)
		total += n
		if err != nil {
			return total, fmt.Errorf("store.CloseDenialWindows: %w", err)
		}
		if n < maxDenialBatch {
			return total, nil
		}
	}
}

// maxDenialBatch bounds the windows one transaction records, so that a
// flood from many principals becomes several transactions of bounded size
// rather than one that holds the audit log's lock for long.
const maxDenialBatch = 500

// closeDenialBatch records up to maxDenialBatch closed windows in one
// transaction, then forgets recorded windows older than a day, and returns
// how many it recorded.
func (db *DB) closeDenialBatch(ctx context.Context) (int, error) {
	var n int
	err := db.Update(ctx, func(tx *Tx) error {
		n = 0
		cutoff := tx.now.UTC().Add(-DenialGrace - DenialWindow)
		open, err := queryAll(ctx, tx, scanDenialWindow, `SELECT principal, permission, window_start, user_id, org_id,
				credential, kind, method, route, reason, remote, email, count, first_at, last_at
			FROM auth_denials WHERE recorded_at IS NULL AND window_start <= ?
			ORDER BY window_start, principal, permission LIMIT ?`, tx.Time(cutoff), maxDenialBatch)
		if err != nil {
			return err
		}
		for _, w := range open {
			res, err := tx.ExecContext(ctx, `UPDATE auth_denials SET recorded_at = ?
				WHERE principal = ? AND permission = ? AND window_start = ? AND recorded_at IS NULL`,
				tx.Time(tx.now), w.Principal, w.Permission, tx.Time(w.start))
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				return err
			}
			if err := tx.AuditDetails(w.actorContext(ctx), "auth."+w.Kind, "permission", w.Permission, nil, nil, w.details()); err != nil {
				return err
			}
			n++
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM auth_denials WHERE recorded_at IS NOT NULL AND window_start < ?`,
			tx.Time(tx.now.Add(-denialRetention)))
		return err
	})
	return n, err
}

// denialWindow is a row of auth_denials.
type denialWindow struct {
	Denial
	start, first, last time.Time
	count              int64
}

func scanDenialWindow(s scanner) (*denialWindow, error) {
	var w denialWindow
	err := s.Scan(&w.Principal, &w.Permission, timeColumn{&w.start}, &w.UserID, &w.OrgID, &w.Credential,
		&w.Kind, &w.Method, &w.Route, &w.Reason, &w.Remote, &w.Email, &w.count, timeColumn{&w.first}, timeColumn{&w.last})
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// actorContext returns ctx naming the refused principal, so that the
// window's record names it as its actor; a denial of no known user (a
// failed sign-in) is recorded by the store's own actor.
func (w *denialWindow) actorContext(ctx context.Context) context.Context {
	if w.UserID == "" {
		return tollgate.WithPrincipal(ctx, nil)
	}
	p := &tollgate.Principal{UserID: w.UserID, OrgID: w.OrgID}
	if id, ok := strings.CutPrefix(w.Credential, "session:"); ok {
		p.SessionID = id
	} else {
		p.TokenID = w.Credential
	}
	return tollgate.WithPrincipal(ctx, p)
}

// details is what a window's audit record keeps.
func (w *denialWindow) details() map[string]any {
	d := map[string]any{
		"count":        w.count,
		"window_start": w.start.UTC().Format(time.RFC3339),
		"window_end":   w.start.Add(DenialWindow).UTC().Format(time.RFC3339),
		"first_at":     w.first.UTC().Format(time.RFC3339Nano),
		"last_at":      w.last.UTC().Format(time.RFC3339Nano),
		"method":       w.Method,
		"route":        w.Route,
		"reason":       w.Reason,
		"remote":       w.Remote,
	}
	if w.Email != "" {
		d["email"] = w.Email
	}
	return d
}
