package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/licensing"
	"tollgate/licensing/licensingtest"
	"tollgate/store"
)

// The licensing routes' entries of TestRouteRoleMatrix. Each call acts on
// an application (or license) of the matrix's home exporter, seeded in the
// state the route's event needs, fresh for every call that changes it.
// Seeded applications are assigned to the cast's agency organization,
// which serves as DOD, so that its licensing officer and reviewer reach
// them; the licensing agency (BIS) is an organization of its own.

// matrixLic is the licensing part of one matrix world.
type matrixLic struct {
	w             *matrixWorld
	home, agency  string // the home exporter and the cast's agency organization
	bis           string // the organization serving as BIS
	parties       tollgate.ApplicationParties
	mu            sync.Mutex
	shared        *store.StoredApplication
	sharedDigest  string
	sharedLicense *store.StoredLicense
}

var matrixLics sync.Map // *matrixWorld → *matrixLic

// lic returns the licensing part of w, setting it up on first use.
func (w *matrixWorld) lic() *matrixLic {
	if m, ok := matrixLics.Load(w); ok {
		return m.(*matrixLic)
	}
	t := w.env.t
	ctx := context.Background()
	m := &matrixLic{w: w, home: w.home.ID, agency: w.cast.orgs[tollgate.OrgAgency].ID, bis: w.env.newOrg(tollgate.OrgAgency, "Matrix BIS").ID}
	mustDo(t, w.env.db.Update(ctx, func(tx *store.Tx) error {
		for code, org := range map[string]string{"BIS": m.bis, "DOD": m.agency} {
			if _, err := tx.SetAgencyOrg(ctx, code, org); err != nil {
				return err
			}
		}
		return nil
	}))
	party := func(role tollgate.PartyRole, name string) string {
		p := &tollgate.Party{OrgID: m.home, Role: role, Type: tollgate.EntityOrganization, LegalName: name, Country: "CN"}
		mustDo(t, w.env.db.CreateParty(ctx, p))
		_, err := w.env.db.RecordScreening(ctx, &tollgate.Screening{PartyID: p.ID, ListVersionIDs: []string{w.versionID}, Threshold: 0.85})
		mustDo(t, err)
		return p.ID
	}
	m.parties = tollgate.ApplicationParties{Applicant: m.home, Purchaser: party(tollgate.RolePurchaser, "Matrix Cloud Co."),
		UltimateConsignee: party(tollgate.RoleUltimateConsignee, "Matrix Logistics Co."), EndUsers: []string{party(tollgate.RoleEndUser, "Matrix Lab")}}
	actual, _ := matrixLics.LoadOrStore(w, m)
	return actual.(*matrixLic)
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The states a seeded application can be in, in lifecycle order.
const (
	seedDraft = iota
	seedSubmitted
	seedUnderReview
	seedInfoRequested
	seedReferred
	seedRecommended
	seedEscalated
	seedApproved
	seedAppealWindow // the Operating Committee denied; DOD, which recommended approval, may appeal
	seedAppealed     // DOD appealed to ACEP
	seedWindowClosed // the committee's denial of a week ago was not appealed
)

// seed stores a complete, certified H200 application of the home exporter
// with a document, moved on to state by the pure state machine, in one
// transaction; an approved one with its license.
func (m *matrixLic) seed(state int) (*store.StoredApplication, *store.StoredLicense) {
	t := m.w.env.t
	t.Helper()
	ctx := tollgate.WithPrincipal(context.Background(), &tollgate.Principal{UserID: "matrix-seed"})
	var (
		sa  *store.StoredApplication
		lic *store.StoredLicense
	)
	mustDo(t, m.w.env.db.Update(ctx, func(tx *store.Tx) error {
		app := m.draft(t, tx)
		var err error
		if sa, err = tx.InsertApplication(ctx, &app); err != nil {
			return err
		}
		pdf := licensingtest.PDF("matrix " + sa.ID)
		doc := tollgate.SupportingDocument{Name: "statement.pdf", Digest: digestHex(pdf), Size: int64(len(pdf)), ContentType: "application/pdf"}
		if err := tx.PutApplicationDocument(ctx, sa.ID, doc, pdf, "matrix-seed"); err != nil {
			return err
		}
		sa.Documents = append(sa.Documents, doc)
		for _, ev := range seedEvents(state, tx) {
			next, effects, err := licensing.Transition(sa.Application, ev)
			if err != nil {
				return err
			}
			sa.Application = next
			for _, e := range effects {
				if e.Kind == licensing.EffectIssueLicense {
					l, err := licensing.LicenseFromDecision(licensing.DefaultConfig(), next)
					if err != nil {
						return err
					}
					if err := tx.InsertLicense(ctx, &l, m.agency); err != nil {
						return err
					}
					lic = &store.StoredLicense{License: l, IssuingOrgID: m.agency}
				}
			}
		}
		if state > seedDraft {
			for _, org := range []string{m.bis, m.agency} {
				if err := tx.AssignApplication(ctx, sa.ID, org, "matrix"); err != nil {
					return err
				}
			}
			sa.AssignedOrgIDs = []string{m.bis, m.agency}
		}
		return tx.UpdateApplication(ctx, sa)
	}))
	return sa, lic
}

// draft returns the home exporter's draft with the six certifications.
func (m *matrixLic) draft(t *testing.T, tx *store.Tx) tollgate.Application {
	app := tollgate.Application{Parties: m.parties, Destination: "CN", ExportFrom: "US", EndUse: "matrix research",
		Items: []tollgate.ApplicationItem{{Model: "H200", ECCN: "3A090.a", Quantity: 10, UnitPriceCents: 100, TotalCents: 1000,
			Manufacturer: "Nvidia", Description: "H200"}},
		USShipments: []tollgate.USUnitsShipped{{Product: "H200", Units: 1000, Source: tollgate.UnitsStated}},
		CreatedBy:   "matrix-seed", ApplicationReview: tollgate.ApplicationReview{State: tollgate.ApplicationDraft}}
	for _, spec := range licensing.H200Certifications() {
		c, err := licensing.Certify(tollgate.RequiredCertification{Code: spec.Code, Text: spec.Statement}, spec.Statement, "Matrix Officer", "matrix-seed", tx.Now())
		mustDo(t, err)
		app.Certifications = append(app.Certifications, c)
	}
	return app
}

// seedEvents are the events that take a draft to state.
func seedEvents(state int, tx *store.Tx) []licensing.Event {
	at, by := tx.Now(), "matrix-seed"
	seq, _ := tx.NextSequence(context.Background(), store.SeqControlNumber)
	all := []licensing.Event{
		{Kind: licensing.EventSubmit, Sequence: seq, Prechecks: []licensing.Check{{Name: "matrix", Pass: true}}},
		{Kind: licensing.EventAccept},
		{Kind: licensing.EventRequestInfo, Text: "Which data center?"},
		{Kind: licensing.EventRefer, Agencies: []tollgate.ReviewAgency{tollgate.AgencyDefense}},
		{Kind: licensing.EventRecommend, Agency: tollgate.AgencyDefense, Recommendation: tollgate.RecommendApprove, Reasons: []string{"fine"}},
		{Kind: licensing.EventEscalate, Text: "the officer disagrees"},
		{Kind: licensing.EventDecide, Decision: matrixApproval(seq)},
		{Kind: licensing.EventCommitteeDecide, Decision: &tollgate.ApplicationDecision{Outcome: tollgate.DecisionDeny, Reasons: []string{"risk"}}},
		{Kind: licensing.EventAppeal, Agency: tollgate.AgencyDefense, Reasons: []string{"the risk is mitigated"}},
	}
	var pick []int
	switch state {
	case seedSubmitted:
		pick = []int{0}
	case seedUnderReview:
		pick = []int{0, 1}
	case seedInfoRequested:
		pick = []int{0, 1, 2}
	case seedReferred:
		pick = []int{0, 1, 3}
	case seedRecommended:
		pick = []int{0, 1, 3, 4}
	case seedEscalated:
		pick = []int{0, 1, 3, 4, 5}
	case seedApproved:
		pick = []int{0, 1, 3, 4, 6}
	case seedAppealWindow:
		pick = []int{0, 1, 3, 4, 5, 7}
	case seedAppealed:
		pick = []int{0, 1, 3, 4, 5, 7, 8}
	case seedWindowClosed:
		pick = []int{0, 1, 3, 4, 5, 7}
		at = at.Add(-7 * 24 * time.Hour)
	}
	var out []licensing.Event
	for _, i := range pick {
		ev := all[i]
		ev.Actor, ev.At = by, at
		out = append(out, ev)
	}
	return out
}

// matrixApproval approves a seeded application in full under license
// number M and the control sequence, with condition C1 on the end user.
func matrixApproval(seq uint64) *tollgate.ApplicationDecision {
	n, _ := licensing.ControlNumbers.Format(seq)
	return &tollgate.ApplicationDecision{Outcome: tollgate.DecisionApprove, LicenseNumber: "M" + n[1:],
		Items:      []tollgate.LicenseItem{{Product: "H200", Quantity: 10, ValueCents: 1000}},
		Conditions: []tollgate.Condition{{ID: "C1", Text: "No remote access.", Binds: []tollgate.PartyRole{tollgate.RoleEndUser}}}}
}

func digestHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// owner is the ownership of a seeded application.
func (m *matrixLic) owner(sa *store.StoredApplication) auth.Ownership {
	return auth.OwnedBy(m.home, sa.AssignedOrgIDs...)
}

// readable returns an application and a license shared by the read-only
// calls of one world.
func (m *matrixLic) readable() (*store.StoredApplication, string, *store.StoredLicense) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.shared == nil {
		m.shared, _ = m.seed(seedSubmitted)
		m.sharedDigest = m.shared.Documents[0].Digest
		_, m.sharedLicense = m.seed(seedApproved)
	}
	return m.shared, m.sharedDigest, m.sharedLicense
}

