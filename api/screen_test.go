package api

import (
	"net/http"
	"strings"
	"testing"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/screening"
)

func TestScreenNames(t *testing.T) {
	env := newTestEnv(t, func(d *Deps) { d.Limits.MaxScreenNames = 3 })
	env.actAs(env.member(env.createOrg("Nvidia").ID, tollgate.RoleExporterOfficer))
	req := ScreenRequest{Names: []screening.NameQuery{
		{Name: "Huawei Technologies Co Ltd", Type: tollgate.EntityOrganization, Country: "CN"},
		{Name: "Jane Q. Public", Type: tollgate.EntityPerson},
	}}
	t.Run("ErrNoLists", func(t *testing.T) {
		p := env.problem(request{method: "POST", path: "/v1/screen", body: req}, http.StatusUnprocessableEntity)
		if p.Code != tollgate.EPRECONDITION {
			t.Errorf("code %q, want %q", p.Code, tollgate.EPRECONDITION)
		}
	})
	v := env.importEntities("test", testEntities)
	t.Run("OK", func(t *testing.T) {
		res := must[screening.NamesResult](env, request{method: "POST", path: "/v1/screen", body: req}, http.StatusOK)
		if len(res.Results) != 2 || len(res.ListVersions) != 1 || res.ListVersions[0].ID != v.ID {
			t.Fatalf("result: %+v", res)
		}
		hits := res.Results[0].Hits
		if len(hits) == 0 || hits[0].SourceID != "el-1" || hits[0].EntityDigest == "" || hits[0].Citation != "84 FR 22961" {
			t.Errorf("Huawei hits: %+v", hits)
		}
		if len(hits) > 0 && hits[0].ListVersion != v.ID {
			t.Errorf("Huawei hit list_version %q, want %q (the version it came from)", hits[0].ListVersion, v.ID)
		}
		if len(hits) > 0 && len(hits[0].Explanation) != 0 {
			t.Errorf("explanation without explain=true")
		}
		if n := len(res.Results[1].Hits); n != 0 {
			t.Errorf("Jane Q. Public: %d hits, want 0: %+v", n, res.Results[1].Hits)
		}
	})
	t.Run("Explain", func(t *testing.T) {
		ex := req
		ex.Explain = true
		res := must[screening.NamesResult](env, request{method: "POST", path: "/v1/screen", body: ex}, http.StatusOK)
		if hits := res.Results[0].Hits; len(hits) == 0 || !strings.Contains(string(hits[0].Explanation), "tokens") {
			t.Errorf("no explanation: %+v", hits)
		}
	})
	t.Run("Validation", func(t *testing.T) {
		tests := []struct {
			body  string
			field string
		}{
			{`{"names":[]}`, "names"},
			{`{"names":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"}]}`, "names"},
			{`{"names":[{"name":"a"},{"name":"b","type":"robot"}]}`, "names[1].type"},
			{`{"names":[{"name":"  "}]}`, "names[0].name"},
			{`{"names":[{"name":"a","country":"china"}]}`, "names[0].country"},
			{`{"names":[{"name":"a"}],"threshold":1.5}`, "threshold"},
			{`{"names":[{"name":"a","dob":"1970"}]}`, "dob"},
		}
		for _, tt := range tests {
			p := env.problem(request{method: "POST", path: "/v1/screen", body: tt.body}, http.StatusBadRequest)
			if p.Field != tt.field {
				t.Errorf("%s: field %q, want %q (%s)", tt.body, p.Field, tt.field, p.Detail)
			}
		}
	})
}

func TestPartyScreeningAndDecisions(t *testing.T) {
	apitest.ForEachBackend(t, testPartyScreeningAndDecisions)
}

