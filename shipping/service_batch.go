package shipping

import (
	"context"
	"slices"
	"time"

	"tollgate"
	"tollgate/internal/batch"
	"tollgate/store"
)

// Reservations and shipments run in sets. Concurrent calls of Reserve (or
// of Ship) queue (package batch), and the set queued while the previous one
// ran is run together: what the locks do not protect is read for the whole
// set in one read transaction, with one statement per kind of record
// rather than per call, and the set's writes run in one function of one
// group transaction (store.DB.UpdateLocked), call after call, each seeing
// the ones before it. The checks are the same pure functions as for one
// call, so a set decides exactly as the calls would one after the other.
// A call refused by its checks writes nothing and the others go on; should
// a write of the set fail (which the checks should have prevented) or its
// transaction fail for good, every call of the set is run again alone, so
// that each gets the outcome it would have had alone.
//
// A call made in a request's transaction (the API's Idempotency-Key, see
// store.DB.RunIdempotent) runs alone, in that transaction.

// maxSet bounds a set of reservations or shipments; setLeaders is how many
// sets of each run at once: while one waits for its group transaction, the
// next one reads.
const (
	maxSet     = 64
	setLeaders = 2
)

// reserveCall is one Reserve waiting for its set.
type reserveCall struct {
	ctx   context.Context
	req   ReserveRequest
	facts reserveFacts
	out   *tollgate.Export
	err   error
}

// shipCall is one Ship waiting for its set.
type shipCall struct {
	ctx        context.Context
	id         string
	reference  string
	exportedOn time.Time
	before     *tollgate.Export
	out        *tollgate.Export
	err        error
}

func newReserveBatcher(s *Service) *batch.Batcher[*reserveCall, struct{}] {
	return &batch.Batcher[*reserveCall, struct{}]{Max: maxSet, Leaders: setLeaders, Run: func(calls []*reserveCall) []struct{} {
		runSet(calls, s.reserveSet, func(c *reserveCall, err error) { c.out, c.err = nil, err })
		return make([]struct{}, len(calls))
	}}
}

func newShipBatcher(s *Service) *batch.Batcher[*shipCall, struct{}] {
	return &batch.Batcher[*shipCall, struct{}]{Max: maxSet, Leaders: setLeaders, Run: func(calls []*shipCall) []struct{} {
		runSet(calls, s.shipSet, func(c *shipCall, err error) { c.out, c.err = nil, err })
		return make([]struct{}, len(calls))
	}}
}

// runSet runs calls as one set, and when the set fails as a whole, each
// call alone; a call that fails alone gets the failure.
func runSet[C any](calls []C, run func([]C) error, fail func(C, error)) {
	if err := run(calls); err == nil {
		return
	} else if len(calls) == 1 {
		fail(calls[0], err)
		return
	}
	for _, c := range calls {
		if err := run([]C{c}); err != nil {
			fail(c, err)
		}
	}
}

