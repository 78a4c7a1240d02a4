package api

import (
	"net/http"
	"time"

	"tollgate"
	"tollgate/licensing"
)

// The review of an application is driven by one route per event, each
// with its own permission (so the guard's role check fits the event): POST
// /v1/applications/{id}/submit, /accept, /request-info, /respond, /refer,
// /recommend, /escalate, /decision, /committee-decision, /appeal,
// /appeal-decision, /finalize and /withdraw.
// Each answers with the licensing.Outcome: the application after the event,
// the effects carried out and the license issued, if any. Every body may
// carry the version the client read; a change made since is a 409.

// eventInput is the body of one event route.
type eventInput interface {
	event(kind licensing.EventKind) licensing.Event
	readVersion() int64
}

// VersionInput is the body of an event that carries nothing else (submit,
// accept): optionally the version of the application the client read. An
// empty body is accepted.
type VersionInput struct {
	Version int64 `json:"version,omitempty"`
}

func (in VersionInput) event(k licensing.EventKind) licensing.Event { return licensing.Event{Kind: k} }
func (in VersionInput) readVersion() int64                          { return in.Version }

// TextInput is the body of request-info (the question), respond (the
// answer), escalate (why) and withdraw (an optional reason).
type TextInput struct {
	Text    string `json:"text"`
	Version int64  `json:"version,omitempty"`
}

func (in TextInput) event(k licensing.EventKind) licensing.Event {
	return licensing.Event{Kind: k, Text: in.Text}
}
func (in TextInput) readVersion() int64 { return in.Version }

// ReferInput is the body of refer: the agencies (DOD, STATE, DOE).
type ReferInput struct {
	Agencies []tollgate.ReviewAgency `json:"agencies"`
	Version  int64                   `json:"version,omitempty"`
}

func (in ReferInput) event(k licensing.EventKind) licensing.Event {
	return licensing.Event{Kind: k, Agencies: in.Agencies}
}
func (in ReferInput) readVersion() int64 { return in.Version }

// RecommendInput is the body of recommend. The agency is the caller's
// organization's; naming another is refused.
type RecommendInput struct {
	Agency         tollgate.ReviewAgency       `json:"agency,omitempty"`
	Recommendation tollgate.RecommendationKind `json:"recommendation"`
	Reasons        []string                    `json:"reasons"`
	Conditions     []string                    `json:"conditions,omitempty"`
	Version        int64                       `json:"version,omitempty"`
}

func (in RecommendInput) event(k licensing.EventKind) licensing.Event {
	return licensing.Event{Kind: k, Agency: in.Agency, Recommendation: in.Recommendation, Reasons: in.Reasons, Conditions: in.Conditions}
}
func (in RecommendInput) readVersion() int64 { return in.Version }

// DecisionRequest is the body of decision and committee-decision: the
// outcome; for an approval the licensed items, conditions, and optionally
// the license number (default: the next from tollgate's series) and the
// validity (default: the configured years from the decision day); for a
// denial or a return the reasons.
type DecisionRequest struct {
	Outcome       tollgate.DecisionOutcome `json:"outcome"`
	LicenseNumber string                   `json:"license_number,omitempty"`
	Items         []tollgate.LicenseItem   `json:"items,omitempty"`
	ValidFrom     time.Time                `json:"valid_from,omitzero"`
	ValidTo       time.Time                `json:"valid_to,omitzero"`
	Conditions    []tollgate.Condition     `json:"conditions,omitempty"`
	Reasons       []string                 `json:"reasons,omitempty"`
	Version       int64                    `json:"version,omitempty"`
}

func (in DecisionRequest) event(k licensing.EventKind) licensing.Event {
	return licensing.Event{Kind: k, Decision: &tollgate.ApplicationDecision{
		Outcome: in.Outcome, LicenseNumber: in.LicenseNumber, Items: in.Items, ValidFrom: in.ValidFrom,
		ValidTo: in.ValidTo, Conditions: in.Conditions, Reasons: in.Reasons,
	}}
}
func (in DecisionRequest) readVersion() int64 { return in.Version }

// AppealInput is the body of appeal: the reasons. The agency is the
// caller's organization's; naming another is refused, and only an agency
// that dissented from the decision may appeal it.
type AppealInput struct {
	Agency  tollgate.ReviewAgency `json:"agency,omitempty"`
	Reasons []string              `json:"reasons"`
	Version int64                 `json:"version,omitempty"`
}

func (in AppealInput) event(k licensing.EventKind) licensing.Event {
	return licensing.Event{Kind: k, Agency: in.Agency, Reasons: in.Reasons}
}
func (in AppealInput) readVersion() int64 { return in.Version }

// AppealDecisionRequest is the body of appeal-decision: the decision of the
// level appealed to (as in DecisionRequest; it never returns an
// application) and Record, the reference of that body's decision document.
type AppealDecisionRequest struct {
	DecisionRequest
	Record string `json:"record"`
}

func (in AppealDecisionRequest) event(k licensing.EventKind) licensing.Event {
	ev := in.DecisionRequest.event(k)
	ev.Text = in.Record
	return ev
}

// eventHandler serves the route of event kind with body type T.
func eventHandler[T eventInput](s *server, kind licensing.EventKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in T
		if r.ContentLength != 0 {
			var err error
			if in, err = decode[T](r); err != nil {
				return err
			}
		}
		svc, err := s.lic()
		if err != nil {
			return err
		}
		out, err := svc.Apply(r.Context(), r.PathValue("id"), in.event(kind), in.readVersion())
		if err != nil {
			return err
		}
		return encode(w, http.StatusOK, out)
	}
}

// eventRoute is the route of one event: POST /v1/applications/{id}/path,
// answering with the licensing.Outcome.
func (s *server) eventRoute(path, perm, opID, summary string, req any, h handlerFunc) route {
	return route{Route{Method: "POST", Pattern: "/v1/applications/{id}/" + path, Permission: perm, OperationID: opID,
		Tag: "applications", Summary: summary, Request: req, Response: licensing.Outcome{}}, h}
}
