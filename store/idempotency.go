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

// BeginIdempotent implements tollgate.IdempotencyStore. A claim still
// pending after ClaimTimeout is taken over by a caller with the same
// request digest: its first caller died before finishing or abandoning it.
func (db *DB) BeginIdempotent(ctx context.Context, scope, key, requestDigest string) (*tollgate.IdempotentResponse, error) {
	if err := validateIdempotencyArgs(scope, key); err != nil {
		return nil, fmt.Errorf("store.BeginIdempotent: %w", err)
	}
	if requestDigest == "" || len(requestDigest) > tollgate.MaxIdempotencyKeyLen {
		return nil, fmt.Errorf("store.BeginIdempotent: %w", tollgate.FieldErrorf("request_digest", "must be 1 to %d bytes", tollgate.MaxIdempotencyKeyLen))
	}
	var resp *tollgate.IdempotentResponse
	err := db.updateUnaudited(ctx, func(tx *Tx) (err error) {
		resp, err = beginIdempotent(ctx, tx, scope, key, requestDigest, db.ClaimTimeout)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.BeginIdempotent: %w", err)
	}
	return resp, nil
}

func beginIdempotent(ctx context.Context, tx *Tx, scope, key, digest string, claimTimeout time.Duration) (*tollgate.IdempotentResponse, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, request_digest, state, created_at)
		VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (scope, key) DO NOTHING`, scope, key, digest, tx.Time(tx.now))
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 1 {
		return nil, nil
	}
	var (
		storedDigest, state string
		status              sql.NullInt64
		contentType         sql.NullString
		body                []byte
		createdAt           time.Time
	)
	err = tx.QueryRowContext(ctx, `SELECT request_digest, state, status, content_type, body, created_at
		FROM idempotency_keys WHERE scope = ? AND key = ?`+tx.d.forUpdate, scope, key).
		Scan(&storedDigest, &state, &status, &contentType, &body, timeColumn{&createdAt})
	if errors.Is(err, sql.ErrNoRows) {
		// Abandoned between our insert and this read.
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "a request with Idempotency-Key %q is in progress; retry", key)
	}
	if err != nil {
		return nil, err
	}
	if storedDigest != digest {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "Idempotency-Key %q was already used for a different request", key)
	}
	if state == "done" {
		return &tollgate.IdempotentResponse{Status: int(status.Int64), ContentType: contentType.String, Body: body}, nil
	}
	if claimTimeout > 0 && tx.now.Sub(createdAt) >= claimTimeout {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET created_at = ? WHERE scope = ? AND key = ?`,
			tx.Time(tx.now), scope, key)
		return nil, err
	}
	return nil, tollgate.Errorf(tollgate.ECONFLICT, "a request with Idempotency-Key %q is still in progress", key)
}

// FinishIdempotent implements tollgate.IdempotencyStore.
func (db *DB) FinishIdempotent(ctx context.Context, scope, key string, resp tollgate.IdempotentResponse) error {
	if err := validateIdempotencyArgs(scope, key); err != nil {
		return fmt.Errorf("store.FinishIdempotent: %w", err)
	}
	err := db.updateUnaudited(ctx, func(tx *Tx) error {
		body := resp.Body
		if body == nil {
			body = []byte{}
		}
		res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET state = 'done', status = ?, content_type = ?, body = ?,
			finished_at = ? WHERE scope = ? AND key = ? AND state = 'pending'`,
			resp.Status, resp.ContentType, body, tx.Time(tx.now), scope, key)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		if exists, err := idempotencyKeyExists(ctx, tx, scope, key); err != nil {
			return err
		} else if exists {
			return tollgate.Errorf(tollgate.ECONFLICT, "Idempotency-Key %q is already finished", key)
		}
		return tollgate.Errorf(tollgate.ENOTFOUND, "Idempotency-Key %q was not claimed", key)
	})
	if err != nil {
		return fmt.Errorf("store.FinishIdempotent: %w", err)
	}
	return nil
}

// AbandonIdempotent implements tollgate.IdempotencyStore.
func (db *DB) AbandonIdempotent(ctx context.Context, scope, key string) error {
	if err := validateIdempotencyArgs(scope, key); err != nil {
		return fmt.Errorf("store.AbandonIdempotent: %w", err)
	}
	err := db.updateUnaudited(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'pending'`, scope, key)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		if exists, err := idempotencyKeyExists(ctx, tx, scope, key); err != nil {
			return err
		} else if exists {
			return tollgate.Errorf(tollgate.ECONFLICT, "Idempotency-Key %q is finished; its response stays replayable", key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store.AbandonIdempotent: %w", err)
	}
	return nil
}

// PurgeIdempotent deletes the idempotency keys claimed before cutoff,
// finished or not, and returns how many it deleted. The API calls it
// periodically so that keys are remembered for a bounded time (24 hours is
// customary).
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

func idempotencyKeyExists(ctx context.Context, tx *Tx, scope, key string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key).Scan(&n)
	return n > 0, err
}

func validateIdempotencyArgs(scope, key string) error {
	if scope == "" || len(scope) > tollgate.MaxIdempotencyScopeLen {
		return tollgate.FieldErrorf("scope", "must be 1 to %d bytes", tollgate.MaxIdempotencyScopeLen)
	}
	return tollgate.ValidateIdempotencyKey(key)
}
