package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// PostgresSchema creates a schema of its own for tb on the server named by
// TOLLGATE_TEST_POSTGRES, named prefix and random hex digits, and returns a
// URL whose search_path selects it; the schema is dropped when tb ends. It
// skips tb without the variable.
func PostgresSchema(tb testing.TB, prefix string) string {
	tb.Helper()
	base := PostgresURL(tb)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open %s: %v", base, err)
	}
	tb.Cleanup(func() { admin.Close() })
	return NewSchema(tb, admin, base, prefix)
}

// Cleaner is what NewSchema needs of a test: testing.TB and rapid's T both
// have it.
type Cleaner interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
}

// NewSchema creates a schema named prefix and random hex digits through
// admin, a connection to the server at base, and returns base with a
// search_path selecting it; the schema is dropped when t ends. For tests
// that make many schemas (one per property check) over one connection.
func NewSchema(t Cleaner, admin *sql.DB, base, prefix string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TOLLGATE_TEST_POSTGRES: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
