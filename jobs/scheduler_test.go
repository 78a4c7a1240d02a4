package jobs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"tollgate/api/apitest"
)

// replica is one simulated `tollgate serve`: a store handle and a
// scheduler with a clock of its own.
type replica struct {
	sched *Scheduler
	now   func() time.Time
}

// TestExactlyOnceRace races three replicas' schedulers on one database
// through many rounds, with skewed clocks, paused replicas (their leases
// lapse mid-run) and crashed ones replaced without releasing their lease:
// every slot of every job must run exactly once, and every slot in which
// some replica led must have run.
func TestExactlyOnceRace(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clk := newClock()
		offsets := []time.Duration{0, 2 * time.Second, -3 * time.Second}
		intervals := map[string]time.Duration{"test.minute": time.Minute, "test.five": 5 * time.Minute, "test.seven": 7 * time.Second}
		ta := newTally()
		reps := make([]*replica, len(offsets))
		generation := 0
		start := func(i int) {
			now := clk.at(offsets[i])
			db := openStore(t, dsn, now)
			generation++
			s := New(db, Config{Holder: fmt.Sprintf("replica-%d-gen-%d", i, generation), Now: now})
			for name, iv := range intervals {
				s.Register(name, iv, ta.job(t))
			}
			reps[i] = &replica{sched: s, now: now}
		}
		for i := range reps {
			start(i)
		}
		rnd := rand.New(rand.NewPCG(10, 6))
		ledRounds := 0
		for step := range 120 {
			clk.advance(time.Duration(1+rnd.IntN(40)) * time.Second)
			if rnd.IntN(10) == 0 { // a replica crashes and comes back as a new process
				start(rnd.IntN(len(reps)))
			}
			var wg sync.WaitGroup
			var ticked []*replica
			for _, r := range reps {
				if rnd.IntN(4) == 0 {
					continue // paused this round (GC, network partition)
				}
				ticked = append(ticked, r)
				wg.Go(func() {
					if err := r.sched.Tick(ctx); err != nil {
						t.Errorf("step %d: Tick: %v", step, err)
					}
				})
			}
			wg.Wait()
			var leaders []*replica
			for _, r := range reps {
				r.sched.Wait()
			}
			for _, r := range ticked {
				if r.sched.Leader() {
					leaders = append(leaders, r)
				}
			}
			// With one leader among the replicas that ran this round, the
			// lease stayed with it all round: its current slots must have
			// run. (With two, one took the lease from the other mid-round;
			// a slot the loser saw may be skipped, as documented.)
			if len(leaders) == 1 {
				ledRounds++
				for name, iv := range intervals {
					if slot := Slot(leaders[0].now(), iv); ta.count(name, slot) == 0 {
						t.Errorf("step %d: %s slot %d did not run under leader %s", step, name, slot, leaders[0].sched.cfg.Holder)
					}
				}
			}
		}
		db := openStore(t, dsn, clk.at(0))
		total := ta.check(t, db)
		runs, err := db.JobRuns(ctx, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		holders := map[string]bool{}
		for _, r := range runs {
			holders[r.Holder] = true
		}
		t.Logf("%d of 120 rounds had one leader; %d slots ran, under %d holders", ledRounds, total, len(holders))
		if ledRounds < 60 || total < 60 || len(holders) < 3 {
			t.Errorf("%d rounds had a leader, %d slots ran under %d holders; the simulation exercised too little", ledRounds, total, len(holders))
		}
	})
}

// TestFailover checks that a leader that stops renewing is replaced once
// its lease lapses, and that when it comes back it steps down and its
// running job is cancelled.
func TestFailover(t *testing.T) {
	ctx := context.Background()
	dsn := apitest.SQLiteDSN(t)
	clk := newClock()
	release := make(chan struct{})
	cancelled := make(chan error, 1)
	blocking := func(ctx context.Context) error {
		select {
		case <-ctx.Done():
			cancelled <- context.Cause(ctx)
			return ctx.Err()
		case <-release:
			return nil
		}
	}
	a := New(openStore(t, dsn, clk.at(0)), Config{Holder: "a", Now: clk.at(0)})
	b := New(openStore(t, dsn, clk.at(0)), Config{Holder: "b", Now: clk.at(0)})
	a.Register("test.block", time.Hour, blocking)
	b.Register("test.block", time.Hour, blocking)
	mustTick(t, a)
	mustTick(t, b)
	if !a.Leader() || b.Leader() {
		t.Fatalf("after the first round: a leads %v, b leads %v; want only a", a.Leader(), b.Leader())
	}
	clk.advance(DefaultLeaseTTL - time.Second)
	mustTick(t, b)
	if b.Leader() {
		t.Fatal("b took the lease before it lapsed")
	}
	clk.advance(2 * time.Second) // a paused past its lease
	mustTick(t, b)
	if !b.Leader() {
		t.Fatal("b did not take the lapsed lease")
	}
	mustTick(t, a)
	if a.Leader() {
		t.Fatal("a still leads after b took the lease")
	}
	if err := <-cancelled; !errors.Is(err, errLostLease) {
		t.Fatalf("a's job was cancelled with %v, want errLostLease", err)
	}
	a.Wait()
	close(release)
	b.Wait()
	runs, err := openStore(t, dsn, clk.at(0)).JobRuns(ctx, "test.block", 10)
	if err != nil {
		t.Fatal(err)
	}
	// Both leaders saw the same hour slot: only a's run of it exists.
	if len(runs) != 1 || runs[0].Holder != "a" || !strings.Contains(runs[0].Error, "context canceled") {
		t.Fatalf("ledger %+v, want a's one cancelled run", runs)
	}
}