// appCall is the call of one application route on a fresh application in
// state (or the shared one, for reads).
func appCall(state int, suffix string, body func(m *matrixLic, sa *store.StoredApplication) any) func(w *matrixWorld) matrixCall {
	return func(w *matrixWorld) matrixCall {
		m := w.lic()
		var sa *store.StoredApplication
		if state < 0 {
			sa, _, _ = m.readable()
		} else {
			sa, _ = m.seed(state)
		}
		c := matrixCall{path: "/v1/applications/" + sa.ID + suffix, owner: m.owner(sa)}
		if body != nil {
			c.body = body(m, sa)
		}
		return c
	}
}

// licenseCall is the call of one license route on a fresh license (or the
// shared one, for reads).
func licenseCall(fresh bool, suffix string, body any) func(w *matrixWorld) matrixCall {
	return func(w *matrixWorld) matrixCall {
		m := w.lic()
		var lic *store.StoredLicense
		if fresh {
			_, lic = m.seed(seedApproved)
		} else {
			_, _, lic = m.readable()
		}
		return matrixCall{path: "/v1/licenses/" + lic.ID + suffix, owner: auth.OwnedBy(m.home, lic.IssuingOrgID), body: body}
	}
}

func text(s string) func(*matrixLic, *store.StoredApplication) any {
	return func(*matrixLic, *store.StoredApplication) any { return TextInput{Text: s} }
}

