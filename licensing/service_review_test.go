package licensing_test

import (
	"context"
	"testing"
	"time"

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
			// The decision stands only when its appeal window closes.
			{asBIS, licensing.Event{Kind: licensing.EventFinalize}, tollgate.ECONFLICT},
		}, tollgate.ApplicationAppealWindow, false, true},
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
			if d, _ := out.Application.PendingDecision(); tt.committee && (d == nil || !d.ByCommittee) {
				t.Errorf("decision %+v: want the committee's", d)
			}
		})
	}
}

// TestServiceAppeals runs an escalated case through the appeal levels with
// the service's clock: only a dissenting agency's reviewer may appeal, only
// within 5 days; the licensing officer records each level's decision; the
// license is issued only when a decision stands.
func TestServiceAppeals(t *testing.T) {
	licensingtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		w, svc := e.w, e.svc
		id := w.Submitted(t, svc)
		bis := licensingtest.As(w.LicensingOfficer())
		dod, state := licensingtest.As(w.Reviewer(tollgate.AgencyDefense)), licensingtest.As(w.Reviewer(tollgate.AgencyStateDept))
		apply := func(ctx context.Context, ev licensing.Event, code string) *licensing.Outcome {
			t.Helper()
			out, err := svc.Apply(ctx, id, ev, 0)
			if got := tollgate.ErrorCode(err); got != code {
				t.Fatalf("%s: got %q (%v), want %q", ev.Kind, got, err, code)
			}
			return out
		}
		apply(bis, licensing.Event{Kind: licensing.EventAccept}, "")
		apply(bis, licensing.Event{Kind: licensing.EventRefer, Agencies: []tollgate.ReviewAgency{tollgate.AgencyDefense, tollgate.AgencyStateDept}}, "")
		apply(dod, recommend(tollgate.RecommendApprove), "")
		apply(state, recommend(tollgate.RecommendDeny), "")
		out := apply(bis, licensing.Event{Kind: licensing.EventCommitteeDecide, Decision: licensingtest.Approval()}, "")
		if out.Application.State != tollgate.ApplicationAppealWindow || out.License != nil {
			t.Fatalf("after the committee: %s, license %v; want the appeal window and no license", out.Application.State, out.License)
		}
		appeal := licensing.Event{Kind: licensing.EventAppeal, Reasons: []string{"remote access is not controlled"}}
		apply(licensingtest.As(w.Officer()), appeal, tollgate.EFORBIDDEN)
		apply(dod, appeal, tollgate.ECONFLICT) // DOD recommended approval: it does not dissent
		out = apply(state, appeal, "")
		if n := len(out.Application.Appeals); n != 1 || out.Application.Appeals[0].Agency != tollgate.AgencyStateDept ||
			out.Application.Appeals[0].Level != tollgate.AppealACEP {
			t.Fatalf("appeals: %+v", out.Application.Appeals)
		}
		v, err := svc.Application(bis, id)
		mustNoErr(t, err)
		var acep *licensing.Deadline
		for i, d := range v.Deadlines {
			if d.Kind == licensing.DeadlineAppealDecision {
				acep = &v.Deadlines[i]
			}
		}
		if acep == nil || acep.Level != tollgate.AppealACEP || acep.State != licensing.DeadlineOpen ||
			!acep.Due.Equal(civil(e.clock.Now()).AddDate(0, 0, 11)) {
			t.Fatalf("ACEP's deadline: %+v, want open, due 11 days from the appeal", acep)
		}
		decide := licensing.Event{Kind: licensing.EventAppealDecide, Decision: licensingtest.Approval(), Text: "ACEP decision record 2026-14"}
		apply(state, decide, tollgate.EFORBIDDEN)
		out = apply(bis, decide, "")
		if out.Application.State != tollgate.ApplicationAppealWindow || out.License != nil {
			t.Fatalf("after ACEP: %s, license %v", out.Application.State, out.License)
		}
		e.clock.Advance(5 * 24 * time.Hour)
		apply(bis, licensing.Event{Kind: licensing.EventFinalize}, tollgate.ECONFLICT) // the window's last day
		e.clock.Advance(24 * time.Hour)
		apply(state, appeal, tollgate.ECONFLICT) // too late
		out = apply(bis, licensing.Event{Kind: licensing.EventFinalize}, "")
		if out.Application.State != tollgate.ApplicationApproved || out.License == nil {
			t.Fatalf("after the window: %s, license %v; want approved and licensed", out.Application.State, out.License)
		}
		d := out.Application.Decision
		if d.Level != tollgate.AppealACEP || d.StandsAt.IsZero() || !out.License.IssuedAt.Equal(d.StandsAt) {
			t.Errorf("decision %+v, license issued %s: want ACEP's, issued when it stood", d, out.License.IssuedAt)
		}
		if got, want := out.License.Number, out.Application.CommitteeDecision.LicenseNumber; got != want {
			t.Errorf("license number %s, want %s, the number the committee's approval took", got, want)
		}
	})
}

