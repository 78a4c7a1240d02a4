package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
	"tollgate/store/storetest"
)

// forEachBackend runs f on a fresh SQLite store and, with
// TOLLGATE_TEST_POSTGRES, a fresh PostgreSQL schema.
func forEachBackend(t *testing.T, f func(t *testing.T, newDSN storetest.NewDSN)) {
	t.Run("sqlite", func(t *testing.T) { f(t, sqliteDSN) })
	t.Run("postgres", func(t *testing.T) { f(t, postgresDSN) })
}

func TestLease(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newDSN storetest.NewDSN) {
		ctx := context.Background()
		clock := storetest.NewClock()
		db := storetest.MustOpen(t, newDSN(t), clock.Now)
		const ttl = 30 * time.Second
		acquire := func(holder string, wantHeld bool, wantHolder string, wantToken int64) *store.Lease {
			t.Helper()
			l, held, err := db.AcquireLease(ctx, "scheduler", holder, ttl)
			if err != nil {
				t.Fatalf("AcquireLease(%s): %v", holder, err)
			}
			if held != wantHeld || l.Holder != wantHolder || l.Token != wantToken {
				t.Fatalf("AcquireLease(%s) = holder %s token %d held %v; want holder %s token %d held %v",
					holder, l.Holder, l.Token, held, wantHolder, wantToken, wantHeld)
			}
			return l
		}
		claim := func(holder string, slot int64, want bool) {
			t.Helper()
			got, err := db.ClaimJobRun(ctx, "scheduler", holder, "audit.checkpoint", slot)
			if err != nil {
				t.Fatalf("ClaimJobRun(%s, %d): %v", holder, slot, err)
			}
			if got != want {
				t.Fatalf("ClaimJobRun(%s, %d) = %v, want %v", holder, slot, got, want)
			}
		}

		first := acquire("a", true, "a", 1)
		if got, want := first.ExpiresAt, clock.Now().UTC().Truncate(time.Microsecond).Add(ttl); !got.Equal(want) {
			t.Errorf("ExpiresAt %s, want %s", got, want)
		}
		acquire("b", false, "a", 1)
		claim("b", 1, false) // not the holder
		claim("a", 1, true)
		claim("a", 1, false) // claimed already
		if err := db.FinishJobRun(ctx, "a", "audit.checkpoint", 1, ""); err != nil {
			t.Fatal(err)
		}

		clock.Advance(ttl / 2)
		renewed := acquire("a", true, "a", 1)
		if !renewed.AcquiredAt.Equal(first.AcquiredAt) || !renewed.ExpiresAt.After(first.ExpiresAt) {
			t.Errorf("renewal: acquired %s expires %s; want acquired %s, expiry later than %s",
				renewed.AcquiredAt, renewed.ExpiresAt, first.AcquiredAt, first.ExpiresAt)
		}
		clock.Advance(ttl) // a stops renewing; its lease lapses
		claim("a", 2, false)
		acquire("b", true, "b", 2)
		acquire("a", false, "b", 2)
		claim("b", 1, false) // a ran it under the old lease
		claim("b", 2, true)

		if err := db.ReleaseLease(ctx, "scheduler", "a"); err != nil { // not a's: no-op
			t.Fatal(err)
		}
		acquire("a", false, "b", 2)
		if err := db.ReleaseLease(ctx, "scheduler", "b"); err != nil {
			t.Fatal(err)
		}
		claim("b", 3, false) // released: no more claims
		acquire("a", true, "a", 3)

		runs, err := db.JobRuns(ctx, "audit.checkpoint", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].Slot != 2 || runs[0].Holder != "b" || runs[0].Token != 2 || !runs[0].FinishedAt.IsZero() ||
			runs[1].Slot != 1 || runs[1].Holder != "a" || runs[1].Token != 1 || runs[1].FinishedAt.IsZero() {
			t.Fatalf("JobRuns = %+v", runs)
		}
		if n, err := db.PruneJobRuns(ctx, runs[0].StartedAt); err != nil || n != 1 {
			t.Fatalf("PruneJobRuns = %d, %v; want 1 (slot 1)", n, err)
		}
		if runs, _ := db.JobRuns(ctx, "", 0); len(runs) != 1 || runs[0].Slot != 2 {
			t.Fatalf("after pruning: %+v", runs)
		}
	})
}

