package licensing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
)

// Event is one thing that happens to an application. Kind says which; the
// other fields are the event's payload, and only those its kind uses are
// read:
//
//   - submit: Sequence (for the control number) and Prechecks (computed by
//     Precheck just before; all must pass)
//   - request_info, respond: Text (the question, the answer)
//   - refer: Agencies
//   - recommend: Agency, Recommendation, Reasons, Conditions
//   - escalate: Text (why the officer escalates)
//   - decide, committee_decide, appeal_decide: Decision and ValidityYears
//     (the longest validity a decision may set, the service's
//     configuration; 0 means DefaultConfig's); appeal_decide also Text (the
//     reference of the level's decision document)
//   - appeal: Agency, Reasons
//   - finalize: nothing
//   - withdraw: Text (optional reason)
//
// Actor is the id of the user who sends it and At when it happened (the
// caller's clock); both are required and At may not precede the
// application's latest recorded event.
type Event struct {
	Kind  EventKind `json:"kind"`
	Actor string    `json:"actor"`
	At    time.Time `json:"at"`

	Sequence  uint64  `json:"sequence,omitempty"`
	Prechecks []Check `json:"prechecks,omitempty"`

	Text string `json:"text,omitempty"`

	Agencies []tollgate.ReviewAgency `json:"agencies,omitempty"`

	Agency         tollgate.ReviewAgency       `json:"agency,omitempty"`
	Recommendation tollgate.RecommendationKind `json:"recommendation,omitempty"`
	Reasons        []string                    `json:"reasons,omitempty"`
	Conditions     []string                    `json:"conditions,omitempty"`

	Decision      *tollgate.ApplicationDecision `json:"decision,omitempty"`
	ValidityYears int                           `json:"validity_years,omitempty"`
}

// EffectKind names something the caller must do because of a transition,
// beyond storing the new application and appending its audit record (which
// every transition requires).
type EffectKind string

// Effects.
const (
	// EffectControlNumberAssigned: store the control number (unique).
	EffectControlNumberAssigned EffectKind = "control_number_assigned"
	// EffectReferred: make the case visible to the agencies' reviewers.
	EffectReferred EffectKind = "referred"
	// EffectRecommendationsComplete: every referred agency agrees; the
	// officer can decide.
	EffectRecommendationsComplete EffectKind = "recommendations_complete"
	// EffectEscalated: the case went to the Operating Committee.
	EffectEscalated EffectKind = "escalated"
	// EffectIssueLicense: create the license (LicenseFromDecision).
	EffectIssueLicense EffectKind = "issue_license"
	// EffectAppealWindow: an escalated case's decision awaits the close of
	// its appeal window (Reason says until when and who may appeal).
	EffectAppealWindow EffectKind = "appeal_window"
	// EffectAppealed: the case went to the next appeal level.
	EffectAppealed EffectKind = "appealed"
)

// Effect is one consequence of a transition for the caller to carry out.
type Effect struct {
	Kind          EffectKind              `json:"kind"`
	ControlNumber string                  `json:"control_number,omitempty"`
	Agencies      []tollgate.ReviewAgency `json:"agencies,omitempty"`
	LicenseNumber string                  `json:"license_number,omitempty"`
	Reason        string                  `json:"reason,omitempty"`
}

// Transition applies ev to app and returns the application as it is after
// the event, with the effects the caller must carry out. It is pure: app is
// not modified (the result shares only the fields the review never changes).
//
// An event the current state does not accept returns an ECONFLICT error that
// names the events it does accept. A malformed payload returns EINVALID
// naming the field; submission with a failing or missing precheck returns
// EPRECONDITION; an event the application's data rules out (a recommendation
// from an agency that was not referred, a decision before the referred
// agencies had their say) returns ECONFLICT with the reason.
func Transition(app tollgate.Application, ev Event) (tollgate.Application, []Effect, error) {
	next, effects, err := transition(app, ev)
	if err != nil {
		return tollgate.Application{}, nil, fmt.Errorf("licensing.Transition: %w", err)
	}
	return next, effects, nil
}

func transition(app tollgate.Application, ev Event) (tollgate.Application, []Effect, error) {
	if _, ok := Spec(ev.Kind); !ok {
		return app, nil, tollgate.FieldErrorf("kind", "unknown event %q; events are %s", ev.Kind, joinKinds(EventKinds()))
	}
	if !app.State.Valid() {
		return app, nil, tollgate.FieldErrorf("state", "application has unknown state %q", app.State)
	}
	if !slices.Contains(AllowedEvents(app.State), ev.Kind) {
		return app, nil, notAllowed(ev.Kind, app.State)
	}
	if strings.TrimSpace(ev.Actor) == "" {
		return app, nil, tollgate.FieldErrorf("actor", "required")
	}
	if ev.At.IsZero() {
		return app, nil, tollgate.FieldErrorf("at", "required")
	}
	if last := latestEvent(&app.ApplicationReview); ev.At.Before(last) {
		return app, nil, tollgate.FieldErrorf("at", "%s is before the application's latest event at %s",
			ev.At.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339))
	}
	ev.At = ev.At.UTC()
	next := app
	next.ApplicationReview = cloneReview(app.ApplicationReview)
	effects, err := apply(&next, ev)
	if err != nil {
		return app, nil, err
	}
	return next, effects, nil
}

