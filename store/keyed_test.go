package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"tollgate/internal/testenv"
)

// settings returns the plan settings tx's statements run under.
func settings(t *testing.T, tx *Tx) string {
	t.Helper()
	var mode, seqscan string
	ctx := context.Background()
	if err := tx.QueryRowContext(ctx, "SELECT current_setting('plan_cache_mode'), current_setting('enable_seqscan')").Scan(&mode, &seqscan); err != nil {
		t.Fatal(err)
	}
	return mode + " seqscan=" + seqscan
}

const (
	customPlans = "force_custom_plan seqscan=on"
	keyedPlans  = "auto seqscan=off"
)

// TestKeyedTransactionSettings checks that keyed transactions, and only
// they, run with cached plans and without sequential scans, and that the
// settings end with them.
func TestKeyedTransactionSettings(t *testing.T) {
	db := openGroupDB(t, testenv.PostgresSchema(t, "tollgate_keyed_test_"))
	if err := db.SetMaxConns(1); err != nil { // one connection: the settings must not outlive a transaction
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func(fn func(tx *Tx) error) error
		want string
	}{
		{"View", func(fn func(tx *Tx) error) error { return db.View(ctx, fn) }, customPlans},
		{"ViewKeyed", func(fn func(tx *Tx) error) error { return db.ViewKeyed(ctx, fn) }, keyedPlans},
		{"View after ViewKeyed", func(fn func(tx *Tx) error) error { return db.View(ctx, fn) }, customPlans},
		{"UpdateLocked", func(fn func(tx *Tx) error) error { return db.UpdateLocked(ctx, fn) }, customPlans},
		{"UpdateLockedKeyed", func(fn func(tx *Tx) error) error { return db.UpdateLockedKeyed(ctx, fn) }, keyedPlans},
		{"Update after UpdateLockedKeyed", func(fn func(tx *Tx) error) error { return db.Update(ctx, fn) }, customPlans},
	} {
		var got string
		if err := tc.run(func(tx *Tx) error { got = settings(t, tx); return nil }); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s runs with %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestKeyedGroupNeedsEveryFunctionKeyed checks that a group's transaction
// is keyed only when all its functions are.
func TestKeyedGroupNeedsEveryFunctionKeyed(t *testing.T) {
	db := openGroupDB(t, testenv.PostgresSchema(t, "tollgate_keyed_test_"))
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	wg.Go(func() { // holds the first group until the two others queue
		db.UpdateLockedKeyed(ctx, func(tx *Tx) error { once.Do(func() { close(started) }); <-release; return nil })
	})
	<-started
	var keyed, plain string
	wg.Go(func() {
		db.UpdateLockedKeyed(ctx, func(tx *Tx) error { keyed = settings(t, tx); return nil })
	})
	wg.Go(func() {
		db.UpdateLocked(ctx, func(tx *Tx) error { plain = settings(t, tx); return nil })
	})
	for db.group.Queued() < 2 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if keyed != customPlans || plain != customPlans {
		t.Errorf("a group of a keyed and a plain function runs them with %q and %q, want %q for both", keyed, plain, customPlans)
	}
}

// TestKeyedPlans checks what the settings are for: a keyed transaction's
// statements are planned once per connection (a generic plan), but those
// that pass their arguments through planEach, which are planned for them
// each time and not kept prepared; other transactions plan each statement
// each time.
func TestKeyedPlans(t *testing.T) {
	db := openGroupDB(t, testenv.PostgresSchema(t, "tollgate_keyed_test_"))
	if err := db.SetMaxConns(1); err != nil { // one connection, whose prepared statements the test reads
		t.Fatal(err)
	}
	ctx := context.Background()
	plans := func(tx *Tx, marker string) (generic, custom int) {
		t.Helper()
		err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)
			FROM pg_prepared_statements WHERE statement LIKE ? AND statement NOT LIKE '%pg_prepared_statements%'`,
			"%"+marker+"%").Scan(&generic, &custom)
		if err != nil {
			t.Fatal(err)
		}
		return generic, custom
	}
	lookup := func(tx *Tx, marker string, each bool) {
		t.Helper()
		for i := range 8 {
			args := []any{i}
			if each {
				args = tx.planEach(args)
			}
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM group_test_rows WHERE id = ? -- "+marker, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
	}
	err := db.ViewKeyed(ctx, func(tx *Tx) error {
		lookup(tx, "keyed lookup", false)
		if g, c := plans(tx, "keyed lookup"); g == 0 {
			t.Errorf("a keyed transaction's lookup run 8 times: %d generic plans, %d custom; want generic ones", g, c)
		}
		lookup(tx, "argument-dependent lookup", true)
		if g, c := plans(tx, "argument-dependent lookup"); g+c != 0 {
			t.Errorf("a keyed transaction's lookup planned each time is kept prepared (%d generic, %d custom plans)", g, c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx *Tx) error {
		lookup(tx, "plain lookup", false)
		if g, c := plans(tx, "plain lookup"); g != 0 || c == 0 {
			t.Errorf("a plain transaction's lookup run 8 times: %d generic plans, %d custom; want custom ones only", g, c)
		}
		// planEach is for keyed transactions only: elsewhere it leaves
		// the arguments alone.
		if args := tx.planEach([]any{1}); len(args) != 1 {
			t.Errorf("planEach outside a keyed transaction: %v", args)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestKeyedOnSQLite checks that keyed transactions are ordinary ones on
// SQLite: they run, commit, and planEach leaves the arguments alone.
func TestKeyedOnSQLite(t *testing.T) {
	db := openGroupDB(t, "sqlite:"+t.TempDir()+"/t.db")
	ctx := context.Background()
	if err := db.UpdateLockedKeyed(ctx, insert(1, 1, nil, nil)); err != nil {
		t.Fatal(err)
	}
	err := db.ViewKeyed(ctx, func(tx *Tx) error {
		args := tx.planEach([]any{1})
		if len(args) != 1 {
			t.Errorf("planEach on SQLite: %v", args)
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT n FROM group_test_rows WHERE id = ?", args...).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("row 1 holds %d, want 1", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
