// Package licensing holds the pure core of license applications and
// licenses: the review as a state machine (Transition), the regulatory
// deadlines of EO 12981 and 15 CFR 750.4 (Deadlines, Overdue), the prechecks
// that gate submission (Precheck, CanSubmit), the certifications of the
// January 2026 H200 rule, control and license numbers, and the license
// helpers (remaining quantity and value, status, unacknowledged conditions).
//
// The rules read neither the clock, the environment nor a database: callers
// pass the time, the sequence numbers and the facts (classifications,
// screening results, shipped units) in, and persist what comes out.
//
// Service (service*.go) is that caller for tollgate: each use case (draft,
// upload a document, certify, precheck, submit, any review event, read,
// list, acknowledge a license condition) is one store transaction that
// gathers the facts, applies the rules, stores the result with its audit
// record and carries out the effects, for the principal in its context.
package licensing

import (
	"slices"
	"strings"

	"tollgate"
)

// EventKind names something that happens to an application in its review.
type EventKind string

// The events of the review.
const (
	EventSubmit          EventKind = "submit"           // the exporter files the application; a control number is assigned
	EventAccept          EventKind = "accept"           // the licensing officer registers it and starts the review
	EventRequestInfo     EventKind = "request_info"     // the officer asks the applicant for information
	EventRespond         EventKind = "respond"          // the applicant answers
	EventRefer           EventKind = "refer"            // the officer refers it to Defense, State and/or Energy
	EventRecommend       EventKind = "recommend"        // a referred agency records its recommendation
	EventEscalate        EventKind = "escalate"         // the officer escalates it to the Operating Committee
	EventCommitteeDecide EventKind = "committee_decide" // the Operating Committee chair decides an escalated case
	EventAppeal          EventKind = "appeal"           // a dissenting agency appeals the escalated case's decision to the next level
	EventAppealDecide    EventKind = "appeal_decide"    // the officer records the decision of the level appealed to
	EventFinalize        EventKind = "finalize"         // the appeal window closed without an appeal: the decision stands
	EventDecide          EventKind = "decide"           // the officer approves, approves in part, denies or returns it
	EventWithdraw        EventKind = "withdraw"         // the applicant withdraws it before a decision
)

// ActorKind is the kind of actor that sends an event. The auth policy maps
// roles to actor kinds; this package only records which kind each event
// expects, as data.
type ActorKind string

// Actor kinds.
const (
	ActorExporter         ActorKind = "exporter"          // the applicant's officers
	ActorLicensingOfficer ActorKind = "licensing_officer" // the licensing agency (BIS); also records the decisions of the Operating Committee chair, ACEP, EARB and the President
	ActorAgencyReviewer   ActorKind = "agency_reviewer"   // a reviewer of a referred agency (for its own agency only)
)

// EventSpec describes one event: who sends it, in which states it is
// allowed and which states it can lead to.
type EventSpec struct {
	Kind    EventKind                   `json:"kind"`
	Actor   ActorKind                   `json:"actor"`
	From    []tollgate.ApplicationState `json:"from"`
	To      []tollgate.ApplicationState `json:"to"`
	Summary string                      `json:"summary"`
}

// Short names for the states, to keep the table below readable.
const (
	draft         = tollgate.ApplicationDraft
	submitted     = tollgate.ApplicationSubmitted
	underReview   = tollgate.ApplicationUnderReview
	infoRequested = tollgate.ApplicationInfoRequested
	referred      = tollgate.ApplicationReferred
	escalated     = tollgate.ApplicationEscalated
	appealWindow  = tollgate.ApplicationAppealWindow
	appealed      = tollgate.ApplicationAppealed
	approved      = tollgate.ApplicationApproved
	approvedPart  = tollgate.ApplicationApprovedInPart
	denied        = tollgate.ApplicationDenied
	returned      = tollgate.ApplicationReturned
	withdrawn     = tollgate.ApplicationWithdrawn
)

