package licensing

import (
	"time"

	"tollgate"
)

// DeadlineKind names one of the regulatory time limits on a review.
type DeadlineKind string

// The deadlines of a review.
const (
	// DeadlineFirstAction: the licensing agency requests information,
	// refers, or decides (returning without action included). Accepting
	// the application for review does not count.
	DeadlineFirstAction DeadlineKind = "first_action"
	// DeadlineAgencyRecommendation: a referred agency recommends.
	DeadlineAgencyRecommendation DeadlineKind = "agency_recommendation"
	// DeadlineCommitteeDecision: the Operating Committee chair decides an
	// escalated case.
	DeadlineCommitteeDecision DeadlineKind = "committee_decision"
	// DeadlineResolution: the application is resolved, or referred to the
	// President (an appeal to the President).
	DeadlineResolution DeadlineKind = "resolution"
	// DeadlineAppeal: the window in which an agency that dissented from an
	// escalated case's decision may appeal it to the next level (Level).
	// It is met by an appeal; when it closes without one it lapses and the
	// decision stands.
	DeadlineAppeal DeadlineKind = "appeal"
	// DeadlineAppealDecision: ACEP or EARB (Level) decides an appeal.
	DeadlineAppealDecision DeadlineKind = "appeal_decision"
)

// DeadlineRule is one time limit as data: how many calendar days, counted
// from which event, and the rule that sets it.
type DeadlineRule struct {
	Kind     DeadlineKind `json:"kind"`
	Days     int          `json:"days"`
	From     string       `json:"from"`
	Citation string       `json:"citation"`
}

// deadlineRules are the review's time limits (regime.md §4). Days are
// calendar days (15 CFR 750.4(a)(1): "Processing times ... are defined in
// calendar days"); registration is modelled as submission. The exact
// paragraphs marked unconfirmed were not checked against the current text.
var deadlineRules = []DeadlineRule{
	{DeadlineFirstAction, 9, "submission",
		"EO 12981 §5 and 15 CFR 750.4 (within 9 days of registration; paragraph unconfirmed)"},
	{DeadlineAgencyRecommendation, 30, "referral",
		"EO 12981 §5 and 15 CFR 750.4 (30 days from receipt of the referral; paragraph unconfirmed)"},
	{DeadlineCommitteeDecision, 14, "the agencies' deadline",
		"EO 12981 §5(a)(3)(B) as amended by EO 13020 (14 days after the deadline for agency recommendations)"},
	{DeadlineResolution, 90, "submission, not counting days awaiting the applicant's information",
		"EO 12981 and 15 CFR 750.4(a)(1) (90 calendar days from registration); 15 CFR 750.4(b) for the clock stop (paragraph unconfirmed)"},
	{DeadlineAppeal, appealDays, "the decision appealed (the Operating Committee chair's, ACEP's or EARB's)",
		"EO 12981 §5(a)(3)(B)–(D) (a dissenting agency appeals within 5 days; regime.md §9, day counts to be confirmed against the order)"},
	{DeadlineAppealDecision, boardDays, "the appeal",
		"EO 12981 §5(a)(3)(C)–(D) (ACEP, then EARB, decide within 11 days of the appeal; regime.md §9, to be confirmed)"},
}

// DeadlineRules returns the table of time limits.
func DeadlineRules() []DeadlineRule { return append([]DeadlineRule(nil), deadlineRules...) }

func rule(k DeadlineKind) DeadlineRule {
	for _, r := range deadlineRules {
		if r.Kind == k {
			return r
		}
	}
	panic("licensing: no deadline rule " + string(k))
}

// DeadlineState says whether a deadline still runs.
type DeadlineState string

// Deadline states.
const (
	DeadlineOpen      DeadlineState = "open"      // the action is still owed
	DeadlineMet       DeadlineState = "met"       // the action happened (possibly late)
	DeadlineCancelled DeadlineState = "cancelled" // the action is no longer owed (withdrawn, skipped)
	DeadlineLapsed    DeadlineState = "lapsed"    // a window that closed without the action, which was optional (no appeal: the decision stands)
)

// Deadline is one time limit applied to one application. Due is the last
// calendar day (UTC, midnight) on which the action is on time. DaysLate
// counts the calendar days past Due: as of the action for a met deadline,
// as of now for an open one, 0 when on time.
type Deadline struct {
	Kind       DeadlineKind          `json:"kind"`
	Agency     tollgate.ReviewAgency `json:"agency,omitempty"`
	Level      tollgate.AppealLevel  `json:"level,omitempty"`
	Due        time.Time             `json:"due"`
	State      DeadlineState         `json:"state"`
	MetAt      time.Time             `json:"met_at,omitzero"`
	DaysLate   int                   `json:"days_late"`
	PausedDays int                   `json:"paused_days,omitempty"`
	Citation   string                `json:"citation"`
}

// dateLayout formats due dates in messages.
const dateLayout = "2006-01-02"

