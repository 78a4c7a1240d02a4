package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"tollgate"
	"tollgate/api"
	"tollgate/api/apitest"
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
			if tokenPattern.MatchString(l.String()) {
				printed = append(printed, i)
			}
		}
		if len(printed) != 1 {
			t.Fatalf("%d replicas printed a token, want 1", len(printed))
		}
		admin := bootstrapToken(t, logs[printed[0]])
		for _, base := range bases {
			serveCall(t, admin, "GET", base+"/v1/users", nil, http.StatusOK, nil)
			serveCall(t, "", "GET", base+"/v1/users", nil, http.StatusUnauthorized, nil)
		}
		_, again, _ := startServe(t, dsn)
		if tokenPattern.MatchString(again.String()) || strings.Contains(again.String(), "had no users") {
			t.Errorf("a restart on a store with users printed a token:\n%s", again)
		}
	})
}

// TestServeAuditsDenials checks that serve keeps a failed sign-in and a
// forbidden call in the audit log, naming the caller, and never the
// password tried.
func TestServeAuditsDenials(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	base, logs, _ := startServe(t, dsn)
	admin := bootstrapToken(t, logs)
	serveCall(t, admin, "POST", base+"/v1/parties", api.PartyInput{OrgID: "0192f1e2-0000-7000-8000-000000000000",
		Role: tollgate.RoleEndUser, LegalName: "X", Country: "CN"}, http.StatusForbidden, nil)
	serveCall(t, "", "POST", base+"/v1/login", api.LoginInput{Email: "admin@localhost", Password: "hunter2 hunter2"}, http.StatusUnauthorized, nil)
	serveCall(t, "", "GET", base+"/v1/parties", nil, http.StatusUnauthorized, nil)

	db := openForCheck(t, dsn)
	ctx := context.Background()
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
