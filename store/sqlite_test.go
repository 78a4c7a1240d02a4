package store_test

import (
	"path/filepath"
	"testing"

	"tollgate/store/storetest"
)

// sqliteDSN returns a fresh SQLite database file in t's temporary directory.
func sqliteDSN(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "tollgate.db")
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, sqliteDSN)
}