// civilDate returns the UTC calendar day of t, at midnight.
func civilDate(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween returns the calendar days from a's day to b's day (negative
// when b's day is earlier). UTC days are all 24 hours long.
func daysBetween(a, b time.Time) int {
	return int(civilDate(b).Sub(civilDate(a)) / (24 * time.Hour))
}

// addDays returns the calendar day n days after t's day.
func addDays(t time.Time, n int) time.Time { return civilDate(t).AddDate(0, 0, n) }

// agencyDue is the last day of the referred agencies' 30 days.
func agencyDue(r *tollgate.ApplicationReview) time.Time {
	return addDays(r.ReferredAt, rule(DeadlineAgencyRecommendation).Days)
}

// Deadlines returns every time limit that applies to app so far, as of now:
// the first action and the resolution once submitted, one per referred
// agency once referred, the committee's once escalated.
func Deadlines(app tollgate.Application, now time.Time) []Deadline {
	r := &app.ApplicationReview
	if r.SubmittedAt.IsZero() {
		return nil
	}
	var out []Deadline
	closed := r.State.Terminal()
	add := func(k DeadlineKind, agency tollgate.ReviewAgency, due, metAt time.Time, stillOwed bool, paused int) {
		d := Deadline{Kind: k, Agency: agency, Due: due, PausedDays: paused, Citation: rule(k).Citation}
		switch {
		case !metAt.IsZero():
			d.State, d.MetAt = DeadlineMet, metAt
			d.DaysLate = max(0, daysBetween(due, metAt))
		case stillOwed:
			d.State = DeadlineOpen
			d.DaysLate = max(0, daysBetween(due, now))
		default:
			d.State = DeadlineCancelled
		}
		out = append(out, d)
	}
	add(DeadlineFirstAction, "", addDays(r.SubmittedAt, rule(DeadlineFirstAction).Days), r.FirstActionAt, !closed, 0)
	for _, a := range r.Referrals {
		var metAt time.Time
		if rec, ok := r.Recommendation(a); ok {
			metAt = rec.At
		}
		add(DeadlineAgencyRecommendation, a, agencyDue(r), metAt, r.State == referred, 0)
	}
	if !r.EscalatedAt.IsZero() {
		var metAt time.Time
		if r.CommitteeDecision != nil {
			metAt = r.CommitteeDecision.At
		}
		add(DeadlineCommitteeDecision, "", addDays(agencyDue(r), rule(DeadlineCommitteeDecision).Days), metAt, !closed, 0)
	}
	out = append(out, appealDeadlines(r, now)...)
	paused := pausedDays(r, now)
	var resolvedAt time.Time
	if r.Decision != nil {
		resolvedAt = r.Decision.At
	} else if n := len(r.Appeals); n > 0 && r.Appeals[n-1].Level == tollgate.AppealPresident {
		resolvedAt = r.Appeals[n-1].At // referred to the President
	}
	add(DeadlineResolution, "", addDays(r.SubmittedAt, rule(DeadlineResolution).Days+paused), resolvedAt, !closed, paused)
	return out
}

// appealDeadlines returns, after the Operating Committee, the appeal window
// of each decision that could be appealed and the decision deadline of each
// appeal to ACEP or EARB, in order.
func appealDeadlines(r *tollgate.ApplicationReview, now time.Time) []Deadline {
	var out []Deadline
	window := func(d *tollgate.ApplicationDecision, level tollgate.AppealLevel, appealedAt time.Time) {
		next, ok := nextLevel(level)
		if d == nil || !ok {
			return
		}
		dl := Deadline{Kind: DeadlineAppeal, Level: next, Due: addDays(d.At, appealDays), Citation: rule(DeadlineAppeal).Citation}
		switch {
		case !appealedAt.IsZero():
			dl.State, dl.MetAt = DeadlineMet, appealedAt
		case r.State == tollgate.ApplicationWithdrawn:
			dl.State = DeadlineCancelled
		case r.State == tollgate.ApplicationAppealWindow && !civilDate(now).After(dl.Due):
			dl.State = DeadlineOpen
		default:
			dl.State = DeadlineLapsed
		}
		out = append(out, dl)
	}
	var appealedAt time.Time
	if len(r.Appeals) > 0 {
		appealedAt = r.Appeals[0].At
	}
	window(r.CommitteeDecision, "", appealedAt)
	for i, a := range r.Appeals {
		if a.Level != tollgate.AppealPresident {
			dl := Deadline{Kind: DeadlineAppealDecision, Level: a.Level, Due: addDays(a.At, boardDays), Citation: rule(DeadlineAppealDecision).Citation}
			switch {
			case a.Decision != nil:
				dl.State, dl.MetAt = DeadlineMet, a.Decision.At
				dl.DaysLate = max(0, daysBetween(dl.Due, a.Decision.At))
			case r.State == tollgate.ApplicationAppealed:
				dl.State = DeadlineOpen
				dl.DaysLate = max(0, daysBetween(dl.Due, now))
			default:
				dl.State = DeadlineCancelled
			}
			out = append(out, dl)
		}
		var next time.Time
		if i+1 < len(r.Appeals) {
			next = r.Appeals[i+1].At
		}
		window(a.Decision, a.Level, next)
	}
	return out
}

// pausedDays counts the calendar days the review waited for the applicant's
// information: from each request's day to its answer's day, or to now's day
// while it is open.
func pausedDays(r *tollgate.ApplicationReview, now time.Time) int {
	n := 0
	for _, q := range r.InfoRequests {
		end := q.RespondedAt
		if end.IsZero() {
			end = now
			if !r.WithdrawnAt.IsZero() {
				end = r.WithdrawnAt
			} else if r.Decision != nil {
				end = r.Decision.At
			}
		}
		n += max(0, daysBetween(q.RequestedAt, end))
	}
	return n
}

// Overdue returns the deadlines of app that are still open and past due as
// of now, with how many calendar days late each is.
func Overdue(app tollgate.Application, now time.Time) []Deadline {
	var late []Deadline
	for _, d := range Deadlines(app, now) {
		if d.State == DeadlineOpen && d.DaysLate > 0 {
			late = append(late, d)
		}
	}
	return late
}
