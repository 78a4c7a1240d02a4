package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"

	"tollgate"
)

// DefaultMaxConns returns how many database connections Open lets one
// process use: max(16, 4×GOMAXPROCS) on PostgreSQL; on SQLite one writer
// plus max(4, GOMAXPROCS) readers.
func DefaultMaxConns(dialectName string) int {
	if dialectName == "sqlite" {
		return max(4, runtime.GOMAXPROCS(0))
	}
	return max(16, 4*runtime.GOMAXPROCS(0))
}

// SetMaxConns bounds the connections the store opens: on PostgreSQL the
// pool every transaction draws from, on SQLite the read-only pool (writes
// always go through the one writer connection). A request that needs a
// connection while all n are busy waits for one, up to its context's
// deadline. With several replicas on one PostgreSQL, the sum of their n
// (plus migrations, backups and psql sessions) must stay below the
// server's max_connections. Call it right after Open, before the store is
// in use by other goroutines.
func (db *DB) SetMaxConns(n int) error {
	if n < 1 {
		return fmt.Errorf("store.SetMaxConns: %w", tollgate.FieldErrorf("max_conns", "must be at least 1, not %d", n))
	}
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	return nil
}

// PoolStats reports the state of the connection pool SetMaxConns bounds,
// for metrics and diagnostics.
func (db *DB) PoolStats() sql.DBStats { return db.read.Stats() }

// Analyze refreshes PostgreSQL's statistics of every table, which its
// query planner chooses indexes by. Autovacuum does it on its own as tables
// grow, but only after a delay: a bulk load (a restore, a benchmark's
// world) should be followed by Analyze before it is queried hard. On
// SQLite it does nothing: its planner needs no statistics for tollgate's
// queries, and with them (STAT4) a prepared statement whose plan could
// depend on its arguments is prepared again on every run.
func (db *DB) Analyze(ctx context.Context) error {
	if db.d != postgresDialect {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("store.Analyze: %w", err)
	}
	return nil
}
