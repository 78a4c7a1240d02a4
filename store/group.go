package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"tollgate"
	"tollgate/internal/batch"
)

// Group commit. Every audited change extends the one audit log, so audited
// transactions run one at a time (one SQLite writer; the audit log's lock
// on PostgreSQL), and what limits a hot use case is the fixed cost of each
// of them: BEGIN, the log's lock, the log's append, COMMIT with its fsync.
// UpdateLocked therefore lets concurrent callers share transactions: the
// callers queue, the first becomes the group's leader and runs the
// functions of up to maxGroup queued callers one after the other in one
// transaction, appends all their audit records and commits once; then the
// next caller in the queue leads the next group. Each function sees the
// changes of those before it, exactly as if they had committed one by one
// in the queue's order.
//
// RunIdempotent runs the API's mutating requests in group transactions
// too: each request's handler is one function of the group.
//
// A function that fails must leave nothing behind, while the group's other
// functions commit. A function that fails before writing anything (a
// refusal by a use case's checks, the common case) needs no undo. One that
// fails after a statement that may have written, or leaves a PostgreSQL
// transaction aborted, spoils the group's transaction: it is rolled back
// and the group is run again with a savepoint around every function, so
// that the failing one is undone alone. A caller whose context is done
// when its function returns is failed with the context's error the same
// way: a caller that gave up gets nothing committed. A failure for
// concurrency runs the whole group again, as Update runs a transaction
// again. On PostgreSQL a group's transaction runs at READ COMMITTED after
// taking the audit log's lock, which every audited transaction takes
// first: no other audited change runs beside it, and each of its
// statements sees every change committed before.

// maxGroup bounds the functions of one group's transaction, so that one
// transaction stays short and holds its locks briefly.
const maxGroup = 64

// groupCall is one caller's function and its outcome.
type groupCall struct {
	ctx   context.Context
	fn    func(tx *Tx) error
	keyed bool // fn's statements are keyed (store/keyed.go)
	err   error
	pnc   any // a panic of fn, raised again in its caller
}

// newGrouper returns the queue of db's group transactions.
func newGrouper(db *DB) *batch.Batcher[*groupCall, struct{}] {
	return &batch.Batcher[*groupCall, struct{}]{Max: maxGroup, Run: func(calls []*groupCall) []struct{} {
		db.runGroup(calls)
		return make([]struct{}, len(calls))
	}}
}

// updateGrouped runs fn in a group's transaction (see above) at READ
// COMMITTED on PostgreSQL, and returns fn's error, or the transaction's
// when the group could not commit. Once queued, a call is run or refused
// by a leader: waiting for it is bounded by the groups ahead, and the
// leader checks ctx before running fn.
func (db *DB) updateGrouped(ctx context.Context, fn func(tx *Tx) error) error {
	return db.updateGroupedKeyed(ctx, fn, false)
}

// updateGroupedKeyed is updateGrouped for a function whose statements are
// keyed or not: a group's transaction is keyed when all its functions are.
func (db *DB) updateGroupedKeyed(ctx context.Context, fn func(tx *Tx) error, keyed bool) error {
	c := &groupCall{ctx: ctx, fn: fn, keyed: keyed}
	if _, err := db.group.Do(ctx, c); err != nil {
		return err
	}
	if c.pnc != nil {
		panic(c.pnc)
	}
	return c.err
}

// errSpoiled reports a group transaction that a failing function left in a
// state that cannot commit the others' work.
var errSpoiled = errors.New("store: a failed function spoiled the group's transaction")

// runGroup runs the functions of group in transactions until one commits
// or fails for good, and sets each call's outcome.
func (db *DB) runGroup(group []*groupCall) {
	careful := false
	attempts := max(1, db.MaxAttempts)
	for attempt := 1; ; {
		var live []*groupCall
		for _, c := range group {
			if c.pnc != nil {
				continue
			}
			if c.err = c.ctx.Err(); c.err == nil {
				live = append(live, c)
			}
		}
		if len(live) == 0 {
			return
		}
		err := db.attemptGroup(live, careful)
		switch {
		case err == nil:
			return
		case errors.Is(err, errSpoiled):
			// A panicking call is left out of the next run; a
			// function that failed after writing is undone alone
			// from now on.
			careful = careful || !anyPanicked(live)
			continue
		case db.d.retryable(err) && attempt < attempts:
			attempt++
			d := time.Duration(1<<min(attempt-2, 7)) * time.Millisecond
			time.Sleep(d + rand.N(d))
			continue
		case db.d.retryable(err):
			err = fmt.Errorf("%w: %v", tollgate.Errorf(tollgate.EUNAVAILABLE, "the database is too busy; try again"), err)
		}
		for _, c := range live {
			c.err = err
		}
		return
	}
}