// TestJobFailures checks that errors and panics are recorded in the ledger
// and do not stop later slots.
func TestJobFailures(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	db := openStore(t, apitest.SQLiteDSN(t), clk.at(0))
	s := New(db, Config{Holder: "h", Now: clk.at(0)})
	var n int
	s.Register("test.flaky", time.Minute, func(ctx context.Context) error {
		n++
		switch n {
		case 1:
			return errors.New("list server unreachable")
		case 2:
			panic("nil map")
		}
		return nil
	})
	for range 3 {
		mustTick(t, s)
		s.Wait()
		clk.advance(time.Minute)
	}
	runs, err := db.JobRuns(ctx, "test.flaky", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "panic: nil map", "list server unreachable"} // newest first
	if len(runs) != len(want) {
		t.Fatalf("ledger has %d runs, want %d: %+v", len(runs), len(want), runs)
	}
	for i, r := range runs {
		if !strings.HasPrefix(r.Error, want[i]) || r.FinishedAt.IsZero() {
			t.Errorf("run %d: error %q finished %s; want error %q, finished", i, r.Error, r.FinishedAt, want[i])
		}
	}
}

// TestLedgerDown checks that a leader keeps leading through ledger errors
// until its lease as last seen lapses, then steps down.
func TestLedgerDown(t *testing.T) {
	clk := newClock()
	fl := &flakyLedger{Ledger: openStore(t, apitest.SQLiteDSN(t), clk.at(0))}
	s := New(fl, Config{Holder: "h", Now: clk.at(0)})
	mustTick(t, s)
	fl.setDown(true)
	clk.advance(DefaultLeaseTTL / 2)
	if err := s.Tick(context.Background()); err == nil || !s.Leader() {
		t.Fatalf("Tick with the ledger down: err %v, leader %v; want an error and still leading", err, s.Leader())
	}
	clk.advance(DefaultLeaseTTL)
	if err := s.Tick(context.Background()); err == nil || s.Leader() {
		t.Fatalf("Tick after the lease lapsed: err %v, leader %v; want an error and not leading", err, s.Leader())
	}
	fl.setDown(false)
	mustTick(t, s)
	if !s.Leader() {
		t.Fatal("did not lead again once the ledger came back")
	}
}

func mustTick(t *testing.T, s *Scheduler) {
	t.Helper()
	if err := s.Tick(context.Background()); err != nil {
		t.Fatalf("Tick: %v", err)
	}
}

// TestRunHandsOver runs three schedulers with Run on the real clock: once
// the leader is stopped (releasing its lease) another takes over, and every
// slot still runs exactly once.
func TestRunHandsOver(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		ta := newTally()
		db := openStore(t, dsn, time.Now)
		type running struct {
			sched *Scheduler
			stop  context.CancelFunc
			done  chan error
		}
		var rs []running
		for i := range 3 {
			s := New(openStore(t, dsn, time.Now), Config{Holder: fmt.Sprintf("r%d", i), LeaseTTL: 300 * time.Millisecond, Drain: time.Second})
			s.Register("test.tick", 25*time.Millisecond, ta.job(t))
			rctx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- s.Run(rctx) }()
			rs = append(rs, running{s, stop, done})
		}
		// waitRuns polls the ledger until a run not by exclude exists after
		// n runs in all, and returns the holder of the newest run.
		waitRuns := func(n int, exclude string) string {
			t.Helper()
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				runs, err := db.JobRuns(ctx, "test.tick", 1000)
				if err != nil {
					t.Fatal(err)
				}
				if len(runs) >= n && runs[0].Holder != exclude {
					return runs[0].Holder
				}
			}
			t.Fatalf("fewer than %d runs (or none by another than %q) after 30s", n, exclude)
			return ""
		}
		first := waitRuns(5, "")
		for _, r := range rs {
			if r.sched.cfg.Holder == first {
				r.stop()
				if err := <-r.done; err != nil {
					t.Fatalf("Run of %s: %v", first, err)
				}
			}
		}
		runs, _ := db.JobRuns(ctx, "test.tick", 1000)
		second := waitRuns(len(runs)+5, first)
		for _, r := range rs {
			if r.sched.cfg.Holder != first {
				r.stop()
				if err := <-r.done; err != nil {
					t.Fatalf("Run: %v", err)
				}
			}
		}
		total := ta.check(t, db)
		t.Logf("%d slots ran; %s led, then %s", total, first, second)
		if _, held, err := db.AcquireLease(ctx, DefaultLease, "observer", time.Second); err != nil || !held {
			t.Errorf("after every scheduler stopped, the lease is still held (held %v, err %v)", held, err)
		}
	})
}
