package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"tollgate/jobs"
	"tollgate/store"
)

// registerListRefresh registers the "lists.refresh" job: every interval the
// replica holding the scheduler lease downloads the official lists into dir
// (as `tollgate lists update` does: validated, then renamed into place) and
// imports each into the store; a file already imported is a no-op, and a
// new version is picked up by the screening.rescreen job. Off when every is
// zero (the default: the publishers must be reachable from the server).
func registerListRefresh(sched *jobs.Scheduler, db *store.DB, dir string, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		return
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	sched.Register("lists.refresh", every, listRefreshJob(db, officialListSources, client, dir, log))
}

// listRefreshJob returns the job's function over sources.
func listRefreshJob(db *store.DB, sources []listSource, client *http.Client, dir string, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("lists.refresh: %w", err)
		}
		var errs []error
		for _, src := range sources {
			res, err := updateSource(ctx, client, dir, src)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", src.Name, err))
				continue
			}
			rep := importListFile(ctx, db, res.Path, olderImport{})
			if rep.Error != "" {
				errs = append(errs, fmt.Errorf("%s: import: %s", src.Name, rep.Error))
				continue
			}
			if rep.Created {
				log.Info("list refreshed: new version imported", slog.String("source", src.Name),
					slog.String("digest", rep.Version.Digest), slog.Int("entities", rep.Version.EntityCount))
			}
		}
		if len(errs) > 0 {
			return fmt.Errorf("lists.refresh: %w", errors.Join(errs...))
		}
		return nil
	}
}
