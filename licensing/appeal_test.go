package licensing

import (
	"strings"
	"testing"
	"time"

	"tollgate"
)

const dayDur = 24 * time.Hour

// TestAppealLevels climbs every level: the Operating Committee approves
// (STATE dissents), ACEP denies on STATE's appeal (now DOD dissents), EARB
// approves on DOD's, and the President denies on STATE's: final at once.
func TestAppealLevels(t *testing.T) {
	app, c := appIn(t, escalated)
	at := c.next()
	steps := []struct {
		ev     Event
		state  tollgate.ApplicationState
		effect EffectKind
	}{
		{evCommittee(at, approveAll()), appealWindow, EffectAppealWindow},
		{evAppeal(at.Add(5*dayDur), tollgate.AgencyStateDept), appealed, EffectAppealed},
		{evAppealDecide(at.Add(16*dayDur), deny()), appealWindow, EffectAppealWindow},
		{evAppeal(at.Add(17*dayDur), tollgate.AgencyDefense), appealed, EffectAppealed},
		{evAppealDecide(at.Add(20*dayDur), approvePart()), appealWindow, EffectAppealWindow},
		{evAppeal(at.Add(21*dayDur), tollgate.AgencyStateDept), appealed, EffectAppealed},
		{evAppealDecide(at.Add(60*dayDur), deny()), denied, ""},
	}
	for i, s := range steps {
		next, effects, err := Transition(app, s.ev)
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, s.ev.Kind, err)
		}
		if next.State != s.state {
			t.Fatalf("step %d (%s): got %s, want %s", i, s.ev.Kind, next.State, s.state)
		}
		var kinds []EffectKind
		for _, e := range effects {
			kinds = append(kinds, e.Kind)
		}
		if (s.effect == "") != (len(kinds) == 0) || (s.effect != "" && kinds[0] != s.effect) {
			t.Errorf("step %d (%s): got effects %v, want %q", i, s.ev.Kind, kinds, s.effect)
		}
		app = next
	}
	wantLevels := []tollgate.AppealLevel{tollgate.AppealACEP, tollgate.AppealEARB, tollgate.AppealPresident}
	for i, a := range app.Appeals {
		if a.Level != wantLevels[i] || a.Decision == nil || a.Decision.Level != a.Level || a.Record == "" {
			t.Errorf("appeal %d: %+v, want decided at %s with its record", i, a, wantLevels[i])
		}
	}
	if d := app.Decision; d == nil || d.Level != tollgate.AppealPresident || !d.StandsAt.Equal(d.At) {
		t.Errorf("final decision %+v, want the President's, standing when made", d)
	}
	for _, d := range Deadlines(app, at.Add(100*dayDur)) {
		if d.State == DeadlineOpen {
			t.Errorf("deadline %+v still open after the President decided", d)
		}
	}
}

// TestAppealRefusals: who may appeal, when, and what a level's decision
// must carry.
func TestAppealRefusals(t *testing.T) {
	inWindow := func(t *testing.T) (tollgate.Application, time.Time) {
		app, c := appIn(t, appealWindow)
		return app, c.next()
	}
	underAppeal := func(t *testing.T) (tollgate.Application, time.Time) {
		app, c := appIn(t, appealed)
		return app, c.next()
	}
	noRecord := evAppealDecide(t0, deny())
	noRecord.Text = " "
	tests := []struct {
		name    string
		from    func(t *testing.T) (tollgate.Application, time.Time)
		ev      func(at time.Time) Event
		code    string
		message string
	}{
		{"ErrAgreeingAgency", inWindow, func(at time.Time) Event { return evAppeal(at, tollgate.AgencyDefense) }, tollgate.ECONFLICT, "dissenting: STATE"},
		{"ErrNotReferred", inWindow, func(at time.Time) Event { return evAppeal(at, tollgate.AgencyEnergy) }, tollgate.ECONFLICT, "not referred to DOE"},
		{"ErrUnknownAgency", inWindow, func(at time.Time) Event { return evAppeal(at, "NSA") }, tollgate.EINVALID, "agency"},
		{"ErrNoReasons", inWindow, func(at time.Time) Event {
			ev := evAppeal(at, tollgate.AgencyStateDept)
			ev.Reasons = []string{" "}
			return ev
		}, tollgate.EINVALID, "reasons"},
		{"ErrLate", inWindow, func(at time.Time) Event { return evAppeal(at.Add(6*dayDur), tollgate.AgencyStateDept) }, tollgate.ECONFLICT, "appeal window closed"},
		{"ErrFinalizeEarly", inWindow, func(at time.Time) Event { return evFinalize(at.Add(5 * dayDur)) }, tollgate.ECONFLICT, "can be appealed until"},
		{"ErrSecondAppeal", underAppeal, func(at time.Time) Event { return evAppeal(at, tollgate.AgencyStateDept) }, tollgate.ECONFLICT, "allowed events: appeal_decide, withdraw"},
		{"ErrNoRecord", underAppeal, func(at time.Time) Event { ev := noRecord; ev.At = at; return ev }, tollgate.EINVALID, "decision document"},
		{"ErrBoardReturns", underAppeal, func(at time.Time) Event { return evAppealDecide(at, returnIt()) }, tollgate.EINVALID, "does not return"},
		{"ErrBoardOverLicenses", underAppeal, func(at time.Time) Event {
			d := approveAll()
			d.Items[0].Quantity = 1001
			return evAppealDecide(at, d)
		}, tollgate.EINVALID, "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, at := tt.from(t)
			_, _, err := Transition(app, tt.ev(at))
			if errCode(err) != tt.code || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("got %v, want %s mentioning %q", err, tt.code, tt.message)
			}
		})
	}
}

// TestAppealDeadlines: the appeal window and the boards' clocks as the
// views show them.
func TestAppealDeadlines(t *testing.T) {
	app, _ := appIn(t, escalated)
	decided := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	app = mustApply(t, app, evCommittee(decided, deny()))
	win := find(t, Deadlines(app, decided), DeadlineAppeal, "")
	if win.State != DeadlineOpen || win.Level != tollgate.AppealACEP || !win.Due.Equal(day("2026-12-12")) {
		t.Errorf("window: %+v, want open until 2026-12-12 for ACEP", win)
	}
	if got := find(t, Deadlines(app, day("2026-12-13")), DeadlineAppeal, ""); got.State != DeadlineLapsed {
		t.Errorf("window after it closed: %+v, want lapsed", got)
	}
	for _, d := range Overdue(app, day("2026-12-20")) {
		if d.Kind == DeadlineAppeal {
			t.Errorf("a closed appeal window is not overdue: %+v", d)
		}
	}
	appealedAt := time.Date(2026, 12, 12, 9, 0, 0, 0, time.UTC)
	app = mustApply(t, app, evAppeal(appealedAt, tollgate.AgencyDefense))
	ds := Deadlines(app, day("2026-12-30"))
	if got := find(t, ds, DeadlineAppeal, ""); got.State != DeadlineMet || !got.MetAt.Equal(appealedAt) {
		t.Errorf("window after the appeal: %+v, want met", got)
	}
	board := find(t, ds, DeadlineAppealDecision, "")
	if board.State != DeadlineOpen || board.Level != tollgate.AppealACEP || !board.Due.Equal(day("2026-12-23")) || board.DaysLate != 7 {
		t.Errorf("ACEP: %+v, want open, due 2026-12-23, 7 days late on 2026-12-30", board)
	}
}
