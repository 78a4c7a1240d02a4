package licensing

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"tollgate"
)

// appIn returns an application in state s, reached through real events, and
// the clock those events used.
func appIn(tb testing.TB, s tollgate.ApplicationState) (tollgate.Application, *clock) {
	tb.Helper()
	c := &clock{now: t0}
	app := mustDraft(tb)
	checks := mustPassingChecks(tb)
	submit := func() tollgate.Application { return mustApply(tb, app, evSubmit(c.next(), 1, checks)) }
	reviewing := func() tollgate.Application { return mustApply(tb, submit(), evAccept(c.next())) }
	// escalate: DOD approves and STATE denies, so STATE dissents from an
	// approval and DOD from a denial.
	escalate := func() tollgate.Application {
		return mustApply(tb, reviewing(), evRefer(c.next(), tollgate.AgencyDefense, tollgate.AgencyStateDept),
			evRecommend(c.next(), tollgate.AgencyDefense, tollgate.RecommendApprove),
			evRecommend(c.next(), tollgate.AgencyStateDept, tollgate.RecommendDeny))
	}
	switch s {
	case draft:
	case submitted:
		app = submit()
	case underReview:
		app = reviewing()
	case infoRequested:
		app = mustApply(tb, reviewing(), evRequestInfo(c.next()))
	case referred:
		app = mustApply(tb, reviewing(), evRefer(c.next(), tollgate.AgencyDefense, tollgate.AgencyStateDept, tollgate.AgencyEnergy),
			evRecommend(c.next(), tollgate.AgencyDefense, tollgate.RecommendApprove),
			evRecommend(c.next(), tollgate.AgencyStateDept, tollgate.RecommendApproveWithConditions))
	case escalated:
		app = escalate()
	case appealWindow:
		app = mustApply(tb, escalate(), evCommittee(c.next(), approveAll()))
	case appealed:
		app = mustApply(tb, escalate(), evCommittee(c.next(), approveAll()), evAppeal(c.next(), tollgate.AgencyStateDept))
	case approved:
		app = mustApply(tb, reviewing(), evDecide(c.next(), approveAll()))
	case approvedPart:
		app = mustApply(tb, reviewing(), evDecide(c.next(), approvePart()))
	case denied:
		app = mustApply(tb, reviewing(), evDecide(c.next(), deny()))
	case returned:
		app = mustApply(tb, submit(), evDecide(c.next(), returnIt()))
	case withdrawn:
		app = mustApply(tb, app, evWithdraw(c.next()))
	default:
		tb.Fatalf("no fixture for state %q", s)
	}
	if app.State != s {
		tb.Fatalf("fixture for %s ended in %s", s, app.State)
	}
	return app, c
}

// canonicalEvent returns a well-formed event of kind k for an application in
// state s, as a real caller would send it.
func canonicalEvent(tb testing.TB, k EventKind, s tollgate.ApplicationState, c *clock) Event {
	tb.Helper()
	at := c.next()
	switch k {
	case EventSubmit:
		return evSubmit(at, 7, mustPassingChecks(tb))
	case EventAccept:
		return evAccept(at)
	case EventRequestInfo:
		return evRequestInfo(at)
	case EventRespond:
		return evRespond(at)
	case EventRefer:
		return evRefer(at, tollgate.AgencyEnergy, tollgate.AgencyDefense)
	case EventRecommend:
		return evRecommend(at, tollgate.AgencyEnergy, tollgate.RecommendApprove)
	case EventEscalate:
		return evEscalate(at)
	case EventCommitteeDecide:
		return evCommittee(at, approveAll())
	case EventAppeal:
		return evAppeal(at, tollgate.AgencyStateDept)
	case EventAppealDecide:
		return evAppealDecide(at, deny())
	case EventFinalize:
		// The day after the 5-day window's last day.
		return evFinalize(at.Add(6 * 24 * time.Hour))
	case EventDecide:
		switch s {
		case submitted, infoRequested:
			return evDecide(at, returnIt())
		case referred:
			// DOE has not answered; 31 days on, its silence is no objection.
			return evDecide(at.Add(31*24*time.Hour), approveAll())
		}
		return evDecide(at, approveAll())
	case EventWithdraw:
		return evWithdraw(at)
	}
	tb.Fatalf("no canonical event %q", k)
	return Event{}
}

