package licensing

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"tollgate"
)

// drawEvent draws an event for app: usually one its state accepts, with a
// payload that is usually, but not always, well formed, at a time usually
// after now; sometimes any event at all.
func drawEvent(t *rapid.T, app tollgate.Application, now time.Time, passing []Check) Event {
	var kinds []EventKind
	for _, k := range AllowedEvents(app.State) {
		if k != EventWithdraw {
			kinds = append(kinds, k)
		}
	}
	kind := rapid.SampledFrom(EventKinds()).Draw(t, "any kind")
	if pick := rapid.IntRange(0, 29).Draw(t, "pick"); pick == 0 {
		kind = EventWithdraw
	} else if pick > 5 && len(kinds) > 0 {
		kind = rapid.SampledFrom(kinds).Draw(t, "allowed kind")
	}
	hours := rapid.SampledFrom([]int{-1, 0, 1, 5, 24, 24 * 10, 24 * 31, 24 * 100}).Draw(t, "hours")
	ev := Event{Kind: kind, Actor: "user-a", At: now.Add(time.Duration(hours) * time.Hour)}
	if rapid.IntRange(0, 19).Draw(t, "no actor") == 0 {
		ev.Actor = ""
	}
	agencies := []tollgate.ReviewAgency{"DOD", "STATE", "DOE", "NSA"}
	switch kind {
	case EventSubmit:
		ev.Sequence = rapid.Uint64Range(0, 3).Draw(t, "sequence")
		switch rapid.IntRange(0, 5).Draw(t, "checks") {
		case 0:
			ev.Prechecks = nil
		case 1:
			ev.Prechecks = append(slices.Clone(passing), fail(CheckScreening, "p", "blocked"))
		default:
			ev.Prechecks = passing
		}
	case EventRequestInfo, EventRespond, EventEscalate, EventWithdraw:
		ev.Text = rapid.SampledFrom([]string{"", "some text", "more text"}).Draw(t, "text")
	case EventRefer:
		ev.Agencies = rapid.SliceOfN(rapid.SampledFrom(agencies), 0, 4).Draw(t, "agencies")
	case EventRecommend:
		ev.Agency = rapid.SampledFrom(agencies).Draw(t, "agency")
		if len(app.Referrals) > 0 && rapid.Bool().Draw(t, "referred agency") {
			ev.Agency = rapid.SampledFrom(app.Referrals).Draw(t, "which referred agency")
		}
		ev.Recommendation = rapid.SampledFrom([]tollgate.RecommendationKind{
			tollgate.RecommendApprove, tollgate.RecommendApproveWithConditions, tollgate.RecommendDeny,
		}).Draw(t, "recommendation")
		ev.Reasons = []string{"reason"}
		ev.Conditions = []string{"condition"}
	case EventDecide, EventCommitteeDecide, EventAppealDecide:
		over := approveAll()
		over.Items[0].Quantity = 5000
		d := rapid.SampledFrom([]tollgate.ApplicationDecision{approveAll(), approvePart(), deny(), returnIt(), over}).Draw(t, "decision")
		ev.Decision = &d
		ev.Text = rapid.SampledFrom([]string{"", "board minutes, item 2"}).Draw(t, "record")
	case EventAppeal:
		ev.Agency = rapid.SampledFrom(agencies).Draw(t, "agency")
		if len(app.Referrals) > 0 && rapid.Bool().Draw(t, "referred agency") {
			ev.Agency = rapid.SampledFrom(app.Referrals).Draw(t, "which referred agency")
		}
		ev.Reasons = rapid.SampledFrom([][]string{nil, {"reason"}}).Draw(t, "reasons")
	}
	return ev
}

// TestTransitionProperties applies random event sequences and checks the
// invariants of the review after every step.
func TestTransitionProperties(t *testing.T) {
	t.Run("FromDraft", func(t *testing.T) { transitionProperties(t, mustDraft(t), t0) })
	// Random walks from a draft seldom reach the appeal levels: start some
	// at the Operating Committee.
	t.Run("FromEscalated", func(t *testing.T) {
		app, c := appIn(t, escalated)
		transitionProperties(t, app, c.now)
	})
}

