package api

import (
	"fmt"
	"net/http"
	"testing"

	"tollgate"
	"tollgate/api/apitest"
)

func TestOrgs(t *testing.T) { apitest.ForEachBackend(t, testOrgs) }

func testOrgs(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	var ids []string
	for i := range 3 {
		w := env.do(request{method: "POST", path: "/v1/orgs", body: OrgInput{Kind: tollgate.OrgExporter, Name: fmt.Sprintf("Org %d", i), Country: "US"}})
		if w.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", w.Code, w.Body)
		}
		org := must[tollgate.Org](env, request{method: "GET", path: w.Header().Get("Location")}, http.StatusOK)
		ids = append(ids, org.ID)
	}
	t.Run("Paging", func(t *testing.T) {
		// The test server's own operator organization is no exporter.
		first := must[Page[tollgate.Org]](env, request{method: "GET", path: "/v1/orgs?kind=exporter&limit=2"}, http.StatusOK)
		if len(first.Items) != 2 || first.NextCursor == "" {
			t.Fatalf("first page: %d items, cursor %q", len(first.Items), first.NextCursor)
		}
		second := must[Page[tollgate.Org]](env, request{method: "GET", path: "/v1/orgs?kind=exporter&limit=2&cursor=" + first.NextCursor}, http.StatusOK)
		if len(second.Items) != 1 || second.NextCursor != "" {
			t.Fatalf("second page: %d items, cursor %q", len(second.Items), second.NextCursor)
		}
		got := []string{first.Items[0].ID, first.Items[1].ID, second.Items[0].ID}
		for i := range ids {
			if got[i] != ids[i] {
				t.Errorf("page order %v, want %v", got, ids)
				break
			}
		}
		env.problem(request{method: "GET", path: "/v1/orgs?cursor=garbage!"}, http.StatusBadRequest)
	})
	t.Run("Update", func(t *testing.T) {
		name := "Renamed"
		org := must[tollgate.Org](env, request{method: "PATCH", path: "/v1/orgs/" + ids[0], body: tollgate.OrgUpdate{Name: &name}}, http.StatusOK)
		if org.Name != name {
			t.Errorf("name %q, want %q", org.Name, name)
		}
		env.problem(request{method: "PATCH", path: "/v1/orgs/" + ids[0], body: `{"kind":"lab"}`}, http.StatusBadRequest)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		p := env.problem(request{method: "GET", path: "/v1/orgs/0192f1e2-0000-7000-8000-000000000000"}, http.StatusNotFound)
		if p.Code != tollgate.ENOTFOUND {
			t.Errorf("code %q", p.Code)
		}
	})
	t.Run("FilterByKind", func(t *testing.T) {
		labs := must[Page[tollgate.Org]](env, request{method: "GET", path: "/v1/orgs?kind=lab"}, http.StatusOK)
		if len(labs.Items) != 0 {
			t.Errorf("%d labs, want 0", len(labs.Items))
		}
		env.problem(request{method: "GET", path: "/v1/orgs?kind=bank"}, http.StatusBadRequest)
	})
}

func TestParties(t *testing.T) { apitest.ForEachBackend(t, testParties) }

func testParties(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	org := env.createOrg("Nvidia")
	env.actAs(env.member(org.ID, tollgate.RoleExporterOfficer))
	p := env.createParty(org.ID, "Acme Cloud Ltd.", "艾克米云")
	if p.Status != tollgate.ScreeningUnscreened || p.ID == "" {
		t.Fatalf("new party: %+v", p)
	}
	got := must[tollgate.Party](env, request{method: "GET", path: "/v1/parties/" + p.ID}, http.StatusOK)
	if got.LegalName != p.LegalName || len(got.OtherNames) != 1 {
		t.Errorf("get: %+v", got)
	}
	t.Run("Validation", func(t *testing.T) {
		tests := []struct {
			in    PartyInput
			field string
		}{
			{PartyInput{OrgID: org.ID, Role: "buyer", LegalName: "X", Country: "CN"}, "role"},
			{PartyInput{OrgID: org.ID, Role: tollgate.RoleEndUser, LegalName: "", Country: "CN"}, "legal_name"},
			{PartyInput{OrgID: org.ID, Role: tollgate.RoleEndUser, LegalName: "X", Country: "China"}, "country"},
			{PartyInput{Role: tollgate.RoleEndUser, LegalName: "X", Country: "CN"}, "org_id"},
			{PartyInput{OrgID: org.ID, Role: tollgate.RoleEndUser, LegalName: "X", Country: "CN", OtherNames: []string{" pad"}}, "other_names[0]"},
		}
		for _, tt := range tests {
			pr := env.problem(request{method: "POST", path: "/v1/parties", body: tt.in}, http.StatusBadRequest)
			if pr.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", pr.Field, tt.field, pr.Detail)
			}
		}
	})
	t.Run("Update", func(t *testing.T) {
		name := "Acme Cloud Holdings Ltd."
		up := must[tollgate.Party](env, request{method: "PATCH", path: "/v1/parties/" + p.ID, body: tollgate.PartyUpdate{LegalName: &name}}, http.StatusOK)
		if up.LegalName != name {
			t.Errorf("legal name %q", up.LegalName)
		}
	})
	t.Run("List", func(t *testing.T) {
		env.createParty(org.ID, "Second Party")
		all := must[Page[tollgate.Party]](env, request{method: "GET", path: "/v1/parties?org_id=" + org.ID + "&status=unscreened"}, http.StatusOK)
		if len(all.Items) != 2 {
			t.Errorf("%d parties, want 2", len(all.Items))
		}
		none := must[Page[tollgate.Party]](env, request{method: "GET", path: "/v1/parties?status=blocked"}, http.StatusOK)
		if len(none.Items) != 0 {
			t.Errorf("%d blocked parties, want 0", len(none.Items))
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		env.problem(request{method: "GET", path: "/v1/parties/0192f1e2-0000-7000-8000-000000000000"}, http.StatusNotFound)
		env.problem(request{method: "GET", path: "/v1/parties/0192f1e2-0000-7000-8000-000000000000/screenings"}, http.StatusNotFound)
	})
}
