package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/licensing"
	"tollgate/licensing/licensingtest"
	"tollgate/store"
)

// newTestLicensing is the licensing service of the test server: the
// default rules over db, authorizing with auth's policy.
func newTestLicensing(t *testing.T, db *store.DB) Licensing {
	t.Helper()
	svc, err := licensing.NewService(db, licensing.ServiceConfig{Config: licensing.DefaultConfig(),
		Rules: classify.Default(), Catalog: catalog.Default(), Authorize: AuthorizeLicensing})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// licWorld is the cast of the licensing tests over the API: an exporter
// with its officer and screened parties, the licensing agency and the
// three reviewing agencies with their staff, an auditor, and another
// exporter's officer.
type licWorld struct {
	env                        *testEnv
	exporter                   *tollgate.Org
	officer, outsider, auditor *testUser
	bis                        *testUser
	reviewers                  map[tollgate.ReviewAgency]*testUser
	purchaser, consignee, user tollgate.Party
}

func newLicWorld(t *testing.T, dsn string) *licWorld {
	t.Helper()
	env := newTestEnvDSN(t, dsn)
	env.importEntities("test", testEntities)
	w := &licWorld{env: env, exporter: env.newOrg(tollgate.OrgExporter, "Example Chips Inc."), reviewers: map[tollgate.ReviewAgency]*testUser{}}
	w.officer = env.newUser(w.exporter, tollgate.RoleExporterOfficer)
	w.outsider = env.newUser(env.newOrg(tollgate.OrgExporter, "Other Chips Inc."), tollgate.RoleExporterOfficer)
	w.auditor = env.newUser(env.newOrg(tollgate.OrgAuditor, "Audit LLP"), tollgate.RoleAuditor)
	bis := env.newOrg(tollgate.OrgAgency, "Bureau of Industry and Security")
	w.bis = env.newUser(bis, tollgate.RoleLicensingOfficer)
	w.setAgency("BIS", bis.ID)
	for _, a := range tollgate.ReviewAgencies() {
		org := env.newOrg(tollgate.OrgAgency, "Agency "+string(a))
		w.reviewers[a] = env.newUser(org, tollgate.RoleAgencyReviewer)
		w.setAgency(string(a), org.ID)
	}
	w.purchaser = w.party(tollgate.RolePurchaser, "Beijing Example Cloud Co., Ltd.")
	w.consignee = w.party(tollgate.RoleUltimateConsignee, "Example Logistics Tianjin Co., Ltd.")
	w.user = w.party(tollgate.RoleEndUser, "Example AI Research Center")
	return w
}

// setAgency sets the organization of an agency code as the administrator.
func (w *licWorld) setAgency(code, orgID string) {
	w.env.t.Helper()
	must[map[string]string](w.env, request{method: "POST", path: "/v1/licensing/agencies", body: AgencyInput{Code: code, OrgID: orgID}}, http.StatusOK)
}

// party creates a party of the exporter and screens it, as the officer.
func (w *licWorld) party(role tollgate.PartyRole, name string) tollgate.Party {
	w.env.t.Helper()
	p := must[tollgate.Party](w.env, request{method: "POST", path: "/v1/parties", as: w.officer, body: PartyInput{
		OrgID: w.exporter.ID, Role: role, Type: tollgate.EntityOrganization, LegalName: name, Country: "CN"}}, http.StatusCreated)
	must[tollgate.ScreeningDiff](w.env, request{method: "POST", path: "/v1/parties/" + p.ID + "/screen", as: w.officer}, http.StatusCreated)
	return p
}

// draft drafts, documents and certifies an H200 application as the
// officer, and returns it.
func (w *licWorld) draft() store.StoredApplication {
	env := w.env
	env.t.Helper()
	d := licensing.Draft{
		Parties:     tollgate.ApplicationParties{Purchaser: w.purchaser.ID, UltimateConsignee: w.consignee.ID, EndUsers: []string{w.user.ID}},
		Destination: "CN", ExportFrom: "US", EndUse: "Training large language models in the end user's data center.",
		Items: []tollgate.ApplicationItem{{Model: "H200", ECCN: "3A090.a", Quantity: 1000, UnitPriceCents: 2_700_000,
			Manufacturer: "Nvidia", Description: "Nvidia H200 SXM 141 GB"}},
		USShipments: []tollgate.USUnitsShipped{{Product: "H200", Units: 10_000}},
	}
	sa := must[store.StoredApplication](env, request{method: "POST", path: "/v1/applications", as: w.officer, body: d}, http.StatusCreated)
	path := "/v1/applications/" + sa.ID
	up := must[DocumentUploaded](env, request{method: "POST", path: path + "/documents", as: w.officer,
		body: DocumentUpload{Name: "end-user-statement.pdf", Content: licensingtest.PDF("statement " + sa.ID)}}, http.StatusCreated)
	if up.Document.ContentType != "application/pdf" || len(up.Application.Documents) != 1 {
		env.t.Fatalf("uploaded document: %+v", up.Document)
	}
	reqs := must[[]tollgate.RequiredCertification](env, request{method: "GET", path: path + "/certifications", as: w.officer}, http.StatusOK)
	if len(reqs) != 6 {
		env.t.Fatalf("required certifications: got %d, want the six of the H200 rule", len(reqs))
	}
	for _, r := range reqs {
		sa = must[store.StoredApplication](env, request{method: "POST", path: path + "/certifications", as: w.officer,
			body: CertificationRequest{CertificationInput: licensing.CertificationInput{Code: r.Code, Statement: r.Text, OfficerName: "Jane Officer"}}}, http.StatusOK)
	}
	return sa
}

// event sends an event as u and returns the outcome.
func (w *licWorld) event(u *testUser, id, path string, body any) licensing.Outcome {
	w.env.t.Helper()
	return must[licensing.Outcome](w.env, request{method: "POST", path: "/v1/applications/" + id + "/" + path, as: u, body: body}, http.StatusOK)
}

func TestApplicationHappyPathOverAPI(t *testing.T) {
	w := newLicWorld(t, apitest.SQLiteDSN(t))
	env := w.env
	sa := w.draft()
	path := "/v1/applications/" + sa.ID
	if sa.Parties.Applicant != w.exporter.ID || len(sa.Certifications) != 6 || sa.Certifications[0].OfficerUserID != w.officer.user.ID {
		t.Fatalf("draft: applicant %s, %d certifications", sa.Parties.Applicant, len(sa.Certifications))
	}
	rep := must[licensing.PrecheckReport](env, request{method: "GET", path: path + "/precheck", as: w.officer}, http.StatusOK)
	if !rep.CanSubmit {
		t.Fatalf("prechecks fail: %+v", rep.Checks)
	}
	out := w.event(w.officer, sa.ID, "submit", nil)
	if out.Application.ControlNumber != "Z000001" || out.Application.State != tollgate.ApplicationSubmitted {
		t.Fatalf("submitted: %s %s", out.Application.State, out.Application.ControlNumber)
	}
	env.problem(request{method: "GET", path: path, as: w.reviewers[tollgate.AgencyDefense]}, http.StatusNotFound)
	env.problem(request{method: "POST", path: path + "/accept", as: w.officer}, http.StatusForbidden)

	env.clock.Advance(24 * time.Hour)
	w.event(w.bis, sa.ID, "accept", nil)
	w.event(w.bis, sa.ID, "refer", ReferInput{Agencies: tollgate.ReviewAgencies()})
	// A reviewer recommends for its own agency only.
	p := env.problem(request{method: "POST", path: path + "/recommend", as: w.reviewers[tollgate.AgencyEnergy],
		body: RecommendInput{Agency: tollgate.AgencyDefense, Recommendation: tollgate.RecommendApprove, Reasons: []string{"x"}}}, http.StatusForbidden)
	if !strings.Contains(p.Detail, "you recommend for DOE") {
		t.Errorf("recommending for another agency: %s", p.Detail)
	}
	for _, a := range tollgate.ReviewAgencies() {
		env.clock.Advance(24 * time.Hour)
		out = w.event(w.reviewers[a], sa.ID, "recommend", RecommendInput{Recommendation: tollgate.RecommendApproveWithConditions,
			Reasons: []string{"end user vetted"}, Conditions: []string{"no remote access"}})
	}
	if n := len(out.Application.Recommendations); n != 3 || out.Application.State != tollgate.ApplicationReferred {
		t.Fatalf("after the recommendations: %d, state %s", n, out.Application.State)
	}
	env.clock.Advance(24 * time.Hour)
	approval := licensingtest.Approval()
	out = w.event(w.bis, sa.ID, "decision", DecisionRequest{Outcome: approval.Outcome, Items: approval.Items, Conditions: approval.Conditions})
	if out.License == nil || out.Application.State != tollgate.ApplicationApproved {
		t.Fatalf("decision: state %s, license %v", out.Application.State, out.License)
	}

	lic := must[licensing.LicenseView](env, request{method: "GET", path: "/v1/licenses/" + out.License.Number, as: w.officer}, http.StatusOK)
	if lic.Items[0].Quantity != 1000 || lic.Items[0].ValueCents != 2_700_000_000 || lic.CurrentStatus != tollgate.LicenseActive {
		t.Errorf("license items %+v, status %s", lic.Items, lic.CurrentStatus)
	}
	if got, want := lic.ValidFrom.Format(time.DateOnly)+"/"+lic.ValidTo.Format(time.DateOnly), "2026-02-06/2030-02-05"; got != want {
		t.Errorf("validity: got %s, want %s", got, want)
	}
	if len(lic.Conditions) != 1 || len(lic.PendingAcknowledgments) != 2 || lic.PendingAcknowledgments[0].ConditionID != "C1" {
		t.Errorf("conditions %+v, pending %+v", lic.Conditions, lic.PendingAcknowledgments)
	}
	lic = must[licensing.LicenseView](env, request{method: "POST", path: "/v1/licenses/" + lic.ID + "/acknowledgments", as: w.officer,
		body: licensing.AcknowledgmentInput{ConditionID: "C1", Role: tollgate.RoleEndUser, PartyID: w.user.ID, SignedBy: "Li Wei"}}, http.StatusCreated)
	if len(lic.PendingAcknowledgments) != 1 {
		t.Errorf("pending after one acknowledgment: %d", len(lic.PendingAcknowledgments))
	}
	// Who sees what.
	must[licensing.ApplicationView](env, request{method: "GET", path: path, as: w.auditor}, http.StatusOK)
	must[licensing.LicenseView](env, request{method: "GET", path: "/v1/licenses/" + lic.ID, as: w.bis}, http.StatusOK)
	env.problem(request{method: "GET", path: path, as: w.outsider}, http.StatusNotFound)
	env.problem(request{method: "GET", path: "/v1/licenses/" + lic.ID, as: w.reviewers[tollgate.AgencyDefense]}, http.StatusForbidden)
	mine := must[Page[licensing.LicenseView]](env, request{method: "GET", path: "/v1/licenses", as: w.outsider}, http.StatusOK)
	if len(mine.Items) != 0 {
		t.Errorf("the other exporter lists %d licenses", len(mine.Items))
	}
	again := must[licensing.ApplicationView](env, request{method: "GET", path: path, as: w.officer}, http.StatusOK)
	if len(again.AllowedEvents) != 0 || again.Decision == nil || again.Decision.LicenseNumber != lic.Number {
		t.Errorf("decided application: allowed %v, decision %+v", again.AllowedEvents, again.Decision)
	}
}

func TestApplicationRefusedForScreeningOverAPI(t *testing.T) {
	w := newLicWorld(t, apitest.SQLiteDSN(t))
	env := w.env
	w.user = w.party(tollgate.RoleEndUser, "Huawei Technologies Co., Ltd.") // on the Entity List
	sa := w.draft()
	p := env.problem(request{method: "POST", path: "/v1/applications/" + sa.ID + "/submit", as: w.officer}, http.StatusUnprocessableEntity)
	if p.Code != tollgate.EPRECONDITION || !strings.Contains(p.Detail, "has undecided hits: EL el-1") {
		t.Errorf("submission with an undecided hit: %s: %s", p.Code, p.Detail)
	}
	if checks, ok := p.Details.([]any); !ok || len(checks) == 0 {
		t.Errorf("problem details: %v, want the checks", p.Details)
	}
}

func TestApplicationConcurrentDoubleSubmitAndDecideOverAPI(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, dsn string) {
		w := newLicWorld(t, dsn)
		sa := w.draft()
		path := "/v1/applications/" + sa.ID
		statuses := raceRequests(w.env, 6, request{method: "POST", path: path + "/submit", as: w.officer})
		wantOneWinner(t, "submit", statuses)
		w.event(w.bis, sa.ID, "accept", nil)
		w.event(w.bis, sa.ID, "refer", ReferInput{Agencies: []tollgate.ReviewAgency{tollgate.AgencyStateDept}})
		w.event(w.reviewers[tollgate.AgencyStateDept], sa.ID, "recommend", RecommendInput{Recommendation: tollgate.RecommendApprove, Reasons: []string{"fine"}})
		approval := licensingtest.Approval()
		statuses = raceRequests(w.env, 6, request{method: "POST", path: path + "/decision", as: w.bis,
			body: DecisionRequest{Outcome: approval.Outcome, Items: approval.Items, Conditions: approval.Conditions}})
		wantOneWinner(t, "decision", statuses)
	})
}

