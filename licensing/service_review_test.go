package licensing_test

import (
	"context"
	"testing"

	"tollgate"
	"tollgate/licensing"
	"tollgate/licensing/licensingtest"
	"tollgate/store"
)

// step is one event sent as one principal, and the error code it must get.
type step struct {
	as   func(w *licensingtest.World) *tollgate.Principal
	ev   licensing.Event
	code string
}

func asBIS(w *licensingtest.World) *tollgate.Principal     { return w.LicensingOfficer() }
func asOfficer(w *licensingtest.World) *tollgate.Principal { return w.Officer() }
func asReviewer(a tollgate.ReviewAgency) func(w *licensingtest.World) *tollgate.Principal {
	return func(w *licensingtest.World) *tollgate.Principal { return w.Reviewer(a) }
}

func recommend(k tollgate.RecommendationKind) licensing.Event {
	return licensing.Event{Kind: licensing.EventRecommend, Recommendation: k, Reasons: []string{"reviewed"}}
}

func TestServiceReviewPaths(t *testing.T) {
	accept := step{asBIS, licensing.Event{Kind: licensing.EventAccept}, ""}
	referBoth := step{asBIS, licensing.Event{Kind: licensing.EventRefer,
		Agencies: []tollgate.ReviewAgency{tollgate.AgencyDefense, tollgate.AgencyStateDept}}, ""}
	deny := &tollgate.ApplicationDecision{Outcome: tollgate.DecisionDeny, Reasons: []string{"risk of diversion"}}
	tests := []struct {
		name      string
		steps     []step
		state     tollgate.ApplicationState
		licensed  bool
		committee bool
	}{
		{"RequestInfoAndRespond", []step{accept,
			{asBIS, licensing.Event{Kind: licensing.EventRequestInfo, Text: "Which data center?"}, ""},
			{asBIS, licensing.Event{Kind: licensing.EventRespond, Text: "Hall 3"}, tollgate.EFORBIDDEN},
			{asOfficer, licensing.Event{Kind: licensing.EventRespond, Text: "Hall 3, Beijing."}, ""},
		}, tollgate.ApplicationUnderReview, false, false},
		{"DisagreementGoesToCommittee", []step{accept, referBoth,
			{asReviewer(tollgate.AgencyEnergy), recommend(tollgate.RecommendApprove), tollgate.ENOTFOUND},
			{asReviewer(tollgate.AgencyDefense), recommend(tollgate.RecommendApprove), ""},
			{asReviewer(tollgate.AgencyDefense), recommend(tollgate.RecommendDeny), tollgate.ECONFLICT},
			{asReviewer(tollgate.AgencyStateDept), recommend(tollgate.RecommendDeny), ""},
			{asBIS, licensing.Event{Kind: licensing.EventDecide, Decision: licensingtest.Approval()}, tollgate.ECONFLICT},
			{asBIS, licensing.Event{Kind: licensing.EventCommitteeDecide, Decision: licensingtest.Approval()}, ""},
		}, tollgate.ApplicationApproved, true, true},
		{"Deny", []step{accept,
			{asBIS, licensing.Event{Kind: licensing.EventDecide, Decision: deny}, ""},
			{asOfficer, licensing.Event{Kind: licensing.EventWithdraw}, tollgate.ECONFLICT},
		}, tollgate.ApplicationDenied, false, false},
		{"Withdraw", []step{
			{asBIS, licensing.Event{Kind: licensing.EventWithdraw}, tollgate.EFORBIDDEN},
			{asOfficer, licensing.Event{Kind: licensing.EventWithdraw, Text: "the customer cancelled"}, ""},
		}, tollgate.ApplicationWithdrawn, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
			id := e.w.Submitted(t, e.svc)
			var out *licensing.Outcome
			for i, s := range tt.steps {
				o, err := e.svc.Apply(licensingtest.As(s.as(e.w)), id, s.ev, 0)
				if got := tollgate.ErrorCode(err); got != s.code {
					t.Fatalf("step %d (%s): got %q (%v), want %q", i, s.ev.Kind, got, err, s.code)
				}
				if err == nil {
					out = o
				}
			}
			if out.Application.State != tt.state || (out.License != nil) != tt.licensed {
				t.Fatalf("final state %s, license %v; want %s, licensed %t", out.Application.State, out.License, tt.state, tt.licensed)
			}
			if d := out.Application.Decision; tt.committee && (d == nil || !d.ByCommittee) {
				t.Errorf("decision %+v: want the committee's", d)
			}
		})
	}
}

func TestServiceLicenseStatus(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	w := e.w
	id := w.Submitted(t, e.svc)
	bis := licensingtest.As(w.LicensingOfficer())
	for _, ev := range []licensing.Event{{Kind: licensing.EventAccept}, {Kind: licensing.EventDecide, Decision: licensingtest.Approval()}} {
		_, err := e.svc.Apply(bis, id, ev, 0)
		mustNoErr(t, err)
	}
	v, _, err := e.svc.FindLicenses(licensingtest.As(w.Officer()), store.LicenseFilter{})
	mustNoErr(t, err)
	number := v[0].Number
	tests := []struct {
		name   string
		ctx    context.Context
		in     licensing.LicenseStatusInput
		code   string
		status tollgate.LicenseStatus
	}{
		{"ErrExporterCannot", licensingtest.As(w.Officer()), licensing.LicenseStatusInput{Status: tollgate.LicenseSuspended, Reason: "x"}, tollgate.EFORBIDDEN, ""},
		{"ErrNoReason", bis, licensing.LicenseStatusInput{Status: tollgate.LicenseSuspended}, tollgate.EINVALID, ""},
		{"Suspend", bis, licensing.LicenseStatusInput{Status: tollgate.LicenseSuspended, Reason: "end-use check"}, "", tollgate.LicenseSuspended},
		{"ErrAlreadySuspended", bis, licensing.LicenseStatusInput{Status: tollgate.LicenseSuspended, Reason: "again"}, tollgate.ECONFLICT, ""},
		{"Revoke", bis, licensing.LicenseStatusInput{Status: tollgate.LicenseRevoked, Reason: "diversion found"}, "", tollgate.LicenseRevoked},
		{"ErrRevocationIsFinal", bis, licensing.LicenseStatusInput{Status: tollgate.LicenseActive, Reason: "appeal"}, tollgate.ECONFLICT, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.SetLicenseStatus(tt.ctx, number, tt.in)
			wantCode(t, err, tt.code)
			if err == nil && (got.CurrentStatus != tt.status || got.StatusReason != tt.in.Reason) {
				t.Errorf("status %s (%q), want %s", got.CurrentStatus, got.StatusReason, tt.status)
			}
		})
	}
}
