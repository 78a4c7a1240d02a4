// Package jobs runs tollgate's background work — list refresh, rescreening
// after a list change, reservation expiry, audit checkpoints — exactly once
// across any number of `tollgate serve` replicas sharing one database.
//
// Two mechanisms make it so. A leader lease (store.AcquireLease) elects the
// one replica whose scheduler runs jobs; it renews the lease while alive
// and releases it on shutdown, and another replica takes over when it
// lapses. And a ledger of runs keyed by (job, slot) (store.ClaimJobRun),
// where slot numbers the job's intervals since the Unix epoch, lets a slot
// be claimed once only, and only by the lease's holder: even two
// schedulers that both think they lead (a paused process waking after its
// lease passed on) cannot run one slot twice.
//
// A slot that no replica led through is skipped, not made up later, and a
// run whose process died is not repeated: a job should do all the work
// due when it runs (expire every overdue reservation, checkpoint the whole
// log), so that the next slot catches up.
//
// Usage, as in tollgate serve:
//
//	s := jobs.New(db, jobs.Config{Holder: holder, Logger: log})
//	s.Register("audit.checkpoint", time.Minute, func(ctx context.Context) error { … })
//	go s.Run(ctx) // until ctx is cancelled; then drains and releases the lease
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"tollgate/store"
)

// Defaults for Config.
const (
	DefaultLease    = "scheduler"
	DefaultLeaseTTL = 30 * time.Second
	DefaultDrain    = 15 * time.Second
)

// Ledger is the storage a Scheduler coordinates through; *store.DB
// implements it on SQLite and PostgreSQL. See the store methods of the same
// names for the contracts.
type Ledger interface {
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (*store.Lease, bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	ClaimJobRun(ctx context.Context, lease, holder, job string, slot int64) (bool, error)
	FinishJobRun(ctx context.Context, holder, job string, slot int64, runErr string) error
}

var _ Ledger = (*store.DB)(nil)

// Config configures a Scheduler. Holder is required; zero fields of the
// rest take the defaults.
type Config struct {
	// Holder names this process in the lease and the ledger; it must be
	// unique among the replicas (host, pid and a random suffix).
	Holder string
	// Lease is the name of the leader lease; schedulers with the same
	// Lease on one database elect one leader.
	Lease string
	// LeaseTTL is how long the lease lasts unless renewed; the leader
	// renews it every LeaseTTL/3, and a follower tries to take it as
	// often, so a dead leader's jobs resume within about 1⅓ LeaseTTL.
	LeaseTTL time.Duration
	// Drain is how long Run, once stopped, lets running jobs finish before
	// it cancels their contexts.
	Drain time.Duration
	// Now is the clock slots are computed from; nil means time.Now. It
	// should be the store's clock.
	Now func() time.Time
	// Logger receives a line per run and per change of leadership; nil
	// discards them.
	Logger *slog.Logger
}

// Scheduler runs registered jobs, each once per slot of its interval, while
// it holds the leader lease. Its methods are safe for concurrent use.
type Scheduler struct {
	ledger Ledger
	cfg    Config

	tick sync.Mutex // one round at a time
	wg   sync.WaitGroup

	mu          sync.Mutex
	jobs        []*job
	leader      bool
	lease       store.Lease // the lease as last seen
	lastAttempt time.Time
	leadCtx     context.Context
	leadCancel  context.CancelCauseFunc
}

// job is one registered job and what the scheduler knows of its slots.
type job struct {
	name     string
	interval time.Duration
	fn       func(ctx context.Context) error
	last     int64 // the last slot handled here, run or found claimed
	running  bool
}

// errLostLease cancels the jobs of a scheduler that stopped leading.
var errLostLease = errors.New("jobs: the scheduler lost its lease")

// jobName is what a job may be called: dotted lower-case words, so that
// names read well in logs and the ledger ("audit.checkpoint").
var jobName = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// New returns a scheduler over ledger. It panics without Config.Holder, a
// wiring bug.
func New(ledger Ledger, cfg Config) *Scheduler {
	if ledger == nil || cfg.Holder == "" {
		panic("jobs.New: nil ledger or empty Config.Holder")
	}
	if cfg.Lease == "" {
		cfg.Lease = DefaultLease
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Drain <= 0 {
		cfg.Drain = DefaultDrain
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Scheduler{ledger: ledger, cfg: cfg}
}

// Register adds a job: fn runs once per interval-long slot (see Slot)
// across all replicas, on the one holding the lease, soon after the slot
// begins. fn gets a context that is cancelled when this replica loses the
// lease or when Run stops and the drain time has passed; RunFrom(ctx) says
// which slot it runs. An error or a panic from fn is logged and recorded in
// the ledger; the next slot runs as usual. A run still going when its next
// slot begins delays that slot's run until it ends (runs of one job never
// overlap on a replica).
//
// name must be dotted lower-case words ("shipping.expire_reservations"),
// unique in the scheduler, and the same on every replica. Register panics
// on a bad or duplicate name, a non-positive interval or a nil fn, like
// http.Handle on a bad pattern: these are wiring bugs. It may be called
// before or after Run starts.
func (s *Scheduler) Register(name string, interval time.Duration, fn func(ctx context.Context) error) {
	switch {
	case !jobName.MatchString(name) || len(name) > 200:
		panic(fmt.Sprintf("jobs.Register: bad job name %q; want dotted lower-case words", name))
	case interval <= 0:
		panic(fmt.Sprintf("jobs.Register: %s: interval must be positive, not %s", name, interval))
	case fn == nil:
		panic(fmt.Sprintf("jobs.Register: %s: nil func", name))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.name == name {
			panic(fmt.Sprintf("jobs.Register: job %s registered twice", name))
		}
	}
	s.jobs = append(s.jobs, &job{name: name, interval: interval, fn: fn, last: -1 << 63})
}

// Jobs returns the names of the registered jobs in registration order.
func (s *Scheduler) Jobs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, len(s.jobs))
	for i, j := range s.jobs {
		names[i] = j.name
	}
	return names
}

// Leader reports whether the scheduler held the lease at its last round.
func (s *Scheduler) Leader() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leader
}

// Wait blocks until every job started so far has returned.
func (s *Scheduler) Wait() { s.wg.Wait() }