func transitionProperties(t *testing.T, start tollgate.Application, startAt time.Time) {
	passing := mustPassingChecks(t)
	rapid.Check(t, func(t *rapid.T) {
		app := start
		now := startAt
		assigned := 0
		if start.ControlNumber != "" {
			assigned = 1
		}
		for range rapid.IntRange(1, 40).Draw(t, "steps") {
			ev := drawEvent(t, app, now, passing)
			before := app
			beforeJSON := mustJSON(t, before)
			next, effects, err := Transition(app, ev)
			if err != nil {
				if before.State.Terminal() && errCode(err) != tollgate.ECONFLICT {
					t.Fatalf("%s in terminal %s: got %v, want a conflict", ev.Kind, before.State, err)
				}
				switch errCode(err) {
				case tollgate.ECONFLICT, tollgate.EINVALID, tollgate.EPRECONDITION:
				default:
					t.Fatalf("%s in %s: unexpected error code %q: %v", ev.Kind, before.State, errCode(err), err)
				}
				if mustJSON(t, before) != beforeJSON {
					t.Fatalf("refused %s changed the application", ev.Kind)
				}
				continue
			}
			if before.State.Terminal() {
				t.Fatalf("%s accepted in terminal state %s", ev.Kind, before.State)
			}
			spec, _ := Spec(ev.Kind)
			if !slices.Contains(spec.From, before.State) || !slices.Contains(spec.To, next.State) {
				t.Fatalf("%s took %s to %s, outside its spec %v -> %v", ev.Kind, before.State, next.State, spec.From, spec.To)
			}
			for _, e := range effects {
				if e.Kind == EffectControlNumberAssigned {
					assigned++
				}
			}
			checkInvariants(t, before, next, assigned)
			app, now = next, ev.At
		}
	})
}

func checkInvariants(t *rapid.T, before, next tollgate.Application, assigned int) {
	if assigned > 1 {
		t.Fatalf("control number assigned %d times", assigned)
	}
	if before.ControlNumber != "" && next.ControlNumber != before.ControlNumber {
		t.Fatalf("control number changed from %s to %s", before.ControlNumber, next.ControlNumber)
	}
	if got, want := next.ControlNumber != "", !next.SubmittedAt.IsZero(); got != want {
		t.Fatalf("control number %q with submitted at %s", next.ControlNumber, next.SubmittedAt)
	}
	if got, want := next.Decision != nil, next.State.Decided(); got != want {
		t.Fatalf("state %s with decision %v", next.State, next.Decision)
	}
	seen := map[tollgate.ReviewAgency]bool{}
	for _, r := range next.Recommendations {
		if !next.Referred(r.Agency) || seen[r.Agency] {
			t.Fatalf("recommendation from %s: referred to %v, seen %v", r.Agency, next.Referrals, seen)
		}
		seen[r.Agency] = true
	}
	checkAppealInvariants(t, before, next)
	if latestEvent(&next.ApplicationReview).Before(latestEvent(&before.ApplicationReview)) {
		t.Fatal("the latest event went back in time")
	}
	for _, d := range Overdue(next, latestEvent(&next.ApplicationReview).Add(200*24*time.Hour)) {
		if d.State != DeadlineOpen || d.DaysLate <= 0 {
			t.Fatalf("overdue deadline %+v is not open and late", d)
		}
	}
	if next.State.Terminal() {
		for _, d := range Deadlines(next, next.UpdatedAt) {
			if d.State == DeadlineOpen {
				t.Fatalf("deadline %s still open in terminal state %s", d.Kind, next.State)
			}
		}
	}
}

// checkAppealInvariants: after the Operating Committee a decision exists
// while the case waits or is appealed; every appeal came from an agency
// that dissented from the decision it appealed, within 5 days, and climbs
// the levels in order; a decision at any level after the committee becomes
// final only by standing (the President's, or an unappealed one after its
// window).
func checkAppealInvariants(t *rapid.T, before, next tollgate.Application) {
	switch next.State {
	case appealWindow:
		if d, _ := next.PendingDecision(); d == nil {
			t.Fatalf("%s without a pending decision", next.State)
		}
	case appealed:
		if n := len(next.Appeals); n == 0 || next.Appeals[n-1].Decision != nil {
			t.Fatalf("%s without an open appeal: %+v", next.State, next.Appeals)
		}
	}
	decided := next.CommitteeDecision
	for i, a := range next.Appeals {
		if a.Level != tollgate.AppealLevels()[i] {
			t.Fatalf("appeal %d to %s, want %s", i, a.Level, tollgate.AppealLevels()[i])
		}
		rec, ok := next.Recommendation(a.Agency)
		if decided == nil || !ok || rec.Recommendation.Approves() == decided.Outcome.IssuesLicense() {
			t.Fatalf("appeal %d by %s, which did not dissent from %+v", i, a.Agency, decided)
		}
		if daysBetween(decided.At, a.At) > appealDays {
			t.Fatalf("appeal %d on %s, more than %d days after the decision of %s", i, a.At, appealDays, decided.At)
		}
		decided = a.Decision
	}
	if d := next.Decision; d != nil && (d.ByCommittee || d.Level != "") {
		if d.StandsAt.IsZero() {
			t.Fatalf("escalated decision %+v final without standing", d)
		}
		if d.Level != tollgate.AppealPresident && daysBetween(d.At, d.StandsAt) <= appealDays {
			t.Fatalf("decision of %s stood on %s, inside its appeal window", d.At, d.StandsAt)
		}
	}
	if before.Decision == nil && next.Decision != nil && next.CommitteeDecision != nil {
		if pending, _ := before.PendingDecision(); pending == nil {
			t.Fatalf("an escalated case's decision stood with nothing pending")
		}
	}
}
