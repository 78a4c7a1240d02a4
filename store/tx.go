package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"tollgate"
	"tollgate/auditlog"
)

// Tx is one transaction of a use case. It carries the one time every row
// written in it is stamped with, and rewrites placeholders for the dialect,
// so code in other packages (the audit log, services) can write in the same
// transaction as the store's own methods.
type Tx struct {
	q     querier // the *sql.Tx, or the pool for a single-statement read
	d     *dialect
	now   time.Time
	stmts *stmtCache // SQLite writer transactions: statements kept prepared

	write bool                // a DB.Update transaction, which may audit
	actor *tollgate.Principal // the DB's Actor, for audit records
	audit []auditlog.Record   // records appended just before commit
}

// querier is what *sql.Tx and *sql.DB have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Now returns the transaction's time: UTC, truncated to the microsecond
// both backends store.
func (tx *Tx) Now() time.Time { return tx.now }

// Dialect returns "sqlite" or "postgres".
func (tx *Tx) Dialect() string { return tx.d.name }

// ExecContext runs a statement written with ? placeholders.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = tx.d.rebind(query)
	if st := tx.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.q.ExecContext(ctx, query, args...)
}

// QueryContext runs a query written with ? placeholders.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = tx.d.rebind(query)
	if st := tx.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.q.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query written with ? placeholders that returns at
// most one row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	query = tx.d.rebind(query)
	if st := tx.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.q.QueryRowContext(ctx, query, args...)
}

// prepared returns query's cached statement bound to this transaction, or
// nil when the transaction keeps no statement cache.
func (tx *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	sqlTx, ok := tx.q.(*sql.Tx)
	if tx.stmts == nil || !ok {
		return nil
	}
	st := tx.stmts.get(query)
	if st == nil {
		return nil
	}
	return sqlTx.StmtContext(ctx, st)
}

// Time returns t as the dialect stores it in a timestamp column, for use
// as a query argument.
func (tx *Tx) Time(t time.Time) any { return tx.d.encodeTime(t) }

// Update runs fn in a read-write transaction and commits it when fn returns
// nil. When the transaction fails only because of concurrency it is run
// again, up to MaxAttempts times, so fn must not have effects outside tx
// other than filling in its result. Update must not be called from inside
// another transaction of the same DB, except through a context carrying a
// request's transaction (RunIdempotent): then fn runs in that one, which
// commits later, and is not retried on its own.
//
// A change made in fn is recorded with tx.Audit. Because every audited
// transaction extends the one audit log, audited transactions run one at a
// time: SQLite has one writer anyway, and on PostgreSQL Update first locks
// the log (LOCK TABLE audit_size, before any snapshot is taken), so that
// concurrent writers on any replica queue instead of failing serialization
// on the log's size.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, modeWrite, fn)
}

// updateUnaudited is Update for the bookkeeping that is no change of
// tollgate's state (idempotency records): it does not take the audit log's
// lock, and tx.Audit fails in it.
func (db *DB) updateUnaudited(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, modeWriteUnaudited, fn)
}

// View runs fn in a read-only transaction that sees one snapshot of the
// database.
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, modeRead, fn)
}

// viewOne runs fn, which must issue exactly one read statement, without an
// explicit transaction: a single statement is atomic on its own, and the
// hot read paths (GET by id) save the BEGIN and COMMIT round trips.
func (db *DB) viewOne(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, modeReadOne, fn)
}

// txMode is how run executes a function.
type txMode int

const (
	modeWrite          txMode = iota // a read-write transaction that may audit
	modeWriteUnaudited               // a read-write transaction that does not audit
	modeRead                         // a read-only snapshot transaction
	modeReadOne                      // one read statement, no explicit transaction
)

func (db *DB) run(ctx context.Context, mode txMode, fn func(tx *Tx) error) error {
	if a := db.ambient(ctx); a != nil {
		return a.run(ctx, mode, fn)
	}
	attempts := max(1, db.MaxAttempts)
	for attempt := 1; ; attempt++ {
		err := db.attempt(ctx, mode, fn)
		if err == nil || !db.d.retryable(err) {
			return err
		}
		if attempt >= attempts {
			return fmt.Errorf("%w: %v", tollgate.Errorf(tollgate.EUNAVAILABLE, "the database is too busy; try again"), err)
		}
		// Jittered exponential backoff: 1ms, 2ms, 4ms, … up to 128ms.
		d := time.Duration(1<<min(attempt-1, 7)) * time.Millisecond
		d += rand.N(d)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (db *DB) attempt(ctx context.Context, mode txMode, fn func(tx *Tx) error) (err error) {
	now := db.now().UTC().Truncate(time.Microsecond)
	if mode == modeReadOne {
		return fn(&Tx{q: db.read, d: db.d, now: now})
	}
	write := mode == modeWrite || mode == modeWriteUnaudited
	pool, opts := db.read, &sql.TxOptions{ReadOnly: true}
	if write {
		pool, opts = db.write, &sql.TxOptions{}
	}
	if db.d == postgresDialect {
		// Serializable writes make every invariant hold across replicas
		// without hand-placed locks; read-only snapshots see one state.
		opts.Isolation = sql.LevelRepeatableRead
		if write {
			opts.Isolation = sql.LevelSerializable
		}
	}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	tx := &Tx{q: sqlTx, d: db.d, now: now, write: mode == modeWrite, actor: db.Actor}
	if write {
		tx.stmts = db.stmts
	}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
	}()
	if tx.write && db.d.lockAuditLog != "" {
		if _, err := sqlTx.ExecContext(ctx, db.d.lockAuditLog); err != nil {
			sqlTx.Rollback()
			return err
		}
	}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := tx.flushAudit(ctx); err != nil {
		sqlTx.Rollback()
		return err
	}
	err = sqlTx.Commit()
	if tx.stmts != nil {
		tx.stmts.prepareNoted(context.WithoutCancel(ctx))
	}
	return err
}