// apply runs the handler of ev's kind on app, a private copy.
func apply(app *tollgate.Application, ev Event) ([]Effect, error) {
	switch ev.Kind {
	case EventSubmit:
		return submit(app, ev)
	case EventAccept:
		app.State = underReview
		app.AcceptedAt = ev.At
		return nil, nil
	case EventRequestInfo:
		return requestInfo(app, ev)
	case EventRespond:
		return respond(app, ev)
	case EventRefer:
		return refer(app, ev)
	case EventRecommend:
		return recommend(app, ev)
	case EventEscalate:
		if strings.TrimSpace(ev.Text) == "" {
			return nil, tollgate.FieldErrorf("text", "say why the case is escalated")
		}
		return escalate(app, ev.At, ev.Text), nil
	case EventCommitteeDecide, EventDecide:
		return decide(app, ev)
	case EventAppeal:
		return appeal(app, ev)
	case EventAppealDecide:
		return appealDecide(app, ev)
	case EventFinalize:
		return finalize(app, ev)
	case EventWithdraw:
		app.State = withdrawn
		app.WithdrawnAt = ev.At
		app.WithdrawalReason = strings.TrimSpace(ev.Text)
		return nil, nil
	}
	panic("licensing: no handler for event " + string(ev.Kind))
}

func submit(app *tollgate.Application, ev Event) ([]Effect, error) {
	if app.ControlNumber != "" {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "application already has control number %s", app.ControlNumber)
	}
	if err := app.Validate(); err != nil {
		return nil, err
	}
	if err := CanSubmit(ev.Prechecks); err != nil {
		return nil, err
	}
	number, err := ControlNumber(ev.Sequence)
	if err != nil {
		return nil, err
	}
	app.State = submitted
	app.ControlNumber = number
	app.SubmittedAt = ev.At
	return []Effect{{Kind: EffectControlNumberAssigned, ControlNumber: number}}, nil
}

func requestInfo(app *tollgate.Application, ev Event) ([]Effect, error) {
	if strings.TrimSpace(ev.Text) == "" {
		return nil, tollgate.FieldErrorf("text", "the question is required")
	}
	firstAction(app, ev)
	app.InfoRequests = append(app.InfoRequests, tollgate.InfoRequest{
		Question: ev.Text, RequestedBy: ev.Actor, RequestedAt: ev.At,
	})
	app.State = infoRequested
	return nil, nil
}

func respond(app *tollgate.Application, ev Event) ([]Effect, error) {
	if strings.TrimSpace(ev.Text) == "" {
		return nil, tollgate.FieldErrorf("text", "the answer is required")
	}
	n := len(app.InfoRequests)
	if n == 0 || !app.InfoRequests[n-1].Open() {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "no open request for information to answer")
	}
	r := &app.InfoRequests[n-1]
	r.Response, r.RespondedBy, r.RespondedAt = ev.Text, ev.Actor, ev.At
	app.State = underReview
	return nil, nil
}

func refer(app *tollgate.Application, ev Event) ([]Effect, error) {
	if len(ev.Agencies) == 0 {
		return nil, tollgate.FieldErrorf("agencies", "refer to at least one of %s", joinAgencies(tollgate.ReviewAgencies()))
	}
	var agencies []tollgate.ReviewAgency
	for i, a := range ev.Agencies {
		switch {
		case !a.Valid():
			return nil, tollgate.FieldErrorf(fmt.Sprintf("agencies[%d]", i), "unknown agency %q; agencies are %s", a, joinAgencies(tollgate.ReviewAgencies()))
		case slices.Contains(agencies, a):
			return nil, tollgate.FieldErrorf(fmt.Sprintf("agencies[%d]", i), "agency %s named twice", a)
		}
		agencies = append(agencies, a)
	}
	// Keep the canonical order (DOD, STATE, DOE) whatever order they came in.
	var ordered []tollgate.ReviewAgency
	for _, a := range tollgate.ReviewAgencies() {
		if slices.Contains(agencies, a) {
			ordered = append(ordered, a)
		}
	}
	firstAction(app, ev)
	app.Referrals = ordered
	app.ReferredAt = ev.At
	app.State = referred
	return []Effect{{Kind: EffectReferred, Agencies: slices.Clone(ordered)}}, nil
}

