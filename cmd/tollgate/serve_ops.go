package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"tollgate/api"
	"tollgate/auth"
	"tollgate/jobs"
	"tollgate/store"
)

// jobRunsKept is how long the ledger of background job runs is kept.
const jobRunsKept = 30 * 24 * time.Hour

// serveOps are serve's flags for running as one of several replicas and
// under load: background jobs, admission control, request deadlines and
// the database pool.
type serveOps struct {
	jobs           bool
	maxInFlight    int
	requestTimeout time.Duration
	dbMaxConns     int
	rateLimit      int // requests a second each user may make; 0: no limit
	rateBurst      int // requests a user may make at once
}

// Defaults of the per-user request rate: a dashboard page or a script's
// burst fits, a flood of thousands of requests a second does not.
const (
	defaultRateLimit = 20
	defaultRateBurst = 100
)

// addFlags registers the flags on f.
func (o *serveOps) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.jobs, "jobs", true, "run background jobs when this replica holds the scheduler lease; false: never (env TOLLGATE_JOBS)")
	f.IntVar(&o.maxInFlight, "max-in-flight", api.DefaultMaxInFlight,
		"requests served at once; more are answered 503 with Retry-After (env TOLLGATE_MAX_IN_FLIGHT)")
	f.DurationVar(&o.requestTimeout, "request-timeout", api.DefaultRequestTimeout,
		"deadline of each request; work still running then is cancelled and answered 503 (env TOLLGATE_REQUEST_TIMEOUT)")
	// The usage states the rule, not this machine's figures, so that the
	// generated configuration reference is the same on every machine.
	f.IntVar(&o.dbMaxConns, "db-max-conns", 0,
		"database connections this process opens; 0: max(16, 4×CPUs) on PostgreSQL, max(4, CPUs) readers plus one writer on SQLite (env TOLLGATE_DB_MAX_CONNS)")
	f.IntVar(&o.rateLimit, "rate-limit", defaultRateLimit,
		"requests a second each signed-in user may make, over all its tokens and sessions, per replica; more get 429 with Retry-After; 0: no limit (env TOLLGATE_RATE_LIMIT)")
	f.IntVar(&o.rateBurst, "rate-burst", defaultRateBurst,
		"requests a user may make at once before --rate-limit applies (env TOLLGATE_RATE_BURST)")
}

// resolve takes each flag not given on the command line from its
// TOLLGATE_* variable, if set, and checks the values; a bad value is a
// usage error naming the flag or variable.
func (o *serveOps) resolve(f *pflag.FlagSet, getenv func(string) string) error {
	from := func(flag, env string) (string, string) {
		if f.Changed(flag) {
			return "", "--" + flag
		}
		if v := getenv(env); v != "" {
			return v, env
		}
		return "", "--" + flag
	}
	var err error
	if v, name := from("jobs", "TOLLGATE_JOBS"); v != "" {
		if o.jobs, err = strconv.ParseBool(v); err != nil {
			return usageErrorf("%s: want true or false, not %q", name, v)
		}
	}
	v, name := from("max-in-flight", "TOLLGATE_MAX_IN_FLIGHT")
	if v != "" {
		if o.maxInFlight, err = strconv.Atoi(v); err != nil {
			return usageErrorf("%s: want a whole number, not %q", name, v)
		}
	}
	if o.maxInFlight < 1 {
		return usageErrorf("%s must be at least 1, not %d", name, o.maxInFlight)
	}
	v, name = from("request-timeout", "TOLLGATE_REQUEST_TIMEOUT")
	if v != "" {
		if o.requestTimeout, err = time.ParseDuration(v); err != nil {
			return usageErrorf("%s: want a duration such as 30s, not %q", name, v)
		}
	}
	if o.requestTimeout <= 0 {
		return usageErrorf("%s must be positive, not %s", name, o.requestTimeout)
	}
	v, name = from("db-max-conns", "TOLLGATE_DB_MAX_CONNS")
	if v != "" {
		if o.dbMaxConns, err = strconv.Atoi(v); err != nil {
			return usageErrorf("%s: want a whole number, not %q", name, v)
		}
	}
	if o.dbMaxConns < 0 {
		return usageErrorf("%s must be 0 (the default) or more, not %d", name, o.dbMaxConns)
	}
	for _, n := range []struct {
		flag, env string
		v         *int
		least     int
	}{{"rate-limit", "TOLLGATE_RATE_LIMIT", &o.rateLimit, 0}, {"rate-burst", "TOLLGATE_RATE_BURST", &o.rateBurst, 1}} {
		v, name := from(n.flag, n.env)
		if v != "" {
			if *n.v, err = strconv.Atoi(v); err != nil {
				return usageErrorf("%s: want a whole number, not %q", name, v)
			}
		}
		if *n.v < n.least {
			return usageErrorf("%s must be at least %d, not %d", name, n.least, *n.v)
		}
	}
	return nil
}

// limits returns the API limits the flags set; the rest take defaults.
func (o *serveOps) limits() api.Limits {
	l := api.Limits{MaxInFlight: o.maxInFlight, RequestTimeout: o.requestTimeout}
	if o.rateLimit > 0 {
		l.PerUser = auth.Bucket{Burst: o.rateBurst, Every: time.Second / time.Duration(o.rateLimit)}
	}
	return l
}

// configureStore applies --db-max-conns to db.
func (o *serveOps) configureStore(db *store.DB) error {
	if o.dbMaxConns == 0 {
		return nil
	}
	return db.SetMaxConns(o.dbMaxConns)
}

// newScheduler returns serve's background job scheduler over db, with the
// jobs that belong to no other package (pruning the job ledger) already
// registered. Other jobs are registered on it in serve before startJobs.
func (c *cli) newScheduler(db *store.DB, log *slog.Logger, drain time.Duration) *jobs.Scheduler {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	holder := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:8])
	s := jobs.New(db, jobs.Config{Holder: holder, Drain: drain, Now: c.now, Logger: log})
	s.Register("jobs.prune_runs", 24*time.Hour, func(ctx context.Context) error {
		run, _ := jobs.RunFrom(ctx)
		n, err := db.PruneJobRuns(ctx, run.Start.Add(-jobRunsKept))
		if err == nil && n > 0 {
			log.Info("jobs: pruned the run ledger", slog.Int64("runs", n))
		}
		return err
	})
	return s
}

// startJobs runs s until ctx ends when enabled, and returns a func that
// waits for it to drain and release its lease (call it before closing the
// store).
func (c *cli) startJobs(ctx context.Context, s *jobs.Scheduler, enabled bool, log *slog.Logger) (wait func()) {
	if !enabled {
		log.Info("background jobs disabled on this replica (--jobs=false)")
		return func() {}
	}
	log.Info("background jobs: scheduler started", slog.Any("jobs", s.Jobs()))
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	return func() { <-done }
}
