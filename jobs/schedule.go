package jobs

import (
	"context"
	"time"
)

// Slot returns the number of the interval-long slot that t falls in,
// counting from the Unix epoch: with a one-minute interval, slot N is the
// minute starting N minutes after 1970-01-01T00:00Z. Every replica computes
// the same slots from the same time, whatever its time zone, which is what
// lets the job ledger key a run by (job, slot). interval must be positive.
func Slot(t time.Time, interval time.Duration) int64 {
	d := t.Sub(epoch)
	n := int64(d / interval)
	if d < 0 && d%interval != 0 {
		n-- // floor, not truncation, before the epoch
	}
	return n
}

// SlotStart returns the instant slot begins at, in UTC.
func SlotStart(slot int64, interval time.Duration) time.Time {
	return epoch.Add(time.Duration(slot) * interval)
}

// epoch is where slots are counted from.
var epoch = time.Unix(0, 0).UTC()

// nextWake returns how long a scheduler may sleep after now: until the
// next lease attempt (renewEvery after lastAttempt), and, when it leads,
// until the next slot of any job begins. It never returns less than
// minWake, so that a scheduler with a stuck clock or a tiny interval does
// not spin.
func nextWake(now, lastAttempt time.Time, renewEvery time.Duration, leader bool, intervals []time.Duration) time.Duration {
	wake := lastAttempt.Add(renewEvery).Sub(now)
	if leader {
		for _, iv := range intervals {
			wake = min(wake, SlotStart(Slot(now, iv)+1, iv).Sub(now))
		}
	}
	return max(wake, minWake)
}

// minWake is the shortest sleep between two rounds of a scheduler.
const minWake = 10 * time.Millisecond

// Run describes the run of a job in progress; a job's function finds it in
// its context with RunFrom.
type Run struct {
	Job      string
	Slot     int64
	Interval time.Duration
	// Start is when the slot began; a job that covers a period (the audit
	// checkpoint of minute N) should use it rather than the clock, which
	// may read later when the run was delayed.
	Start time.Time
	// Holder and Token name the scheduler that runs it and the lease it
	// holds.
	Holder string
	Token  int64
}

type runKey struct{}

// RunFrom returns the run whose context ctx is, and false outside a job.
func RunFrom(ctx context.Context) (Run, bool) {
	r, ok := ctx.Value(runKey{}).(Run)
	return r, ok
}

// withRun returns ctx carrying r.
func withRun(ctx context.Context, r Run) context.Context {
	return context.WithValue(ctx, runKey{}, r)
}
