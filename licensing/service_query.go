package licensing

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"tollgate"
	"tollgate/store"
)

// ApplicationView is an application as a reader sees it: the stored
// application with its version and assignments, the events its state
// allows, and its deadlines as of the store's now, the overdue ones apart.
type ApplicationView struct {
	store.StoredApplication
	AllowedEvents []EventKind `json:"allowed_events"`
	Deadlines     []Deadline  `json:"deadlines,omitempty"`
	Overdue       []Deadline  `json:"overdue,omitempty"`
	// DaysLate is the most days any open deadline is late (0: none is).
	DaysLate int `json:"days_late"`
}

// ApplicationQuery selects applications for FindApplications: the store's
// filter (whose OrgID and AssignedOrgID a caller sets from its auth scope)
// and, with Overdue, only applications with an open deadline past due.
type ApplicationQuery struct {
	store.ApplicationFilter
	Overdue bool
}

// activeStates are the states in which deadlines run.
var activeStates = []tollgate.ApplicationState{submitted, underReview, infoRequested, referred, escalated}

func newView(sa *store.StoredApplication, now time.Time) *ApplicationView {
	v := &ApplicationView{StoredApplication: *sa, AllowedEvents: AllowedEvents(sa.State)}
	if v.AllowedEvents == nil {
		v.AllowedEvents = []EventKind{}
	}
	v.Deadlines = Deadlines(sa.Application, now)
	v.Overdue = Overdue(sa.Application, now)
	for _, d := range v.Overdue {
		v.DaysLate = max(v.DaysLate, d.DaysLate)
	}
	return v
}

// Application returns the application with id (or, for a well-formed
// Application Control Number such as Z000001, that number) as the caller
// may see it; ENOTFOUND when it does not exist or lies outside the
// caller's reach.
func (s *Service) Application(ctx context.Context, id string) (*ApplicationView, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, fmt.Errorf("licensing.Application: %w", err)
	}
	var v *ApplicationView
	err = s.db.View(ctx, func(tx *store.Tx) error {
		var sa *store.StoredApplication
		var err error
		if wellFormedNumber(id) {
			sa, err = tx.ApplicationByControlNumber(ctx, id)
		} else {
			sa, err = tx.Application(ctx, id)
		}
		if err != nil {
			return err
		}
		if err := s.check(p, PermApplicationRead, sa); err != nil {
			return err
		}
		v = newView(sa, tx.Now())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("licensing.Application: %w", err)
	}
	return v, nil
}

// FindApplications returns one page of the applications matching q that
// the caller may read, oldest first, and the next page's cursor. With
// q.Overdue only applications under review with an overdue deadline are
// returned (a page may then hold fewer than the limit; follow the cursor).
func (s *Service) FindApplications(ctx context.Context, q ApplicationQuery) ([]*ApplicationView, string, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("licensing.FindApplications: %w", err)
	}
	if q.Overdue && len(q.States) == 0 {
		q.States = activeStates
	}
	var (
		views []*ApplicationView
		next  string
	)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		apps, n, err := tx.FindApplications(ctx, q.ApplicationFilter)
		if err != nil {
			return err
		}
		next, views = n, []*ApplicationView{}
		for _, sa := range apps {
			if s.check(p, PermApplicationRead, sa) != nil {
				continue // outside the caller's reach: not listed
			}
			v := newView(sa, tx.Now())
			if q.Overdue && len(v.Overdue) == 0 {
				continue
			}
			views = append(views, v)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("licensing.FindApplications: %w", err)
	}
	return views, next, nil
}

// OverdueApplications returns every application visible under f whose
// review has an open deadline past due, most days late first.
func (s *Service) OverdueApplications(ctx context.Context, f store.ApplicationFilter) ([]*ApplicationView, error) {
	f.Limit = tollgate.MaxPageLimit
	var all []*ApplicationView
	for {
		views, next, err := s.FindApplications(ctx, ApplicationQuery{ApplicationFilter: f, Overdue: true})
		if err != nil {
			return nil, err
		}
		all = append(all, views...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	sortByLateness(all)
	return all, nil
}

// sortByLateness orders views most days late first, then by id.
func sortByLateness(views []*ApplicationView) {
	slices.SortFunc(views, func(a, b *ApplicationView) int {
		if c := cmp.Compare(b.DaysLate, a.DaysLate); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// Document returns a supporting document of the application and its
// content, for a caller who may read the application.
func (s *Service) Document(ctx context.Context, id, digest string) (tollgate.SupportingDocument, []byte, error) {
	var (
		doc     tollgate.SupportingDocument
		content []byte
	)
	p, err := caller(ctx)
	if err != nil {
		return doc, nil, fmt.Errorf("licensing.Document: %w", err)
	}
	err = s.db.View(ctx, func(tx *store.Tx) error {
		sa, err := tx.Application(ctx, id)
		if err != nil {
			return err
		}
		if err := s.check(p, PermApplicationRead, sa); err != nil {
			return err
		}
		doc, content, err = tx.ApplicationDocument(ctx, sa.ID, digest)
		return err
	})
	if err != nil {
		return doc, nil, fmt.Errorf("licensing.Document: %w", err)
	}
	return doc, content, nil
}
