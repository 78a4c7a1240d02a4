package api

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/auth"
	"tollgate/screening"
)

// TestRouteRoleMatrix calls every route of Routes() as every role — and
// with no token, a malformed, an expired and a revoked token, a disabled
// user's token and the token of another exporter's admin — and compares
// each status with what auth's policy table says of the route's
// permission: 401 without valid credentials, 403 for a role the row does
// not grant, 404 for an object outside the grant's reach, success
// otherwise. A successful read by a caller who does not reach every object
// must not show another organization's objects.
//
// A route added later is picked up automatically. It needs a row in the
// policy table (else this test fails), and a route that acts on one object
// (a {wildcard} in its pattern) needs an entry in matrixFixtures naming
// the object and its ownership (else this test fails too). Routes without
// a fixture are checked for 401 and 403 only.
func TestRouteRoleMatrix(t *testing.T) { apitest.ForEachBackend(t, testRouteRoleMatrix) }

func testRouteRoleMatrix(t *testing.T, dsn string) {
	w := newMatrixWorld(t, dsn)
	callers := w.callers()
	for _, rt := range Routes() {
		key := rt.Method + " " + rt.Pattern
		perm, ok := auth.Lookup(rt.Permission)
		if !ok {
			t.Errorf("%s: permission %q has no row in auth's policy table", key, rt.Permission)
			continue
		}
		fixture, hasFixture := matrixFixtures[key]
		if !hasFixture && strings.Contains(rt.Pattern, "{") {
			t.Errorf("%s acts on one object but has no entry in matrixFixtures", key)
			continue
		}
		for _, c := range callers {
			call := matrixCall{path: rt.Pattern, list: true, unchecked: true}
			if hasFixture {
				call = fixture(w)
			}
			want := expectedStatus(perm, c.principal, call)
			resp := w.env.do(request{method: rt.Method, path: call.path, body: call.bodyFor(c.principal), anon: true,
				header: map[string]string{"Authorization": c.authorization}})
			if !want.matches(resp.Code) {
				t.Errorf("%s as %s: status %d, want %s; body %s", key, c.name, resp.Code, want, resp.Body)
				continue
			}
			if resp.Code < 300 && rt.Method == http.MethodGet && c.principal != nil && !reachesAll(perm, c.principal) {
				w.checkNoLeak(t, key, c, resp.Body.String())
			}
		}
	}
}

// matrixCall is one call of a route in the matrix: the path (with any
// query), the body, and the ownership of the object the call acts on. list
// marks calls that act on no one object (lists, creates of reference
// data): their callers need the permission, not the reach. unchecked
// marks the call of a route without a fixture, whose success cannot be
// expected (it may lack a body or a parameter): only 401 and 403 are.
type matrixCall struct {
	path string
	body any
	// claim, when set, makes the body for each caller instead: a write
	// whose body names the caller's own organization, as a stranger
	// claiming the object would.
	claim     func(p *tollgate.Principal) any
	owner     auth.Ownership
	list      bool
	unchecked bool
}

// matrixFixtures builds, for each route ("METHOD PATTERN") that needs one,
// a call that succeeds for a caller the policy lets through. Objects
// belong to the home exporter (w.home) unless the route's object type
// says otherwise; an object assigned to another organization names it in
// the call's owner (auth.OwnedBy(w.home.ID, w.cast.orgs[tollgate.OrgAgency].ID)).
// A file that adds routes adds their fixtures from an init function
// (matrixFixtures["POST /v1/x/{id}/y"] = …), making its objects once per
// world with w.object.
var matrixFixtures = map[string]func(w *matrixWorld) matrixCall{
	"POST /v1/login": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/login", body: LoginInput{Email: w.target.user.Email, Password: testPassword}, list: true}
	},
	"POST /v1/orgs": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/orgs", body: OrgInput{Kind: tollgate.OrgLab, Name: w.unique("Lab"), Country: "US"}}
	},
	"GET /v1/orgs/{id}": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/orgs/" + w.home.ID, owner: auth.OwnedBy(w.home.ID)}
	},
	"PATCH /v1/orgs/{id}": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/orgs/" + w.home.ID, body: tollgate.OrgUpdate{Name: &w.home.Name}, owner: auth.OwnedBy(w.home.ID)}
	},
	"POST /v1/users": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/users", owner: auth.OwnedBy(w.home.ID), body: UserInput{OrgID: w.home.ID,
			Email: strings.ReplaceAll(w.unique("new"), " ", "") + "@home.example", Name: "New Officer", Roles: []tollgate.Role{tollgate.RoleExporterOfficer}}}
	},
	"GET /v1/users/{id}": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/users/" + w.target.user.ID, owner: auth.OwnedBy(w.home.ID)}
	},
	"PATCH /v1/users/{id}": func(w *matrixWorld) matrixCall {
		name := w.unique("Renamed")
		return matrixCall{path: "/v1/users/" + w.target.user.ID, body: tollgate.UserUpdate{Name: &name}, owner: auth.OwnedBy(w.home.ID)}
	},
	"POST /v1/tokens": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/tokens", body: TokenInput{UserID: w.target.user.ID, Name: w.unique("token")}, owner: auth.OwnedBy(w.home.ID)}
	},
	"GET /v1/tokens": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/tokens?user_id=" + w.target.user.ID, owner: auth.OwnedBy(w.home.ID)}
	},
	"DELETE /v1/tokens/{id}": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/tokens/" + w.spareTokenID, owner: auth.OwnedBy(w.home.ID)}
	},
	"POST /v1/parties": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/parties", owner: auth.OwnedBy(w.home.ID), body: PartyInput{OrgID: w.home.ID,
			Role: tollgate.RoleEndUser, LegalName: w.unique("Party"), Country: "SG"}}
	},
	"GET /v1/parties/{id}": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/parties/" + w.party.ID, owner: auth.OwnedBy(w.home.ID)}
	},
	"PATCH /v1/parties/{id}": func(w *matrixWorld) matrixCall {
		parent := w.unique("Parent")
		return matrixCall{path: "/v1/parties/" + w.plainParty.ID, body: tollgate.PartyUpdate{UltimateParent: &parent},
			owner: auth.OwnedBy(w.home.ID)}
	},
	"POST /v1/screen": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/screen", body: ScreenRequest{Names: []screening.NameQuery{{Name: "Huawei Technologies"}}}, list: true}
	},
	"POST /v1/parties/{id}/screen": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/parties/" + w.party.ID + "/screen", owner: auth.OwnedBy(w.home.ID)}
	},
	"GET /v1/parties/{id}/screenings": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/parties/" + w.party.ID + "/screenings", owner: auth.OwnedBy(w.home.ID)}
	},
	"GET /v1/parties/{id}/screenings/latest": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/parties/" + w.party.ID + "/screenings/latest", owner: auth.OwnedBy(w.home.ID)}
	},
	"GET /v1/screenings/{id}": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/screenings/" + w.screeningID, owner: auth.OwnedBy(w.home.ID)}
	},
	"POST /v1/parties/{id}/decisions": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/parties/" + w.party.ID + "/decisions", owner: auth.OwnedBy(w.home.ID), body: DecisionInput{
			List: w.hit.List, SourceID: w.hit.SourceID, EntityDigest: w.hit.EntityDigest, Kind: tollgate.HitTrueMatch}}
	},
	"GET /v1/parties/{id}/decisions": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/parties/" + w.party.ID + "/decisions", owner: auth.OwnedBy(w.home.ID)}
	},
	"GET /v1/lists/{id}": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/lists/" + w.versionID}
	},
	"GET /v1/lists/{id}/entries": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/lists/" + w.versionID + "/entries"}
	},
	"POST /v1/lists/import": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/lists/import", body: ListImportInput{FileName: "internal.csv", Content: internalList}}
	},
	"GET /v1/classify": func(w *matrixWorld) matrixCall {
		return matrixCall{path: "/v1/classify?chip=h200&to=CN"}
	},
}

