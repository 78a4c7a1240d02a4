package tollgate

import "time"

// ApplicationState is where a license application stands in its review
// (15 CFR 750; EO 12981). The transitions between states are the licensing
// package's state machine; this type only names them.
type ApplicationState string

// Application states. Approved, approved in part, denied, returned without
// action and withdrawn are terminal: nothing happens to the application after
// them (a returned application that is resubmitted is a new application).
//
// After the Operating Committee (EO 12981 §5; regime.md §9) a decision on an
// escalated case does not stand at once: the application is in the appeal
// window while a dissenting agency may appeal it to the next level (ACEP,
// then EARB, then the President), and appealed while that level decides.
const (
	ApplicationDraft          ApplicationState = "draft"
	ApplicationSubmitted      ApplicationState = "submitted"
	ApplicationUnderReview    ApplicationState = "under_review"
	ApplicationInfoRequested  ApplicationState = "info_requested"
	ApplicationReferred       ApplicationState = "referred"
	ApplicationEscalated      ApplicationState = "escalated"
	ApplicationAppealWindow   ApplicationState = "appeal_window"
	ApplicationAppealed       ApplicationState = "appealed"
	ApplicationApproved       ApplicationState = "approved"
	ApplicationApprovedInPart ApplicationState = "approved_in_part"
	ApplicationDenied         ApplicationState = "denied"
	ApplicationReturned       ApplicationState = "returned_without_action"
	ApplicationWithdrawn      ApplicationState = "withdrawn"
)

// ApplicationStates lists every state in lifecycle order.
func ApplicationStates() []ApplicationState {
	return []ApplicationState{
		ApplicationDraft, ApplicationSubmitted, ApplicationUnderReview, ApplicationInfoRequested,
		ApplicationReferred, ApplicationEscalated, ApplicationAppealWindow, ApplicationAppealed,
		ApplicationApproved, ApplicationApprovedInPart,
		ApplicationDenied, ApplicationReturned, ApplicationWithdrawn,
	}
}

// Valid reports whether s is one of the known states.
func (s ApplicationState) Valid() bool {
	for _, v := range ApplicationStates() {
		if s == v {
			return true
		}
	}
	return false
}

// Terminal reports whether no event can move an application out of s.
func (s ApplicationState) Terminal() bool {
	return s.Decided() || s == ApplicationWithdrawn
}

// Decided reports whether s is the outcome of a decision by the agency.
func (s ApplicationState) Decided() bool {
	switch s {
	case ApplicationApproved, ApplicationApprovedInPart, ApplicationDenied, ApplicationReturned:
		return true
	}
	return false
}

// ReviewAgency is a department that may review any license application
// referred to it (EO 12981 §1).
type ReviewAgency string

// The reviewing agencies.
const (
	AgencyDefense   ReviewAgency = "DOD"
	AgencyStateDept ReviewAgency = "STATE"
	AgencyEnergy    ReviewAgency = "DOE"
)

// ReviewAgencies lists the agencies an application can be referred to.
func ReviewAgencies() []ReviewAgency {
	return []ReviewAgency{AgencyDefense, AgencyStateDept, AgencyEnergy}
}

// Valid reports whether a is one of the reviewing agencies.
func (a ReviewAgency) Valid() bool {
	return a == AgencyDefense || a == AgencyStateDept || a == AgencyEnergy
}

// AppealLevel is a body that hears an appeal of an escalated case's
// decision, in order: the Advisory Committee on Export Policy, the Export
// Administration Review Board, the President (EO 12981 §5(a)(3)(B)–(D)).
type AppealLevel string

// The appeal levels.
const (
	AppealACEP      AppealLevel = "ACEP"
	AppealEARB      AppealLevel = "EARB"
	AppealPresident AppealLevel = "PRESIDENT"
)

// AppealLevels lists the levels in the order an appeal climbs them.
func AppealLevels() []AppealLevel { return []AppealLevel{AppealACEP, AppealEARB, AppealPresident} }

// Appeal is a dissenting agency's appeal of an escalated case's decision to
// the next level, and that level's decision once the licensing officer has
// recorded it (with Record, the reference of the body's decision document).
type Appeal struct {
	Level       AppealLevel          `json:"level"`
	Agency      ReviewAgency         `json:"agency"`
	Reasons     []string             `json:"reasons"`
	AppellantID string               `json:"appellant_id"`
	At          time.Time            `json:"at"`
	Decision    *ApplicationDecision `json:"decision,omitempty"`
	Record      string               `json:"record,omitempty"`
}

// RecommendationKind is what a reviewing agency recommends.
type RecommendationKind string