// TestLeaseRace has many handles on one database race for a free lease
// and then for one slot: exactly one must win each.
func TestLeaseRace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newDSN storetest.NewDSN) {
		ctx := context.Background()
		dsn, clock := newDSN(t), storetest.NewClock()
		const n = 8
		dbs := make([]*store.DB, n)
		for i := range dbs {
			dbs[i] = storetest.MustOpen(t, dsn, clock.Now)
		}
		for round := range 5 {
			clock.Advance(time.Hour) // every earlier lease has lapsed
			var (
				mu      sync.Mutex
				winners []string
				wg      sync.WaitGroup
			)
			for i, db := range dbs {
				wg.Go(func() {
					holder := string(rune('a' + i))
					_, held, err := db.AcquireLease(ctx, "scheduler", holder, time.Minute)
					if err != nil {
						t.Errorf("AcquireLease: %v", err)
						return
					}
					if !held {
						return
					}
					// The winner and a stale copy of itself race for the slot.
					var claims sync.WaitGroup
					for range 3 {
						claims.Go(func() {
							ok, err := db.ClaimJobRun(ctx, "scheduler", holder, "lists.refresh", int64(round))
							if err != nil {
								t.Errorf("ClaimJobRun: %v", err)
							}
							if ok {
								mu.Lock()
								winners = append(winners, holder)
								mu.Unlock()
							}
						})
					}
					claims.Wait()
				})
			}
			wg.Wait()
			if len(winners) != 1 {
				t.Fatalf("round %d: %d claims won (%v), want exactly 1", round, len(winners), winners)
			}
		}
	})
}

func TestLeaseErrors(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpen(t, sqliteDSN(t), storetest.NewClock().Now)
	long := string(make([]byte, 201))
	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"EmptyName", func() error { _, _, err := db.AcquireLease(ctx, "", "h", time.Second); return err }, "lease"},
		{"LongHolder", func() error { _, _, err := db.AcquireLease(ctx, "l", long, time.Second); return err }, "holder"},
		{"ZeroTTL", func() error { _, _, err := db.AcquireLease(ctx, "l", "h", 0); return err }, "ttl"},
		{"ReleaseEmptyHolder", func() error { return db.ReleaseLease(ctx, "l", "") }, "holder"},
		{"ClaimEmptyJob", func() error { _, err := db.ClaimJobRun(ctx, "l", "h", "", 1); return err }, "job"},
		{"RunsBadLimit", func() error { _, err := db.JobRuns(ctx, "", -1); return err }, "limit"},
		{"MaxConnsZero", func() error { return db.SetMaxConns(0) }, "max_conns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *tollgate.Error
			if tollgate.ErrorCode(err) != tollgate.EINVALID || !errors.As(err, &e) || e.Field != tt.field {
				t.Fatalf("err %v, want invalid naming %s", err, tt.field)
			}
		})
	}
}

func TestSetMaxConns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newDSN storetest.NewDSN) {
		db := storetest.MustOpen(t, newDSN(t), storetest.NewClock().Now)
		if got, want := db.PoolStats().MaxOpenConnections, store.DefaultMaxConns(db.Dialect()); got != want {
			t.Errorf("default pool: %d connections, want %d", got, want)
		}
		if err := db.SetMaxConns(3); err != nil {
			t.Fatal(err)
		}
		if got, want := db.PoolStats().MaxOpenConnections, 3; got != want {
			t.Errorf("after SetMaxConns(3): %d connections, want %d", got, want)
		}
	})
}
