// Package apitest is test support for the API and the commands that serve
// it: it names a fresh store for a test on each backend tollgate runs on.
package apitest

import (
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
	return testenv.PostgresSchema(tb, "tollgate_api_test_")
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
