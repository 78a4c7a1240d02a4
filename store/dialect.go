package store

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds everything that differs between SQLite and PostgreSQL. The
// SQL itself is written once, with ? placeholders and the ON CONFLICT and
// RETURNING forms both databases accept.
type dialect struct {
	name string // "sqlite" or "postgres"; also the migrations directory
	// numbered placeholders ($1, $2, …) instead of ?
	numbered bool
	// forUpdate is appended to a SELECT that reads a row it will change.
	// SQLite has a single writer, so it needs no row locks.
	forUpdate string
	// lockAuditLog, when set, begins every transaction that may append to
	// the audit log: a statement that takes no snapshot and waits until no
	// other such transaction runs. SQLite's BEGIN IMMEDIATE does the same.
	lockAuditLog string
	// encodeTime turns a time into the value stored in a timestamp column.
	encodeTime func(time.Time) any
	// retryable reports whether a transaction failed only because of
	// concurrency (serialization failure, deadlock, busy database) and may
	// succeed when run again.
	retryable func(error) bool
	// uniqueViolation reports whether err is a unique-constraint violation.
	uniqueViolation func(error) bool
}

// sqliteTimeLayout is how SQLite stores timestamps: UTC, fixed width, so
// that text order is time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

var sqliteDialect = &dialect{
	name:      "sqlite",
	forUpdate: "",
	encodeTime: func(t time.Time) any {
		return t.UTC().Format(sqliteTimeLayout)
	},
	retryable: func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		code := e.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	},
	uniqueViolation: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) &&
			(e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
}

var postgresDialect = &dialect{
	name:      "postgres",
	numbered:  true,
	forUpdate: " FOR UPDATE",
	// LOCK TABLE takes no snapshot, so the transaction's snapshot (taken
	// by its first query) sees every audited transaction before it.
	lockAuditLog: "LOCK TABLE audit_size IN SHARE ROW EXCLUSIVE MODE",
	encodeTime: func(t time.Time) any {
		return t.UTC()
	},
	retryable: func(err error) bool {
		var e *pgconn.PgError
		// 40001 serialization_failure, 40P01 deadlock_detected.
		return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
	},
	uniqueViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
}

// rebind rewrites the ? placeholders of query for the dialect. The store's
// queries never contain a literal question mark.
func (d *dialect) rebind(query string) string {
	if !d.numbered || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// placeholders returns "(?, ?, …), (?, …)" for rows rows of cols values,
// for multi-row INSERTs.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}
