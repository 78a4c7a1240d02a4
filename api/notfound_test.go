package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/auth"
	"tollgate/licensing"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
)

// madeUpID is the id of no object: the reference every comparison of
// TestUniformNotFound sets against another tenant's real one.
const madeUpID = "0192f1e2-0000-7000-8000-00000000abcd"

// TestUniformNotFound checks the rule that nothing reveals another
// tenant's objects: for every route that takes a reference, in its path or
// in its body, the answer to a reference to another tenant's real object
// is byte for byte the answer to a made-up id (with the id swapped), and
// a refusal.
//
// Path references come from matrixFixtures, called by every caller the
// policy keeps out of the object's reach. Body references are found in the
// routes' request types (bodyRefFields); each needs an entry in
// bodyRefCases (else this test fails), which sets another tenant's object
// into the route's matrix fixture body.
func TestUniformNotFound(t *testing.T) { apitest.ForEachBackend(t, testUniformNotFound) }

func testUniformNotFound(t *testing.T, dsn string) {
	w := newMatrixWorld(t, dsn)
	f := newForeignWorld(t, w)
	// The matrix's callers, and users of the foreign world's agency, lab and
	// broker: of the same kind as the cast's, none assigned anything of it.
	callers := w.callers()
	for _, fu := range []struct {
		org  *tollgate.Org
		role tollgate.Role
	}{{f.Agency, tollgate.RoleLicensingOfficer}, {f.Agency, tollgate.RoleAgencyReviewer}, {f.Lab, tollgate.RoleLabTechnician},
		{f.Broker, tollgate.RoleBroker}} {
		u := w.env.newUser(fu.org, fu.role)
		callers = append(callers, matrixCaller{name: "another " + string(fu.role), authorization: "Bearer " + u.token, principal: u.principal()})
	}
	compared := map[string]bool{} // routes whose path reference was compared
	for _, rt := range Routes() {
		key := rt.Method + " " + rt.Pattern
		perm, _ := auth.Lookup(rt.Permission)
		fixture, ok := matrixFixtures[key]
		if strings.Contains(rt.Pattern, "{") && ok {
			call := fixture(w)
			for _, c := range callers {
				if c.principal == nil || expectedStatus(perm, c.principal, call) != wantNotFound {
					continue
				}
				for _, id := range uuidPattern.FindAllString(call.path, -1) {
					as := map[string]string{"Authorization": c.authorization}
					theirs := request{method: rt.Method, path: call.path, body: call.body, anon: true, header: as}
					absent := theirs
					absent.path = strings.ReplaceAll(call.path, id, madeUpID)
					w.compareNotFound(t, key+" as "+c.name, "", theirs, absent, id, madeUpID)
					compared[key] = true
				}
			}
		}
		for _, field := range bodyRefFields(rt.Request) {
			name := key + " " + field
			bc, ok := bodyRefCases[name]
			switch {
			case !ok:
				t.Errorf("%s: the body field %s names an object but has no entry in bodyRefCases", key, field)
				continue
			case bc.skip != "":
				continue
			}
			if fixture == nil {
				t.Errorf("%s: no matrix fixture to build the body on", key)
				continue
			}
			call := fixture(w)
			base := call.body
			if bc.base != nil {
				base = bc.base(w)
			}
			theirsID, madeUp := bc.foreign(f), madeUpID
			if bc.madeUp != "" {
				madeUp = bc.madeUp
			}
			as := w.cast.users[bc.role]
			theirs := request{method: rt.Method, path: call.path, body: withJSONField(t, base, field, theirsID), as: as}
			absent := request{method: rt.Method, path: call.path, body: withJSONField(t, base, field, madeUp), as: as}
			w.compareNotFound(t, name, field, theirs, absent, theirsID, madeUp)
			// An id of no form at all is refused too, never a 500 (a UUID
			// column on PostgreSQL must not see it).
			malformed := request{method: rt.Method, path: call.path, body: withJSONField(t, base, field, "not-an-id"), as: as}
			if resp := w.env.do(malformed); resp.Code < 400 || resp.Code >= 500 {
				t.Errorf("%s: a malformed id answers %d: %s", name, resp.Code, resp.Body)
			}
		}
	}
	// Every route on one object is compared for some caller kept out of its
	// reach, unless the policy gives every caller holding its permission
	// every such object (noTenantReach): a route missing here means the
	// fixtures or the callers no longer reach it.
	for _, rt := range Routes() {
		key := rt.Method + " " + rt.Pattern
		if strings.Contains(rt.Pattern, "{") && !compared[key] && noTenantReach[key] == "" {
			t.Errorf("%s: no caller compared another tenant's object with a made-up id", key)
		}
	}
}

