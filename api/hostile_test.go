package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/auth"
	"tollgate/shipping"
)

// TestHostileQuantitiesAndDates sends US shipments whose units or date a
// hostile client chose to break the store or the reports: each is a 400
// naming the field, on both stores, and the exporter's cap position is
// what the plausible shipments alone make it.
func TestHostileQuantitiesAndDates(t *testing.T) {
	apitest.ForEachBackend(t, testHostileQuantitiesAndDates)
}

func testHostileQuantitiesAndDates(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	org := env.createOrg("Overflow Exporter")
	officer := env.member(org.ID, tollgate.RoleExporterOfficer)
	n := 0
	shipment := func(units, shippedOn string) string {
		n++
		return fmt.Sprintf(`{"exporter_org_id":%q,"product":"H200","units":%s,"shipped_on":%q,"customer":"US Cloud","end_use":"US data center","reference":"INV-%d"}`,
			org.ID, units, shippedOn, n)
	}
	tests := []struct {
		name, body, field string
	}{
		{"ErrMaxInt64Units", shipment("9223372036854775807", "2026-01-20"), "units"},
		{"ErrAboveInt64Units", shipment("9223372036854775808", "2026-01-20"), "units"},
		{"ErrAboveMaxUnits", shipment(fmt.Sprint(tollgate.MaxUnits+1), "2026-01-20"), "units"},
		{"ErrFractionalUnits", shipment("1.5", "2026-01-20"), "units"},
		{"ErrYearZero", shipment("1", "0000-01-01"), "shipped_on"},
		{"ErrYear9999", shipment("1", "9999-12-31"), "shipped_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := env.problem(request{method: "POST", path: "/v1/shipments", body: tt.body, as: officer}, http.StatusBadRequest)
			if p.Field != tt.field {
				t.Errorf("problem: got field %q (%s), want %q", p.Field, p.Detail, tt.field)
			}
		})
	}
	t.Run("OneMoreAfterTheMost", func(t *testing.T) {
		must[tollgate.DomesticShipment](env, request{method: "POST", path: "/v1/shipments", as: officer,
			body: shipment(fmt.Sprint(tollgate.MaxUnits), "2026-01-20")}, http.StatusCreated)
		must[tollgate.DomesticShipment](env, request{method: "POST", path: "/v1/shipments", as: officer,
			body: shipment("1", "2026-01-21")}, http.StatusCreated)
		pos := must[shipping.CapPosition](env, request{method: "GET", path: "/v1/caps/H200?exporter_org_id=" + org.ID, as: officer}, http.StatusOK)
		if want := int64(tollgate.MaxUnits + 1); pos.USUnits != want {
			t.Errorf("US units: got %d, want %d", pos.USUnits, want)
		}
	})
}

// TestCapOfUnknownProduct checks that the cap position of a product the
// catalog does not know is a 404, not a position of zeros, and that a
// record naming such a product is refused; a catalog chip the exporter
// never shipped is answered, under any of its names.
func TestCapOfUnknownProduct(t *testing.T) { apitest.ForEachBackend(t, testCapOfUnknownProduct) }

func testCapOfUnknownProduct(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	org := env.createOrg("Cap Exporter")
	officer := env.member(org.ID, tollgate.RoleExporterOfficer)
	cap := func(product string) string {
		return "/v1/caps/" + url.PathEscape(product) + "?exporter_org_id=" + org.ID
	}
	must[shipping.CapPosition](env, request{method: "GET", path: cap("MI325X"), as: officer}, http.StatusOK)
	p := env.problem(request{method: "POST", path: "/v1/shipments", as: officer,
		body: USShipmentInput{ExporterOrgID: org.ID, Product: "ACME-X1", Units: 3, ShippedOn: "2026-01-20", Customer: "US Cloud",
			EndUse: "US data center", Reference: "INV-2"}}, http.StatusBadRequest)
	if p.Field != "product" {
		t.Errorf("shipment of an unknown product: field %q (%s), want product", p.Field, p.Detail)
	}
	must[tollgate.DomesticShipment](env, request{method: "POST", path: "/v1/shipments", as: officer,
		body: USShipmentInput{ExporterOrgID: org.ID, Product: "h200", Units: 3, ShippedOn: "2026-01-20", Customer: "US Cloud",
			EndUse: "US data center", Reference: "INV-3"}}, http.StatusCreated)
	for _, name := range []string{"H200", "H200 SXM", "nvidia h200"} {
		if pos := must[shipping.CapPosition](env, request{method: "GET", path: cap(name), as: officer}, http.StatusOK); pos.USUnits != 3 {
			t.Errorf("%s: US units %d, want 3", name, pos.USUnits)
		}
	}
	if got := env.do(request{method: "GET", path: cap("ACME-X1"), as: officer}); got.Code != http.StatusNotFound {
		t.Errorf("unknown product: %d %s, want 404", got.Code, got.Body)
	}
}

// TestHostileBodiesEveryRoute takes the matrix fixture body of every route
// that has one and spoils it three ways: a key given twice, a key in upper
// case, and an escape character in a string. Sent by a caller the policy
// lets through, each is a 400 naming the field, and the audit log (every
// change appends to it) does not grow.
func TestHostileBodiesEveryRoute(t *testing.T) {
	apitest.ForEachBackend(t, testHostileBodiesEveryRoute)
}

