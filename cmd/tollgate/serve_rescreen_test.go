package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/screen/lists"
	"tollgate/screening"
	"tollgate/store"
)

// TestRescreenJob checks that the rescreen job does nothing while the
// current list versions are those it started from, and re-screens every
// party once a new version is imported.
func TestRescreenJob(t *testing.T) {
	ctx := tollgate.WithPrincipal(context.Background(), tollgate.SystemPrincipal())
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	importList := func(rows string) {
		t.Helper()
		path := internalListCSV(t, rows)
		res, err := lists.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ImportListVersion(ctx, screening.ListImport(res, path)); err != nil {
			t.Fatal(err)
		}
	}
	importList("Example Chips Co.,,organization,CN,88 FR 71991,INT-1\nOther Listed Works,,organization,CN,88 FR 71991,INT-2\n")
	org := &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Exporter", Country: "US"}
	if err := db.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	party := &tollgate.Party{OrgID: org.ID, Role: tollgate.RoleEndUser, Type: tollgate.EntityOrganization,
		LegalName: "Moore Example Technology", Country: "CN"}
	if err := db.CreateParty(ctx, party); err != nil {
		t.Fatal(err)
	}
	svc := screening.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), screening.DefaultConfig())
	job := rescreenJob(svc, slog.New(slog.NewTextHandler(io.Discard, nil)), listVersionsKey(ctx, svc))
	screenings := func() int {
		t.Helper()
		ss, _, err := db.FindScreenings(ctx, tollgate.ScreeningFilter{PartyID: party.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(ss)
	}

	if err := job(ctx); err != nil {
		t.Fatal(err)
	}
	if got := screenings(); got != 0 {
		t.Fatalf("with unchanged lists the job screened: got %d screenings, want 0", got)
	}
	importList("Example Chips Co.,,organization,CN,88 FR 71991,INT-1\nMoore Example Technology,,organization,CN,88 FR 71991,INT-3\n")
	if err := job(ctx); err != nil {
		t.Fatal(err)
	}
	if got := screenings(); got != 1 {
		t.Fatalf("after a new list version: got %d screenings, want 1", got)
	}
	p, err := db.FindPartyByID(ctx, party.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != tollgate.ScreeningPendingReview {
		t.Errorf("party status after the rescreen: got %q, want %q", p.Status, tollgate.ScreeningPendingReview)
	}
	if err := job(ctx); err != nil {
		t.Fatal(err)
	}
	if got := screenings(); got != 1 {
		t.Errorf("a second run with the same lists screened again: got %d screenings, want 1", got)
	}
}

// TestRescreenJobNoLists checks that a store with no list is reported once,
// as a warning saying what to do, and is no failure of each slot.
func TestRescreenJobNoLists(t *testing.T) {
	ctx := tollgate.WithPrincipal(context.Background(), tollgate.SystemPrincipal())
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	svc := screening.New(db, log, screening.DefaultConfig())
	job := rescreenJob(svc, log, listVersionsKey(ctx, svc))
	for i := range 3 {
		if err := job(ctx); err != nil {
			t.Fatalf("slot %d on a store with no list: %v", i+1, err)
		}
	}
	if got := strings.Count(logs.String(), "level=WARN"); got != 1 || !strings.Contains(logs.String(), "tollgate lists import") {
		t.Errorf("got %d warnings, want one saying what to do:\n%s", got, logs.String())
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("an empty list set logged an error:\n%s", logs.String())
	}
}
