package licensing_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/licensing"
	"tollgate/licensing/licensingtest"
	"tollgate/store"
)

// env is a world on a fresh store with its service.
type env struct {
	w     *licensingtest.World
	svc   *licensing.Service
	clock *licensingtest.Clock
	dsn   string
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	clock := licensingtest.NewClock()
	db := licensingtest.Open(t, dsn, clock.Now)
	w := licensingtest.NewWorld(t, db)
	svc := licensingtest.NewService(t, db)
	w.SetAgencies(t, svc)
	return &env{w: w, svc: svc, clock: clock, dsn: dsn}
}

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := tollgate.ErrorCode(err); got != want {
		t.Fatalf("error code: got %q (%v), want %q", got, err, want)
	}
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestServiceHappyPath(t *testing.T) {
	licensingtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		w, svc := e.w, e.svc
		officer := licensingtest.As(w.Officer())
		bis := licensingtest.As(w.LicensingOfficer())

		sa, err := svc.CreateDraft(officer, w.Draft())
		mustNoErr(t, err)
		if got, want := sa.Items[0].TotalCents, int64(2_700_000_000); got != want {
			t.Errorf("total: got %d, want %d", got, want)
		}
		reqs, err := svc.RequiredCertifications(officer, sa.ID)
		mustNoErr(t, err)
		if got, want := len(reqs), 6; got != want {
			t.Fatalf("required certifications: got %d, want %d", got, want)
		}
		rep, err := svc.Precheck(officer, sa.ID)
		mustNoErr(t, err)
		if rep.CanSubmit {
			t.Fatal("a draft without documents or certifications passes the prechecks")
		}
		id := w.Certified(t, svc)
		rep, err = svc.Precheck(officer, id)
		mustNoErr(t, err)
		if !rep.CanSubmit {
			t.Fatalf("prechecks fail: %+v", rep.Checks)
		}
		out, err := svc.Submit(officer, id, 0)
		mustNoErr(t, err)
		if got, want := out.Application.ControlNumber, "Z000001"; got != want {
			t.Errorf("control number: got %q, want %q", got, want)
		}
		if got := out.Application.AssignedOrgIDs; len(got) != 1 || got[0] != w.BIS.ID {
			t.Errorf("assigned to %v, want the licensing agency %s", got, w.BIS.ID)
		}
		// A reviewer sees nothing before referral.
		_, err = svc.Application(licensingtest.As(w.Reviewer(tollgate.AgencyDefense)), id)
		wantCode(t, err, tollgate.ENOTFOUND)

		e.clock.Advance(24 * time.Hour)
		_, err = svc.Apply(bis, id, licensing.Event{Kind: licensing.EventAccept}, 0)
		mustNoErr(t, err)
		_, err = svc.Apply(bis, id, licensing.Event{Kind: licensing.EventRefer,
			Agencies: []tollgate.ReviewAgency{tollgate.AgencyDefense, tollgate.AgencyStateDept, tollgate.AgencyEnergy}}, 0)
		mustNoErr(t, err)
		for _, a := range tollgate.ReviewAgencies() {
			e.clock.Advance(24 * time.Hour)
			_, err = svc.Apply(licensingtest.As(w.Reviewer(a)), id, licensing.Event{Kind: licensing.EventRecommend,
				Recommendation: tollgate.RecommendApprove, Reasons: []string{"end user vetted"}}, 0)
			mustNoErr(t, err)
		}
		e.clock.Advance(24 * time.Hour)
		out, err = svc.Apply(bis, id, licensing.Event{Kind: licensing.EventDecide, Decision: licensingtest.Approval()}, 0)
		mustNoErr(t, err)
		if out.Application.State != tollgate.ApplicationApproved || out.License == nil {
			t.Fatalf("after approval: state %s, license %v", out.Application.State, out.License)
		}
		lic, err := svc.License(officer, out.License.Number)
		mustNoErr(t, err)
		if got, want := lic.Number, "D000001"; got != want {
			t.Errorf("license number: got %q, want %q", got, want)
		}
		if got, want := lic.ValidTo.Format(time.DateOnly), "2030-02-06"; got != want {
			t.Errorf("valid to: got %s, want %s (4 years from the decision day, 2026-02-07)", got, want)
		}
		if got, want := len(lic.PendingAcknowledgments), 2; got != want || lic.CurrentStatus != tollgate.LicenseActive {
			t.Fatalf("pending acknowledgments %d (want %d), status %s", got, want, lic.CurrentStatus)
		}
		lic, err = svc.Acknowledge(officer, lic.ID, licensing.AcknowledgmentInput{ConditionID: "C1",
			Role: tollgate.RoleEndUser, PartyID: w.EndUser.ID, SignedBy: "Li Wei, CEO"})
		mustNoErr(t, err)
		if got, want := len(lic.PendingAcknowledgments), 1; got != want {
			t.Errorf("pending after one acknowledgment: got %d, want %d", got, want)
		}
		_, err = svc.Acknowledge(officer, lic.ID, licensing.AcknowledgmentInput{ConditionID: "C1",
			Role: tollgate.RoleEndUser, PartyID: w.EndUser.ID, SignedBy: "Li Wei, CEO"})
		wantCode(t, err, tollgate.ECONFLICT)
		// Every change is in the audit log, named by its use case.
		recs, _, err := w.DB.FindAuditRecords(officer, tollgate.AuditFilter{ObjectType: "application", ObjectID: id, Limit: 100})
		mustNoErr(t, err)
		var actions []string
		for _, r := range recs {
			actions = append(actions, r.Record.Action)
		}
		want := "application.create application.document.upload " + strings.Repeat("application.certify ", 6) +
			"application.submit application.accept application.refer " + strings.Repeat("application.recommend ", 3) + "application.decide"
		if got := strings.Join(actions, " "); got != want {
			t.Errorf("audit actions:\n got %s\nwant %s", got, want)
		}
		licRecs, _, err := w.DB.FindAuditRecords(officer, tollgate.AuditFilter{ObjectType: "license", ObjectID: lic.ID})
		mustNoErr(t, err)
		if len(licRecs) != 2 || licRecs[0].Record.Action != "license.issue" || licRecs[1].Record.Action != "license.acknowledge" ||
			licRecs[1].Record.Actor.UserID != w.Officer().UserID {
			t.Errorf("license audit records: %+v", licRecs)
		}
		// The auditor reads everything; the other exporter nothing.
		_, err = svc.License(licensingtest.As(w.AuditorPrincipal()), lic.ID)
		mustNoErr(t, err)
		_, err = svc.Application(licensingtest.As(w.Outsider()), id)
		wantCode(t, err, tollgate.ENOTFOUND)
	})
}

