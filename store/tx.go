package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"tollgate"

	"golang.org/x/mod/sumdb/tlog"
)

// Tx is one transaction of a use case. It carries the one time every row
// written in it is stamped with, and rewrites placeholders for the dialect,
// so code in other packages (the audit log, services) can write in the same
// transaction as the store's own methods.
type Tx struct {
	q     querier   // the *sql.Tx, or the pool for a single-statement read
	conn  *sql.Conn // the connection of a write transaction on PostgreSQL (pipeline.go)
	d     *dialect
	now   time.Time
	stmts *stmtCache // SQLite: the statements kept prepared on q's pool

	write bool                // a DB.Update transaction, which may audit
	keyed bool                // a keyed transaction (store/keyed.go)
	actor *tollgate.Principal // the DB's Actor, for audit records
	audit []pendingAudit      // records appended just before commit
	// objects holds the recorded states of the records being appended,
	// for AppendEntries to keep in audit_objects (store/reconcile.go).
	objects []auditObject
	// auditSize is the DB's guess at the audit log's size; frontier
	// holds the hashes LockSize read with the size (store/audittx.go).
	auditSize *atomic.Int64
	frontier  map[int64]tlog.Hash
	// sizeLocked tells that sizeStmt locked and read the log's size,
	// lockedSize, in this transaction.
	sizeLocked bool
	lockedSize int64

	// A group's transaction (UpdateLocked) runs the functions of several
	// callers. grouped runs their statements without their contexts'
	// cancellation, which must not abort the others' work; wrote tells
	// whether the function running now has issued a statement that may
	// write; memo holds what the locking reads of this transaction already
	// found (see remember), forgotten when one of the functions fails.
	grouped bool
	wrote   bool
	memo    map[string]any
	// careful is set while a group runs again with a savepoint around
	// every function; counters holds the counter changes not yet written
	// (store/counters.go); failed is a failure of writing them that the
	// statement which caused it could not return.
	careful  bool
	counters *counterChanges
	exports  []tollgate.Export // reservations staged by InsertExport
	updates  []tollgate.Export // changes of reservations staged by UpdateExport
	failed   error
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
	ctx, err := tx.statement(ctx, query, true)
	if err != nil {
		return nil, err
	}
	return tx.execRaw(ctx, query, args...)
}

// execRaw is ExecContext without the statement's bookkeeping.
func (tx *Tx) execRaw(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = tx.d.rebind(query)
	if st := tx.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.q.ExecContext(ctx, query, args...)
}

// QueryContext runs a query written with ? placeholders.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, err := tx.statement(ctx, query, false)
	if err != nil {
		return nil, err
	}
	return tx.queryRaw(ctx, query, args...)
}

// QueryRowContext runs a query written with ? placeholders that returns at
// most one row. (Should writing the pending counter changes before it fail,
// the failure is the function's, see Tx.failed.)
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx, _ = tx.statement(ctx, query, false)
	return tx.queryRow(ctx, query, args...)
}

// queryCounting and queryRowCounting are QueryContext and QueryRowContext
// for the reads that add the pending counter changes to what they read
// themselves: they write nothing first.
func (tx *Tx) queryCounting(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.queryRaw(tx.detached(ctx), query, args...)
}

func (tx *Tx) queryRowCounting(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.queryRow(tx.detached(ctx), query, args...)
}

