// Package apitest is test support for the API and the commands that serve
// it: it names a fresh store for a test on each backend tollgate runs on.
package apitest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"tollgate/internal/testenv"
)

// SQLiteDSN returns a store DSN for a fresh SQLite file in tb's temporary
// directory.
func SQLiteDSN(tb testing.TB) string {
	tb.Helper()
	return "sqlite:" + filepath.Join(tb.TempDir(), "tollgate.db")
}

// PostgresDSN creates a schema of its own for tb on the server named by
// TOLLGATE_TEST_POSTGRES and returns a URL whose search_path selects it;
// the schema is dropped when tb ends. It skips tb without the variable.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	base := testenv.PostgresURL(tb)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open %s: %v", base, err)
	}
	tb.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "tollgate_api_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("TOLLGATE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Backends lists the stores a test should run on: SQLite always,
// PostgreSQL when TOLLGATE_TEST_POSTGRES is set (the DSN function skips
// otherwise).
var Backends = []struct {
	Name string
	DSN  func(testing.TB) string
}{
	{"sqlite", SQLiteDSN},
	{"postgres", PostgresDSN},
}

// ForEachBackend runs f as a subtest on every backend.
func ForEachBackend(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b.Name, func(t *testing.T) { f(t, b.DSN(t)) })
	}
}
