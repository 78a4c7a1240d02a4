// Package testenv finds what tests need from outside the repository (the
// shared list data, a PostgreSQL server) and skips cleanly when it is absent.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// DataDir returns the shared data directory: $TOLLGATE_TESTDATA, or
// ../shared/data next to the module root. It skips tb when the directory does
// not exist.
func DataDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("TOLLGATE_TESTDATA")
	if dir == "" {
		root, err := ModuleRoot()
		if err != nil {
			tb.Skipf("testenv: %v", err)
		}
		dir = filepath.Join(root, "..", "shared", "data")
	}
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("testenv: shared data not found at %s (set TOLLGATE_TESTDATA): %v", dir, err)
	}
	return dir
}

// DataFile returns the path of a file under DataDir, skipping tb when the file
// does not exist.
func DataFile(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(DataDir(tb), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("testenv: %s not found: %v", p, err)
	}
	return p
}

// PostgresURL returns $TOLLGATE_TEST_POSTGRES, skipping tb when it is unset.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("TOLLGATE_TEST_POSTGRES")
	if u == "" {
		tb.Skip("testenv: TOLLGATE_TEST_POSTGRES not set; skipping PostgreSQL test")
	}
	return u
}

// ModuleRoot returns the directory holding go.mod, searching upwards from the
// working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