// queryRaw and queryRow run a query without the statement's bookkeeping.
func (tx *Tx) queryRaw(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = tx.d.rebind(query)
	if st := tx.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.q.QueryContext(ctx, query, args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = tx.d.rebind(query)
	if st := tx.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.q.QueryRowContext(ctx, query, args...)
}

// detached returns ctx without its cancellation in a group's transaction,
// where one caller giving up must not abort the others' statements.
func (tx *Tx) detached(ctx context.Context) context.Context {
	if tx.grouped {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// statement notes a statement about to run. In a group's transaction it
// notes whether the statement may write (an exec, or a query that is not a
// SELECT), writes the pending counter changes first when the statement
// mentions a counter table, and returns ctx without its cancellation.
func (tx *Tx) statement(ctx context.Context, query string, exec bool) (context.Context, error) {
	if !tx.grouped {
		return ctx, nil
	}
	ctx = tx.detached(ctx)
	if exec || !isSelect(query) {
		tx.wrote = true
		if mentionsCounters(query) {
			tx.forgetCounterReads() // the rows may change under what they remember
		}
	}
	if err := tx.flushBefore(ctx, query); err != nil {
		if tx.failed == nil {
			tx.failed = err
		}
		return ctx, err
	}
	return ctx, nil
}

// isSelect reports whether query is a plain SELECT, which writes nothing.
func isSelect(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n")
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// prepared returns query's cached statement bound to this transaction, or
// nil when the transaction keeps no statement cache.
func (tx *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	if tx.stmts == nil {
		return nil
	}
	st := tx.stmts.get(query)
	if st == nil {
		return nil
	}
	if sqlTx, ok := tx.q.(*sql.Tx); ok {
		return sqlTx.StmtContext(ctx, st)
	}
	return st // a single read on the pool the statement belongs to
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

// writeOne runs fn, which must issue exactly one write statement that is
// atomic on its own (a counting upsert), without an explicit transaction:
// on PostgreSQL it runs at read committed, where concurrent upserts of one
// row wait for each other instead of failing serialization. It audits
// nothing.
func (db *DB) writeOne(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, modeWriteOne, fn)
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
	modeWriteKeyed                   // modeWrite, keyed (store/keyed.go)
	modeWriteUnaudited               // a read-write transaction that does not audit
	modeRead                         // a read-only snapshot transaction
	modeReadKeyed                    // modeRead, keyed (store/keyed.go)
	modeReadOne                      // one read statement, no explicit transaction
	modeWriteOne                     // one unaudited write statement, no explicit transaction
)

// writes reports whether a transaction of mode may write; audits whether
// it may append to the audit log; keyed whether it is keyed
// (store/keyed.go).
func (m txMode) writes() bool {
	return m == modeWrite || m == modeWriteKeyed || m == modeWriteUnaudited || m == modeWriteOne
}
func (m txMode) audits() bool { return m == modeWrite || m == modeWriteKeyed }
func (m txMode) keyed() bool  { return m == modeReadKeyed || m == modeWriteKeyed }

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
	if mode == modeReadOne {
		err := fn(&Tx{q: db.read, d: db.d, now: db.txTime(), stmts: db.reads})
		if db.reads != nil {
			db.reads.prepareNoted(context.WithoutCancel(ctx))
		}
		return err
	}
	if mode == modeWriteOne {
		return fn(&Tx{q: db.write, d: db.d, now: db.txTime()})
	}
	iso := sql.LevelSerializable // serializable writes make every invariant hold across replicas without hand-placed locks
	if !mode.writes() {
		iso = sql.LevelRepeatableRead // a read-only snapshot sees one state
	}
	tx, sqlTx, err := db.begin(ctx, mode, iso)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	return db.commit(ctx, tx, sqlTx)
}

// txTime returns the time of a transaction that starts now: UTC, truncated
// to the microsecond both backends store.
func (db *DB) txTime() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// begin starts a transaction of mode (not modeReadOne); iso is its
// isolation on PostgreSQL (SQLite's transactions are serializable). A
// write transaction that may audit first takes the audit log's lock.
func (db *DB) begin(ctx context.Context, mode txMode, iso sql.IsolationLevel) (*Tx, *txConn, error) {
	write := mode.writes()
	pool, opts := db.read, &sql.TxOptions{ReadOnly: true}
	if write {
		pool, opts = db.write, &sql.TxOptions{}
	}
	if db.d == postgresDialect {
		opts.Isolation = iso
	}
	t := &txConn{}
	var err error
	if write && db.d == postgresDialect {
		// A connection of its own, for the pipelines (pipeline.go).
		if t.conn, err = pool.Conn(ctx); err != nil {
			return nil, nil, err
		}
		t.Tx, err = t.conn.BeginTx(ctx, opts)
	} else {
		t.Tx, err = pool.BeginTx(ctx, opts)
	}
	if err != nil {
		t.release()
		return nil, nil, err
	}
	tx := &Tx{q: t.Tx, conn: t.conn, d: db.d, now: db.txTime(), write: mode.audits(), keyed: mode.keyed(), actor: db.Actor,
		auditSize: &db.auditSize}
	tx.stmts = db.reads
	if write {
		tx.stmts = db.stmts
	}
	var first []string // the first statements, sent as one
	if tx.write && db.d.lockAuditLog != "" {
		first = append(first, db.d.lockAuditLog)
	}
	if tx.keyed && db.d == postgresDialect {
		first = append(first, keyedSettings)
	}
	if len(first) > 0 {
		if _, err := t.ExecContext(ctx, strings.Join(first, "; ")); err != nil {
			t.Rollback()
			return nil, nil, err
		}
	}
	return tx, t, nil
}

// commit appends tx's audit records and commits it, or rolls it back when
// the append fails.
func (db *DB) commit(ctx context.Context, tx *Tx, sqlTx *txConn) error {
	if err := tx.flushAudit(ctx); err != nil {
		sqlTx.Rollback()
		return err
	}
	err := sqlTx.Commit()
	if tx.stmts != nil {
		tx.stmts.prepareNoted(context.WithoutCancel(ctx))
	}
	return err
}