func anyPanicked(calls []*groupCall) bool {
	for _, c := range calls {
		if c.pnc != nil {
			return true
		}
	}
	return false
}

// attemptGroup runs calls in one transaction and commits it. It sets each
// call's error (nil for those whose work is to commit) and returns nil
// when the transaction committed; otherwise it returns why not, and the
// calls' errors mean nothing. careful puts a savepoint around every call.
func (db *DB) attemptGroup(calls []*groupCall, careful bool) error {
	ctx := context.WithoutCancel(calls[0].ctx)
	mode := modeWriteKeyed
	for _, c := range calls {
		if !c.keyed {
			mode = modeWrite
		}
	}
	tx, sqlTx, err := db.begin(ctx, mode, sql.LevelReadCommitted)
	if err != nil {
		return err
	}
	tx.grouped, tx.careful = true, careful
	abort := func(err error) error {
		sqlTx.Rollback()
		return err
	}
	for _, c := range calls {
		if careful {
			if _, err := sqlTx.ExecContext(ctx, "SAVEPOINT tollgate_group"); err != nil {
				return abort(err)
			}
		}
		audited := len(tx.audit)
		tx.wrote, tx.failed = false, nil
		c.err = runCall(c, tx)
		if c.err == nil && tx.failed != nil {
			c.err = tx.failed // writing the pending counters failed under a read
		}
		if c.err == nil && c.pnc == nil {
			// A caller that gave up (its context done) gets nothing
			// committed, as a transaction of its own would.
			c.err = c.ctx.Err()
		}
		switch {
		case c.pnc != nil:
			return abort(errSpoiled)
		case c.err == nil:
			if careful {
				if _, err := sqlTx.ExecContext(ctx, "RELEASE SAVEPOINT tollgate_group"); err != nil {
					return abort(err)
				}
			}
			continue
		case db.d.retryable(c.err):
			return abort(c.err)
		}
		tx.audit, tx.memo = tx.audit[:audited], nil
		switch {
		case careful:
			if _, err := sqlTx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT tollgate_group"); err != nil {
				return abort(err)
			}
			if _, err := sqlTx.ExecContext(ctx, "RELEASE SAVEPOINT tollgate_group"); err != nil {
				return abort(err)
			}
		case tx.wrote:
			return abort(errSpoiled)
		case db.d == postgresDialect:
			// A statement that failed aborted the transaction.
			if _, err := sqlTx.ExecContext(ctx, "SELECT 1"); err != nil {
				return abort(errSpoiled)
			}
		}
	}
	if err := tx.pipeline(ctx, tx.commitStmts()); err != nil {
		if !careful && !db.d.retryable(err) {
			err = errSpoiled // run again with a savepoint each, to find whose it is
		}
		return abort(err)
	}
	return db.commit(ctx, tx, sqlTx)
}

// runCall runs c's function in tx, catching a panic into c.pnc.
func runCall(c *groupCall, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			c.pnc = p
			err = fmt.Errorf("store: panic: %v", p)
		}
	}()
	return c.fn(tx)
}

// remember returns the value a locking read of key found earlier in this
// group's transaction, or calls read and, in a group's transaction,
// remembers what it found. Locks are held to the end of the transaction,
// so a row locked once need not be locked again, and what it held cannot
// change but by this transaction, whose writes to it call forget.
func remember[T any](tx *Tx, key string, read func() (T, error)) (T, error) {
	if v, ok := tx.memo[key].(T); ok {
		return v, nil
	}
	v, err := read()
	if err == nil && tx.grouped {
		if tx.memo == nil {
			tx.memo = map[string]any{}
		}
		tx.memo[key] = v
	}
	return v, err
}

// forget drops what remember holds for key.
func (tx *Tx) forget(key string) { delete(tx.memo, key) }

// Once runs fn unless an earlier function of this group's transaction ran
// it for key and it reported its work done: for work that one function of
// a group does for all those after it (releasing a product's expired
// reservations, at the transaction's one time). Outside a group's
// transaction fn always runs.
func (tx *Tx) Once(key string, fn func() (done bool, err error)) error {
	key = "once " + key
	if _, ok := tx.memo[key]; ok {
		return nil
	}
	done, err := fn()
	if err == nil && done && tx.grouped {
		if tx.memo == nil {
			tx.memo = map[string]any{}
		}
		tx.memo[key] = true
	}
	return err
}