func testPartyScreeningAndDecisions(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	org := env.createOrg("Nvidia")
	officer := env.member(org.ID, tollgate.RoleExporterOfficer)
	env.actAs(officer)
	party := env.createParty(org.ID, "Huawei Technologies Co Ltd")
	path := "/v1/parties/" + party.ID

	p := env.problem(request{method: "POST", path: path + "/screen"}, http.StatusUnprocessableEntity)
	if p.Code != tollgate.EPRECONDITION {
		t.Fatalf("screen without lists: code %q", p.Code)
	}
	env.importEntities("test", testEntities)

	diff := must[tollgate.ScreeningDiff](env, request{method: "POST", path: path + "/screen"}, http.StatusCreated)
	if diff.StatusAfter != tollgate.ScreeningPendingReview || len(diff.New) == 0 || diff.New[0].SourceID != "el-1" {
		t.Fatalf("first screening: %+v", diff)
	}
	hit := diff.New[0]

	t.Run("ErrDecision", func(t *testing.T) {
		tests := []struct {
			in     DecisionInput
			status int
			field  string
		}{
			{DecisionInput{List: hit.List, SourceID: hit.SourceID, EntityDigest: hit.EntityDigest, Kind: tollgate.HitFalsePositive}, 400, "reason"},
			{DecisionInput{List: hit.List, SourceID: hit.SourceID, EntityDigest: hit.EntityDigest, Kind: "maybe"}, 400, "kind"},
			{DecisionInput{List: hit.List, SourceID: "el-999", EntityDigest: hit.EntityDigest, Kind: tollgate.HitTrueMatch}, 404, ""},
		}
		for _, tt := range tests {
			pr := env.problem(request{method: "POST", path: path + "/decisions", body: tt.in}, tt.status)
			if pr.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", pr.Field, tt.field, pr.Detail)
			}
		}
	})

	dec := must[DecisionResult](env, request{method: "POST", path: path + "/decisions", body: DecisionInput{
		List: hit.List, SourceID: hit.SourceID, EntityDigest: hit.EntityDigest,
		Kind: tollgate.HitFalsePositive, Reason: "different company: the consignee is a reseller in Chengdu"}}, http.StatusCreated)
	if dec.Status != tollgate.ScreeningClear || dec.Decision.DecidedBy != officer.user.ID || dec.Decision.ID == "" {
		t.Fatalf("decision: %+v", dec)
	}

	// Against the same list the decision holds.
	again := must[tollgate.ScreeningDiff](env, request{method: "POST", path: path + "/screen", body: "{}"}, http.StatusCreated)
	if again.StatusAfter != tollgate.ScreeningClear || len(again.New)+len(again.Gone)+len(again.Changed) != 0 {
		t.Fatalf("rescreen against the same list: %+v", again)
	}

	// A changed listing brings the hit back for review.
	changed := append([]tollgate.Entity(nil), testEntities...)
	changed[0].AltNames = append([]string{"Huawei Tech"}, changed[0].AltNames...)
	env.importEntities("test", changed)
	third := must[tollgate.ScreeningDiff](env, request{method: "POST", path: path + "/screen"}, http.StatusCreated)
	if third.StatusAfter != tollgate.ScreeningPendingReview || len(third.Changed) != 1 {
		t.Fatalf("rescreen after the entry changed: %+v", third)
	}

	latest := must[tollgate.Screening](env, request{method: "GET", path: path + "/screenings/latest"}, http.StatusOK)
	if latest.ID != third.Screening.ID || latest.Hits[0].Decision != nil {
		t.Errorf("latest: %+v", latest)
	}
	one := must[tollgate.Screening](env, request{method: "GET", path: "/v1/screenings/" + again.Screening.ID}, http.StatusOK)
	if len(one.Hits) == 0 || one.Hits[0].Decision == nil {
		t.Errorf("screening %s: decision not attached: %+v", one.ID, one.Hits)
	}
	list := must[Page[tollgate.Screening]](env, request{method: "GET", path: path + "/screenings?limit=2"}, http.StatusOK)
	if len(list.Items) != 2 || list.NextCursor == "" || list.Items[0].ID != third.Screening.ID {
		t.Errorf("screenings page: %d items, cursor %q", len(list.Items), list.NextCursor)
	}
	ds := must[Page[tollgate.HitDecision]](env, request{method: "GET", path: path + "/decisions"}, http.StatusOK)
	if len(ds.Items) != 1 {
		t.Errorf("%d decisions, want 1", len(ds.Items))
	}
	got := must[tollgate.Party](env, request{method: "GET", path: path}, http.StatusOK)
	if got.Status != tollgate.ScreeningPendingReview {
		t.Errorf("party status %q, want pending_review", got.Status)
	}
	env.problem(request{method: "POST", path: path + "/screen", body: `{"x":1}`}, http.StatusBadRequest)
	env.problem(request{method: "POST", path: "/v1/parties/0192f1e2-0000-7000-8000-000000000000/screen"}, http.StatusNotFound)
}
