package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/api"
	"tollgate/api/apitest"
	"tollgate/store"
)

// TestServeBootstrapOnce starts two replicas of `tollgate serve` together
// on one empty store: exactly one makes the first system administrator and
// prints its token; the token works on both; a later start prints none.
func TestServeBootstrapOnce(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, dsn string) {
		logs := make([]*serveLog, 2)
		bases := make([]string, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() { bases[i], logs[i], _ = startServe(t, dsn) })
		}
		wg.Wait()
		var printed []int
		for i, l := range logs {
			if _, err := os.Stat(filepath.Join(l.dataDir, adminTokenFile)); err == nil {
				printed = append(printed, i)
			}
		}
		if len(printed) != 1 {
			t.Fatalf("%d replicas wrote a token file, want 1", len(printed))
		}
		admin := bootstrapToken(t, logs[printed[0]])
		for _, base := range bases {
			serveCall(t, admin, "GET", base+"/v1/users", nil, http.StatusOK, nil)
			serveCall(t, "", "GET", base+"/v1/users", nil, http.StatusUnauthorized, nil)
		}
		_, again, _ := startServe(t, dsn)
		if _, err := os.Stat(filepath.Join(again.dataDir, adminTokenFile)); err == nil || tokenPattern.MatchString(again.String()) {
			t.Errorf("a restart on a store with users wrote or printed a token:\n%s", again)
		}
		if left, _ := filepath.Glob(filepath.Join(again.dataDir, "."+adminTokenFile+"*")); len(left) != 0 {
			t.Errorf("a restart left %v behind", left)
		}
	})
}

// TestServeAuditsDenials checks that serve keeps a failed sign-in and a
// forbidden call in the audit log once their window is over, naming the
// caller, and never the password tried.
func TestServeAuditsDenials(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	base, logs, _ := startServe(t, dsn)
	admin := bootstrapToken(t, logs)
	serveCall(t, admin, "POST", base+"/v1/parties", api.PartyInput{OrgID: "0192f1e2-0000-7000-8000-000000000000",
		Role: tollgate.RoleEndUser, LegalName: "X", Country: "CN"}, http.StatusForbidden, nil)
	serveCall(t, "", "POST", base+"/v1/login", api.LoginInput{Email: "admin@localhost", Password: "hunter2 hunter2"}, http.StatusUnauthorized, nil)
	serveCall(t, "", "GET", base+"/v1/parties", nil, http.StatusUnauthorized, nil)

	ctx := context.Background()
	db := closeDenials(t, dsn)
	adminUser, err := db.FindUserByEmail(ctx, "admin@localhost")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		action, user string
	}{
		{"auth.forbidden", adminUser.ID},
		{"auth.login_failed", ""},
	} {
		entries, _, err := db.FindAuditRecords(ctx, tollgate.AuditFilter{Action: tt.action})
		if err != nil || len(entries) != 1 {
			t.Fatalf("%s: %d records, %v; want 1", tt.action, len(entries), err)
		}
		rec := entries[0]
		if tt.user != "" && rec.Record.Actor.UserID != tt.user {
			t.Errorf("%s: actor %+v, want user %s", tt.action, rec.Record.Actor, tt.user)
		}
		if strings.Contains(string(rec.Canonical), "hunter2") || strings.Contains(string(rec.Canonical), admin) {
			t.Errorf("%s: the record holds a secret: %s", tt.action, rec.Canonical)
		}
	}
	if entries, _, _ := db.FindAuditRecords(ctx, tollgate.AuditFilter{Action: "auth.unauthenticated"}); len(entries) != 0 {
		t.Errorf("calls without credentials are audited: %d records", len(entries))
	}
}

