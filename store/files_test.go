package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"tollgate/store"
	"tollgate/store/storetest"
)

// TestFilesPrivate checks that the files of a SQLite store, its WAL and
// its backups are created readable by their owner only: they hold every
// tenant's data.
func TestFilesPrivate(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	db := storetest.MustOpen(t, "sqlite:"+path, clock.Now)
	mustCreateOrgs(t, db, "files", 2)
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	restored := filepath.Join(dir, "restored", "r.db")
	if _, err := store.Restore(ctx, backup, "sqlite:"+restored, store.RestoreOptions{Now: clock.Now}); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	for _, p := range []string{path, path + "-wal", backup, restored} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", filepath.Base(p), got)
		}
	}
	if fi, err := os.Stat(filepath.Dir(restored)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the directory Restore made: %v (%v), want drwx------", fi.Mode(), err)
	}
}
