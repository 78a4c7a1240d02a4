package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/auth"
)

// engagedOwner is the ownership of a write about the home exporter's
// units described by scope: the exporter, assigned to the organizations
// the store's engagements reach for it.
func (w *matrixWorld) engagedOwner(scope tollgate.EngagementScope) auth.Ownership {
	orgs, err := w.env.db.EngagedOrgs(context.Background(), scope)
	if err != nil {
		w.env.t.Fatal(err)
	}
	return auth.OwnedBy(scope.ExporterOrgID, orgs...)
}

// engagement stores an engagement of the cast's broker by the home
// exporter, in force from 2026-01-01.
func (w *matrixWorld) engagement() *tollgate.Engagement {
	e := &tollgate.Engagement{ExporterOrgID: w.home.ID, EngagedOrgID: w.cast.orgs[tollgate.OrgBroker].ID,
		Kind: tollgate.EngageImports, StartsOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := w.env.db.CreateEngagement(context.Background(), e); err != nil {
		w.env.t.Fatal(err)
	}
	return e
}

func init() {
	fixtures := map[string]func(w *matrixWorld) matrixCall{
		"POST /v1/engagements": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/engagements", owner: auth.OwnedBy(w.home.ID), body: EngagementInput{ExporterOrgID: w.home.ID,
				EngagedOrgID: w.cast.orgs[tollgate.OrgLab].ID, Kind: tollgate.EngageTests, StartsOn: "2026-02-01", Lots: []string{strings.ReplaceAll(w.unique("LOT"), " ", "-")}}}
		},
		"GET /v1/engagements/{id}": func(w *matrixWorld) matrixCall {
			e := w.object("engagement", func() any { return w.engagement() }).(*tollgate.Engagement)
			return matrixCall{path: "/v1/engagements/" + e.ID, owner: engagementOwnership(e)}
		},
		"POST /v1/engagements/{id}/end": func(w *matrixWorld) matrixCall {
			e := w.engagement()
			return matrixCall{path: "/v1/engagements/" + e.ID + "/end", owner: engagementOwnership(e),
				body: EngagementEndInput{EndsOn: "2026-03-31"}}
		},
	}
	for k, f := range fixtures {
		matrixFixtures[k] = f
	}
}

// TestEngagementRoutes checks what each side sees and does: the exporter's
// admin engages and ends, the engaged broker lists and gets, a stranger
// sees nothing, and the body never names another exporter.
func TestEngagementRoutes(t *testing.T) { apitest.ForEachBackend(t, testEngagementRoutes) }

func testEngagementRoutes(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	c := env.cast()
	home, broker := c.orgs[tollgate.OrgExporter], c.orgs[tollgate.OrgBroker]
	admin, officer, brokerUser := c.users[tollgate.RoleExporterAdmin], c.users[tollgate.RoleExporterOfficer], c.users[tollgate.RoleBroker]
	other := env.newUser(env.newOrg(tollgate.OrgExporter, "Other Exporter"), tollgate.RoleExporterAdmin)
	stranger := env.newUser(env.newOrg(tollgate.OrgBroker, "Stranger Brokers"), tollgate.RoleBroker)

	e := must[tollgate.Engagement](env, request{method: "POST", path: "/v1/engagements", as: admin,
		body: EngagementInput{EngagedOrgID: broker.ID, Kind: tollgate.EngageImports, StartsOn: "2026-01-01"}}, http.StatusCreated)
	if e.ExporterOrgID != home.ID || e.EngagedOrgID != broker.ID || e.CreatedBy != admin.user.ID {
		t.Fatalf("created %+v: want the caller's organization engaging the broker, by the admin", e)
	}
	for _, tc := range []struct {
		name string
		as   *testUser
		want int
	}{{"Exporter", officer, 1}, {"Engaged", brokerUser, 1}, {"OtherExporter", other, 0}, {"Stranger", stranger, 0}} {
		t.Run("List"+tc.name, func(t *testing.T) {
			page := must[Page[tollgate.Engagement]](env, request{method: "GET", path: "/v1/engagements", as: tc.as}, http.StatusOK)
			if got := len(page.Items); got != tc.want {
				t.Errorf("list as %s: got %d engagements, want %d", tc.name, got, tc.want)
			}
			status := http.StatusOK
			if tc.want == 0 {
				status = http.StatusNotFound
			}
			wantCode(t, env.do(request{method: "GET", path: "/v1/engagements/" + e.ID, as: tc.as}), status)
		})
	}
	t.Run("OtherExporterNamed", func(t *testing.T) {
		got := env.do(request{method: "POST", path: "/v1/engagements", as: other,
			body: EngagementInput{ExporterOrgID: home.ID, EngagedOrgID: broker.ID, Kind: tollgate.EngageImports, StartsOn: "2026-01-01"}})
		madeUp := env.do(request{method: "POST", path: "/v1/engagements", as: other,
			body: EngagementInput{ExporterOrgID: "01900000-0000-7000-8000-00000000abcd", EngagedOrgID: broker.ID, Kind: tollgate.EngageImports, StartsOn: "2026-01-01"}})
		wantCode(t, got, http.StatusNotFound)
		wantSameAnswer(t, got, home.ID, madeUp, "01900000-0000-7000-8000-00000000abcd")
	})
	t.Run("BrokerEndsNothing", func(t *testing.T) {
		wantCode(t, env.do(request{method: "POST", path: "/v1/engagements/" + e.ID + "/end", as: brokerUser,
			body: EngagementEndInput{EndsOn: "2026-02-01"}}), http.StatusForbidden)
	})
	t.Run("End", func(t *testing.T) {
		ended := must[tollgate.Engagement](env, request{method: "POST", path: "/v1/engagements/" + e.ID + "/end", as: admin,
			body: EngagementEndInput{EndsOn: "2026-02-01"}}, http.StatusOK)
		if got := ended.EndsOn.Format(time.DateOnly); got != "2026-02-01" {
			t.Errorf("ends_on: got %s, want 2026-02-01", got)
		}
		page := must[Page[tollgate.Engagement]](env, request{method: "GET", path: "/v1/engagements?in_force_on=2026-02-02", as: brokerUser}, http.StatusOK)
		if len(page.Items) != 0 {
			t.Errorf("in force the day after its end: got %d engagements, want 0", len(page.Items))
		}
	})
}

// wantCode fails t unless resp has status want.
func wantCode(t *testing.T, resp *httptest.ResponseRecorder, want int) {
	t.Helper()
	if resp.Code != want {
		t.Errorf("status %d, want %d; body %s", resp.Code, want, resp.Body)
	}
}

// requestIDPattern finds the request id of a problem document, which
// differs between any two answers.
var requestIDPattern = regexp.MustCompile(`"request_id":"[^"]*"`)

// wantSameAnswer fails t unless a and b, the answers to two requests that
// differ only in naming the id aID or bID, are the same status and the same
// bytes once each id (and the request id) is written as a placeholder.
func wantSameAnswer(t *testing.T, a *httptest.ResponseRecorder, aID string, b *httptest.ResponseRecorder, bID string) {
	t.Helper()
	norm := func(body, id string) string {
		return requestIDPattern.ReplaceAllString(strings.ReplaceAll(body, id, "ID"), `"request_id":""`)
	}
	if a.Code != b.Code || norm(a.Body.String(), aID) != norm(b.Body.String(), bID) {
		t.Errorf("answers differ:\n%d %s\n%d %s", a.Code, a.Body, b.Code, b.Body)
	}
}