// eventSpecs is the state machine as data. Escalation to the Operating
// Committee happens in two ways: automatically, when the last referred
// agency's recommendation leaves the agencies in disagreement (one approves,
// another denies; EO 12981 §5(a)(3)(B)), which Transition reports as an
// EffectEscalated; and explicitly, by the escalate event, when the licensing
// officer disagrees with the agencies.
//
// The decision on an escalated case (the Operating Committee chair's, then
// ACEP's or EARB's on appeal) opens an appeal window of 5 days in which an
// agency that dissented from it may appeal to the next level; each level
// decides within 11 days; the President's decision is final (EO 12981 §5;
// regime.md §9). Without an appeal the decision stands when the window
// closes, which the officer records with finalize.
var eventSpecs = []EventSpec{
	{EventSubmit, ActorExporter, states(draft), states(submitted),
		"file a complete application whose prechecks all pass; assigns the application control number"},
	{EventAccept, ActorLicensingOfficer, states(submitted), states(underReview),
		"register the application and start the licensing review"},
	{EventRequestInfo, ActorLicensingOfficer, states(underReview), states(infoRequested),
		"ask the applicant for information; the 90-day clock stops until the answer"},
	{EventRespond, ActorExporter, states(infoRequested), states(underReview),
		"answer the open request for information"},
	{EventRefer, ActorLicensingOfficer, states(underReview), states(referred),
		"refer the application to one or more of DOD, STATE and DOE for 30 days"},
	{EventRecommend, ActorAgencyReviewer, states(referred), states(referred, escalated),
		"record a referred agency's recommendation (approve, approve_with_conditions, deny) with reasons"},
	{EventEscalate, ActorLicensingOfficer, states(referred), states(escalated),
		"escalate the case to the Operating Committee"},
	{EventCommitteeDecide, ActorLicensingOfficer, states(escalated), states(appealWindow),
		"record the Operating Committee chair's decision on an escalated case; a dissenting agency may appeal it to ACEP within 5 days"},
	{EventAppeal, ActorAgencyReviewer, states(appealWindow), states(appealed),
		"appeal the pending decision to the next level (ACEP, EARB, then the President) within 5 days, as an agency that dissented from it, with reasons"},
	{EventAppealDecide, ActorLicensingOfficer, states(appealed), states(appealWindow, approved, approvedPart, denied),
		"record the decision of the level appealed to (ACEP or EARB within 11 days; the President's is final), citing its decision document"},
	{EventFinalize, ActorLicensingOfficer, states(appealWindow), states(approved, approvedPart, denied),
		"record that the appeal window closed without an appeal: the pending decision stands (an approval issues the license)"},
	{EventDecide, ActorLicensingOfficer, states(submitted, underReview, infoRequested, referred),
		states(approved, approvedPart, denied, returned),
		"approve (license number, quantities, value, validity, conditions), approve in part, deny, or return without action"},
	{EventWithdraw, ActorExporter, states(draft, submitted, underReview, infoRequested, referred, escalated, appealWindow, appealed),
		states(withdrawn), "withdraw the application at any point before a decision stands"},
}

func states(s ...tollgate.ApplicationState) []tollgate.ApplicationState { return s }

// EventSpecs returns the state machine as data, one entry per event.
func EventSpecs() []EventSpec {
	out := make([]EventSpec, len(eventSpecs))
	for i, s := range eventSpecs {
		s.From, s.To = slices.Clone(s.From), slices.Clone(s.To)
		out[i] = s
	}
	return out
}

// Spec returns the description of event kind k.
func Spec(k EventKind) (EventSpec, bool) {
	for _, s := range eventSpecs {
		if s.Kind == k {
			s.From, s.To = slices.Clone(s.From), slices.Clone(s.To)
			return s, true
		}
	}
	return EventSpec{}, false
}

// EventKinds returns every event kind, in table order.
func EventKinds() []EventKind {
	kinds := make([]EventKind, len(eventSpecs))
	for i, s := range eventSpecs {
		kinds[i] = s.Kind
	}
	return kinds
}

// AllowedEvents returns the events the state machine accepts in state s, in
// table order; none for a terminal state. An allowed event may still be
// refused for what it carries or for the application's data (for example a
// decision before the referred agencies had their say).
func AllowedEvents(s tollgate.ApplicationState) []EventKind {
	var kinds []EventKind
	for _, spec := range eventSpecs {
		if slices.Contains(spec.From, s) {
			kinds = append(kinds, spec.Kind)
		}
	}
	return kinds
}

// ExpectedActor returns the kind of actor that sends event k, or "" for an
// unknown event.
func ExpectedActor(k EventKind) ActorKind {
	if s, ok := Spec(k); ok {
		return s.Actor
	}
	return ""
}

// notAllowed is the conflict error for an event the state does not accept;
// it names the events that state does accept.
func notAllowed(k EventKind, s tollgate.ApplicationState) error {
	allowed := AllowedEvents(s)
	if len(allowed) == 0 {
		return tollgate.Errorf(tollgate.ECONFLICT, "cannot %s: the application is %s, which is final; no event is allowed", k, s)
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return tollgate.Errorf(tollgate.ECONFLICT, "cannot %s: the application is %s; allowed events: %s", k, s, strings.Join(names, ", "))
}
