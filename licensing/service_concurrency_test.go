package licensing_test

import (
	"context"
	"sync"
	"testing"

	"tollgate"
	"tollgate/licensing"
	"tollgate/licensing/licensingtest"
	"tollgate/store"
)

// race runs f n times at once, alternating between the services (two
// handles on one database, as two replicas), and returns the errors.
func race(n int, svcs []*licensing.Service, f func(svc *licensing.Service) error) []error {
	errs := make([]error, n)
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(svcs[i%len(svcs)])
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWins checks that exactly one of errs is nil and every other is a
// conflict.
func oneWins(t *testing.T, errs []error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		switch code := tollgate.ErrorCode(err); code {
		case "":
			wins++
		case tollgate.ECONFLICT:
		default:
			t.Errorf("got %q (%v), want success or conflict", code, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d of %d concurrent calls succeeded, want exactly 1", wins, len(errs))
	}
}

func TestServiceConcurrentDoubleSubmitAndDecide(t *testing.T) {
	licensingtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		w := e.w
		other := licensingtest.Open(t, dsn, e.clock.Now)
		svcs := []*licensing.Service{e.svc, licensingtest.NewService(t, other)}
		officer := licensingtest.As(w.Officer())
		bis := licensingtest.As(w.LicensingOfficer())
		const n = 6

		id := w.Certified(t, e.svc)
		oneWins(t, race(n, svcs, func(svc *licensing.Service) error {
			_, err := svc.Submit(officer, id, 0)
			return err
		}))
		// The losers' control numbers were rolled back with them: the next
		// submission takes the next number.
		second := w.Submitted(t, e.svc)
		v, err := e.svc.Application(officer, second)
		mustNoErr(t, err)
		if got, want := v.ControlNumber, "Z000002"; got != want {
			t.Errorf("next control number: got %s, want %s", got, want)
		}

		mustApply(t, e.svc, bis, id, licensing.Event{Kind: licensing.EventAccept})
		mustApply(t, e.svc, bis, id, licensing.Event{Kind: licensing.EventRefer, Agencies: []tollgate.ReviewAgency{tollgate.AgencyDefense}})
		mustApply(t, e.svc, licensingtest.As(w.Reviewer(tollgate.AgencyDefense)), id, licensing.Event{Kind: licensing.EventRecommend,
			Recommendation: tollgate.RecommendApprove, Reasons: []string{"no objection"}})
		oneWins(t, race(n, svcs, func(svc *licensing.Service) error {
			_, err := svc.Apply(bis, id, licensing.Event{Kind: licensing.EventDecide, Decision: licensingtest.Approval()}, 0)
			return err
		}))
		ls, _, err := e.svc.FindLicenses(officer, store.LicenseFilter{})
		mustNoErr(t, err)
		if len(ls) != 1 || ls[0].Number != "D000001" {
			t.Errorf("licenses after concurrent decisions: got %d (first %v), want one, D000001", len(ls), ls)
		}
	})
}

func TestServiceStaleVersion(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	officer := licensingtest.As(e.w.Officer())
	sa, err := e.svc.CreateDraft(officer, e.w.Draft())
	mustNoErr(t, err)
	end := "Inference only."
	_, err = e.svc.UpdateDraft(officer, sa.ID, licensing.DraftUpdate{EndUse: &end}, sa.Version)
	mustNoErr(t, err)
	_, err = e.svc.UpdateDraft(officer, sa.ID, licensing.DraftUpdate{EndUse: &end}, sa.Version)
	wantCode(t, err, tollgate.ECONFLICT)
}

func mustApply(t *testing.T, svc *licensing.Service, ctx context.Context, id string, ev licensing.Event) {
	t.Helper()
	if _, err := svc.Apply(ctx, id, ev, 0); err != nil {
		t.Fatalf("%s: %v", ev.Kind, err)
	}
}