// Recommendation kinds.
const (
	RecommendApprove               RecommendationKind = "approve"
	RecommendApproveWithConditions RecommendationKind = "approve_with_conditions"
	RecommendDeny                  RecommendationKind = "deny"
)

// Valid reports whether k is a known recommendation.
func (k RecommendationKind) Valid() bool {
	return k == RecommendApprove || k == RecommendApproveWithConditions || k == RecommendDeny
}

// Approves reports whether k favours issuing a license (with or without
// conditions). Two recommendations disagree when one approves and the other
// does not.
func (k RecommendationKind) Approves() bool {
	return k == RecommendApprove || k == RecommendApproveWithConditions
}

// AgencyRecommendation is one agency's recommendation on a referred
// application, with its reasons and the conditions it proposes.
type AgencyRecommendation struct {
	Agency         ReviewAgency       `json:"agency"`
	Recommendation RecommendationKind `json:"recommendation"`
	Reasons        []string           `json:"reasons,omitempty"`
	Conditions     []string           `json:"conditions,omitempty"`
	ReviewerID     string             `json:"reviewer_id"`
	At             time.Time          `json:"at"`
}

// InfoRequest is a request for information from the licensing officer and
// the applicant's answer. While a request is open the 90-day clock stops
// (15 CFR 750.4(b), paragraph unconfirmed).
type InfoRequest struct {
	Question    string    `json:"question"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	Response    string    `json:"response,omitempty"`
	RespondedBy string    `json:"responded_by,omitempty"`
	RespondedAt time.Time `json:"responded_at,omitzero"`
}

// Open reports whether the applicant has not answered yet.
func (r InfoRequest) Open() bool { return r.RespondedAt.IsZero() }

// ApplicationReview is what the review adds to an application: the state,
// the control number assigned at submission, the dates the regulatory
// deadlines run from, the referrals, recommendations and the decision.
type ApplicationReview struct {
	State ApplicationState `json:"state"`
	// ControlNumber is the Application Control Number (a letter and six
	// digits, 15 CFR 748.6(b)), assigned once, at submission. It is not the
	// license number.
	ControlNumber string    `json:"control_number,omitempty"`
	SubmittedAt   time.Time `json:"submitted_at,omitzero"`
	AcceptedAt    time.Time `json:"accepted_at,omitzero"`
	// FirstActionAt is when the licensing agency first requested
	// information, referred or decided: what its 9-day deadline measures.
	FirstActionAt   time.Time              `json:"first_action_at,omitzero"`
	InfoRequests    []InfoRequest          `json:"info_requests,omitempty"`
	Referrals       []ReviewAgency         `json:"referrals,omitempty"`
	ReferredAt      time.Time              `json:"referred_at,omitzero"`
	Recommendations []AgencyRecommendation `json:"recommendations,omitempty"`
	EscalatedAt     time.Time              `json:"escalated_at,omitzero"`
	EscalationNote  string                 `json:"escalation_note,omitempty"`
	// CommitteeDecision is the Operating Committee chair's decision on an
	// escalated case; Appeals are the appeals against it and the levels'
	// decisions, in order. The latest of these decisions (PendingDecision)
	// becomes Decision when it stands: when its appeal window closes
	// without an appeal, or when the President decides.
	CommitteeDecision *ApplicationDecision `json:"committee_decision,omitempty"`
	Appeals           []Appeal             `json:"appeals,omitempty"`
	Decision          *ApplicationDecision `json:"decision,omitempty"`
	WithdrawnAt       time.Time            `json:"withdrawn_at,omitzero"`
	WithdrawalReason  string               `json:"withdrawal_reason,omitempty"`
}

// Recommendation returns the recommendation of agency a, if it made one.
func (r *ApplicationReview) Recommendation(a ReviewAgency) (AgencyRecommendation, bool) {
	for _, rec := range r.Recommendations {
		if rec.Agency == a {
			return rec, true
		}
	}
	return AgencyRecommendation{}, false
}

// PendingDecision returns the latest decision on an escalated case, the
// one an appeal would be against (nil before the Operating Committee
// decides), and the level that made it ("" for the Operating Committee).
func (r *ApplicationReview) PendingDecision() (*ApplicationDecision, AppealLevel) {
	for i := len(r.Appeals) - 1; i >= 0; i-- {
		if r.Appeals[i].Decision != nil {
			return r.Appeals[i].Decision, r.Appeals[i].Level
		}
	}
	return r.CommitteeDecision, ""
}

// Referred reports whether the application was referred to agency a.
func (r *ApplicationReview) Referred(a ReviewAgency) bool {
	for _, x := range r.Referrals {
		if x == a {
			return true
		}
	}
	return false
}