// reserveSet reads the facts of calls and reserves them in one group
// transaction. It sets each call's outcome; it returns an error only when
// the set failed as a whole.
func (s *Service) reserveSet(calls []*reserveCall) error {
	ctx := context.WithoutCancel(calls[0].ctx)
	live := make([]*reserveCall, 0, len(calls))
	for _, c := range calls {
		c.out, c.err, c.facts = nil, c.ctx.Err(), reserveFacts{}
		if c.err == nil {
			live = append(live, c)
		}
	}
	if len(live) == 0 {
		return nil
	}
	if err := s.db.View(ctx, func(tx *store.Tx) error { return s.readReserveFacts(ctx, tx, live) }); err != nil {
		return err
	}
	return s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		// The licenses and caps first, in the store's lock order (each
		// taken once in a group transaction, lockReserve finds them
		// taken), then the orders, then what holds the set's units, then
		// each call.
		held := map[[2]string]*heldUnits{}
		for _, c := range live {
			c.out, c.err = nil, c.facts.err
			if c.err != nil {
				continue
			}
			o := c.facts.order
			if _, _, err := tx.LockLicenseStatus(ctx, c.facts.lic.ID); err != nil {
				return err
			}
			if _, err := tx.LockCap(ctx, o.ExporterOrgID, o.Product); err != nil {
				return err
			}
			held[[2]string{o.ExporterOrgID, o.Product}] = nil
		}
		var orderIDs []string
		for _, c := range live {
			if c.err == nil {
				orderIDs = append(orderIDs, c.facts.order.ID)
			}
		}
		if err := tx.LockOrders(ctx, orderIDs); err != nil {
			return err
		}
		for scope := range held {
			h, err := s.readHeld(ctx, tx, live, scope)
			if err != nil {
				return err
			}
			held[scope] = h
		}
		for _, c := range live {
			if c.err != nil {
				continue
			}
			o := c.facts.order
			h := held[[2]string{o.ExporterOrgID, o.Product}]
			in, err := s.lockReserve(c.ctx, tx, c.facts, c.req.Units, h)
			if err != nil {
				if !isRefusal(err) {
					return err
				}
				c.err = err
				continue
			}
			out, err := Reserve(in)
			if err != nil {
				c.err = err
				continue
			}
			if err := tx.InsertExport(c.ctx, &out); err != nil {
				return err
			}
			if err := tx.AuditDetails(c.ctx, "export.reserve", "export", out.ID, nil, out, map[string]any{
				"license": out.LicenseNumber, "order_id": out.OrderID, "units": out.Units.Count, "value_cents": out.ValueCents}); err != nil {
				return err
			}
			h.exports = append(h.exports, out)
			c.out = &out
		}
		return nil
	})
}

// isRefusal reports whether err is a use case's refusal (a tollgate.Error
// that is no internal failure), which ends one call and not its set.
func isRefusal(err error) bool {
	switch tollgate.ErrorCode(err) {
	case tollgate.EINVALID, tollgate.ENOTFOUND, tollgate.ECONFLICT, tollgate.EPRECONDITION, tollgate.ELIMIT:
		return true
	}
	return false
}

// heldUnits is what holds the units of a set's reservations of one
// exporter's product: the exports holding any of them when the set took
// its locks, and the reservations the set made since.
type heldUnits struct {
	exports []tollgate.Export
}

// readHeld reads, under the locks, the exports holding any serial that
// the calls of scope (exporter, product) reserve; lots are read per call
// (see lockReserve).
func (s *Service) readHeld(ctx context.Context, tx *store.Tx, calls []*reserveCall, scope [2]string) (*heldUnits, error) {
	var inScope []*reserveCall
	for _, c := range calls {
		if o := c.facts.order; c.facts.err == nil && o.ExporterOrgID == scope[0] && o.Product == scope[1] {
			inScope = append(inScope, c)
		}
	}
	h := &heldUnits{}
	all := serialsOf(inScope)
	if all.Count == 0 {
		return h, nil
	}
	var err error
	h.exports, err = tx.ExportsOfUnits(ctx, scope[0], scope[1], all, tx.Now())
	return h, err
}