// compareNotFound serves theirs (naming another tenant's object id) and
// absent (naming madeUp instead) under one request id, and fails t unless
// theirs is refused and its answer, with id swapped for madeUp, is
// absent's byte for byte. The absent answer must be a 404 or name field
// (a list's field may name the element's role: parties.end_user), so
// that the comparison is made where the reference is followed and not at
// some earlier check both fail alike.
func (w *matrixWorld) compareNotFound(t *testing.T, name, field string, theirs, absent request, id, madeUp string) {
	t.Helper()
	for _, r := range []*request{&theirs, &absent} {
		h := map[string]string{"X-Request-Id": "uniform-not-found"}
		for k, v := range r.header {
			h[k] = v
		}
		r.header = h
	}
	a, b := w.env.do(theirs), w.env.do(absent)
	if a.Code < 400 {
		t.Errorf("%s: another tenant's %s was followed: status %d; body %s", name, id, a.Code, a.Body)
		return
	}
	got := strings.ReplaceAll(a.Body.String(), id, madeUp)
	if a.Code != b.Code || got != b.Body.String() || a.Header().Get("Content-Type") != b.Header().Get("Content-Type") {
		t.Errorf("%s: another tenant's object answers\n\t%d %s\nwhere a made-up id answers\n\t%d %s", name, a.Code, got, b.Code, b.Body)
		return
	}
	var p Problem
	if err := json.Unmarshal(b.Body.Bytes(), &p); err != nil || (p.Status != http.StatusNotFound && (p.Field == "" || !strings.HasPrefix(field, p.Field))) {
		t.Errorf("%s: the made-up id is refused before the reference is followed: %d %s", name, b.Code, b.Body)
	}
}

// withJSONField returns body as JSON with the field at path (dotted; the
// first element of any list on the way) set to id; a list field becomes
// the one-element list [id].
func withJSONField(t *testing.T, body any, path, id string) []byte {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatal(err)
	}
	obj := root
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next := obj[p]
		if l, ok := next.([]any); ok && len(l) > 0 {
			next = l[0]
		}
		m, ok := next.(map[string]any)
		if !ok {
			m = map[string]any{}
			obj[p] = m
		}
		obj = m
	}
	last := parts[len(parts)-1]
	if _, ok := obj[last].([]any); ok || strings.HasSuffix(last, "s") && !strings.HasSuffix(last, "_id") {
		obj[last] = []any{id}
	} else {
		obj[last] = id
	}
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// foreignWorld is a second, complete shipping world in the store, none of
// whose objects the matrix world's cast may see: an exporter with a
// customer, an application and its license, an order, a broker and a lab
// with its key and technician.
type foreignWorld struct {
	*shipload.World
	license    string
	order      *tollgate.Order
	technician *testUser
	user       *tollgate.User
}

