package licensing

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"tollgate"
)

// t0 is the day the fixtures are drafted.
var t0 = time.Date(2026, 2, 2, 15, 0, 0, 0, time.UTC)

const (
	applicantOrg = "org-exporter"
	purchaserID  = "party-purchaser"
	consigneeID  = "party-consignee"
	endUserID    = "party-enduser"
	h200         = "H200"
	digestA      = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

// clock hands out strictly increasing event times, one hour apart.
type clock struct{ now time.Time }

func (c *clock) next() time.Time { c.now = c.now.Add(time.Hour); return c.now }

// mustCertifications returns the six H200 certifications, made at t0.
func mustCertifications(tb testing.TB) []tollgate.Certification {
	tb.Helper()
	var out []tollgate.Certification
	for _, spec := range H200Certifications() {
		c, err := Certify(tollgate.RequiredCertification{Code: spec.Code, Text: spec.Statement}, spec.Statement, "Jane Officer", "user-jane", t0)
		if err != nil {
			tb.Fatalf("Certify(%s): %v", spec.Code, err)
		}
		out = append(out, c)
	}
	return out
}

// mustDraft returns a complete H200 application to a Chinese end user.
func mustDraft(tb testing.TB) tollgate.Application {
	tb.Helper()
	return tollgate.Application{
		ID: "app-1",
		Parties: tollgate.ApplicationParties{
			Applicant: applicantOrg, Purchaser: purchaserID,
			UltimateConsignee: consigneeID, EndUsers: []string{endUserID},
		},
		Destination: "CN", ExportFrom: "US",
		EndUse: "Training and serving large language models in the end user's own data center in Beijing.",
		Items: []tollgate.ApplicationItem{{
			Model: "H200", ECCN: "3A090.a", Quantity: 1000, UnitPriceCents: 2_700_000, TotalCents: 2_700_000_000,
			Manufacturer: "Nvidia", Description: "Nvidia H200 SXM 141 GB data-center GPU",
		}},
		Documents:      []tollgate.SupportingDocument{{Name: "end-user-statement.pdf", Digest: digestA, Size: 120_000, ContentType: "application/pdf"}},
		USShipments:    []tollgate.USUnitsShipped{{Product: h200, Units: 10_000, Source: tollgate.UnitsStated}},
		Certifications: mustCertifications(tb),
		CreatedBy:      "user-jane", CreatedAt: t0, UpdatedAt: t0,
		ApplicationReview: tollgate.ApplicationReview{State: tollgate.ApplicationDraft},
	}
}

// requirements returns the six H200 requirements as classify gives them.
func requirements() []tollgate.RequiredCertification {
	var reqs []tollgate.RequiredCertification
	for _, spec := range H200Certifications() {
		reqs = append(reqs, tollgate.RequiredCertification{Code: spec.Code, Text: spec.Statement})
	}
	return reqs
}

// h200Classification is the classification of the H200 for a Chinese end
// user under the January 2026 rule.
func h200Classification(hq string, policy tollgate.ReviewPolicy) tollgate.Classification {
	c := tollgate.Classification{
		Model: "H200", Vendor: "Nvidia", ECCN: "3A090.a", Controlled: true,
		Reasons: []string{"TPP 15832 >= 4800: 3A090.a"},
		Destination: &tollgate.DestinationPolicy{
			Country: "CN", HQ: hq, From: "US", CountryGroups: []string{"D:1", "D:3", "D:4", "D:5"},
			LicenseRequired: true, ReviewPolicy: policy,
		},
	}
	if policy == tollgate.PolicyCaseByCase {
		c.Destination.Conditions = requirements()
	} else {
		c.Reasons = append(c.Reasons, "end user headquartered in D:5 outside China: presumption of denial")
	}
	return c
}

func party(id, name, country string, status tollgate.ScreeningStatus) PartyScreening {
	return PartyScreening{Party: tollgate.Party{
		ID: id, OrgID: applicantOrg, LegalName: name, Country: country, Status: status,
	}}
}

// mustInput returns precheck input under which every check passes.
func mustInput(tb testing.TB) PrecheckInput {
	tb.Helper()
	return PrecheckInput{
		Application: mustDraft(tb),
		Classifications: []ItemClassification{
			{Product: h200, EndUserID: endUserID, Classification: h200Classification("CN", tollgate.PolicyCaseByCase)},
		},
		Parties: []PartyScreening{
			party(purchaserID, "Beijing Example Cloud Co., Ltd.", "CN", tollgate.ScreeningClear),
			party(consigneeID, "Example Logistics (Tianjin) Co., Ltd.", "CN", tollgate.ScreeningClear),
			party(endUserID, "Example AI Research Center", "CN", tollgate.ScreeningClear),
		},
		ChinaUnits: []ChinaUnits{{Product: h200, Exported: 2_000, Reserved: 500}},
		AsOf:       t0.Add(time.Hour),
	}
}

// mustPassingChecks runs the prechecks on mustInput and fails tb unless all
// pass.
func mustPassingChecks(tb testing.TB) []Check {
	tb.Helper()
	checks, err := Precheck(DefaultConfig(), mustInput(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if err := CanSubmit(checks); err != nil {
		tb.Fatalf("fixture prechecks fail: %v", err)
	}
	return checks
}

// mustApply applies events in order and fails tb on the first error.
func mustApply(tb testing.TB, app tollgate.Application, events ...Event) tollgate.Application {
	tb.Helper()
	for _, ev := range events {
		next, _, err := Transition(app, ev)
		if err != nil {
			tb.Fatalf("%s in %s: %v", ev.Kind, app.State, err)
		}
		app = next
	}
	return app
}

func errCode(err error) string {
	var e *tollgate.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Event constructors with the payloads a real caller would send.

func evSubmit(at time.Time, seq uint64, checks []Check) Event {
	return Event{Kind: EventSubmit, Actor: "user-jane", At: at, Sequence: seq, Prechecks: checks}
}

func evAccept(at time.Time) Event { return Event{Kind: EventAccept, Actor: "user-bis", At: at} }

func evRequestInfo(at time.Time) Event {
	return Event{Kind: EventRequestInfo, Actor: "user-bis", At: at, Text: "Describe the end user's remote-access controls."}
}

func evRespond(at time.Time) Event {
	return Event{Kind: EventRespond, Actor: "user-jane", At: at, Text: "See the attached KYC procedure."}
}

func evRefer(at time.Time, agencies ...tollgate.ReviewAgency) Event {
	return Event{Kind: EventRefer, Actor: "user-bis", At: at, Agencies: agencies}
}

func evRecommend(at time.Time, a tollgate.ReviewAgency, k tollgate.RecommendationKind) Event {
	ev := Event{Kind: EventRecommend, Actor: "user-" + string(a), At: at, Agency: a, Recommendation: k,
		Reasons: []string{"reviewed against the end-use and end-user record"}}
	if k == tollgate.RecommendApproveWithConditions {
		ev.Conditions = []string{"no remote access from outside the end user's premises"}
	}
	return ev
}

func evEscalate(at time.Time) Event {
	return Event{Kind: EventEscalate, Actor: "user-bis", At: at, Text: "BIS disagrees with the agencies"}
}

func evWithdraw(at time.Time) Event { return Event{Kind: EventWithdraw, Actor: "user-jane", At: at} }

func evDecide(at time.Time, d tollgate.ApplicationDecision) Event {
	return Event{Kind: EventDecide, Actor: "user-bis", At: at, Decision: &d}
}

func evCommittee(at time.Time, d tollgate.ApplicationDecision) Event {
	return Event{Kind: EventCommitteeDecide, Actor: "user-oc-chair", At: at, Decision: &d}
}

func evAppeal(at time.Time, a tollgate.ReviewAgency) Event {
	return Event{Kind: EventAppeal, Actor: "user-" + string(a), At: at, Agency: a, Reasons: []string{"the end user's remote-access controls are unproven"}}
}

func evAppealDecide(at time.Time, d tollgate.ApplicationDecision) Event {
	return Event{Kind: EventAppealDecide, Actor: "user-bis", At: at, Decision: &d, Text: "minutes of the meeting, item 4"}
}

func evFinalize(at time.Time) Event { return Event{Kind: EventFinalize, Actor: "user-bis", At: at} }

func approveAll() tollgate.ApplicationDecision {
	return tollgate.ApplicationDecision{
		Outcome: tollgate.DecisionApprove, LicenseNumber: "D000001",
		Items: []tollgate.LicenseItem{{Product: h200, Quantity: 1000, ValueCents: 2_700_000_000}},
		Conditions: []tollgate.Condition{{
			ID: "C1", Text: "No remote access to the items from outside the end user's premises.",
			Binds: []tollgate.PartyRole{tollgate.RoleUltimateConsignee, tollgate.RoleEndUser},
		}},
	}
}

func approvePart() tollgate.ApplicationDecision {
	d := approveAll()
	d.Outcome = tollgate.DecisionApproveInPart
	d.Items[0].Quantity, d.Items[0].ValueCents = 600, 1_620_000_000
	return d
}

func deny() tollgate.ApplicationDecision {
	return tollgate.ApplicationDecision{Outcome: tollgate.DecisionDeny, Reasons: []string{"risk of diversion"}}
}

func returnIt() tollgate.ApplicationDecision {
	return tollgate.ApplicationDecision{Outcome: tollgate.DecisionReturn, Reasons: []string{"the end-use statement is unsigned"}}
}

// mustJSON returns v's JSON encoding, to compare values deeply.
func mustJSON(tb interface{ Fatal(...any) }, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
