package api

import (
	"context"
	"testing"

	"tollgate/api/apitest"
	"tollgate/auth"
)

// TestEveryMutatingRouteAudits calls every route of Routes() that changes
// state, once, as a caller the policy lets through, with the call its
// matrixFixtures entry makes, and checks that the call succeeds and
// appends at least one audit record naming the caller. A mutating route
// added later is picked up automatically: it fails here until it has a
// fixture and its use case records its change with store.Tx.Audit.
func TestEveryMutatingRouteAudits(t *testing.T) {
	apitest.ForEachBackend(t, testEveryMutatingRouteAudits)
}

func testEveryMutatingRouteAudits(t *testing.T, dsn string) {
	w := newMatrixWorld(t, dsn)
	ctx := context.Background()
	callers := w.callers()
	n := 0
	for _, rt := range Routes() {
		if !rt.mutating() {
			continue
		}
		n++
		key := rt.Method + " " + rt.Pattern
		fixture, ok := matrixFixtures[key]
		if !ok {
			t.Errorf("%s changes state but has no entry in matrixFixtures: add a call that succeeds, so that this test can check that it writes an audit record", key)
			continue
		}
		perm, ok := auth.Lookup(rt.Permission)
		if !ok {
			t.Errorf("%s: permission %q has no row in auth's policy table", key, rt.Permission)
			continue
		}
		call := fixture(w) // may make the objects it needs, which appends records of its own
		var caller *matrixCaller
		for i := range callers {
			if c := &callers[i]; c.principal != nil && expectedStatus(perm, c.principal, call) == wantSuccess {
				caller = c
				break
			}
		}
		if caller == nil {
			t.Errorf("%s: no caller of the matrix may make the fixture's call", key)
			continue
		}
		before, err := w.env.db.AuditSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		resp := w.env.do(request{method: rt.Method, path: call.path, body: call.bodyFor(caller.principal), anon: true,
			header: map[string]string{"Authorization": caller.authorization}})
		if resp.Code < 200 || resp.Code >= 300 {
			t.Errorf("%s as %s: status %d, want success; body %s", key, caller.name, resp.Code, resp.Body)
			continue
		}
		recs := auditRecordsSince(t, w.env, before)
		if len(recs) == 0 {
			t.Errorf("%s as %s: succeeded (%d) but appended no audit record", key, caller.name, resp.Code)
			continue
		}
		t.Logf("%s as %s: %d records, first %s", key, caller.name, len(recs), recs[0].Record.Action)
		named := false
		for _, r := range recs {
			named = named || r.Record.Actor.UserID == caller.principal.UserID && r.Record.Actor.TokenID == caller.principal.TokenID
		}
		if !named {
			t.Errorf("%s as %s: its %d audit records (first %s) do not name the caller %s", key, caller.name, len(recs),
				recs[0].Canonical, caller.principal.Actor())
		}
	}
	if n == 0 {
		t.Fatal("Routes() has no mutating route")
	}
}
