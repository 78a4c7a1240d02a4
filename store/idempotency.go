package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tollgate"
)

var _ tollgate.IdempotencyStore = (*DB)(nil)

// RunIdempotent implements tollgate.IdempotencyStore. It runs fn in one
// audited write transaction with a context that carries the transaction as
// the ambient one: every Update, View and single read of db made with that
// context (or one derived from it) runs in it. The transaction is a
// group's (see UpdateLocked): concurrent calls share it, one after the
// other, and commit together. A call whose key was answered before is
// answered the same (a replay) without running fn; a key used for a
// different request is ECONFLICT. A 2xx response of fn is recorded under
// the key in the same transaction: the call's effects and its recorded
// answer are durable together or not at all, so a crash leaves no claim
// behind. Any other outcome leaves nothing. When the transaction fails only
// because of concurrency, fn is run again from the start.
func (db *DB) RunIdempotent(ctx context.Context, scope, key, requestDigest string,
	fn func(ctx context.Context) (*tollgate.IdempotentResponse, error)) (*tollgate.IdempotentResponse, bool, error) {
	if err := validateIdempotencyArgs(scope, key); err != nil {
		return nil, false, fmt.Errorf("store.RunIdempotent: %w", err)
	}
	if requestDigest == "" || len(requestDigest) > tollgate.MaxIdempotencyKeyLen {
		return nil, false, fmt.Errorf("store.RunIdempotent: %w", tollgate.FieldErrorf("request_digest", "must be 1 to %d bytes", tollgate.MaxIdempotencyKeyLen))
	}
	if db.ambient(ctx) != nil {
		return nil, false, errors.New("store.RunIdempotent: called inside another transaction")
	}
	var (
		resp     *tollgate.IdempotentResponse
		replayed bool
	)
	err := db.updateGrouped(ctx, func(tx *Tx) error {
		resp, replayed = nil, false
		prev, pending, err := findIdempotent(ctx, tx, scope, key, requestDigest)
		if err != nil {
			return err
		}
		if prev != nil {
			resp, replayed = prev, true
			return errNoCommit
		}
		amb := &ambientTx{db: db, tx: tx}
		resp, err = fn(context.WithValue(ctx, ambientKey{}, amb))
		amb.done = true
		switch {
		case amb.retry != nil:
			// A statement of fn failed for concurrency, which fn may
			// have answered with an error response: run it all again.
			return amb.retry
		case err != nil:
			return err
		case resp == nil:
			return errors.New("no response")
		case resp.Status < 200 || resp.Status > 299:
			return errNoCommit
		}
		return recordIdempotent(ctx, tx, scope, key, requestDigest, pending, *resp)
	})
	if errors.Is(err, errNoCommit) {
		return resp, replayed, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store.RunIdempotent: %w", err)
	}
	return resp, false, nil
}

// errNoCommit makes a transaction's function fail without an error for
// its caller: a replay, or a call that failed (whose effects must go).
var errNoCommit = errors.New("roll back")

// findIdempotent looks (scope, key) up for a call with digest inside tx,
// writing nothing: it returns the stored response of an earlier call with
// the same digest, ECONFLICT when the key was used for a different call,
// or neither when the call is to run; pending reports a 'pending' row,
// which only servers before the request transaction left behind and which
// the call takes over.
func findIdempotent(ctx context.Context, tx *Tx, scope, key, digest string) (*tollgate.IdempotentResponse, bool, error) {
	var (
		storedDigest, state string
		status              sql.NullInt64
		contentType         sql.NullString
		body                []byte
	)
	err := tx.QueryRowContext(ctx, `SELECT request_digest, state, status, content_type, body
		FROM idempotency_keys WHERE scope = ? AND key = ?`+tx.d.forUpdate, scope, key).
		Scan(&storedDigest, &state, &status, &contentType, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case storedDigest != digest:
		return nil, false, tollgate.Errorf(tollgate.ECONFLICT, "Idempotency-Key %q was already used for a different request", key)
	case state == "done":
		return &tollgate.IdempotentResponse{Status: int(status.Int64), ContentType: contentType.String, Body: body}, false, nil
	}
	return nil, true, nil
}

// recordIdempotent records resp as the answer of the call that ran under
// (scope, key) in tx.
func recordIdempotent(ctx context.Context, tx *Tx, scope, key, digest string, pending bool, resp tollgate.IdempotentResponse) error {
	body := resp.Body
	if body == nil {
		body = []byte{}
	}
	if pending {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET state = 'done', status = ?, content_type = ?, body = ?,
			created_at = ?, finished_at = ? WHERE scope = ? AND key = ?`,
			resp.Status, resp.ContentType, body, tx.Time(tx.now), tx.Time(tx.now), scope, key)
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, request_digest, state, status, content_type, body,
		created_at, finished_at) VALUES (?, ?, ?, 'done', ?, ?, ?, ?, ?)`,
		scope, key, digest, resp.Status, resp.ContentType, body, tx.Time(tx.now), tx.Time(tx.now))
	return err
}

// PurgeIdempotent deletes the idempotency keys claimed before cutoff and
// returns how many it deleted. The API calls it periodically so that keys
// are remembered for a bounded time (24 hours is customary).
func (db *DB) PurgeIdempotent(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := db.updateUnaudited(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, tx.Time(cutoff))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store.PurgeIdempotent: %w", err)
	}
	return n, nil
}

func validateIdempotencyArgs(scope, key string) error {
	if scope == "" || len(scope) > tollgate.MaxIdempotencyScopeLen {
		return tollgate.FieldErrorf("scope", "must be 1 to %d bytes", tollgate.MaxIdempotencyScopeLen)
	}
	return tollgate.ValidateIdempotencyKey(key)
}
