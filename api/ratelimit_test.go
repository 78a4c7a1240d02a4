package api

import (
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tollgate"
	"tollgate/auth"
)

// TestRateLimitPerUser checks Limits.PerUser: a user past its burst gets
// 429 with Retry-After, whether its requests were allowed or refused, and
// the refusals past the limit reach neither the denial hook nor the
// metrics; another user keeps its own rate; without credentials a request
// is not limited here.
func TestRateLimitPerUser(t *testing.T) {
	reg := prometheus.NewRegistry()
	env := newTestEnv(t, func(d *Deps) {
		d.Limits.PerUser = auth.Bucket{Burst: 3, Every: time.Minute}
		d.Registry = reg
	})
	org := env.newOrg(tollgate.OrgExporter, "Flooder")
	flooder := env.newUser(org, tollgate.RoleExporterAdmin)
	other := env.newUser(org, tollgate.RoleExporterOfficer)

	t.Run("ErrLimited", func(t *testing.T) {
		var got []int
		for range 5 {
			got = append(got, env.do(request{method: "POST", path: "/v1/orgs", as: flooder,
				body: OrgInput{Kind: tollgate.OrgExporter, Name: "X", Country: "US"}}).Code)
		}
		want := []int{403, 403, 403, 429, 429}
		if !slices.Equal(got, want) {
			t.Fatalf("statuses: got %v, want %v", got, want)
		}
		w := env.do(request{method: "GET", path: "/v1/orgs", as: flooder})
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
			t.Errorf("an allowed route past the limit: status %d, Retry-After %q; want 429 with Retry-After",
				w.Code, w.Header().Get("Retry-After"))
		}
		if n := len(env.events.kinds()); n != 3 {
			t.Errorf("the hook got %d denials, want 3 (none past the limit)", n)
		}
		if got := denialsMetric(t, reg, AuthForbidden, "org.write"); got != 3 {
			t.Errorf("tollgate_auth_denials_total{kind=forbidden,permission=org.write}: got %v, want 3", got)
		}
	})
	t.Run("OtherUserUnaffected", func(t *testing.T) {
		if w := env.do(request{method: "GET", path: "/v1/orgs", as: other}); w.Code != http.StatusOK {
			t.Errorf("another user: status %d, want 200", w.Code)
		}
	})
	t.Run("RefillsOverTime", func(t *testing.T) {
		env.clock.Advance(time.Minute)
		if w := env.do(request{method: "GET", path: "/v1/orgs", as: flooder}); w.Code != http.StatusOK {
			t.Errorf("after a minute: status %d, want 200", w.Code)
		}
	})
}

// denialsMetric returns the value of tollgate_auth_denials_total for kind
// and permission in reg.
func denialsMetric(t *testing.T, reg *prometheus.Registry, kind, perm string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "tollgate_auth_denials_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == kind && labels["permission"] == perm {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// countingGuard counts the requests that reach authentication.
type countingGuard struct {
	Guard
	calls atomic.Int64
}

func (g *countingGuard) Authorize(r *http.Request, perm string) (*tollgate.Principal, error) {
	g.calls.Add(1)
	return g.Guard.Authorize(r, perm)
}

// TestRateLimitBeforeLookup checks that once a credential has used up its
// rate, its requests are refused before authentication, so that a flood
// with one token costs no store lookups.
func TestRateLimitBeforeLookup(t *testing.T) {
	g := &countingGuard{}
	env := newTestEnv(t, func(d *Deps) {
		d.Limits.PerUser = auth.Bucket{Burst: 3, Every: time.Minute}
		g.Guard = NewAuthGuard(d.Auth)
		d.Guard = g
	})
	u := env.newUser(env.newOrg(tollgate.OrgExporter, "Flooder"), tollgate.RoleExporterOfficer)
	var got []int
	for range 10 {
		got = append(got, env.do(request{method: "GET", path: "/v1/orgs", as: u}).Code)
	}
	if want := []int{200, 200, 200, 429, 429, 429, 429, 429, 429, 429}; !slices.Equal(got, want) {
		t.Fatalf("statuses: got %v, want %v", got, want)
	}
	if n := g.calls.Load(); n != 3 {
		t.Errorf("%d requests reached authentication, want 3", n)
	}
}
