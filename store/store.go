// Package store keeps tollgate's state in SQL: one implementation over
// database/sql for two backends, SQLite (modernc.org/sqlite, no cgo) as the
// embedded default and PostgreSQL (pgx) for several replicas. The schema
// lives in embedded migrations, one directory per dialect, applied at Open.
//
// Every use case is one transaction carrying one time from the injected
// clock: public methods open it (DB.Update or DB.View) and compose private
// (ctx, tx, …) helpers. Transactions that fail only because of concurrency
// (SQLITE_BUSY, PostgreSQL serialization failures) are run again a bounded
// number of times.
//
// SQLite runs in WAL mode with foreign keys on, a busy timeout, and
// synchronous=FULL: a committed export record (a screening, a decision, an
// audit entry) must survive a power loss, not only a crash of the process,
// and the extra fsync per commit costs little next to a use case. Writes go
// through one connection that begins transactions IMMEDIATE, so writers in
// one process queue instead of deadlocking and writers in other processes
// wait on the busy timeout; reads use a pool of read-only connections.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"tollgate"
	"tollgate/internal/batch"
)

// Defaults for DB's tunables.
const (
	DefaultMaxAttempts  = 8
	sqliteBusyTimeoutMS = 10000
)

// DB is tollgate's store. It is safe for concurrent use.
type DB struct {
	d     *dialect
	write *sql.DB    // SQLite: one connection; PostgreSQL: the pool
	read  *sql.DB    // SQLite: read-only connections; PostgreSQL: the same pool
	stmts *stmtCache // SQLite: statements kept prepared on the writer connection; nil on PostgreSQL
	reads *stmtCache // SQLite: statements kept prepared on the read connections; nil on PostgreSQL
	now   func() time.Time
	group *batch.Batcher[*groupCall, struct{}] // the queue of UpdateLocked's group transactions
	// auditSize is the audit log's size after this process's latest
	// append, a guess at the next append's (store/audittx.go).
	auditSize atomic.Int64

	// MaxAttempts bounds how often a transaction that failed only because
	// of concurrency is run.
	MaxAttempts int
	// Actor names who makes the changes whose context carries no principal
	// (see tollgate.WithPrincipal) in their audit records: the local user
	// for a CLI command (tollgate.LocalPrincipal), nil for the system
	// (tollgate.SystemPrincipal), as for a server's background jobs. Set
	// it before the DB is used.
	Actor *tollgate.Principal
}

// Open opens the store named by dsn and applies pending migrations. dsn is
// "sqlite:PATH" (or a bare PATH) for SQLite, or a "postgres://" (or
// "postgresql://") URL for PostgreSQL, which may choose a schema with a
// search_path=NAME parameter (the tests give each test its own). clock
// supplies every transaction's time.
func Open(ctx context.Context, dsn string, clock func() time.Time) (*DB, error) {
	if clock == nil {
		return nil, errors.New("store.Open: nil clock")
	}
	db := &DB{now: clock, MaxAttempts: DefaultMaxAttempts}
	db.group = newGrouper(db)
	var err error
	switch kind, target := parseDSN(dsn); kind {
	case "sqlite":
		err = db.openSQLite(target)
	case "postgres":
		err = db.openPostgres(target)
	default:
		err = tollgate.FieldErrorf("db", "want sqlite:PATH or a postgres:// URL; got %q", dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	if err := db.ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store.Open: %w: %v", tollgate.Errorf(tollgate.EUNAVAILABLE, "cannot open the %s database", db.d.name), err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	if db.d.name == "sqlite" {
		// After migrating: a cached statement must not outlive a schema change.
		db.stmts, db.reads = newStmtCache(db.write), newStmtCache(db.read)
	}
	return db, nil
}

// parseDSN splits dsn into the backend kind and what the driver needs.
func parseDSN(dsn string) (kind, target string) {
	switch {
	case dsn == "":
		return "", ""
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "postgres", dsn
	case strings.HasPrefix(dsn, "sqlite:"):
		p := strings.TrimPrefix(dsn, "sqlite:")
		return "sqlite", strings.TrimPrefix(p, "//")
	case strings.Contains(dsn, "://"):
		return "", ""
	}
	return "sqlite", dsn
}

// sqliteCheckpointPages is how many pages the WAL holds before the writer
// checkpoints it into the database file.
const sqliteCheckpointPages = 20000

func (db *DB) openSQLite(path string) error {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") {
		return tollgate.FieldErrorf("db", "want a SQLite file path without ? or #; got %q", path)
	}
	if err := createPrivate(path); err != nil {
		return fmt.Errorf("%w: %v", tollgate.Errorf(tollgate.EUNAVAILABLE, "cannot open the sqlite database"), err)
	}
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)", sqliteBusyTimeoutMS)
	// The writer checkpoints the WAL every sqliteCheckpointPages pages
	// rather than SQLite's 1,000: a checkpoint runs inside the commit that
	// crosses the mark, in the one writer's serial chain, and doing it 20
	// times less often measured about 12% more reservations per second
	// (BenchmarkShip, six paired runs), for a WAL of up to 80 MB.
	w, err := sql.Open("sqlite", path+"?_txlock=immediate&"+pragmas+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", sqliteCheckpointPages))
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return err
	}
	n := DefaultMaxConns("sqlite")
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.d, db.write, db.read = sqliteDialect, w, r
	return nil
}