// readReserveFacts reads, without locks, for every call: the order and its
// license, the screening of the license's parties and the order's
// customer, the current list versions, and the units' imports, lab reports
// and keys, with one statement per kind of record for the whole set. A
// call whose order or license cannot be used gets its refusal in
// facts.err.
func (s *Service) readReserveFacts(ctx context.Context, tx *store.Tx, calls []*reserveCall) error {
	orderIDs := make([]string, len(calls))
	for i, c := range calls {
		orderIDs[i] = c.req.OrderID
	}
	orders, err := tx.OrdersByID(ctx, orderIDs)
	if err != nil {
		return err
	}
	var licenseIDs []string
	for _, c := range calls {
		f := &c.facts
		if f.order = orders[c.req.OrderID]; f.order == nil {
			f.err = tollgate.FieldErrorf("order_id", "order %q not found", c.req.OrderID)
			continue
		}
		if f.licenseID = c.req.LicenseID; f.licenseID == "" {
			f.licenseID = f.order.LicenseID
		}
		if f.licenseID == "" {
			f.err = tollgate.Errorf(tollgate.EPRECONDITION, "order %s has no license yet: license it first", f.order.Reference)
			continue
		}
		licenseIDs = append(licenseIDs, f.licenseID)
	}
	licenses, err := tx.LicensesByID(ctx, licenseIDs)
	if err != nil {
		return err
	}
	var partyIDs []string
	for _, c := range calls {
		f := &c.facts
		if f.err != nil {
			continue
		}
		if f.lic = licenses[f.licenseID]; f.lic == nil {
			f.err = tollgate.FieldErrorf("license_id", "license %q not found", f.licenseID)
			continue
		}
		partyIDs = append(partyIDs, f.partyIDs()...)
	}
	standings, err := tx.PartyScreenings(ctx, partyIDs)
	if err != nil {
		return err
	}
	current, err := tx.CurrentListVersionIDs(ctx)
	if err != nil {
		return err
	}
	units, err := s.readUnitFacts(ctx, tx, calls)
	if err != nil {
		return err
	}
	for _, c := range calls {
		f := &c.facts
		if f.err != nil {
			continue
		}
		f.in.CurrentListVersionIDs = current
		for _, id := range f.partyIDs() {
			for _, p := range standings {
				if p.PartyID == id {
					f.in.Parties = append(f.in.Parties, PartyStanding{PartyID: p.PartyID, Status: p.Status, ListVersionIDs: p.ListVersionIDs})
				}
			}
		}
		f.in.Units = units[c]
	}
	return nil
}

// partyIDs returns the parties whose screening a reservation depends on:
// the order's customer and the license's parties but its applicant.
func (f *reserveFacts) partyIDs() []string {
	ids := []string{f.order.CustomerPartyID}
	for _, ref := range f.lic.Parties.List() {
		if ref.Role != tollgate.RoleApplicant && !slices.Contains(ids, ref.ID) {
			ids = append(ids, ref.ID)
		}
	}
	return ids
}

// readUnitFacts reads the imports, lab reports and keys of the units of
// calls: for serials, once per exporter's product and application for all
// its calls, then handed to each call as far as they concern its serials;
// for a lot, per call.
func (s *Service) readUnitFacts(ctx context.Context, tx *store.Tx, calls []*reserveCall) (map[*reserveCall]UnitFacts, error) {
	out := map[*reserveCall]UnitFacts{}
	type scope struct{ exporter, product, application string }
	bySerials := map[scope][]*reserveCall{}
	var scopes []scope
	for _, c := range calls {
		f := &c.facts
		if f.err != nil {
			continue
		}
		k := scope{f.order.ExporterOrgID, f.order.Product, f.lic.ApplicationID}
		if !c.req.Units.BySerial() {
			var u UnitFacts
			var err error
			if u.Imports, err = tx.ImportsOfUnits(ctx, k.exporter, k.product, c.req.Units); err != nil {
				return nil, err
			}
			if u.Reports, u.LabKeys, err = tx.LabReportsOfUnits(ctx, k.exporter, k.product, k.application, c.req.Units); err != nil {
				return nil, err
			}
			out[c] = u.VerifySignatures()
			continue
		}
		if bySerials[k] == nil {
			scopes = append(scopes, k)
		}
		bySerials[k] = append(bySerials[k], c)
	}
	for _, k := range scopes {
		all := serialsOf(bySerials[k])
		imports, err := tx.ImportsOfUnits(ctx, k.exporter, k.product, all)
		if err != nil {
			return nil, err
		}
		reports, keys, err := tx.LabReportsOfUnits(ctx, k.exporter, k.product, k.application, all)
		if err != nil {
			return nil, err
		}
		// Verified once for the set: the calls get only signed reports.
		reports = UnitFacts{Reports: reports, LabKeys: keys}.VerifySignatures().Reports
		for _, c := range bySerials[k] {
			u := UnitFacts{LabKeys: keys, verified: true}
			for _, e := range imports {
				if sharesSerial(e.Units.Serials, c.req.Units.Serials) {
					u.Imports = append(u.Imports, e)
				}
			}
			for _, r := range reports {
				if sharesSerial(r.Units.Serials, c.req.Units.Serials) {
					u.Reports = append(u.Reports, r)
				}
			}
			out[c] = u
		}
	}
	return out, nil
}

