package api

import (
	"testing"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/auth"
)

// TestWriteRouteMatrix calls every route that changes state as the
// organization owning the object (the home exporter's admin and officer),
// the organizations it engaged (the cast's broker and lab, once the
// shipping fixtures engage them), organizations of the same kinds that it
// never engaged (another exporter's admin, a second broker, a second lab),
// and every other kind (agencies, the auditor, the system administrator).
// Each answer must be what the policy table says for the fixture's
// ownership, where the organizations a write about the exporter's units is
// assigned to are read from the engagements in the store, never from the
// fixture's body: 403 for a role without the permission, 404 for an object
// out of reach, success otherwise. A write route without a fixture fails.
func TestWriteRouteMatrix(t *testing.T) { apitest.ForEachBackend(t, testWriteRouteMatrix) }

func testWriteRouteMatrix(t *testing.T, dsn string) {
	w := newMatrixWorld(t, dsn)
	callers := append(w.callers(), w.strangers()...)
	n := 0
	for _, rt := range Routes() {
		if !rt.mutating() {
			continue
		}
		n++
		key := rt.Method + " " + rt.Pattern
		fixture, ok := matrixFixtures[key]
		if !ok {
			t.Errorf("%s changes state but has no entry in matrixFixtures", key)
			continue
		}
		perm, ok := auth.Lookup(rt.Permission)
		if !ok {
			t.Errorf("%s: permission %q has no row in auth's policy table", key, rt.Permission)
			continue
		}
		for _, c := range callers {
			if c.principal == nil {
				continue // TestRouteRoleMatrix covers bad credentials
			}
			call := fixture(w)
			want := expectedStatus(perm, c.principal, call)
			resp := w.env.do(request{method: rt.Method, path: call.path, body: call.bodyFor(c.principal), anon: true,
				header: map[string]string{"Authorization": c.authorization}})
			if !want.matches(resp.Code) {
				t.Errorf("%s as %s: status %d, want %s; body %s", key, c.name, resp.Code, want, resp.Body)
			}
		}
	}
	if n == 0 {
		t.Fatal("Routes() has no mutating route")
	}
}

// strangers returns callers of organizations of the kinds the home
// exporter engages that it never engaged: a broker and a lab.
func (w *matrixWorld) strangers() []matrixCaller {
	v := w.object("strangers", func() any {
		broker := w.env.newUser(w.env.newOrg(tollgate.OrgBroker, "Unengaged Brokers"), tollgate.RoleBroker)
		lab := w.env.newUser(w.env.newOrg(tollgate.OrgLab, "Unengaged Lab"), tollgate.RoleLabTechnician)
		return []matrixCaller{
			{name: "an unengaged broker", authorization: "Bearer " + broker.token, principal: broker.principal()},
			{name: "an unengaged lab", authorization: "Bearer " + lab.token, principal: lab.principal()},
		}
	})
	return v.([]matrixCaller)
}
