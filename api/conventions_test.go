package api

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"tollgate"
)

var wildcard = regexp.MustCompile(`\{[^}]+\}`)

// TestEveryRouteConventions checks the middleware conventions on every
// route of the table, so a new route cannot skip them: undeclared query
// parameters, wrong methods, a missing Idempotency-Key, malformed JSON,
// unknown fields and oversized bodies.
func TestEveryRouteConventions(t *testing.T) {
	const limit = 2048
	env := newTestEnv(t, func(d *Deps) { d.Limits.MaxBodyBytes = limit })
	cast := env.cast()
	for _, rt := range Routes() {
		path := wildcard.ReplaceAllString(rt.Pattern, "0192f1e2-0000-7000-8000-000000000000")
		name := rt.Method + " " + rt.Pattern
		t.Run(name, func(t *testing.T) {
			// Act as a user whose roles hold the route's permission, so that
			// the conventions, checked after authorization, are reached.
			env.actAs(cast.holder(t, rt.Permission))
			p := env.problem(request{method: rt.Method, path: path + "?bogus=1", body: "{}"}, http.StatusBadRequest)
			if p.Field != "bogus" {
				t.Errorf("unknown query parameter: field %q", p.Field)
			}
			w := env.do(request{method: "PUT", path: path, body: "{}"})
			if w.Code != http.StatusMethodNotAllowed || !strings.Contains(w.Header().Get("Allow"), rt.Method) {
				t.Errorf("PUT: status %d, Allow %q", w.Code, w.Header().Get("Allow"))
			}
			if rt.mutating() {
				p := env.problem(request{method: rt.Method, path: path, body: "{}", key: "-"}, http.StatusBadRequest)
				if p.Field != IdempotencyKeyHeader {
					t.Errorf("no Idempotency-Key: field %q", p.Field)
				}
			}
			if rt.Method != http.MethodPost && rt.Method != http.MethodPatch {
				return
			}
			env.problem(request{method: rt.Method, path: path, body: `{"names":`}, http.StatusBadRequest)
			p = env.problem(request{method: rt.Method, path: path, body: `{"bogus":1}`}, http.StatusBadRequest)
			if p.Field != "bogus" || p.Code != tollgate.EINVALID {
				t.Errorf("unknown field: field %q code %q", p.Field, p.Code)
			}
			if rt.MaxBodyBytes == 0 {
				big := `{"names":[{"name":"` + strings.Repeat("x", limit) + `"}]}`
				env.problem(request{method: rt.Method, path: path, body: big}, http.StatusRequestEntityTooLarge)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	env := newTestEnv(t)
	cls := must[tollgate.Classification](env, request{method: "GET", path: "/v1/classify?chip=H200%20SXM&to=cn&as_of=2026-02-01"}, http.StatusOK)
	if cls.ECCN != "3A090.a" || cls.Destination == nil || cls.Destination.ReviewPolicy != tollgate.PolicyCaseByCase ||
		cls.Tariff.Band != 1 || cls.AsOf != "2026-02-01" {
		t.Errorf("h200 to CN: eccn %s, destination %+v, band %d, as of %s", cls.ECCN, cls.Destination, cls.Tariff.Band, cls.AsOf)
	}
	before := must[tollgate.Classification](env, request{method: "GET", path: "/v1/classify?chip=h200&to=CN&as_of=2025-12-01"}, http.StatusOK)
	if before.Destination.ReviewPolicy != tollgate.PolicyPresumptionOfDenial || before.Tariff.RateBP != 0 {
		t.Errorf("before the rule: %s, rate %d", before.Destination.ReviewPolicy, before.Tariff.RateBP)
	}
	tests := []struct {
		query, field string
	}{
		{"", "chip"},
		{"chip=h9000", "chip"},
		{"chip=h200&as_of=yesterday", "as_of"},
		{"chip=h200&reexport=perhaps", "reexport"},
		{"chip=h200&to=C1", "to"},
	}
	for _, tt := range tests {
		p := env.problem(request{method: "GET", path: "/v1/classify?" + tt.query}, http.StatusBadRequest)
		if p.Field != tt.field {
			t.Errorf("%q: field %q, want %q (%s)", tt.query, p.Field, tt.field, p.Detail)
		}
	}
	// An unknown name close to a catalog name suggests it.
	if p := env.problem(request{method: "GET", path: "/v1/classify?chip=h2000&to=CN"}, http.StatusBadRequest); !strings.Contains(p.Detail, `did you mean "H200 SXM"?`) {
		t.Errorf("chip=h2000: detail %q lacks the did-you-mean", p.Detail)
	}
	// Unknown figures are listed, never cleared: the H20E's are all unknown.
	h20e := must[tollgate.Classification](env, request{method: "GET", path: "/v1/classify?chip=h20e&to=CN&as_of=2026-03-01"}, http.StatusOK)
	if h20e.Determined() || h20e.ECCN != "3A090.a" || h20e.Destination.ReviewPolicy != tollgate.PolicyPresumptionOfDenial {
		t.Errorf("h20e to CN: eccn %s, policy %s, undetermined %+v", h20e.ECCN, h20e.Destination.ReviewPolicy, h20e.Undetermined)
	}
	chips := must[Page[tollgate.Chip]](env, request{method: "GET", path: "/v1/chips"}, http.StatusOK)
	found := false
	for _, c := range chips.Items {
		found = found || c.Model == cls.Model
	}
	if !found {
		t.Errorf("/v1/chips lacks %s", cls.Model)
	}
}