// raceRequests serves n copies of req at once, each with its own
// Idempotency-Key, and returns their statuses.
func raceRequests(env *testEnv, n int, req request) []int {
	statuses := make([]int, n)
	done := make(chan struct{})
	start := make(chan struct{})
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			<-start
			r := req
			r.key = fmt.Sprintf("race-%s-%d", req.path, i)
			statuses[i] = env.do(r).Code
		}()
	}
	close(start)
	for range n {
		<-done
	}
	return statuses
}

func wantOneWinner(t *testing.T, what string, statuses []int) {
	t.Helper()
	ok := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
		default:
			t.Errorf("%s: status %d, want 200 or 409", what, s)
		}
	}
	if ok != 1 {
		t.Errorf("%s: %d of %d concurrent requests succeeded, want 1 (statuses %v)", what, ok, len(statuses), statuses)
	}
}

func TestApplicationsOverdueOverAPI(t *testing.T) {
	w := newLicWorld(t, apitest.SQLiteDSN(t))
	env := w.env
	sa := w.draft()
	w.event(w.officer, sa.ID, "submit", nil)
	page := must[Page[licensing.ApplicationView]](env, request{method: "GET", path: "/v1/applications?overdue=true", as: w.bis}, http.StatusOK)
	if len(page.Items) != 0 {
		t.Fatalf("overdue on the day of submission: %d", len(page.Items))
	}
	env.clock.Advance(15 * 24 * time.Hour)
	page = must[Page[licensing.ApplicationView]](env, request{method: "GET", path: "/v1/applications?overdue=true", as: w.bis}, http.StatusOK)
	if len(page.Items) != 1 || page.Items[0].DaysLate != 6 || page.Items[0].Overdue[0].Kind != licensing.DeadlineFirstAction {
		t.Fatalf("overdue: %+v", page.Items)
	}
	page = must[Page[licensing.ApplicationView]](env, request{method: "GET", path: "/v1/applications?overdue=true", as: w.outsider}, http.StatusOK)
	if len(page.Items) != 0 {
		t.Errorf("the other exporter sees %d overdue applications", len(page.Items))
	}
	env.problem(request{method: "GET", path: "/v1/applications?overdue=maybe", as: w.bis}, http.StatusBadRequest)
}