// closeDenials opens the store at dsn with a clock past the current
// window of denials and its grace, records every window, and returns the
// store (as serve's background job does a minute or two later).
func closeDenials(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, func() time.Time {
		return time.Now().Add(store.DenialWindow + store.DenialGrace)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.CloseDenialWindows(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestServeDenialFlood is the flood of issue 17: one exporter admin sends
// thousands of forbidden requests as fast as it can. Past its rate it gets
// 429 with Retry-After; every 403 is counted, and the audit log gains one
// record with that count, not one record per request.
func TestServeDenialFlood(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, dsn string) {
		sp := startServeWith(t, dsn, "--rate-limit", "50", "--rate-burst", "200", "--rescreen-every", "0")
		base, logs := sp.base, sp.logs
		admin := bootstrapToken(t, logs)
		var org tollgate.Org
		serveCall(t, admin, "POST", base+"/v1/orgs", api.OrgInput{Kind: tollgate.OrgExporter, Name: "Flooder Inc", Country: "US"},
			http.StatusCreated, &org)
		var u tollgate.User
		serveCall(t, admin, "POST", base+"/v1/users", api.UserInput{OrgID: org.ID, Email: "flood@flooder.example", Name: "Flood",
			Roles: []tollgate.Role{tollgate.RoleExporterAdmin}}, http.StatusCreated, &u)
		var nt api.NewToken
		serveCall(t, admin, "POST", base+"/v1/tokens", api.TokenInput{UserID: u.ID, Name: "flood"}, http.StatusCreated, &nt)
		// Keep the flood inside one minute's window.
		if s := time.Now().Second(); s >= 50 {
			time.Sleep(time.Duration(61-s) * time.Second)
		}
		const requests, clients = 3000, 16
		var mu sync.Mutex
		statuses := map[int]int{}
		retryAfter := true
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for i := c; i < requests; i += clients {
					req, _ := http.NewRequest("POST", base+"/v1/orgs", strings.NewReader(`{"kind":"exporter","name":"X","country":"US"}`))
					req.Header.Set("Authorization", "Bearer "+nt.Secret)
					req.Header.Set(api.IdempotencyKeyHeader, fmt.Sprintf("flood-%d", i))
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mu.Lock()
					statuses[resp.StatusCode]++
					if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
						retryAfter = false
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		forbidden, limited := statuses[http.StatusForbidden], statuses[http.StatusTooManyRequests]
		if forbidden+limited != requests || forbidden == 0 || limited == 0 {
			t.Fatalf("statuses %v: want only 403 and 429, and both", statuses)
		}
		if !retryAfter {
			t.Error("a 429 without Retry-After")
		}
		db := closeDenials(t, dsn)
		recs, _, err := db.FindAuditRecords(context.Background(), tollgate.AuditFilter{UserID: u.ID, Action: "auth.forbidden"})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 {
			t.Fatalf("the flood made %d audit records, want 1", len(recs))
		}
		var details struct {
			Count int `json:"count"`
		}
		if err := json.Unmarshal(recs[0].Record.Details, &details); err != nil {
			t.Fatal(err)
		}
		if details.Count != forbidden {
			t.Errorf("the record counts %d denials, want %d (the 403s)", details.Count, forbidden)
		}
		if recs[0].Record.ObjectID != "org.write" {
			t.Errorf("the record's object: %q, want the permission org.write", recs[0].Record.ObjectID)
		}
		if n := strings.Count(logs.String(), `"msg":"access denied"`); n != forbidden {
			t.Errorf("%d denials logged, want %d", n, forbidden)
		}
	})
}

// TestDataDirPrivate checks that the default store's data directory is
// created readable by its owner only, and the store's file too.
func TestDataDirPrivate(t *testing.T) {
	data := filepath.Join(t.TempDir(), "new", "tollgate")
	c := &cli{ctx: context.Background(), getenv: func(k string) string {
		if k == "TOLLGATE_DATA" {
			return data
		}
		return ""
	}, stdout: io.Discard, stderr: io.Discard, now: time.Now}
	db, err := c.openStore("")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for path, want := range map[string]os.FileMode{data: 0o700, filepath.Join(data, "tollgate.db"): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
}
