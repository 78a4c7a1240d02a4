package jobs

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"tollgate/store"
)

// clock is a settable time source shared by the replicas of a test; each
// replica reads it through at(offset), so clocks can disagree by a fixed
// skew as real replicas' do.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// at returns a clock function that reads offset ahead of c.
func (c *clock) at(offset time.Duration) func() time.Time {
	return func() time.Time {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.t.Add(offset)
	}
}

// openStore opens dsn with now as the store's clock.
func openStore(t *testing.T, dsn string, now func() time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, now)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tally counts the runs of each (job, slot) made by the test's jobs.
type tally struct {
	mu   sync.Mutex
	runs map[string]map[int64]int
}

func newTally() *tally { return &tally{runs: map[string]map[int64]int{}} }

// job returns a job function that counts its runs in the tally.
func (ta *tally) job(t *testing.T) func(context.Context) error {
	return func(ctx context.Context) error {
		run, ok := RunFrom(ctx)
		if !ok {
			t.Errorf("job ran without a Run in its context")
			return errors.New("no run")
		}
		ta.mu.Lock()
		defer ta.mu.Unlock()
		if ta.runs[run.Job] == nil {
			ta.runs[run.Job] = map[int64]int{}
		}
		ta.runs[run.Job][run.Slot]++
		return nil
	}
}

func (ta *tally) count(job string, slot int64) int {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return ta.runs[job][slot]
}

// check fails t unless every counted slot ran exactly once and the ledger
// holds exactly the counted runs, each finished without error.
func (ta *tally) check(t *testing.T, db *store.DB) (total int) {
	t.Helper()
	ta.mu.Lock()
	defer ta.mu.Unlock()
	for job, slots := range ta.runs {
		for slot, n := range slots {
			if n != 1 {
				t.Errorf("%s slot %d ran %d times, want 1", job, slot, n)
			}
			total++
		}
	}
	runs, err := db.JobRuns(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(runs), total; got != want {
		t.Errorf("ledger has %d runs, want %d (the runs counted)", got, want)
	}
	for _, r := range runs {
		if ta.runs[r.Job][r.Slot] != 1 {
			t.Errorf("ledger run %s slot %d by %s: counted %d runs", r.Job, r.Slot, r.Holder, ta.runs[r.Job][r.Slot])
		}
		if r.FinishedAt.IsZero() || r.Error != "" {
			t.Errorf("ledger run %s slot %d: finished %s, error %q; want finished without error", r.Job, r.Slot, r.FinishedAt, r.Error)
		}
	}
	return total
}

// nopLedger is a Ledger that grants nothing, for tests of registration.
type nopLedger struct{}

func (nopLedger) AcquireLease(_ context.Context, name, holder string, ttl time.Duration) (*store.Lease, bool, error) {
	return &store.Lease{Name: name, Holder: "someone else", Token: 1}, false, nil
}
func (nopLedger) ReleaseLease(context.Context, string, string) error { return nil }
func (nopLedger) ClaimJobRun(context.Context, string, string, string, int64) (bool, error) {
	return false, nil
}
func (nopLedger) FinishJobRun(context.Context, string, string, int64, string) error { return nil }

// flakyLedger wraps a Ledger and fails AcquireLease while down is set.
type flakyLedger struct {
	Ledger
	mu   sync.Mutex
	down bool
}

func (f *flakyLedger) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

func (f *flakyLedger) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (*store.Lease, bool, error) {
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down {
		return nil, false, errors.New("database unreachable")
	}
	return f.Ledger.AcquireLease(ctx, name, holder, ttl)
}