func (db *DB) openPostgres(dsn string) error {
	dsn, err := withCustomPlans(dsn)
	if err != nil {
		return err
	}
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return tollgate.FieldErrorf("db", "bad PostgreSQL URL: %v", err)
	}
	n := DefaultMaxConns("postgres")
	p.SetMaxOpenConns(n)
	p.SetMaxIdleConns(n)
	p.SetConnMaxIdleTime(5 * time.Minute)
	p.SetConnMaxLifetime(30 * time.Minute) // follow a failover or DNS change
	db.d, db.write, db.read = postgresDialect, p, p
	return nil
}

// withCustomPlans returns the PostgreSQL URL dsn asking the server to plan
// every statement for its arguments (plan_cache_mode=force_custom_plan),
// unless dsn chooses a plan_cache_mode itself. tollgate's statements are
// small, and their best plans depend on table sizes that grow by orders of
// magnitude (from empty, in a new deployment or a restored one): a generic
// plan made while a table was small (a scan of it) stays in a pooled
// connection's cache, and a reservation's lookup of a few serials then
// scanned every serial of the product (13 ms instead of 0.2 ms, measured).
// Planning each time costs far less than that. The hot paths, whose
// statements all find rows by key, run in keyed transactions instead
// (store/keyed.go), which plan once per connection.
func withCustomPlans(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", tollgate.FieldErrorf("db", "bad PostgreSQL URL")
	}
	q := u.Query()
	if q.Has("plan_cache_mode") {
		return dsn, nil
	}
	q.Set("plan_cache_mode", "force_custom_plan")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// Close closes the database.
func (db *DB) Close() error {
	var err error
	if db.stmts != nil {
		err = errors.Join(db.stmts.close(), db.reads.close())
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping reports whether the database answers, for readiness checks.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store.Ping: %w: %v", tollgate.Errorf(tollgate.EUNAVAILABLE, "database unavailable"), err)
	}
	return nil
}

// ping checks the first connection. Opening SQLite's first connection sets
// WAL mode, which needs a moment's exclusive lock and answers SQLITE_BUSY
// without waiting when another process opens the same file at that instant;
// such a failure is retried a bounded number of times.
func (db *DB) ping(ctx context.Context) error {
	var err error
	for attempt := range 20 {
		if err = db.write.PingContext(ctx); err == nil || !db.d.retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return err
}

// createPrivate creates the SQLite file at path, empty and readable by its
// owner only (0600), when it does not exist: SQLite would create it 0644,
// and it holds every tenant's data. SQLite gives the WAL and shared-memory
// files it makes later the database file's mode. An existing file is left
// as it is.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}
