package licensing

import (
	"fmt"
	"strings"
	"time"

	"tollgate"
)

// The clocks after the Operating Committee (EO 12981 §5 as regime.md §9
// summarises it; day counts to be confirmed against the order's text): a
// dissenting agency appeals within appealDays of a decision, and ACEP and
// EARB decide within boardDays of an appeal. The President has no clock.
const (
	appealDays = 5
	boardDays  = 11
)

// nextLevel returns the level that hears an appeal of a decision made at
// level ("" for the Operating Committee), or false after the President.
func nextLevel(level tollgate.AppealLevel) (tollgate.AppealLevel, bool) {
	switch level {
	case "":
		return tollgate.AppealACEP, true
	case tollgate.AppealACEP:
		return tollgate.AppealEARB, true
	case tollgate.AppealEARB:
		return tollgate.AppealPresident, true
	}
	return "", false
}

// levelName names the body that made a decision at level.
func levelName(level tollgate.AppealLevel) string {
	if level == "" {
		return "the Operating Committee chair"
	}
	return string(level)
}

// appealDue is the last day on which the pending decision can be appealed.
func appealDue(r *tollgate.ApplicationReview) time.Time {
	d, _ := r.PendingDecision()
	return addDays(d.At, appealDays)
}

// windowClosed reports whether app's pending decision can no longer be
// appealed as of now: now's day is after the window's last day.
func windowClosed(app *tollgate.Application, now time.Time) bool {
	d, _ := app.PendingDecision()
	return d != nil && civilDate(now).After(appealDue(&app.ApplicationReview))
}

// dissenters returns the referred agencies whose recommendation went the
// other way from decision d: they, and only they, may appeal it.
func dissenters(r *tollgate.ApplicationReview, d *tollgate.ApplicationDecision) []tollgate.ReviewAgency {
	var out []tollgate.ReviewAgency
	for _, rec := range r.Recommendations {
		if rec.Recommendation.Approves() != d.Outcome.IssuesLicense() {
			out = append(out, rec.Agency)
		}
	}
	return out
}

// appealWindowEffect describes the window the pending decision opened.
func appealWindowEffect(app *tollgate.Application) Effect {
	d, level := app.PendingDecision()
	next, _ := nextLevel(level)
	who := joinAgencies(dissenters(&app.ApplicationReview, d))
	if who == "none" {
		who = "no agency (none dissented)"
	}
	return Effect{Kind: EffectAppealWindow, Reason: fmt.Sprintf("%s's decision (%s) stands after %s unless a dissenting agency appeals to %s by then; may appeal: %s",
		levelName(level), d.Outcome, appealDue(&app.ApplicationReview).Format(dateLayout), next, who)}
}

// appeal handles an agency's appeal of the pending decision to the next
// level: the agency was referred and recommended against the decision, the
// appeal window is open, and it states its reasons.
func appeal(app *tollgate.Application, ev Event) ([]Effect, error) {
	d, level := app.PendingDecision()
	next, ok := nextLevel(level)
	switch {
	case d == nil || !ok:
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "no decision to appeal")
	case !ev.Agency.Valid():
		return nil, tollgate.FieldErrorf("agency", "unknown agency %q; agencies are %s", ev.Agency, joinAgencies(tollgate.ReviewAgencies()))
	case len(nonBlank(ev.Reasons)) == 0:
		return nil, tollgate.FieldErrorf("reasons", "an appeal states its reasons")
	case !app.Referred(ev.Agency):
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "the application was not referred to %s (referred to %s)", ev.Agency, joinAgencies(app.Referrals))
	}
	if rec, ok := app.Recommendation(ev.Agency); !ok || rec.Recommendation.Approves() == d.Outcome.IssuesLicense() {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "only an agency that dissented from %s's decision (%s) may appeal it; dissenting: %s",
			levelName(level), d.Outcome, joinAgencies(dissenters(&app.ApplicationReview, d)))
	}
	if due := appealDue(&app.ApplicationReview); civilDate(ev.At).After(due) {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "the appeal window closed on %s (%d days from %s's decision); the decision stands",
			due.Format(dateLayout), appealDays, levelName(level))
	}
	app.Appeals = append(app.Appeals, tollgate.Appeal{
		Level: next, Agency: ev.Agency, Reasons: nonBlank(ev.Reasons), AppellantID: ev.Actor, At: ev.At,
	})
	app.State = appealed
	reason := fmt.Sprintf("%s appealed %s's decision (%s) to %s", ev.Agency, levelName(level), d.Outcome, next)
	if next != tollgate.AppealPresident {
		reason += fmt.Sprintf(", which decides by %s", addDays(ev.At, boardDays).Format(dateLayout))
	}
	return []Effect{{Kind: EffectAppealed, Reason: reason}}, nil
}

// appealDecide records the decision of the level appealed to, which the
// licensing officer enters with the reference of its decision document.
// ACEP's and EARB's decisions open a new appeal window; the President's
// is final.
func appealDecide(app *tollgate.Application, ev Event) ([]Effect, error) {
	n := len(app.Appeals)
	if n == 0 || app.Appeals[n-1].Decision != nil {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "no open appeal to decide")
	}
	a := &app.Appeals[n-1]
	if ev.Decision == nil {
		return nil, tollgate.FieldErrorf("decision", "required")
	}
	if strings.TrimSpace(ev.Text) == "" {
		return nil, tollgate.FieldErrorf("text", "cite %s's decision document", a.Level)
	}
	d := cloneDecision(*ev.Decision)
	if d.Outcome == tollgate.DecisionReturn {
		return nil, tollgate.FieldErrorf("decision.outcome", "%s approves, approves in part or denies; it does not return applications", a.Level)
	}
	if err := validateDecision(app, &d, ev); err != nil {
		return nil, err
	}
	d.Level, d.DecidedBy, d.At = a.Level, ev.Actor, ev.At
	a.Decision, a.Record = &d, strings.TrimSpace(ev.Text)
	if a.Level == tollgate.AppealPresident {
		return stand(app, d, ev.At), nil
	}
	app.State = appealWindow
	return []Effect{appealWindowEffect(app)}, nil
}

// finalize records that the pending decision stands: its appeal window
// closed (the day after its last day) without an appeal.
func finalize(app *tollgate.Application, ev Event) ([]Effect, error) {
	d, level := app.PendingDecision()
	if d == nil {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "no decision to finalize")
	}
	if !windowClosed(app, ev.At) {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "%s's decision can be appealed until %s; it stands from the day after",
			levelName(level), appealDue(&app.ApplicationReview).Format(dateLayout))
	}
	return stand(app, cloneDecision(*d), ev.At), nil
}