// bodyFor returns the body the call sends as p.
func (c matrixCall) bodyFor(p *tollgate.Principal) any {
	if c.claim != nil && p != nil {
		return c.claim(p)
	}
	return c.body
}

// expectation is the status class a call should get.
type expectation int

const (
	wantSuccess      expectation = iota // 2xx
	wantAllowed                         // anything but 401 and 403: the guard let it through
	wantUnauthorized                    // 401
	wantForbidden                       // 403
	wantNotFound                        // 404
)

func (e expectation) String() string {
	return [...]string{"2xx", "neither 401 nor 403", "401", "403", "404"}[e]
}

func (e expectation) matches(status int) bool {
	switch e {
	case wantSuccess:
		return status >= 200 && status < 300
	case wantAllowed:
		return status != http.StatusUnauthorized && status != http.StatusForbidden
	case wantUnauthorized:
		return status == http.StatusUnauthorized
	case wantForbidden:
		return status == http.StatusForbidden
	}
	return status == http.StatusNotFound
}

// expectedStatus reads the policy row perm for caller p (nil: no valid
// credentials) and call. It applies the table's rules itself rather than
// calling auth.Authorize, so that the test checks the API against the
// table, not against the code the API calls.
func expectedStatus(perm auth.Permission, p *tollgate.Principal, call matrixCall) expectation {
	switch {
	case perm.Public:
		return wantSuccess
	case p == nil:
		return wantUnauthorized
	}
	var rules []auth.Rule
	for _, role := range p.Roles {
		if rule, ok := perm.Grants[role]; ok && auth.RoleFitsOrg(role, p.OrgKind) {
			rules = append(rules, rule)
		}
	}
	if len(rules) == 0 {
		return wantForbidden
	}
	switch {
	case call.unchecked:
		return wantAllowed
	case call.list:
		return wantSuccess
	}
	for _, rule := range rules {
		switch {
		case rule == auth.Any || rule == auth.ReadAll:
			return wantSuccess
		case rule == auth.SameOrg && call.owner.OrgID == p.OrgID:
			return wantSuccess
		case rule == auth.Assigned && slices.Contains(call.owner.AssignedOrgIDs, p.OrgID):
			return wantSuccess
		}
	}
	return wantNotFound
}

// reachesAll reports whether p's grant of perm reaches every object.
func reachesAll(perm auth.Permission, p *tollgate.Principal) bool {
	for _, role := range p.Roles {
		if rule := perm.Grants[role]; rule == auth.Any || rule == auth.ReadAll {
			return true
		}
	}
	return false
}

// matrixCaller is one caller of the matrix: the Authorization header it
// sends and the principal it should be taken for (nil: none).
type matrixCaller struct {
	name          string
	authorization string
	principal     *tollgate.Principal
}

// uuidPattern finds ids in a response body.
var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// checkNoLeak fails t when body holds the id of an object owned by an
// organization other than the caller's.
func (w *matrixWorld) checkNoLeak(t *testing.T, key string, c matrixCaller, body string) {
	t.Helper()
	for _, id := range uuidPattern.FindAllString(body, -1) {
		if owner, ok := w.owners[id]; ok && owner != c.principal.OrgID {
			t.Errorf("%s as %s: the answer shows %s, an object of organization %s", key, c.name, id, owner)
		}
	}
}

// unique returns prefix followed by a number never returned before.
func (w *matrixWorld) unique(prefix string) string {
	return fmt.Sprintf("%s %d", prefix, w.n.Add(1))
}