func civil(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
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

// TestServiceFinalizeDue: the job finalizes, as the system, exactly the
// decisions whose appeal window has closed without an appeal.
func TestServiceFinalizeDue(t *testing.T) {
	licensingtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		w, svc := e.w, e.svc
		bis := licensingtest.As(w.LicensingOfficer())
		state := licensingtest.As(w.Reviewer(tollgate.AgencyStateDept))
		decided := func() string {
			id := w.Submitted(t, svc)
			for _, s := range []struct {
				ctx context.Context
				ev  licensing.Event
			}{
				{bis, licensing.Event{Kind: licensing.EventAccept}},
				{bis, licensing.Event{Kind: licensing.EventRefer, Agencies: []tollgate.ReviewAgency{tollgate.AgencyDefense, tollgate.AgencyStateDept}}},
				{licensingtest.As(w.Reviewer(tollgate.AgencyDefense)), recommend(tollgate.RecommendApprove)},
				{state, recommend(tollgate.RecommendDeny)},
				{bis, licensing.Event{Kind: licensing.EventCommitteeDecide, Decision: licensingtest.Approval()}},
			} {
				_, err := svc.Apply(s.ctx, id, s.ev, 0)
				mustNoErr(t, err)
			}
			return id
		}
		quiet, appealed := decided(), decided()
		_, err := svc.Apply(state, appealed, licensing.Event{Kind: licensing.EventAppeal, Reasons: []string{"diversion risk"}}, 0)
		mustNoErr(t, err)
		e.clock.Advance(5 * 24 * time.Hour)
		n, err := svc.FinalizeDue(context.Background())
		if mustNoErr(t, err); n != 0 {
			t.Fatalf("finalized %d on the window's last day, want 0", n)
		}
		e.clock.Advance(24 * time.Hour)
		n, err = svc.FinalizeDue(context.Background())
		if mustNoErr(t, err); n != 1 {
			t.Fatalf("finalized %d after the window, want 1", n)
		}
		v, err := svc.Application(bis, quiet)
		mustNoErr(t, err)
		if v.State != tollgate.ApplicationApproved || v.Decision == nil || v.Decision.StandsAt.IsZero() {
			t.Errorf("unappealed: %s, decision %+v; want approved, standing", v.State, v.Decision)
		}
		lics, _, err := svc.FindLicenses(bis, store.LicenseFilter{})
		mustNoErr(t, err)
		if len(lics) != 1 || lics[0].ApplicationID != quiet {
			t.Errorf("licenses: %+v, want the unappealed application's only", lics)
		}
		v, err = svc.Application(bis, appealed)
		mustNoErr(t, err)
		if v.State != tollgate.ApplicationAppealed {
			t.Errorf("appealed: %s, want still appealed", v.State)
		}
	})
}
