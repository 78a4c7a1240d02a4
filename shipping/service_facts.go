package shipping

import (
	"context"
	"slices"

	"tollgate"
	"tollgate/store"
)

// What a set reads: its reservations' facts before the locks (readSet),
// and its shipments' reservations at the start of its write (writeSet).

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
			f.err = tollgate.Ref{Field: "order_id", Kind: "order", ID: c.req.OrderID}.Unresolved()
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
		// Another exporter's license is answered as a missing one, before
		// anything else about it (its number, holder or terms) is said.
		if f.lic = licenses[f.licenseID]; f.lic == nil || f.lic.HolderOrgID != f.order.ExporterOrgID {
			f.err = tollgate.Ref{Field: "license_id", Kind: "license", ID: f.licenseID}.Unresolved()
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
			if u.Reports, u.LabKeys, err = tx.LabReportsOfUnits(ctx, k.exporter, k.product, k.application, c.req.Units, nil); err != nil {
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
		// The serials of reports remembered as signed are not read again.
		reports, keys, err := tx.LabReportsOfUnits(ctx, k.exporter, k.product, k.application, all, signedReports.fill)
		if err != nil {
			return nil, err
		}
		// Verified once for the set: the calls get only signed reports.
		reports = UnitFacts{Reports: reports, LabKeys: keys}.VerifySignatures().Reports
		facts := map[*reserveCall]*UnitFacts{}
		for _, c := range bySerials[k] {
			facts[c] = &UnitFacts{LabKeys: keys, verified: true}
		}
		reserving := callsBySerial(bySerials[k])
		for _, e := range imports {
			for _, c := range reserving.of(e.Units.Serials) {
				facts[c].Imports = append(facts[c].Imports, e)
			}
		}
		for _, r := range reports {
			for _, c := range reserving.of(r.Units.Serials) {
				facts[c].Reports = append(facts[c].Reports, r)
			}
		}
		for c, u := range facts {
			out[c] = *u
		}
	}
	return out, nil
}

// serialCalls is which calls of a set reserve each serial.
type serialCalls map[string][]*reserveCall

func callsBySerial(calls []*reserveCall) serialCalls {
	m := serialCalls{}
	for _, c := range calls {
		for _, s := range c.req.Units.Serials {
			if !slices.Contains(m[s], c) {
				m[s] = append(m[s], c)
			}
		}
	}
	return m
}

// of returns the calls that reserve any of serials, each once, in the
// order first met: one pass over serials (a lab report's may be
// thousands).
func (m serialCalls) of(serials []string) []*reserveCall {
	var out []*reserveCall
	for _, s := range serials {
		for _, c := range m[s] {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
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

// readShipFacts reads, without locks, the reservations the calls ship.
// A call whose reservation does not exist gets ENOTFOUND.
func (s *Service) readShipFacts(ctx context.Context, tx *store.Tx, calls []*shipCall) error {
	ids := make([]string, len(calls))
	for i, c := range calls {
		ids[i] = c.id
	}
	exports, err := tx.ExportsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, c := range calls {
		c.out, c.err = nil, nil
		if c.before = exports[c.id]; c.before == nil {
			c.err = tollgate.Errorf(tollgate.ENOTFOUND, "export %q not found", c.id)
		}
	}
	return nil
}
