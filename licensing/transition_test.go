package licensing

import (
	"strings"
	"testing"
	"time"

	"tollgate"
)

// TestHappyPath walks the issue's story: an exporter drafts an H200
// application to a Chinese end user, certifies and submits; the licensing
// officer accepts, asks a question, refers it to three agencies; they
// recommend; the officer approves with a condition; the license shows the
// quantity, validity and the condition awaiting acknowledgment.
func TestHappyPath(t *testing.T) {
	c := &clock{now: t0}
	app := mustDraft(t)
	steps := []struct {
		name       string
		ev         Event
		wantState  tollgate.ApplicationState
		wantEffect EffectKind
	}{
		{"submit", evSubmit(c.next(), 42, mustPassingChecks(t)), submitted, EffectControlNumberAssigned},
		{"accept", evAccept(c.next()), underReview, ""},
		{"request info", evRequestInfo(c.next()), infoRequested, ""},
		{"respond", evRespond(c.next()), underReview, ""},
		{"refer", evRefer(c.next(), tollgate.AgencyEnergy, tollgate.AgencyDefense, tollgate.AgencyStateDept), referred, EffectReferred},
		{"DOD recommends", evRecommend(c.next(), tollgate.AgencyDefense, tollgate.RecommendApproveWithConditions), referred, ""},
		{"STATE recommends", evRecommend(c.next(), tollgate.AgencyStateDept, tollgate.RecommendApprove), referred, ""},
		{"DOE recommends", evRecommend(c.next(), tollgate.AgencyEnergy, tollgate.RecommendApprove), referred, EffectRecommendationsComplete},
		{"approve", evDecide(c.next(), approveAll()), approved, EffectIssueLicense},
	}
	for _, step := range steps {
		next, effects, err := Transition(app, step.ev)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if next.State != step.wantState {
			t.Fatalf("%s: got state %s, want %s", step.name, next.State, step.wantState)
		}
		var got EffectKind
		if len(effects) > 0 {
			got = effects[0].Kind
		}
		if got != step.wantEffect || len(effects) > 1 {
			t.Fatalf("%s: got effects %+v, want one %q", step.name, effects, step.wantEffect)
		}
		app = next
	}
	if got, want := app.ControlNumber, "Z000042"; got != want {
		t.Errorf("got control number %s, want %s", got, want)
	}
	if got, want := app.Referrals, []tollgate.ReviewAgency{"DOD", "STATE", "DOE"}; !equalAgencies(got, want) {
		t.Errorf("got referrals %v, want %v", got, want)
	}
	lic, err := LicenseFromDecision(DefaultConfig(), app)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := lic.Items[0].Quantity, int64(1000); got != want {
		t.Errorf("got licensed quantity %d, want %d", got, want)
	}
	if got, want := lic.Items[0].ECCN, "3A090.a"; got != want {
		t.Errorf("got licensed ECCN %s, want %s", got, want)
	}
	decided := app.Decision.At
	if got, want := lic.ValidTo, civilDate(decided).AddDate(4, 0, -1); !got.Equal(want) {
		t.Errorf("got valid to %s, want %s", got, want)
	}
	pending := UnacknowledgedConditions(lic)
	if got, want := len(pending), 2; got != want {
		t.Fatalf("got %d pending acknowledgments, want %d: %+v", got, want, pending)
	}
	if got, want := pending[0], (PendingAcknowledgment{"C1", tollgate.RoleUltimateConsignee, consigneeID}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func equalAgencies(a, b []tollgate.ReviewAgency) bool {
	return strings.Join(agencyStrings(a), ",") == strings.Join(agencyStrings(b), ",")
}

func agencyStrings(as []tollgate.ReviewAgency) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

// TestTransitionRefusals covers refusals that depend on the payload or the
// application's data rather than on the state alone.
func TestTransitionRefusals(t *testing.T) {
	failing := mustPassingChecks(t)
	failing[len(failing)-1].Pass = false
	over := approveAll()
	over.Items[0].Quantity = 1001
	partial := approveAll()
	partial.Items[0].Quantity = 999
	fullPart := approvePart()
	fullPart.Items[0].Quantity = 1000
	unknown := approveAll()
	unknown.Items[0].Product = "B200"
	badNumber := approveAll()
	badNumber.LicenseNumber = "D12"
	denyWithItems := deny()
	denyWithItems.Items = approveAll().Items
	noReasons := deny()
	noReasons.Reasons = []string{" "}
	dupConditions := approveAll()
	dupConditions.Conditions = append(dupConditions.Conditions, dupConditions.Conditions[0])
	badBinds := approveAll()
	badBinds.Conditions[0].Binds = []tollgate.PartyRole{"shipper"}
	halfValidity := approveAll()
	halfValidity.ValidFrom = t0

	tests := []struct {
		name    string
		from    func(t *testing.T) (tollgate.Application, *clock)
		ev      func(c *clock) Event
		code    string
		message string
	}{
		{"ErrSubmitFailingChecks", in(draft), func(c *clock) Event { return evSubmit(c.next(), 1, failing) }, tollgate.EPRECONDITION, "failing precheck"},
		{"ErrSubmitNoChecks", in(draft), func(c *clock) Event { return evSubmit(c.next(), 1, nil) }, tollgate.EPRECONDITION, "not run"},
		{"ErrSubmitSequenceZero", in(draft), func(c *clock) Event { return evSubmit(c.next(), 0, mustPassingChecks(t)) }, tollgate.EINVALID, "sequence"},
		{"ErrUnknownEvent", in(draft), func(c *clock) Event { return Event{Kind: "approve", Actor: "x", At: c.next()} }, tollgate.EINVALID, "unknown event"},
		{"ErrNoActor", in(submitted), func(c *clock) Event { e := evAccept(c.next()); e.Actor = ""; return e }, tollgate.EINVALID, "actor"},
		{"ErrNoTime", in(submitted), func(c *clock) Event { return evAccept(time.Time{}) }, tollgate.EINVALID, "at"},
		{"ErrTimeGoesBack", in(submitted), func(c *clock) Event { return evAccept(t0) }, tollgate.EINVALID, "before the application's latest event"},
		{"ErrEmptyQuestion", in(underReview), func(c *clock) Event { e := evRequestInfo(c.next()); e.Text = ""; return e }, tollgate.EINVALID, "question"},
		{"ErrEmptyAnswer", in(infoRequested), func(c *clock) Event { e := evRespond(c.next()); e.Text = " "; return e }, tollgate.EINVALID, "answer"},
		{"ErrReferNobody", in(underReview), func(c *clock) Event { return evRefer(c.next()) }, tollgate.EINVALID, "agencies"},
		{"ErrReferUnknown", in(underReview), func(c *clock) Event { return evRefer(c.next(), "NSA") }, tollgate.EINVALID, "unknown agency"},
		{"ErrReferTwice", in(underReview), func(c *clock) Event { return evRefer(c.next(), "DOD", "DOD") }, tollgate.EINVALID, "named twice"},
		{"ErrRecommendNotReferred", onlyDODReferred, func(c *clock) Event { return evRecommend(c.next(), "DOE", tollgate.RecommendDeny) }, tollgate.ECONFLICT, "not referred to DOE"},
		{"ErrRecommendAgain", in(referred), func(c *clock) Event { return evRecommend(c.next(), "DOD", tollgate.RecommendDeny) }, tollgate.ECONFLICT, "already recommended"},
		{"ErrRecommendNoReasons", in(referred), func(c *clock) Event {
			e := evRecommend(c.next(), "DOE", tollgate.RecommendDeny)
			e.Reasons = nil
			return e
		}, tollgate.EINVALID, "reasons"},
		{"ErrRecommendConditionsMissing", in(referred), func(c *clock) Event {
			e := evRecommend(c.next(), "DOE", tollgate.RecommendApproveWithConditions)
			e.Conditions = nil
			return e
		}, tollgate.EINVALID, "conditions"},
		{"ErrRecommendUnknownKind", in(referred), func(c *clock) Event { return evRecommend(c.next(), "DOE", "abstain") }, tollgate.EINVALID, "recommendation"},
		{"ErrEscalateNoReason", in(referred), func(c *clock) Event { e := evEscalate(c.next()); e.Text = ""; return e }, tollgate.EINVALID, "escalated"},
		{"ErrDecideWhileAwaiting", in(referred), func(c *clock) Event { return evDecide(c.next(), approveAll()) }, tollgate.ECONFLICT, "awaiting recommendations from DOE"},
		{"ErrApproveBeforeAccept", in(submitted), func(c *clock) Event { return evDecide(c.next(), approveAll()) }, tollgate.ECONFLICT, "accepted"},
		{"ErrDenyWhileInfoRequested", in(infoRequested), func(c *clock) Event { return evDecide(c.next(), deny()) }, tollgate.ECONFLICT, "information is requested"},
		{"ErrNoDecision", in(underReview), func(c *clock) Event { return Event{Kind: EventDecide, Actor: "bis", At: c.next()} }, tollgate.EINVALID, "decision"},
		{"ErrOverQuantity", in(underReview), func(c *clock) Event { return evDecide(c.next(), over) }, tollgate.EINVALID, "exceeds the 1000 units"},
		{"ErrApprovePartial", in(underReview), func(c *clock) Event { return evDecide(c.next(), partial) }, tollgate.EINVALID, "approve_in_part"},
		{"ErrInPartInFull", in(underReview), func(c *clock) Event { return evDecide(c.next(), fullPart) }, tollgate.EINVALID, "use approve"},
		{"ErrUnknownProduct", in(underReview), func(c *clock) Event { return evDecide(c.next(), unknown) }, tollgate.EINVALID, "not in the application"},
		{"ErrLicenseNumber", in(underReview), func(c *clock) Event { return evDecide(c.next(), badNumber) }, tollgate.EINVALID, "license_number"},
		{"ErrDenyWithItems", in(underReview), func(c *clock) Event { return evDecide(c.next(), denyWithItems) }, tollgate.EINVALID, "carries no license"},
		{"ErrDenyNoReasons", in(underReview), func(c *clock) Event { return evDecide(c.next(), noReasons) }, tollgate.EINVALID, "reasons"},
		{"ErrDuplicateCondition", in(underReview), func(c *clock) Event { return evDecide(c.next(), dupConditions) }, tollgate.EINVALID, "used twice"},
		{"ErrConditionRole", in(underReview), func(c *clock) Event { return evDecide(c.next(), badBinds) }, tollgate.EINVALID, "unknown party role"},
		{"ErrHalfValidity", in(underReview), func(c *clock) Event { return evDecide(c.next(), halfValidity) }, tollgate.EINVALID, "valid_to"},
		{"ErrCommitteeReturns", in(escalated), func(c *clock) Event { return evCommittee(c.next(), returnIt()) }, tollgate.EINVALID, "does not return"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, c := tt.from(t)
			before := mustJSON(t, app)
			_, _, err := Transition(app, tt.ev(c))
			if err == nil {
				t.Fatal("Transition succeeded, want an error")
			}
			if got := errCode(err); got != tt.code {
				t.Errorf("got code %q, want %q (%v)", got, tt.code, err)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("got %q, want it to mention %q", err, tt.message)
			}
			if mustJSON(t, app) != before {
				t.Error("a refused event changed the application")
			}
		})
	}
}

// in returns a fixture constructor for an application in state s.
func in(s tollgate.ApplicationState) func(t *testing.T) (tollgate.Application, *clock) {
	return func(t *testing.T) (tollgate.Application, *clock) { return appIn(t, s) }
}

// onlyDODReferred returns an application referred to Defense alone.
func onlyDODReferred(t *testing.T) (tollgate.Application, *clock) {
	app, c := appIn(t, underReview)
	return mustApply(t, app, evRefer(c.next(), tollgate.AgencyDefense)), c
}

func TestRecommendationsDecideTheWay(t *testing.T) {
	deniedBy := func(t *testing.T) (tollgate.Application, *clock) {
		app, c := onlyDODReferred(t)
		return mustApply(t, app, evRecommend(c.next(), "DOD", tollgate.RecommendDeny)), c
	}
	approvedBy := func(t *testing.T) (tollgate.Application, *clock) {
		app, c := onlyDODReferred(t)
		return mustApply(t, app, evRecommend(c.next(), "DOD", tollgate.RecommendApproveWithConditions)), c
	}
	tests := []struct {
		name      string
		from      func(t *testing.T) (tollgate.Application, *clock)
		decision  tollgate.ApplicationDecision
		wantState tollgate.ApplicationState
		wantErr   string
	}{
		{"OK/DenyOnDenial", deniedBy, deny(), denied, ""},
		{"OK/ApproveOnApproval", approvedBy, approveAll(), approved, ""},
		{"OK/ReturnAnyway", deniedBy, returnIt(), returned, ""},
		{"ErrApproveOnDenial", deniedBy, approveAll(), "", "recommend denial"},
		{"ErrDenyOnApproval", approvedBy, deny(), "", "recommend approval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, c := tt.from(t)
			next, _, err := Transition(app, evDecide(c.next(), tt.decision))
			if tt.wantErr != "" {
				if err == nil || errCode(err) != tollgate.ECONFLICT || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want a conflict mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if next.State != tt.wantState {
				t.Fatalf("got %s, want %s", next.State, tt.wantState)
			}
		})
	}
}

func TestEscalation(t *testing.T) {
	t.Run("AutomaticOnDisagreement", func(t *testing.T) {
		app, c := appIn(t, underReview)
		app = mustApply(t, app, evRefer(c.next(), "DOD", "STATE"), evRecommend(c.next(), "DOD", tollgate.RecommendApprove))
		next, effects, err := Transition(app, evRecommend(c.next(), "STATE", tollgate.RecommendDeny))
		if err != nil {
			t.Fatal(err)
		}
		if next.State != escalated || len(effects) != 1 || effects[0].Kind != EffectEscalated {
			t.Fatalf("got %s with %+v, want escalated with one escalation effect", next.State, effects)
		}
		if got, want := next.EscalationNote, "the agencies disagree: DOD approve, STATE deny"; got != want {
			t.Errorf("got note %q, want %q", got, want)
		}
	})
	t.Run("SplitAfterDeadlineMustEscalate", func(t *testing.T) {
		app, c := appIn(t, underReview)
		app = mustApply(t, app, evRefer(c.next(), "DOD", "STATE", "DOE"),
			evRecommend(c.next(), "DOD", tollgate.RecommendApprove), evRecommend(c.next(), "STATE", tollgate.RecommendDeny))
		late := c.next().Add(40 * 24 * time.Hour)
		_, _, err := Transition(app, evDecide(late, approveAll()))
		if err == nil || !strings.Contains(err.Error(), "escalate to the Operating Committee") {
			t.Fatalf("got %v, want a refusal that says to escalate", err)
		}
		esc := mustApply(t, app, evEscalate(late))
		final := mustApply(t, esc, evCommittee(late.Add(time.Hour), approvePart()), evFinalize(late.Add(6*24*time.Hour)))
		if final.State != approvedPart || !final.Decision.ByCommittee {
			t.Fatalf("got %s (by committee %t), want approved_in_part by the committee", final.State, final.Decision.ByCommittee)
		}
	})
}

func TestTransitionDoesNotAlias(t *testing.T) {
	app, c := appIn(t, referred)
	at := c.next()
	a := mustApply(t, app, evRecommend(at, "DOE", tollgate.RecommendApprove))
	aJSON := mustJSON(t, a)
	mustApply(t, app, evRecommend(at, "DOE", tollgate.RecommendDeny))
	if mustJSON(t, a) != aJSON {
		t.Fatal("a second transition from the same application changed the first result")
	}
	d := approveAll()
	under, c2 := appIn(t, underReview)
	next := mustApply(t, under, evDecide(c2.next(), d))
	d.Items[0].Quantity = 1
	d.Conditions[0].Binds[0] = tollgate.RoleApplicant
	if next.Decision.Items[0].Quantity != 1000 || next.Decision.Conditions[0].Binds[0] != tollgate.RoleUltimateConsignee {
		t.Fatal("the decision shares memory with the event's payload")
	}
}

func TestRespondAndWithdrawRecordTimes(t *testing.T) {
	app, c := appIn(t, infoRequested)
	at := c.next()
	next := mustApply(t, app, evRespond(at))
	if q := next.InfoRequests[0]; q.Open() || !q.RespondedAt.Equal(at) || q.RespondedBy != "user-jane" {
		t.Fatalf("got %+v, want the request answered at %s by user-jane", q, at)
	}
	if app.InfoRequests[0].Open() != true {
		t.Fatal("responding changed the caller's application")
	}
	w := mustApply(t, next, evWithdraw(c.next()))
	if w.WithdrawnAt.IsZero() || w.ControlNumber != next.ControlNumber {
		t.Fatalf("got withdrawn at %s, control number %q", w.WithdrawnAt, w.ControlNumber)
	}
}