func newForeignWorld(t *testing.T, w *matrixWorld) *foreignWorld {
	t.Helper()
	ctx := context.Background()
	svc := newTestShipping(t, w.env.db).(*shipping.Service)
	sw, err := shipload.NewWorld(ctx, w.env.db, svc)
	if err != nil {
		t.Fatal(err)
	}
	f := &foreignWorld{World: sw, user: w.other.user}
	if f.license, err = sw.License(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if f.order, err = sw.Order(ctx, "PO-FOREIGN", 10, f.license); err != nil {
		t.Fatal(err)
	}
	f.technician = w.env.newUser(sw.Lab, tollgate.RoleLabTechnician)
	return f
}

// noTenantReach lists the routes on one object that every holder of their
// permission may reach, so no caller can be kept out, with the reason.
var noTenantReach = map[string]string{
	"GET /v1/orgs/{id}":          "organizations are reference data every holder of org.read sees",
	"PATCH /v1/orgs/{id}":        "system administrators only, who reach every organization",
	"GET /v1/lists/{id}":         "list versions are public list data",
	"GET /v1/lists/{id}/entries": "list entries are public list data",
	"GET /v1/labs/{org}/keys":    "a lab's public keys are for every holder of org.read to verify with",
}

// bodyRef says how TestUniformNotFound checks one body field that names
// an object: as the cast's user with role, with the field set to another
// tenant's object (foreign) in the route's fixture body (or base's), and
// to madeUp (madeUpID when empty: ids of another form need their own).
// skip gives the reason a field is not checked here.
type bodyRef struct {
	role    tollgate.Role
	foreign func(f *foreignWorld) string
	base    func(w *matrixWorld) any
	madeUp  string
	skip    string
}

// noAcknowledgments is why a decision's acknowledgments are not checked:
// a new condition may carry none (licensing refuses any), so none is ever
// followed.
const noAcknowledgments = "a decision's new conditions carry no acknowledgments (licensing refuses them)"

var (
	foreignExporter = func(f *foreignWorld) string { return f.Exporter.ID }
	foreignParty    = func(f *foreignWorld) string { return f.Customer.ID }
	foreignLicense  = func(f *foreignWorld) string { return f.license }
	draftParties    = func(w *matrixWorld) any {
		m := w.lic()
		return ApplicationPatch{DraftUpdate: licensing.DraftUpdate{Parties: &m.parties}}
	}
)

// bodyRefCases has an entry for every body field of every route that names
// an object ("METHOD PATTERN field").
var bodyRefCases = map[string]bodyRef{
	"POST /v1/users org_id":                     {role: tollgate.RoleExporterAdmin, foreign: foreignExporter},
	"POST /v1/tokens user_id":                   {role: tollgate.RoleExporterAdmin, foreign: func(f *foreignWorld) string { return f.user.ID }},
	"POST /v1/parties org_id":                   {role: tollgate.RoleExporterOfficer, foreign: foreignExporter},
	"POST /v1/parties/{id}/decisions source_id": {skip: "the id of a listed entity in a list version: public list data"},

	"POST /v1/applications parties.applicant":               {role: tollgate.RoleExporterOfficer, foreign: foreignExporter},
	"POST /v1/applications parties.purchaser":               {role: tollgate.RoleExporterOfficer, foreign: foreignParty},
	"POST /v1/applications parties.intermediate_consignees": {role: tollgate.RoleExporterOfficer, foreign: foreignParty},
	"POST /v1/applications parties.ultimate_consignee":      {role: tollgate.RoleExporterOfficer, foreign: foreignParty},
	"POST /v1/applications parties.end_users":               {role: tollgate.RoleExporterOfficer, foreign: foreignParty},

	"PATCH /v1/applications/{id} parties.applicant":               {role: tollgate.RoleExporterOfficer, foreign: foreignExporter, base: draftParties},
	"PATCH /v1/applications/{id} parties.purchaser":               {role: tollgate.RoleExporterOfficer, foreign: foreignParty, base: draftParties},
	"PATCH /v1/applications/{id} parties.intermediate_consignees": {role: tollgate.RoleExporterOfficer, foreign: foreignParty, base: draftParties},
	"PATCH /v1/applications/{id} parties.ultimate_consignee":      {role: tollgate.RoleExporterOfficer, foreign: foreignParty, base: draftParties},
	"PATCH /v1/applications/{id} parties.end_users":               {role: tollgate.RoleExporterOfficer, foreign: foreignParty, base: draftParties},

	"POST /v1/applications/{id}/decision conditions.acknowledgments.party_id":           {skip: noAcknowledgments},
	"POST /v1/applications/{id}/committee-decision conditions.acknowledgments.party_id": {skip: noAcknowledgments},
	"POST /v1/applications/{id}/appeal-decision conditions.acknowledgments.party_id":    {skip: noAcknowledgments},
	"POST /v1/licensing/agencies org_id":                                                {skip: "system administrators only, who reach every organization"},
	"POST /v1/licenses/{id}/acknowledgments condition_id":                               {skip: "a condition of the license the path names, not an object of its own"},
	"POST /v1/licenses/{id}/acknowledgments party_id":                                   {role: tollgate.RoleExporterOfficer, foreign: foreignParty},

	"POST /v1/shipments exporter_org_id":      {role: tollgate.RoleExporterOfficer, foreign: foreignExporter},
	"POST /v1/imports importer_org_id":        {role: tollgate.RoleBroker, foreign: func(f *foreignWorld) string { return f.Broker.ID }},
	"POST /v1/imports exporter_org_id":        {role: tollgate.RoleBroker, foreign: foreignExporter},
	"POST /v1/lab-reports lab_org_id":         {role: tollgate.RoleLabTechnician, foreign: func(f *foreignWorld) string { return f.Lab.ID }},
	"POST /v1/lab-reports technician_user_id": {role: tollgate.RoleLabTechnician, foreign: func(f *foreignWorld) string { return f.technician.user.ID }},
	"POST /v1/lab-reports exporter_org_id":    {role: tollgate.RoleLabTechnician, foreign: foreignExporter},
	"POST /v1/lab-reports application_id":     {role: tollgate.RoleLabTechnician, foreign: func(f *foreignWorld) string { return f.ApplicationID }},
	"POST /v1/lab-reports key_id": {role: tollgate.RoleLabTechnician, foreign: func(f *foreignWorld) string { return f.Key.ID },
		madeUp: "0123456789abcdef0123456789abcdef"},
	"POST /v1/exports order_id":              {role: tollgate.RoleExporterOfficer, foreign: func(f *foreignWorld) string { return f.order.ID }},
	"POST /v1/exports license_id":            {role: tollgate.RoleExporterOfficer, foreign: foreignLicense},
	"POST /v1/orders exporter_org_id":        {role: tollgate.RoleExporterOfficer, foreign: foreignExporter},
	"POST /v1/orders customer_party_id":      {role: tollgate.RoleExporterOfficer, foreign: foreignParty},
	"POST /v1/orders/{id}/events license_id": {role: tollgate.RoleExporterOfficer, foreign: foreignLicense},

	"POST /v1/engagements exporter_org_id": {role: tollgate.RoleExporterAdmin, foreign: foreignExporter},
	"POST /v1/engagements engaged_org_id":  {skip: "an engagement names another organization by design; organizations are reference data every holder of org.read sees"},
	"POST /v1/engagements application_ids": {role: tollgate.RoleExporterAdmin, foreign: func(f *foreignWorld) string { return f.ApplicationID }},
}

// TestUserEmailsDoNotLeak checks that creating a user tells an exporter's
// administrator nothing about the users of other organizations: an email
// in use elsewhere is answered as a fresh one (emails are unique within an
// organization), and each user with the address signs in with its own
// password.
func TestUserEmailsDoNotLeak(t *testing.T) { apitest.ForEachBackend(t, testUserEmailsDoNotLeak) }

func testUserEmailsDoNotLeak(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	home, away := env.createOrg("Email Exporter"), env.createOrg("Other Email Exporter")
	admin := env.member(home.ID, tollgate.RoleExporterAdmin)
	victim := env.member(away.ID, tollgate.RoleExporterOfficer).user
	create := func(email, password string, status int) *httptest.ResponseRecorder {
		t.Helper()
		w := env.do(request{method: "POST", path: "/v1/users", as: admin, body: UserInput{OrgID: home.ID, Email: email,
			Name: "New Officer", Roles: []tollgate.Role{tollgate.RoleExporterOfficer}, Password: password}})
		if w.Code != status {
			t.Fatalf("create %s: status %d, want %d; %s", email, w.Code, status, w.Body)
		}
		return w
	}
	taken := create(victim.Email, "another violet tractor", http.StatusCreated)
	fresh := create("fresh@home.example", "", http.StatusCreated)
	if taken.Header().Get("Content-Type") != fresh.Header().Get("Content-Type") {
		t.Errorf("an email in use elsewhere is answered differently")
	}
	// Within the organization an email is still unique: the admin can see
	// its own users anyway.
	create("FRESH@home.example", "", http.StatusConflict)

	for _, tt := range []struct{ password, org string }{{testPassword, away.ID}, {"another violet tractor", home.ID}} {
		got := must[LoginResult](env, request{method: "POST", path: "/v1/login", anon: true,
			body: LoginInput{Email: victim.Email, Password: tt.password}}, http.StatusOK)
		if got.User.OrgID != tt.org {
			t.Errorf("signing in with the %s organization's password: got a user of %s", tt.org, got.User.OrgID)
		}
	}
	env.problem(request{method: "POST", path: "/v1/login", anon: true,
		body: LoginInput{Email: victim.Email, Password: "wrong violet tractor"}}, http.StatusUnauthorized)
}

// TestImportEntryNumbersDoNotLeak checks that recording an import entry
// tells a broker nothing about other tenants' entries: entry numbers are
// issued per filer, so a line another filer recorded under the same number
// is answered as a fresh number is (both recorded), and only the broker's
// own line recorded twice is a conflict.
func TestImportEntryNumbersDoNotLeak(t *testing.T) {
	apitest.ForEachBackend(t, testImportEntryNumbersDoNotLeak)
}

func testImportEntryNumbersDoNotLeak(t *testing.T, dsn string) {
	h := newHostileWorld(t, dsn)
	env := h.env
	second := env.newOrg(tollgate.OrgExporter, "Second Exporter")
	admin := env.newUser(second, tollgate.RoleExporterAdmin)
	must[tollgate.Engagement](env, request{method: "POST", path: "/v1/engagements", as: admin, body: EngagementInput{
		EngagedOrgID: h.rogueBroker.org.ID, Kind: tollgate.EngageImports, StartsOn: "2026-01-01"}}, http.StatusCreated)
	entry := func(lot, number string) ImportInput {
		in := h.importInput(h.rogueBroker, lot, "")
		in.ExporterOrgID, in.ImporterOfRecord = second.ID, second.Name
		if number != "" {
			in.EntryNumber, in.Line = number, h.legitEntry.Line
		}
		return in
	}
	// h.legitEntry is another filer's (the exporter's engaged broker).
	taken := env.do(request{method: "POST", path: "/v1/imports", as: h.rogueBroker, body: entry("TW-SECOND-1", h.legitEntry.EntryNumber)})
	fresh := env.do(request{method: "POST", path: "/v1/imports", as: h.rogueBroker, body: entry("TW-SECOND-2", "")})
	if taken.Code != http.StatusCreated || fresh.Code != http.StatusCreated {
		t.Fatalf("another filer's entry number answers %d (%s) where a fresh one answers %d (%s)", taken.Code, taken.Body, fresh.Code, fresh.Body)
	}
	if taken.Header().Get("Content-Type") != fresh.Header().Get("Content-Type") {
		t.Errorf("another filer's entry number is answered differently")
	}
	// The broker's own entry line recorded twice is still a conflict.
	env.problem(request{method: "POST", path: "/v1/imports", as: h.rogueBroker, body: entry("TW-SECOND-3", h.legitEntry.EntryNumber)},
		http.StatusConflict)
}
