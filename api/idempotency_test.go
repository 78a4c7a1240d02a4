package api

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/store"
)

func TestIdempotency(t *testing.T) { apitest.ForEachBackend(t, testIdempotency) }

func testIdempotency(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	body := OrgInput{Kind: tollgate.OrgExporter, Name: "Nvidia", Country: "US"}

	t.Run("ErrKeyMissing", func(t *testing.T) {
		p := env.problem(request{method: "POST", path: "/v1/orgs", body: body, key: "-"}, http.StatusBadRequest)
		if p.Field != IdempotencyKeyHeader {
			t.Errorf("field %q, want %s", p.Field, IdempotencyKeyHeader)
		}
		env.problem(request{method: "POST", path: "/v1/orgs", body: body, key: "has space"}, http.StatusBadRequest)
	})

	t.Run("Replay", func(t *testing.T) {
		first := env.do(request{method: "POST", path: "/v1/orgs", body: body, key: "k-replay"})
		if first.Code != http.StatusCreated {
			t.Fatalf("first: %d %s", first.Code, first.Body)
		}
		// The same object, serialized differently, is the same request.
		again := env.do(request{method: "POST", path: "/v1/orgs", key: "k-replay",
			body: `{ "country":"US", "name":"Nvidia", "kind":"exporter" }`})
		if again.Code != first.Code || again.Body.String() != first.Body.String() {
			t.Errorf("replay: %d %s, want %d %s", again.Code, again.Body, first.Code, first.Body)
		}
		if again.Header().Get(ReplayedHeader) != "true" {
			t.Errorf("replay lacks %s", ReplayedHeader)
		}
		orgs := must[Page[tollgate.Org]](env, request{method: "GET", path: "/v1/orgs?kind=exporter"}, http.StatusOK)
		if len(orgs.Items) != 1 {
			t.Errorf("%d orgs after a replay, want 1", len(orgs.Items))
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		other := OrgInput{Kind: tollgate.OrgExporter, Name: "AMD", Country: "US"}
		p := env.problem(request{method: "POST", path: "/v1/orgs", body: other, key: "k-replay"}, http.StatusConflict)
		if p.Code != tollgate.ECONFLICT {
			t.Errorf("code %q", p.Code)
		}
		// The same key on another route is a different request too.
		env.problem(request{method: "POST", path: "/v1/users", body: body, key: "k-replay"}, http.StatusConflict)
	})

	t.Run("FailureReleasesKey", func(t *testing.T) {
		bad := OrgInput{Kind: tollgate.OrgExporter, Name: "Bad", Country: "usa"}
		env.problem(request{method: "POST", path: "/v1/orgs", body: bad, key: "k-fix"}, http.StatusBadRequest)
		good := OrgInput{Kind: tollgate.OrgExporter, Name: "Good", Country: "US"}
		w := env.do(request{method: "POST", path: "/v1/orgs", body: good, key: "k-fix"})
		if w.Code != http.StatusCreated || w.Header().Get(ReplayedHeader) != "" {
			t.Errorf("corrected retry: %d replayed=%q %s", w.Code, w.Header().Get(ReplayedHeader), w.Body)
		}
	})

	t.Run("SafePostNeedsNoKey", func(t *testing.T) {
		officer := env.member(env.createOrg("Screener").ID, tollgate.RoleExporterOfficer)
		w := env.do(request{method: "POST", path: "/v1/screen", key: "-", body: ScreenRequest{Names: nil}, as: officer})
		if w.Code != http.StatusBadRequest { // no names: invalid, but not for want of a key
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		p := env.problem(request{method: "POST", path: "/v1/screen", key: "-", body: ScreenRequest{Names: nil}, as: officer}, http.StatusBadRequest)
		if p.Field != "names" {
			t.Errorf("field %q, want names", p.Field)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		in := OrgInput{Kind: tollgate.OrgLab, Name: "Lab", Country: "US"}
		const n = 8
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				codes[i] = env.do(request{method: "POST", path: "/v1/orgs", body: in, key: "k-race"}).Code
			})
		}
		wg.Wait()
		labs := must[Page[tollgate.Org]](env, request{method: "GET", path: "/v1/orgs?kind=lab"}, http.StatusOK)
		if len(labs.Items) != 1 {
			t.Errorf("%d labs created by %d concurrent calls with one key, want 1 (statuses %v)", len(labs.Items), n, codes)
		}
		for _, c := range codes {
			if c != http.StatusCreated {
				t.Errorf("status %d, want 201 (the first call's answer, or its replay)", c)
			}
		}
	})
}

func TestDenialOutlivesRollback(t *testing.T) { apitest.ForEachBackend(t, testDenialOutlivesRollback) }

// testDenialOutlivesRollback checks that a denial raised by a handler in
// its request's transaction, which the denial rolls back, still reaches
// an AuthEvents hook that writes to the store (as tollgate serve's appends
// it to the audit log).
func testDenialOutlivesRollback(t *testing.T, dsn string) {
	var db *store.DB
	env := newTestEnvDSN(t, dsn, func(d *Deps) {
		db = d.Store.(*store.DB)
		d.Access.Events = func(ctx context.Context, ev AuthEvent) {
			if err := db.AuditEvent(ctx, "auth."+ev.Kind, "route", ev.Method+" "+ev.Route, nil); err != nil {
				t.Errorf("hook: %v", err)
			}
		}
	})
	party := env.createParty(env.createOrg("Home").ID, "Acme")
	stranger := env.member(env.createOrg("Elsewhere").ID, tollgate.RoleExporterOfficer)
	env.problem(request{method: "PATCH", path: "/v1/parties/" + party.ID, as: stranger,
		body: tollgate.PartyUpdate{}}, http.StatusNotFound)
	recs, _, err := db.FindAuditRecords(context.Background(), tollgate.AuditFilter{Action: "auth." + AuthOutOfReach, Limit: 10})
	if err != nil || len(recs) != 1 {
		t.Fatalf("auth.%s records: got %d (%v), want 1", AuthOutOfReach, len(recs), err)
	}
	if got, want := recs[0].Record.Actor.UserID, stranger.user.ID; got != want {
		t.Errorf("actor: got %q, want %q", got, want)
	}
}

func TestRequestDigest(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, true},
		{`{"a":1}`, "{\n  \"a\": 1\n}", true},
		{`{"a":1}`, `{"a":2}`, false},
		{`not json`, `not json`, true},
		{``, ``, true},
	}
	for _, tt := range tests {
		da := requestDigest("POST", "/v1/x", []byte(tt.a))
		db := requestDigest("POST", "/v1/x", []byte(tt.b))
		if got := da == db; got != tt.same {
			t.Errorf("digest(%q) == digest(%q): %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
	if requestDigest("POST", "/v1/a", nil) == requestDigest("POST", "/v1/b", nil) {
		t.Error("different paths give the same digest")
	}
}