// serialsOf returns the distinct serials the calls reserve, as units.
func serialsOf(calls []*reserveCall) tollgate.Units {
	var serials []string
	for _, c := range calls {
		serials = append(serials, c.req.Units.Serials...)
	}
	slices.Sort(serials)
	serials = slices.Compact(serials)
	return tollgate.Units{Serials: serials, Count: int64(len(serials))}
}

// sharesSerial reports whether a and b have a serial in common.
func sharesSerial(a, b []string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	for _, s := range a {
		if slices.Contains(b, s) {
			return true
		}
	}
	return false
}

// shipSet reads the reservations of calls and ships them in one group
// transaction. It sets each call's outcome; it returns an error only when
// the set failed as a whole.
func (s *Service) shipSet(calls []*shipCall) error {
	ctx := context.WithoutCancel(calls[0].ctx)
	live := make([]*shipCall, 0, len(calls))
	ids := make([]string, 0, len(calls))
	for _, c := range calls {
		c.out, c.err, c.before = nil, c.ctx.Err(), nil
		if c.err == nil {
			live = append(live, c)
			ids = append(ids, c.id)
		}
	}
	if len(live) == 0 {
		return nil
	}
	var exports map[string]*tollgate.Export
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		exports, err = tx.ExportsByID(ctx, ids)
		return err
	})
	if err != nil {
		return err
	}
	for _, c := range live {
		if c.before = exports[c.id]; c.before == nil {
			c.err = tollgate.Errorf(tollgate.ENOTFOUND, "export %q not found", c.id)
		}
	}
	return s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		// The locks in the store's order: licenses and caps (each
		// taken once in a group transaction), the orders, then the
		// exports.
		var found []string
		for _, c := range live {
			if c.before == nil {
				continue
			}
			if err := tx.LockLicense(ctx, c.before.LicenseID); err != nil {
				return err
			}
			if _, err := tx.LockCap(ctx, c.before.ExporterOrgID, c.before.Product); err != nil {
				return err
			}
			found = append(found, c.id)
		}
		orderIDs := make([]string, 0, len(found))
		for _, c := range live {
			if c.before != nil {
				orderIDs = append(orderIDs, c.before.OrderID)
			}
		}
		if err := tx.LockOrders(ctx, orderIDs); err != nil {
			return err
		}
		states, err := tx.LockExportStates(ctx, found)
		if err != nil {
			return err
		}
		for _, c := range live {
			if c.before == nil {
				continue
			}
			c.out, c.err = nil, nil
			e := *c.before
			if states[c.id] != e.State {
				cur, err := tx.FindExport(ctx, c.id, true)
				if err != nil {
					return err
				}
				e = *cur
			}
			o, err := tx.LockOrderUnits(ctx, e.OrderID)
			if err != nil {
				return err
			}
			shipped, err := Ship(e, c.reference, c.exportedOn, actor(c.ctx), tx.Now())
			if err != nil {
				c.err = err // refused before any write
				continue
			}
			if err := s.recordShip(c.ctx, tx, &e, shipped, o); err != nil {
				return err
			}
			c.out = &shipped
		}
		return nil
	})
}