func init() {
	const shared = -1
	endUse := "matrix inference"
	approval := func(*matrixLic, *store.StoredApplication) any {
		a := licensingtest.Approval()
		a.Items[0].Quantity, a.Items[0].ValueCents = 10, 1000
		return DecisionRequest{Outcome: a.Outcome, Items: a.Items, Conditions: a.Conditions}
	}
	fixtures := map[string]func(w *matrixWorld) matrixCall{
		"GET /v1/applications/{id}":                appCall(shared, "", nil),
		"GET /v1/applications/{id}/certifications": appCall(shared, "/certifications", nil),
		"GET /v1/applications/{id}/precheck":       appCall(shared, "/precheck", nil),
		"PATCH /v1/applications/{id}": appCall(seedDraft, "", func(*matrixLic, *store.StoredApplication) any {
			return ApplicationPatch{DraftUpdate: licensing.DraftUpdate{EndUse: &endUse}}
		}),
		"POST /v1/applications/{id}/documents": appCall(seedDraft, "/documents", func(_ *matrixLic, sa *store.StoredApplication) any {
			return DocumentUpload{Name: "more.pdf", Content: licensingtest.PDF("more " + sa.ID)}
		}),
		"POST /v1/applications/{id}/certifications": appCall(seedDraft, "/certifications", func(*matrixLic, *store.StoredApplication) any {
			spec := licensing.H200Certifications()[0]
			return CertificationRequest{CertificationInput: licensing.CertificationInput{Code: spec.Code, Statement: spec.Statement, OfficerName: "Officer"}}
		}),
		"POST /v1/applications/{id}/submit":       appCall(seedDraft, "/submit", nil),
		"POST /v1/applications/{id}/accept":       appCall(seedSubmitted, "/accept", nil),
		"POST /v1/applications/{id}/request-info": appCall(seedUnderReview, "/request-info", text("Which data center?")),
		"POST /v1/applications/{id}/respond":      appCall(seedInfoRequested, "/respond", text("Beijing, hall 3.")),
		"POST /v1/applications/{id}/refer": appCall(seedUnderReview, "/refer", func(*matrixLic, *store.StoredApplication) any {
			return ReferInput{Agencies: []tollgate.ReviewAgency{tollgate.AgencyDefense}}
		}),
		"POST /v1/applications/{id}/recommend": appCall(seedReferred, "/recommend", func(*matrixLic, *store.StoredApplication) any {
			return RecommendInput{Recommendation: tollgate.RecommendApprove, Reasons: []string{"no objection"}}
		}),
		"POST /v1/applications/{id}/escalate":           appCall(seedRecommended, "/escalate", text("the officer disagrees")),
		"POST /v1/applications/{id}/decision":           appCall(seedRecommended, "/decision", approval),
		"POST /v1/applications/{id}/committee-decision": appCall(seedEscalated, "/committee-decision", approval),
		"POST /v1/applications/{id}/appeal": appCall(seedAppealWindow, "/appeal", func(*matrixLic, *store.StoredApplication) any {
			return AppealInput{Reasons: []string{"the risk is mitigated"}}
		}),
		"POST /v1/applications/{id}/appeal-decision": appCall(seedAppealed, "/appeal-decision", func(m *matrixLic, sa *store.StoredApplication) any {
			return AppealDecisionRequest{DecisionRequest: approval(m, sa).(DecisionRequest), Record: "ACEP decision record"}
		}),
		"POST /v1/applications/{id}/finalize": appCall(seedWindowClosed, "/finalize", nil),
		"POST /v1/applications/{id}/withdraw": appCall(seedSubmitted, "/withdraw", text("no longer needed")),
		"GET /v1/licenses/{id}":               licenseCall(false, "", nil),
		"POST /v1/licenses/{id}/status": licenseCall(true, "/status",
			licensing.LicenseStatusInput{Status: tollgate.LicenseSuspended, Reason: "inquiry"}),
		"POST /v1/applications": func(w *matrixWorld) matrixCall {
			m := w.lic()
			return matrixCall{path: "/v1/applications", owner: auth.OwnedBy(m.home), body: licensing.Draft{Parties: m.parties,
				Destination: "CN", ExportFrom: "US", EndUse: "matrix", Items: []tollgate.ApplicationItem{{Model: "H200", Quantity: 1, UnitPriceCents: 1}}}}
		},
		"POST /v1/licensing/agencies": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/licensing/agencies", list: true, body: AgencyInput{Code: "DOD", OrgID: w.lic().agency}}
		},
	}
	fixtures["GET /v1/applications/{id}/documents/{digest}"] = func(w *matrixWorld) matrixCall {
		m := w.lic()
		sa, digest, _ := m.readable()
		return matrixCall{path: "/v1/applications/" + sa.ID + "/documents/" + digest, owner: m.owner(sa)}
	}
	fixtures["POST /v1/licenses/{id}/acknowledgments"] = func(w *matrixWorld) matrixCall {
		c := licenseCall(true, "/acknowledgments", nil)(w)
		c.body = licensing.AcknowledgmentInput{ConditionID: "C1", Role: tollgate.RoleEndUser, PartyID: w.lic().parties.EndUsers[0], SignedBy: "CEO"}
		return c
	}
	for k, f := range fixtures {
		matrixFixtures[k] = f
	}
}
