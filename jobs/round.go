package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// ledgerTimeout bounds the ledger writes made after a run or at shutdown,
// which must not hang on a database that went away.
const ledgerTimeout = 10 * time.Second

// Run runs rounds (see Tick) until ctx is cancelled: a leader wakes at
// each job's next slot and every LeaseTTL/3 to renew the lease; a follower
// tries to take the lease as often. When ctx ends, Run stops starting
// jobs, lets running ones finish for up to Config.Drain (then cancels
// them), releases the lease so another replica takes over at once, and
// returns nil. Errors of single rounds (a database blip) are logged and
// retried at the next round.
func (s *Scheduler) Run(ctx context.Context) error {
	renewEvery := s.cfg.LeaseTTL / 3
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "jobs: scheduler round failed", slog.String("error", err.Error()))
		}
		s.mu.Lock()
		intervals := make([]time.Duration, len(s.jobs))
		for i, j := range s.jobs {
			intervals[i] = j.interval
		}
		wake := nextWake(s.cfg.Now(), s.lastAttempt, renewEvery, s.leader, intervals)
		s.mu.Unlock()
		t := time.NewTimer(wake)
		select {
		case <-ctx.Done():
			t.Stop()
			return s.stop(ctx)
		case <-t.C:
		}
	}
}

// Tick runs one round: it takes or renews the lease and, if it holds it,
// claims and starts every job whose current slot it has not handled yet
// and which is not running. It returns once the runs are started (Wait
// waits for them). Tests drive schedulers with Tick and a fake clock.
func (s *Scheduler) Tick(ctx context.Context) error {
	s.tick.Lock()
	defer s.tick.Unlock()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	now := s.cfg.Now()
	lease, held, err := s.ledger.AcquireLease(ctx, s.cfg.Lease, s.cfg.Holder, s.cfg.LeaseTTL)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastAttempt = now
	if err != nil {
		// Unsure whether the renewal took: lead on until the lease as
		// last seen lapses, which the ledger enforces anyway.
		if s.leader && !now.Before(s.lease.ExpiresAt) {
			s.stepDown(ctx, "the lease lapsed while it could not be renewed")
		}
		return fmt.Errorf("jobs.Tick: %w", err)
	}
	s.lease = *lease
	if !held {
		if s.leader {
			s.stepDown(ctx, "another replica holds the lease: "+lease.Holder)
		}
		return nil
	}
	if !s.leader {
		s.leader = true
		s.leadCtx, s.leadCancel = context.WithCancelCause(context.WithoutCancel(ctx))
		s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "jobs: leading", slog.String("holder", s.cfg.Holder),
			slog.Int64("token", lease.Token), slog.Time("expires_at", lease.ExpiresAt))
	}
	var errs []error
	for _, j := range s.jobs {
		slot := Slot(now, j.interval)
		if slot <= j.last || j.running {
			continue
		}
		claimed, err := s.ledger.ClaimJobRun(ctx, s.cfg.Lease, s.cfg.Holder, j.name, slot)
		if err != nil {
			errs = append(errs, fmt.Errorf("jobs.Tick: claim %s slot %d: %w", j.name, slot, err))
			continue // try again next round
		}
		j.last = slot
		if !claimed {
			continue // another scheduler ran it, or the lease passed on
		}
		j.running = true
		run := Run{Job: j.name, Slot: slot, Interval: j.interval, Start: SlotStart(slot, j.interval),
			Holder: s.cfg.Holder, Token: lease.Token}
		s.wg.Add(1)
		go s.runJob(withRun(s.leadCtx, run), j, run)
	}
	return errors.Join(errs...)
}

// stepDown ends this scheduler's leadership and cancels its running jobs.
// s.mu is held.
func (s *Scheduler) stepDown(ctx context.Context, why string) {
	s.leader = false
	s.leadCancel(errLostLease)
	s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "jobs: no longer leading; running jobs cancelled",
		slog.String("holder", s.cfg.Holder), slog.String("reason", why))
}

// runJob runs one claimed slot of j and records its outcome.
func (s *Scheduler) runJob(ctx context.Context, j *job, run Run) {
	defer s.wg.Done()
	start := time.Now()
	err := call(ctx, j.fn)
	took := time.Since(start)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ledgerTimeout)
	ferr := s.ledger.FinishJobRun(lctx, s.cfg.Holder, j.name, run.Slot, msg)
	cancel()
	attrs := []slog.Attr{slog.String("job", j.name), slog.Int64("slot", run.Slot),
		slog.Time("slot_start", run.Start), slog.Float64("duration_ms", float64(took.Microseconds())/1000)}
	if err != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelError, "jobs: run failed", append(attrs, slog.String("error", msg))...)
	} else {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "jobs: run finished", attrs...)
	}
	if ferr != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelError, "jobs: cannot record the end of a run", append(attrs, slog.String("error", ferr.Error()))...)
	}
	s.mu.Lock()
	j.running = false
	s.mu.Unlock()
}

// call runs fn, turning a panic into an error so that one bad job cannot
// take the server down.
func call(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(ctx)
}

// stop ends Run: it drains running jobs for up to Config.Drain, cancels
// what is left, and releases the lease.
func (s *Scheduler) stop(ctx context.Context) error {
	s.tick.Lock() // no round starts jobs from now on
	defer s.tick.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	t := time.NewTimer(s.cfg.Drain)
	select {
	case <-done:
		t.Stop()
	case <-t.C:
		s.mu.Lock()
		if s.leadCancel != nil {
			s.leadCancel(errors.New("jobs: the scheduler stopped and the drain time passed"))
		}
		s.mu.Unlock()
		<-done
	}
	s.mu.Lock()
	wasLeader := s.leader
	s.leader = false
	if s.leadCancel != nil {
		s.leadCancel(context.Canceled)
	}
	s.mu.Unlock()
	if !wasLeader {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ledgerTimeout)
	defer cancel()
	if err := s.ledger.ReleaseLease(rctx, s.cfg.Lease, s.cfg.Holder); err != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "jobs: cannot release the lease; it will lapse", slog.String("error", err.Error()))
		return nil
	}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "jobs: lease released", slog.String("holder", s.cfg.Holder))
	return nil
}