func testHostileBodiesEveryRoute(t *testing.T, dsn string) {
	w := newMatrixWorld(t, dsn)
	ctx := context.Background()
	callers := w.callers()
	spoiled := 0
	for _, rt := range Routes() {
		key := rt.Method + " " + rt.Pattern
		fixture, ok := matrixFixtures[key]
		if rt.Request == nil || !ok {
			continue
		}
		call := fixture(w)
		if call.body == nil {
			continue
		}
		perm, _ := auth.Lookup(rt.Permission)
		var as map[string]string
		for _, c := range callers {
			if c.principal != nil && expectedStatus(perm, c.principal, call) == wantSuccess {
				as = map[string]string{"Authorization": c.authorization}
				break
			}
		}
		if as == nil && !perm.Public {
			t.Errorf("%s: no caller may call it", key)
			continue
		}
		for _, h := range hostileVariants(t, call.body, reflect.TypeOf(rt.Request)) {
			before, err := w.env.db.AuditSize(ctx)
			if err != nil {
				t.Fatal(err)
			}
			resp := w.env.do(request{method: rt.Method, path: call.path, body: h.body, anon: true, header: as})
			var p Problem
			_ = json.Unmarshal(resp.Body.Bytes(), &p)
			if resp.Code != http.StatusBadRequest || p.Field != h.field {
				t.Errorf("%s with %s: %d, field %q (%s); want 400 naming %s", key, h.what, resp.Code, p.Field, p.Detail, h.field)
			}
			if after, err := w.env.db.AuditSize(ctx); err != nil || after != before {
				t.Errorf("%s with %s: the audit log grew from %d to %d (%v)", key, h.what, before, after, err)
			}
			spoiled++
		}
	}
	// Three spoilings of most of the 40-odd routes with a body; far fewer
	// means the fixtures stopped producing bodies.
	if spoiled < 90 {
		t.Errorf("%d spoiled bodies sent, want at least 90", spoiled)
	}
	t.Logf("%d spoiled bodies sent", spoiled)
}

// hostileVariant is a spoiled request body and the field its refusal names.
type hostileVariant struct {
	what, field string
	body        []byte
}

// hostileVariants spoils body (a value encoded as a JSON object) three
// ways: its first key given twice, its first key in upper case, and an
// escape character appended to its first string that the text rules
// cover (the strict pass skips raw fields).
func hostileVariants(t *testing.T, body any, typ reflect.Type) []hostileVariant {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || len(obj) == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(obj))
	first := keys[0]
	dup := append(slices.Clone(bytes.TrimSuffix(raw, []byte("}"))), []byte(`,"`+first+`":`+string(obj[first])+`}`)...)
	upper := bytes.Replace(raw, []byte(`"`+first+`":`), []byte(`"`+strings.ToUpper(first)+`":`), 1)
	out := []hostileVariant{{"a key given twice", first, dup}}
	if strings.ToUpper(first) != first {
		out = append(out, hostileVariant{"a key in upper case", strings.ToUpper(first), upper})
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		t.Fatal(err)
	}
	for _, path := range stringPaths(tree, "") {
		spoiled := setStringPath(tree, path, "\x1b[2J")
		b, _ := json.Marshal(spoiled)
		if checkStrictJSON(b, typ) != nil {
			out = append(out, hostileVariant{"an escape character", path, b})
			break
		}
		setStringPath(tree, path, "") // undo: the marker is cut again below
	}
	return out
}

// stringPaths lists the paths of v's strings, depth first in key order.
func stringPaths(v any, path string) []string {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v := v.(type) {
	case string:
		return []string{path}
	case []any:
		var out []string
		for i, e := range v {
			out = append(out, stringPaths(e, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case map[string]any:
		var out []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = append(out, stringPaths(v[k], join(k))...)
		}
		return out
	}
	return nil
}

// setStringPath appends suffix to the string at path in v (suffix ""
// removes what an earlier call appended) and returns v.
func setStringPath(v any, path, suffix string) any {
	var walk func(v any, p string) any
	walk = func(v any, p string) any {
		switch x := v.(type) {
		case string:
			if p == path {
				if suffix == "" {
					return strings.TrimSuffix(x, "\x1b[2J")
				}
				return x + suffix
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i], fmt.Sprintf("%s[%d]", p, i))
			}
		case map[string]any:
			for k := range x {
				q := k
				if p != "" {
					q = p + "." + k
				}
				x[k] = walk(x[k], q)
			}
		}
		return v
	}
	return walk(v, "")
}

// TestImplausibleQueryDates checks that a report cannot be asked for over
// thousands of years (a period per month from year 1 to 9999).
func TestImplausibleQueryDates(t *testing.T) {
	env := newTestEnv(t)
	org := env.createOrg("Report Exporter")
	officer := env.member(org.ID, tollgate.RoleExporterOfficer)
	for _, q := range []struct{ query, field string }{
		{"from=0001-01-01&to=2026-02-01", "from"},
		{"from=2026-01-01&to=9999-01-01", "to"},
	} {
		p := env.problem(request{method: "GET", path: "/v1/reports/shipping?exporter_org_id=" + org.ID + "&" + q.query, as: officer}, http.StatusBadRequest)
		if p.Field != q.field {
			t.Errorf("%s: field %q (%s), want %q", q.query, p.Field, p.Detail, q.field)
		}
	}
	if p := env.problem(request{method: "GET", path: "/v1/classify?chip=h200&to=CN&as_of=1999-01-01", as: officer},
		http.StatusBadRequest); p.Field != "as_of" {
		t.Errorf("classify as of 1999: field %q, want as_of", p.Field)
	}
}
