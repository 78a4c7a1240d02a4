package shipload

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"tollgate"
	"tollgate/shipping"
	"tollgate/store"
)

// Result is what a run did and how fast.
type Result struct {
	// Attempts is the reservations attempted; Pairs those reserved and
	// then shipped; Refused those refused for a limit (ELIMIT).
	Attempts int `json:"attempts"`
	Pairs    int `json:"pairs"`
	Refused  int `json:"refused"`
	// RefusedCap counts the refusals that named the 50% cap.
	RefusedCap int `json:"refused_cap"`
	// FirstRefusal is the first refusal that did not name the cap.
	FirstRefusal string `json:"first_refusal,omitempty"`
	// Errors counts every other failure; FirstError is the first of them.
	Errors     int    `json:"errors"`
	FirstError string `json:"first_error,omitempty"`
	// Elapsed is the wall time of the run; PairsPerSec is Pairs over it.
	Elapsed     time.Duration `json:"elapsed"`
	PairsPerSec float64       `json:"pairs_per_sec"`
}

// Run has the scenario's clients reserve and ship concurrently, each
// through its own order, until every client made its share of the
// attempts. A refused reservation is counted and the client goes on, so
// that every limit is pushed against to the end.
func Run(ctx context.Context, svc *shipping.Service, sc *Scenario) Result {
	o := sc.Options
	var (
		mu  sync.Mutex
		res Result
		wg  sync.WaitGroup
	)
	perClient := (o.Attempts + o.Clients - 1) / o.Clients
	start := time.Now()
	for c := range o.Clients {
		n := min(perClient, o.Attempts-c*perClient)
		wg.Go(func() {
			var local Result
			for i := range max(0, n) {
				serials := sc.Serials[c][i*o.UnitsPerExport : (i+1)*o.UnitsPerExport]
				local.Attempts++
				err := pair(ctx, svc, sc.OrderIDs[c], serials, fmt.Sprintf("AES-X%02d%06d", c, i))
				local.count(err)
			}
			mu.Lock()
			res.add(local)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if s := res.Elapsed.Seconds(); s > 0 {
		res.PairsPerSec = float64(res.Pairs) / s
	}
	return res
}

// pair reserves serials on order and ships the reservation, as exported on
// the day it was reserved.
func pair(ctx context.Context, svc *shipping.Service, orderID string, serials []string, filing string) error {
	e, err := svc.Reserve(ctx, shipping.ReserveRequest{OrderID: orderID,
		Units: tollgate.Units{Serials: serials, Count: int64(len(serials))}})
	if err != nil {
		return err
	}
	_, err = svc.Ship(ctx, e.ID, filing, e.ReservedAt)
	if err != nil {
		return fmt.Errorf("ship %s: %w", e.ID, err)
	}
	return nil
}

// count files the outcome of one attempt.
func (r *Result) count(err error) {
	var limit shipping.LimitExceeded
	switch {
	case err == nil:
		r.Pairs++
	case tollgate.ErrorCode(err) == tollgate.ELIMIT:
		r.Refused++
		var te *tollgate.Error
		if errors.As(err, &te) {
			if d, ok := te.Details.(shipping.LimitExceeded); ok {
				limit = d
			}
		}
		if limit.Limit == shipping.LimitChinaCap {
			r.RefusedCap++
		} else if r.FirstRefusal == "" {
			r.FirstRefusal = err.Error()
		}
	default:
		r.Errors++
		if r.FirstError == "" {
			r.FirstError = err.Error()
		}
	}
}

func (r *Result) add(o Result) {
	r.Attempts += o.Attempts
	r.Pairs += o.Pairs
	r.Refused += o.Refused
	r.RefusedCap += o.RefusedCap
	r.Errors += o.Errors
	if r.FirstError == "" {
		r.FirstError = o.FirstError
	}
	if r.FirstRefusal == "" {
		r.FirstRefusal = o.FirstRefusal
	}
}

// Check verifies the outcome of a run and returns one line per violation,
// none when everything holds: the store's invariants (svc.Verify: counters
// equal to the records, nothing over a limit), no failure but refusals,
// the cap exactly filled when the attempts exceeded it (no refusal while
// there was room), and the shipped units, the license's usage and the
// orders' counters all equal to the pairs that succeeded.
func Check(ctx context.Context, db *store.DB, svc *shipping.Service, sc *Scenario, res Result) ([]string, error) {
	out, err := svc.Verify(ctx)
	if err != nil {
		return nil, fmt.Errorf("shipload.Check: %w", err)
	}
	u := int64(sc.Options.UnitsPerExport)
	shipped := int64(res.Pairs) * u
	if res.Errors > 0 {
		out = append(out, fmt.Sprintf("%d attempts failed other than by a limit; first: %s", res.Errors, res.FirstError))
	}
	pos, err := svc.CapPosition(ctx, sc.ExporterOrgID, Product)
	if err != nil {
		return nil, fmt.Errorf("shipload.Check: %w", err)
	}
	switch {
	case pos.HeldUnits != shipped:
		out = append(out, fmt.Sprintf("China units held %d, want %d (%d pairs x %d units)", pos.HeldUnits, shipped, res.Pairs, u))
	case pos.HeldUnits > pos.CapUnits:
		out = append(out, fmt.Sprintf("cap exceeded: %d China units held, cap %d", pos.HeldUnits, pos.CapUnits))
	case int64(res.Attempts)*u > pos.CapUnits && pos.CapUnits-pos.HeldUnits >= u:
		out = append(out, fmt.Sprintf("reservations refused with room left under the cap: %d held of %d", pos.HeldUnits, pos.CapUnits))
	case res.Refused != res.RefusedCap:
		out = append(out, fmt.Sprintf("%d refusals named a limit other than the cap; first: %s", res.Refused-res.RefusedCap, res.FirstRefusal))
	}
	var usage []store.LicenseItemUsage
	var orderShipped int64
	err = db.View(ctx, func(tx *store.Tx) error {
		lic, err := tx.License(ctx, sc.LicenseID)
		if err != nil {
			return err
		}
		usage = lic.Usage
		for _, id := range sc.OrderIDs {
			_, units, err := tx.FindOrder(ctx, id, false)
			if err != nil {
				return err
			}
			orderShipped += units.Shipped
			if units.Reserved != 0 {
				out = append(out, fmt.Sprintf("order %s still holds %d reserved units", id, units.Reserved))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("shipload.Check: %w", err)
	}
	if len(usage) != 1 || usage[0].ShippedUnits != shipped || usage[0].ReservedUnits != 0 || usage[0].ShippedCents != shipped*UnitPriceCents {
		out = append(out, fmt.Sprintf("license usage %+v, want %d units (%d cents) shipped and none reserved", usage, shipped, shipped*UnitPriceCents))
	}
	if orderShipped != shipped {
		out = append(out, fmt.Sprintf("orders shipped %d units, want %d", orderShipped, shipped))
	}
	return out, nil
}