// TestPrecheckWarningOverAPI: a reexport to China is reviewed under a
// presumption of denial; the precheck shows it as a warning with its
// severity and policy, and submission goes through with the warning.
func TestPrecheckWarningOverAPI(t *testing.T) {
	w := newLicWorld(t, apitest.SQLiteDSN(t))
	env := w.env
	sa := w.draft()
	path := "/v1/applications/" + sa.ID
	reexport := true
	must[store.StoredApplication](env, request{method: "PATCH", path: path, as: w.officer,
		body: licensing.DraftUpdate{Reexport: &reexport}}, http.StatusOK)
	rep := must[licensing.PrecheckReport](env, request{method: "GET", path: path + "/precheck", as: w.officer}, http.StatusOK)
	var warned bool
	for _, c := range rep.Checks {
		if c.Severity == licensing.SeverityWarning && c.Pass && strings.Contains(c.Reason, "presumption of denial") {
			warned = true
		}
	}
	if !rep.CanSubmit || rep.Warnings == 0 || !warned {
		t.Fatalf("precheck of a reexport: can submit %t, %d warnings: %+v", rep.CanSubmit, rep.Warnings, rep.Checks)
	}
	out := w.event(w.officer, sa.ID, "submit", nil)
	if out.Application.State != tollgate.ApplicationSubmitted || len(out.Warnings) == 0 {
		t.Errorf("submit: %s with warnings %+v", out.Application.State, out.Warnings)
	}
}
