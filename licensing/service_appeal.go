package licensing

import (
	"context"
	"fmt"

	"tollgate"
	"tollgate/store"
)

// FinalizeDue records, as the system, that every escalated case's decision
// whose appeal window has closed without an appeal stands (the finalize
// event, with the license of an approval), one transaction per
// application, and returns how many it finalized. It is the job `tollgate
// serve` runs, so that a decision stands when its window closes even if no
// officer records it; an officer may record it first, and an application
// finalized or appealed meanwhile is left alone.
func (s *Service) FinalizeDue(ctx context.Context) (int, error) {
	ctx = tollgate.WithPrincipal(ctx, tollgate.SystemPrincipal())
	var (
		due    []string
		cursor string
	)
	for {
		var page []*store.StoredApplication
		err := s.db.View(ctx, func(tx *store.Tx) (err error) {
			page, cursor, err = tx.FindApplications(ctx, store.ApplicationFilter{
				States: []tollgate.ApplicationState{tollgate.ApplicationAppealWindow}, Cursor: cursor})
			if err != nil {
				return err
			}
			for _, sa := range page {
				if windowClosed(&sa.Application, tx.Now()) {
					due = append(due, sa.ID)
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("licensing.FinalizeDue: %w", err)
		}
		if cursor == "" {
			break
		}
	}
	n := 0
	for _, id := range due {
		done := false
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			done = false
			sa, err := tx.ApplicationForUpdate(ctx, id)
			if err != nil {
				return err
			}
			if sa.State != tollgate.ApplicationAppealWindow || !windowClosed(&sa.Application, tx.Now()) {
				return nil // finalized or appealed meanwhile
			}
			_, err = s.applyTo(ctx, tx, tollgate.SystemPrincipal(), sa, Event{Kind: EventFinalize})
			done = err == nil
			return err
		})
		if err != nil {
			return n, fmt.Errorf("licensing.FinalizeDue: application %s: %w", id, err)
		}
		if done {
			n++
		}
	}
	return n, nil
}
