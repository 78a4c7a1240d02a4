package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"tollgate/auth"
)

// TestOpenAPIMatchesRoutes checks that the served document lists every
// route of the table, and nothing else.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	env := newTestEnv(t)
	doc := must[map[string]any](env, request{method: "GET", path: "/openapi.json"}, http.StatusOK)
	if got := doc["openapi"]; got != "3.1.0" {
		t.Errorf("openapi %v, want 3.1.0", got)
	}
	inDoc := map[string]bool{}
	opIDs := map[string]bool{}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			key := strings.ToUpper(method) + " " + path
			inDoc[key] = true
			id, _ := op.(map[string]any)["operationId"].(string)
			if id == "" || opIDs[id] {
				t.Errorf("%s: operationId %q empty or repeated", key, id)
			}
			opIDs[id] = true
		}
	}
	inTable := map[string]bool{}
	for _, rt := range Routes() {
		key := rt.Method + " " + rt.Pattern
		inTable[key] = true
		if !inDoc[key] {
			t.Errorf("route %s missing from /openapi.json", key)
		}
	}
	for key := range inDoc {
		if !inTable[key] {
			t.Errorf("/openapi.json has %s, which is not a route", key)
		}
	}
}

func TestRoutesTable(t *testing.T) {
	seen := map[string]bool{}
	for _, rt := range Routes() {
		key := rt.Method + " " + rt.Pattern
		switch {
		case seen[key]:
			t.Errorf("%s listed twice", key)
		case rt.Permission == "":
			t.Errorf("%s has no permission", key)
		case rt.OperationID == "" || rt.Summary == "" || rt.Tag == "":
			t.Errorf("%s lacks operationId, summary or tag", key)
		case rt.mutating() && rt.Request == nil && rt.Method != http.MethodDelete && !strings.HasSuffix(rt.Pattern, "/screen"):
			t.Errorf("%s mutates but declares no request body", key)
		case rt.Permission == PermPublic && rt.mutating():
			// An anonymous caller has no user to scope its Idempotency-Key.
			t.Errorf("%s is public but runs under the Idempotency-Key protocol", key)
		}
		seen[key] = true
	}
}

// TestRoutePermissionsInPolicy checks that every permission a route
// declares is a row of auth's policy table, so the two cannot drift apart.
func TestRoutePermissionsInPolicy(t *testing.T) {
	for _, rt := range Routes() {
		if _, ok := auth.Lookup(rt.Permission); !ok {
			t.Errorf("%s %s: permission %q is not in auth's policy", rt.Method, rt.Pattern, rt.Permission)
		}
	}
}

func TestOpenAPISchemas(t *testing.T) {
	doc := OpenAPI(Routes())
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Paths      map[string]map[string]map[string]any
		Components struct {
			Schemas map[string]map[string]any
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Party", "PartyPage", "PartyInput", "Problem", "ScreenRequest", "NamesResult", "ScreeningDiff", "Org"} {
		if d.Components.Schemas[name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}
	party := d.Components.Schemas["PartyInput"]
	req, _ := party["required"].([]any)
	if len(req) != 4 { // org_id, role, legal_name, country
		t.Errorf("PartyInput required %v, want org_id, role, legal_name, country", req)
	}
	// Every $ref resolves.
	for _, ref := range refsIn(string(b)) {
		if d.Components.Schemas[ref] == nil {
			t.Errorf("dangling $ref %s", ref)
		}
	}
	// Mutating operations declare the Idempotency-Key header.
	op := d.Paths["/v1/parties"]["post"]
	if !strings.Contains(mustJSON(t, op), `"name":"Idempotency-Key"`) {
		t.Errorf("createParty lacks the Idempotency-Key parameter")
	}
	if strings.Contains(mustJSON(t, d.Paths["/v1/screen"]["post"]), "Idempotency-Key") {
		t.Errorf("screenNames (a safe POST) asks for an Idempotency-Key")
	}
}

func refsIn(doc string) []string {
	var out []string
	const prefix = `"$ref":"#/components/schemas/`
	for {
		i := strings.Index(doc, prefix)
		if i < 0 {
			return out
		}
		doc = doc[i+len(prefix):]
		out = append(out, doc[:strings.IndexByte(doc, '"')])
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