// wantNext is the state machine written out independently of the table in
// state.go: for each state, the events it accepts and where each leads with
// the canonical payload. Any event not listed must be refused.
var wantNext = map[tollgate.ApplicationState]map[EventKind]tollgate.ApplicationState{
	draft:         {EventSubmit: submitted, EventWithdraw: withdrawn},
	submitted:     {EventAccept: underReview, EventDecide: returned, EventWithdraw: withdrawn},
	underReview:   {EventRequestInfo: infoRequested, EventRefer: referred, EventDecide: approved, EventWithdraw: withdrawn},
	infoRequested: {EventRespond: underReview, EventDecide: returned, EventWithdraw: withdrawn},
	referred:      {EventRecommend: referred, EventEscalate: escalated, EventDecide: approved, EventWithdraw: withdrawn},
	escalated:     {EventCommitteeDecide: appealWindow, EventWithdraw: withdrawn},
	appealWindow:  {EventAppeal: appealed, EventFinalize: approved, EventWithdraw: withdrawn},
	appealed:      {EventAppealDecide: appealWindow, EventWithdraw: withdrawn},
	approved:      {},
	approvedPart:  {},
	denied:        {},
	returned:      {},
	withdrawn:     {},
}

func TestTransitionEveryStateEveryEvent(t *testing.T) {
	if got, want := len(wantNext), len(tollgate.ApplicationStates()); got != want {
		t.Fatalf("wantNext covers %d states, want %d", got, want)
	}
	for _, s := range tollgate.ApplicationStates() {
		for _, k := range EventKinds() {
			t.Run(string(s)+"/"+string(k), func(t *testing.T) {
				app, c := appIn(t, s)
				before := mustJSON(t, app)
				ev := canonicalEvent(t, k, s, c)
				next, _, err := Transition(app, ev)
				want, allowed := wantNext[s][k]
				if allowed {
					if err != nil {
						t.Fatalf("Transition: %v", err)
					}
					if next.State != want {
						t.Fatalf("got state %s, want %s", next.State, want)
					}
					return
				}
				if err == nil {
					t.Fatalf("Transition accepted %s in %s, leading to %s", k, s, next.State)
				}
				if got, want := errCode(err), tollgate.ECONFLICT; got != want {
					t.Fatalf("got code %q, want %q (%v)", got, want, err)
				}
				if got, want := allowedInMessage(t, err.Error()), wantAllowed(s); !slices.Equal(got, want) {
					t.Fatalf("message %q names allowed events %v, want %v", err, got, want)
				}
				if mustJSON(t, app) != before {
					t.Fatal("a refused event changed the application")
				}
			})
		}
	}
}

func wantAllowed(s tollgate.ApplicationState) []string {
	var names []string
	for k := range wantNext[s] {
		names = append(names, string(k))
	}
	sort.Strings(names)
	return names
}

// allowedInMessage extracts the allowed events a refusal names.
func allowedInMessage(t *testing.T, msg string) []string {
	t.Helper()
	if strings.Contains(msg, "no event is allowed") {
		return nil
	}
	_, list, ok := strings.Cut(msg, "allowed events: ")
	if !ok {
		t.Fatalf("message %q does not name the allowed events", msg)
	}
	names := strings.Split(list, ", ")
	sort.Strings(names)
	return names
}

func TestEventSpecsMatchWantNext(t *testing.T) {
	for _, s := range tollgate.ApplicationStates() {
		var got []string
		for _, k := range AllowedEvents(s) {
			got = append(got, string(k))
		}
		sort.Strings(got)
		if want := wantAllowed(s); !slices.Equal(got, want) {
			t.Errorf("AllowedEvents(%s) = %v, want %v", s, got, want)
		}
		if got, want := len(AllowedEvents(s)) == 0, s.Terminal(); got != want {
			t.Errorf("%s: no allowed events = %t, Terminal() = %t", s, got, want)
		}
	}
	for _, spec := range EventSpecs() {
		for _, from := range spec.From {
			if to, ok := wantNext[from][spec.Kind]; ok && !slices.Contains(spec.To, to) {
				t.Errorf("%s from %s leads to %s, not among the spec's targets %v", spec.Kind, from, to, spec.To)
			}
		}
	}
}

func TestExpectedActor(t *testing.T) {
	tests := []struct {
		kind EventKind
		want ActorKind
	}{
		{EventSubmit, ActorExporter}, {EventRespond, ActorExporter}, {EventWithdraw, ActorExporter},
		{EventAccept, ActorLicensingOfficer}, {EventRequestInfo, ActorLicensingOfficer}, {EventRefer, ActorLicensingOfficer},
		{EventEscalate, ActorLicensingOfficer}, {EventDecide, ActorLicensingOfficer}, {EventCommitteeDecide, ActorLicensingOfficer},
		{EventRecommend, ActorAgencyReviewer}, {EventAppeal, ActorAgencyReviewer},
		{EventAppealDecide, ActorLicensingOfficer}, {EventFinalize, ActorLicensingOfficer}, {"bogus", ""},
	}
	for _, tt := range tests {
		if got := ExpectedActor(tt.kind); got != tt.want {
			t.Errorf("ExpectedActor(%s) = %q, want %q", tt.kind, got, tt.want)
		}
	}
}
