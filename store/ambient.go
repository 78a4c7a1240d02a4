package store

import (
	"context"
	"errors"
)

// ambientKey is the context key of the ambient transaction.
type ambientKey struct{}

// ambientTx is a request's transaction (RunIdempotent), carried by its
// context: the DB's Update, View and single reads made with that context
// run in it instead of a transaction of their own, so a service's writes
// commit with the request's idempotency record. It is used by one
// goroutine at a time, as a *sql.Tx must be.
type ambientTx struct {
	db    *DB
	tx    *Tx
	retry error // the first statement that failed for concurrency
	done  bool  // the request's function returned
}

// ambient returns the ambient transaction of db that ctx carries, or nil.
func (db *DB) ambient(ctx context.Context) *ambientTx {
	if a, ok := ctx.Value(ambientKey{}).(*ambientTx); ok && a.db == db {
		return a
	}
	return nil
}

// errAmbientDone reports a use of a request's context after its
// transaction ended.
var errAmbientDone = errors.New("store: the request's transaction has ended")

// run runs fn in the ambient transaction: no BEGIN or COMMIT, no retry.
// A write runs under a savepoint, so that one that fails leaves nothing
// behind even when its caller carries on: neither rows nor what the
// group's transaction staged for them. A failure for concurrency is
// remembered: the whole request is run again, whatever fn's caller made of
// the error.
func (a *ambientTx) run(ctx context.Context, mode txMode, fn func(tx *Tx) error) error {
	if a.done {
		return errAmbientDone
	}
	if !mode.writes() {
		return a.check(fn(a.tx))
	}
	// What the group's transaction holds back is written first, so that
	// what fn stages is fn's alone, and dropped with its savepoint.
	if err := a.tx.flushAll(ctx); err != nil {
		if a.tx.failed == nil {
			a.tx.failed = err // earlier work's: the request must not commit
		}
		return a.check(err)
	}
	if _, err := a.tx.q.ExecContext(ctx, "SAVEPOINT tollgate_nested"); err != nil {
		return a.check(err)
	}
	audited := len(a.tx.audit)
	if err := fn(a.tx); err != nil {
		a.tx.audit = a.tx.audit[:audited]
		a.tx.exports, a.tx.updates, a.tx.counters, a.tx.memo = nil, nil, nil, nil
		if _, rbErr := a.tx.q.ExecContext(ctx, "ROLLBACK TO SAVEPOINT tollgate_nested"); rbErr == nil {
			_, _ = a.tx.q.ExecContext(ctx, "RELEASE SAVEPOINT tollgate_nested")
		}
		return a.check(err)
	}
	_, err := a.tx.q.ExecContext(ctx, "RELEASE SAVEPOINT tollgate_nested")
	return a.check(err)
}

// check remembers err when it is a failure for concurrency, and returns it.
func (a *ambientTx) check(err error) error {
	if err != nil && a.retry == nil && a.db.d.retryable(err) {
		a.retry = err
	}
	return err
}

// InRequestTransaction reports whether ctx carries a request's transaction
// of db (RunIdempotent), in which db's calls with ctx run. Such a
// transaction holds the write lock that every audited change takes first
// (the audit log's on PostgreSQL, the one writer on SQLite), so in-process
// queues in front of a use case's own locks are moot in it, and waiting on
// one that a caller outside it holds while it waits for that lock would
// deadlock.
func (db *DB) InRequestTransaction(ctx context.Context) bool { return db.ambient(ctx) != nil }
