package licensing

import (
	"testing"
	"time"

	"tollgate"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// at returns a time on day s at hh:mm UTC.
func at(s string, hh, mm int) time.Time {
	return day(s).Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

func review(state tollgate.ApplicationState, submittedAt time.Time) tollgate.Application {
	return tollgate.Application{ApplicationReview: tollgate.ApplicationReview{State: state, ControlNumber: "Z000001", SubmittedAt: submittedAt}}
}

// find returns the deadline of kind k (and agency a) among ds.
func find(t *testing.T, ds []Deadline, k DeadlineKind, a tollgate.ReviewAgency) Deadline {
	t.Helper()
	for _, d := range ds {
		if d.Kind == k && d.Agency == a {
			return d
		}
	}
	t.Fatalf("no %s deadline for %q among %+v", k, a, ds)
	return Deadline{}
}

func TestDeadlineArithmetic(t *testing.T) {
	referredApp := func(submitted, referredAt time.Time) tollgate.Application {
		app := review(referred, submitted)
		app.FirstActionAt, app.ReferredAt = referredAt, referredAt
		app.Referrals = []tollgate.ReviewAgency{tollgate.AgencyDefense, tollgate.AgencyEnergy}
		return app
	}
	escalatedApp := func(submitted, referredAt time.Time) tollgate.Application {
		app := referredApp(submitted, referredAt)
		app.State, app.EscalatedAt = escalated, referredAt.Add(24*time.Hour)
		return app
	}
	withInfo := func(submitted, asked, answered time.Time) tollgate.Application {
		app := review(underReview, submitted)
		app.FirstActionAt = asked
		app.InfoRequests = []tollgate.InfoRequest{{Question: "q", RequestedAt: asked, RespondedAt: answered}}
		return app
	}
	tests := []struct {
		name     string
		app      tollgate.Application
		now      time.Time
		kind     DeadlineKind
		agency   tollgate.ReviewAgency
		wantDue  string
		wantLate int
		want     DeadlineState
	}{
		{"FirstActionOnLeapDay", review(submitted, at("2028-02-20", 23, 59)), at("2028-03-01", 0, 1), DeadlineFirstAction, "", "2028-02-29", 1, DeadlineOpen},
		{"FirstActionAcrossFebruary", review(submitted, at("2027-02-20", 0, 0)), day("2027-03-01"), DeadlineFirstAction, "", "2027-03-01", 0, DeadlineOpen},
		{"FirstActionAcrossYearEnd", review(submitted, at("2026-12-27", 12, 0)), day("2027-01-10"), DeadlineFirstAction, "", "2027-01-05", 5, DeadlineOpen},
		{"FirstActionAcrossMonthEnd", review(submitted, day("2026-01-31")), day("2026-02-10"), DeadlineFirstAction, "", "2026-02-09", 1, DeadlineOpen},
		{"ResolutionOnLeapDay", review(submitted, day("2027-12-01")), day("2028-03-02"), DeadlineResolution, "", "2028-02-29", 2, DeadlineOpen},
		{"ResolutionAcrossYearEnd", review(submitted, day("2026-10-15")), day("2027-01-13"), DeadlineResolution, "", "2027-01-13", 0, DeadlineOpen},
		{"AgencyOnLeapDay", referredApp(day("2028-01-25"), at("2028-01-30", 9, 0)), day("2028-03-31"), DeadlineAgencyRecommendation, "DOE", "2028-02-29", 31, DeadlineOpen},
		{"AgencyAcrossYearEnd", referredApp(day("2026-11-25"), day("2026-12-10")), day("2027-01-10"), DeadlineAgencyRecommendation, "DOD", "2027-01-09", 1, DeadlineOpen},
		{"CommitteeAfterAgencies", escalatedApp(day("2026-11-25"), day("2026-12-10")), day("2027-01-30"), DeadlineCommitteeDecision, "", "2027-01-23", 7, DeadlineOpen},
		{"CommitteeOnLeapDay", escalatedApp(day("2028-01-01"), day("2028-01-16")), day("2028-02-29"), DeadlineCommitteeDecision, "", "2028-02-29", 0, DeadlineOpen},
		{"InfoRequestStopsTheClock", withInfo(day("2026-03-01"), day("2026-03-05"), day("2026-03-15")), day("2026-06-09"), DeadlineResolution, "", "2026-06-09", 0, DeadlineOpen},
		{"FirstActionMetLate", withInfo(day("2026-03-01"), day("2026-03-13"), day("2026-03-15")), day("2026-04-01"), DeadlineFirstAction, "", "2026-03-10", 3, DeadlineMet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := find(t, Deadlines(tt.app, tt.now), tt.kind, tt.agency)
			if got := d.Due.Format(time.DateOnly); got != tt.wantDue {
				t.Errorf("got due %s, want %s", got, tt.wantDue)
			}
			if d.DaysLate != tt.wantLate {
				t.Errorf("got %d days late, want %d", d.DaysLate, tt.wantLate)
			}
			if d.State != tt.want {
				t.Errorf("got state %s, want %s", d.State, tt.want)
			}
			if d.Citation == "" {
				t.Error("deadline without a citation")
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	app := review(referred, day("2026-01-02"))
	app.FirstActionAt, app.ReferredAt = day("2026-01-05"), day("2026-01-05")
	app.Referrals = []tollgate.ReviewAgency{"DOD", "STATE", "DOE"}
	app.Recommendations = []tollgate.AgencyRecommendation{{Agency: "STATE", Recommendation: tollgate.RecommendApprove, At: day("2026-01-20")}}

	late := Overdue(app, day("2026-04-10"))
	got := map[string]int{}
	for _, d := range late {
		got[string(d.Kind)+"/"+string(d.Agency)] = d.DaysLate
	}
	// Agencies due 2026-02-04; resolution due 2026-04-02.
	want := map[string]int{"agency_recommendation/DOD": 65, "agency_recommendation/DOE": 65, "resolution/": 8}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %d days late, want %d", k, got[k], v)
		}
	}
	if late := Overdue(app, day("2026-02-04")); len(late) != 0 {
		t.Errorf("on the due day nothing is late; got %+v", late)
	}

	app.State, app.WithdrawnAt = withdrawn, day("2026-02-01")
	if late := Overdue(app, day("2026-12-31")); len(late) != 0 {
		t.Errorf("a withdrawn application is never late; got %+v", late)
	}
	if d := find(t, Deadlines(app, day("2026-12-31")), DeadlineAgencyRecommendation, "DOD"); d.State != DeadlineCancelled {
		t.Errorf("got %s, want cancelled", d.State)
	}
	if Deadlines(review(draft, time.Time{}), day("2026-12-31")) != nil {
		t.Error("a draft has no deadlines")
	}
}

func TestDeadlinesOfDecidedApplication(t *testing.T) {
	app := review(approved, day("2026-01-02"))
	app.FirstActionAt = day("2026-01-08")
	app.Decision = &tollgate.ApplicationDecision{Outcome: tollgate.DecisionApprove, At: at("2026-04-05", 10, 0)}
	ds := Deadlines(app, day("2027-01-01"))
	res := find(t, ds, DeadlineResolution, "")
	if res.State != DeadlineMet || res.DaysLate != 3 {
		t.Errorf("got resolution %+v, want met 3 days late (due 2026-04-02)", res)
	}
	if first := find(t, ds, DeadlineFirstAction, ""); first.State != DeadlineMet || first.DaysLate != 0 {
		t.Errorf("got first action %+v, want met on time", first)
	}
}

func TestDeadlineRulesTable(t *testing.T) {
	want := map[DeadlineKind]int{DeadlineFirstAction: 9, DeadlineAgencyRecommendation: 30, DeadlineCommitteeDecision: 14, DeadlineResolution: 90,
		DeadlineAppeal: 5, DeadlineAppealDecision: 11}
	rules := DeadlineRules()
	if len(rules) != len(want) {
		t.Fatalf("got %d rules, want %d", len(rules), len(want))
	}
	for _, r := range rules {
		if r.Days != want[r.Kind] || r.Citation == "" {
			t.Errorf("rule %+v: want %d days and a citation", r, want[r.Kind])
		}
	}
}