func recommend(app *tollgate.Application, ev Event) ([]Effect, error) {
	switch {
	case !ev.Agency.Valid():
		return nil, tollgate.FieldErrorf("agency", "unknown agency %q; agencies are %s", ev.Agency, joinAgencies(tollgate.ReviewAgencies()))
	case !ev.Recommendation.Valid():
		return nil, tollgate.FieldErrorf("recommendation", "must be approve, approve_with_conditions or deny; got %q", ev.Recommendation)
	case len(nonBlank(ev.Reasons)) == 0:
		return nil, tollgate.FieldErrorf("reasons", "a recommendation states its reasons")
	case ev.Recommendation == tollgate.RecommendApproveWithConditions && len(nonBlank(ev.Conditions)) == 0:
		return nil, tollgate.FieldErrorf("conditions", "approve_with_conditions names the conditions")
	case !app.Referred(ev.Agency):
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "the application was not referred to %s (referred to %s)", ev.Agency, joinAgencies(app.Referrals))
	}
	if _, done := app.Recommendation(ev.Agency); done {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "%s has already recommended on this application", ev.Agency)
	}
	app.Recommendations = append(app.Recommendations, tollgate.AgencyRecommendation{
		Agency: ev.Agency, Recommendation: ev.Recommendation,
		Reasons: nonBlank(ev.Reasons), Conditions: nonBlank(ev.Conditions),
		ReviewerID: ev.Actor, At: ev.At,
	})
	if len(app.Recommendations) < len(app.Referrals) {
		return nil, nil
	}
	if approve, deny := recommendationSplit(app.Recommendations); approve > 0 && deny > 0 {
		return escalate(app, ev.At, "the agencies disagree: "+describeRecommendations(app.Recommendations)), nil
	}
	return []Effect{{Kind: EffectRecommendationsComplete, Reason: describeRecommendations(app.Recommendations)}}, nil
}

func escalate(app *tollgate.Application, at time.Time, reason string) []Effect {
	app.State = escalated
	app.EscalatedAt = at
	app.EscalationNote = reason
	return []Effect{{Kind: EffectEscalated, Reason: reason}}
}

// firstAction records the licensing agency's first action on the
// application (the 9-day deadline's measure), once: a request for
// information, a referral or a decision. Accepting the application for
// review is not one; registration is the submission itself.
func firstAction(app *tollgate.Application, ev Event) {
	if app.FirstActionAt.IsZero() {
		app.FirstActionAt = ev.At
	}
}

// latestEvent returns the time of the latest event recorded in r.
func latestEvent(r *tollgate.ApplicationReview) time.Time {
	var last time.Time
	later := func(t time.Time) {
		if t.After(last) {
			last = t
		}
	}
	later(r.SubmittedAt)
	later(r.AcceptedAt)
	later(r.FirstActionAt)
	later(r.ReferredAt)
	later(r.EscalatedAt)
	later(r.WithdrawnAt)
	for _, q := range r.InfoRequests {
		later(q.RequestedAt)
		later(q.RespondedAt)
	}
	for _, rec := range r.Recommendations {
		later(rec.At)
	}
	if r.CommitteeDecision != nil {
		later(r.CommitteeDecision.At)
	}
	for _, a := range r.Appeals {
		later(a.At)
		if a.Decision != nil {
			later(a.Decision.At)
		}
	}
	if r.Decision != nil {
		later(r.Decision.At)
		later(r.Decision.StandsAt)
	}
	return last
}

// cloneReview copies every slice and pointer of the review, so a transition
// never writes into its caller's application.
func cloneReview(r tollgate.ApplicationReview) tollgate.ApplicationReview {
	r.InfoRequests = slices.Clone(r.InfoRequests)
	r.Referrals = slices.Clone(r.Referrals)
	r.Recommendations = slices.Clone(r.Recommendations)
	r.Decision = clonePtrDecision(r.Decision)
	r.CommitteeDecision = clonePtrDecision(r.CommitteeDecision)
	r.Appeals = slices.Clone(r.Appeals)
	for i := range r.Appeals {
		r.Appeals[i].Reasons = slices.Clone(r.Appeals[i].Reasons)
		r.Appeals[i].Decision = clonePtrDecision(r.Appeals[i].Decision)
	}
	return r
}

func clonePtrDecision(d *tollgate.ApplicationDecision) *tollgate.ApplicationDecision {
	if d == nil {
		return nil
	}
	c := cloneDecision(*d)
	return &c
}

func nonBlank(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func joinKinds(kinds []EventKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func joinAgencies(agencies []tollgate.ReviewAgency) string {
	if len(agencies) == 0 {
		return "none"
	}
	names := make([]string, len(agencies))
	for i, a := range agencies {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}
