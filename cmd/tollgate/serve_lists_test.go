package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// TestListRefreshJob checks that the refresh job downloads and imports each
// official list once, that a second run with the same files imports
// nothing new, and that an unreachable source is reported, not fatal.
func TestListRefreshJob(t *testing.T) {
	ctx := tollgate.WithPrincipal(context.Background(), tollgate.SystemPrincipal())
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := listServer(t, map[string]string{
		"/consolidated.csv": testCSL, "/sdn.csv": testSDN, "/add.csv": testAdd, "/alt.csv": testAlt,
		"/consolidated.xml": testUN,
	})
	dir := filepath.Join(t.TempDir(), "lists")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	job := listRefreshJob(db, sourcesAt(srv.URL), srv.Client(), dir, log)
	versions := func() int {
		t.Helper()
		vs, err := findVersions(ctx, db, "", false, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(vs)
	}

	for run := 1; run <= 2; run++ {
		if err := job(ctx); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if got, want := versions(), 3; got != want {
			t.Fatalf("after run %d: got %d list versions, want %d (csl, ofac, un once each)", run, got, want)
		}
	}

	broken := sourcesAt(srv.URL + "/missing")
	if err := listRefreshJob(db, broken, srv.Client(), dir, log)(ctx); err == nil {
		t.Error("a refresh whose downloads all fail returned no error")
	}
	if got, want := versions(), 3; got != want {
		t.Errorf("after a failed refresh: got %d list versions, want %d", got, want)
	}
}
