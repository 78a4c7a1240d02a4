package storetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"tollgate/store"
)

func testMigrations(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	t.Run("ReopenAppliesNothing", func(t *testing.T) {
		dsn := newDSN(t)
		clock := NewClock()
		db := MustOpen(t, dsn, clock.Now)
		org := mustOrg(t, db, "lab", "Kept Lab")
		first, err := db.SchemaVersions(ctx)
		mustNoErr(t, err)
		if len(first) == 0 || first[0] != "0001_init" {
			t.Fatalf("SchemaVersions: got %q, want 0001_init first", first)
		}
		again := MustOpen(t, dsn, clock.Now)
		second, err := again.SchemaVersions(ctx)
		mustNoErr(t, err)
		if !slices.Equal(first, second) {
			t.Errorf("SchemaVersions after reopen: got %q, want %q", second, first)
		}
		if _, err := again.FindOrgByID(ctx, org.ID); err != nil {
			t.Errorf("data lost on reopen: %v", err)
		}
	})
	t.Run("ConcurrentOpen", func(t *testing.T) {
		dsn := newDSN(t)
		clock := NewClock()
		const n = 4
		var wg sync.WaitGroup
		dbs := make([]*store.DB, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { dbs[i], errs[i] = store.Open(ctx, dsn, clock.Now) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Errorf("Open %d: %v", i, errs[i])
				continue
			}
			t.Cleanup(func() { dbs[i].Close() })
		}
		if t.Failed() {
			return
		}
		versions, err := dbs[0].SchemaVersions(ctx)
		mustNoErr(t, err)
		if seen := slices.Compact(slices.Clone(versions)); len(seen) != len(versions) {
			t.Errorf("SchemaVersions: got %q, want each once", versions)
		}
	})
	t.Run("EditedMigrationRefused", func(t *testing.T) {
		dsn := newDSN(t)
		db := MustOpen(t, dsn, NewClock().Now)
		mustNoErr(t, db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE schema_migrations SET digest = 'edited' WHERE version = '0001_init'`)
			return err
		}))
		again, err := store.Open(ctx, dsn, NewClock().Now)
		if err == nil {
			again.Close()
			t.Fatal("Open: got nil error for a migration whose file changed after it was applied")
		}
		if !strings.Contains(err.Error(), "0001_init was edited") {
			t.Errorf("Open: got %v, want it to name the edited migration", err)
		}
	})
	t.Run("BadDSN", func(t *testing.T) {
		for _, dsn := range []string{"", "mysql://localhost/x", "sqlite::memory:", "sqlite:/tmp/a?b"} {
			if db, err := store.Open(ctx, dsn, NewClock().Now); err == nil {
				db.Close()
				t.Errorf("Open(%q): got nil error, want one", dsn)
			}
		}
	})
}
