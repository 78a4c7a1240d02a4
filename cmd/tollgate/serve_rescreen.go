package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"tollgate"
	"tollgate/jobs"
	"tollgate/screening"
)

// defaultRescreenEvery is how often serve looks for a change in the current
// list versions (a list import on any replica) to re-screen every party.
const defaultRescreenEvery = 5 * time.Minute

// registerRescreen registers the "screening.rescreen" job: when the set of
// current list versions differs from the one this replica last screened
// against, every stored party is re-screened and what changed is logged.
// Like every job it runs on the replica holding the scheduler lease, once
// per slot. The replica starts from the versions current when it started
// (serve warms the index on them), so a restart does not re-screen the
// whole customer base; a list imported while no replica led is picked up
// at the next slot, since the leader compares against its own last run.
func registerRescreen(sched *jobs.Scheduler, svc *screening.Service, log *slog.Logger, every time.Duration, startKey string) {
	if every <= 0 {
		return
	}
	sched.Register("screening.rescreen", every, rescreenJob(svc, log, startKey))
}

// rescreenJob returns the job's function, starting from the list versions
// named by startKey (listVersionsKey).
func rescreenJob(svc *screening.Service, log *slog.Logger, startKey string) func(context.Context) error {
	var (
		mu     sync.Mutex
		last   = startKey
		warned bool // the empty list set was reported
	)
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		sn, err := svc.Current(ctx)
		if tollgate.ErrorCode(err) == tollgate.EPRECONDITION {
			// No list imported yet (a fresh store) is a state, not a
			// failure of each slot: say it once, with what to do.
			if !warned {
				log.Warn("no restricted-party list imported: parties are not re-screened until one is; "+
					"import lists with \"tollgate lists import FILE\" or \"tollgate lists update\", or serve with --lists-refresh-every 24h",
					slog.String("reason", tollgate.ErrorMessage(err)))
				warned = true
			}
			return nil
		}
		if err != nil {
			return err
		}
		warned = false
		key := strings.Join(sn.VersionIDs(), ",")
		if key == last || len(sn.Versions) == 0 {
			return nil
		}
		rep, err := svc.Rescreen(ctx)
		if err != nil {
			return err
		}
		last = key
		log.Info("list versions changed: parties re-screened",
			slog.Int("screened", rep.Screened), slog.Int("changed", len(rep.Changed)))
		return nil
	}
}

// listVersionsKey names the current list versions of svc, for
// registerRescreen's starting point.
func listVersionsKey(ctx context.Context, svc *screening.Service) string {
	sn, err := svc.Current(ctx)
	if err != nil {
		return ""
	}
	return strings.Join(sn.VersionIDs(), ",")
}