func TestServiceSubmitRefusedForScreening(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	w, svc := e.w, e.svc
	officer := licensingtest.As(w.Officer())
	id := w.Certified(t, svc)
	tests := []struct {
		name string
		mark func()
		want string
	}{
		{"ErrUndecidedHit", func() { w.Screen(t, w.EndUser.ID, w.Hit()) }, "has undecided hits: EL EL-7"},
		{"ErrTrueMatch", func() { w.DecideHit(t, w.EndUser.ID, tollgate.HitTrueMatch) }, "is blocked by a true match: EL EL-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.mark()
			_, err := svc.Submit(officer, id, 0)
			wantCode(t, err, tollgate.EPRECONDITION)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want it to say %q", err, tt.want)
			}
			var te *tollgate.Error
			if !errors.As(err, &te) || te.Details == nil {
				t.Errorf("error carries no checks: %#v", err)
			}
			v, err := svc.Application(officer, id)
			mustNoErr(t, err)
			if v.State != tollgate.ApplicationDraft || v.ControlNumber != "" {
				t.Errorf("after a refused submission: state %s, control number %q", v.State, v.ControlNumber)
			}
		})
	}
}

func TestServiceOverdue(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	w, svc := e.w, e.svc
	id := w.Submitted(t, svc)
	bis := licensingtest.As(w.LicensingOfficer())
	late, err := svc.OverdueApplications(bis, store.ApplicationFilter{})
	mustNoErr(t, err)
	if len(late) != 0 {
		t.Fatalf("overdue on the day of submission: %d", len(late))
	}
	e.clock.Advance(12 * 24 * time.Hour) // 2026-02-14; the first action was due 2026-02-11
	late, err = svc.OverdueApplications(bis, store.ApplicationFilter{})
	mustNoErr(t, err)
	if len(late) != 1 || late[0].ID != id {
		t.Fatalf("overdue: got %d applications, want %s", len(late), id)
	}
	d := late[0].Overdue[0]
	if d.Kind != licensing.DeadlineFirstAction || d.DaysLate != 3 || d.Due.Format(time.DateOnly) != "2026-02-11" {
		t.Errorf("overdue deadline: %s due %s, %d days late; want first_action due 2026-02-11, 3 days late", d.Kind, d.Due.Format(time.DateOnly), d.DaysLate)
	}
	// The other exporter is not told about it.
	late, err = svc.OverdueApplications(licensingtest.As(w.Outsider()), store.ApplicationFilter{})
	mustNoErr(t, err)
	if len(late) != 0 {
		t.Errorf("the other exporter sees %d overdue applications", len(late))
	}
}

// TestServiceSubmitPresumptionOfDenial files what the regime reviews under a
// presumption of denial (a B200 to China, a reexport to China): the
// prechecks warn with the policy, submission goes through, and the outcome
// and the audit record carry the warnings (regime.md §9).
func TestServiceSubmitPresumptionOfDenial(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d *licensing.Draft)
		check  string
	}{
		{"B200ToChina", func(d *licensing.Draft) {
			d.Items[0].Model, d.Items[0].Description = "B200", "Nvidia B200 (HGX) data-center GPU"
			d.USShipments = nil
		}, licensing.CheckClassification},
		{"ReexportToChina", func(d *licensing.Draft) { d.Reexport = true }, licensing.CheckExportScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "tollgate.db"))
			officer := licensingtest.As(e.w.Officer())
			d := e.w.Draft()
			tt.mutate(&d)
			sa, err := e.svc.CreateDraft(officer, d)
			mustNoErr(t, err)
			_, _, err = e.svc.UploadDocument(officer, sa.ID, "end-user-statement.pdf", "application/pdf", licensingtest.PDF("statement"))
			mustNoErr(t, err)
			rep, err := e.svc.Precheck(officer, sa.ID)
			mustNoErr(t, err)
			if !rep.CanSubmit || rep.Failing != 0 || rep.Warnings == 0 {
				t.Fatalf("precheck: can submit %t, %d failing, %d warnings; want submittable with warnings: %v",
					rep.CanSubmit, rep.Failing, rep.Warnings, rep.Checks)
			}
			out, err := e.svc.Submit(officer, sa.ID, 0)
			mustNoErr(t, err)
			if out.Application.State != tollgate.ApplicationSubmitted {
				t.Errorf("state: got %s, want submitted", out.Application.State)
			}
			var found bool
			for _, w := range out.Warnings {
				if w.Name == tt.check && strings.Contains(w.Reason, "presumption of denial") {
					found = true
				}
			}
			if !found {
				t.Errorf("submit warnings: got %v, want a %s warning showing the presumption of denial", out.Warnings, tt.check)
			}
		})
	}
}
