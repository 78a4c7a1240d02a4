package shipping_test

// The model of TestStoredShippingProperties (service_property_test.go):
// what the store should hold after the operations that succeeded, the
// outcome each operation should have, and the checks of the store
// against it.

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"pgregory.net/rapid"

	"tollgate"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
	"tollgate/store"
)

// propModel is what the store should hold, updated only from the
// service's successful results.
type propModel struct {
	exports []*propExport // in the order reserved
	byID    map[string]*propExport
	shipped map[string]bool // orders whose every unit shipped
	us      []*propUS
	usUnits int64
	// allowance is the most China units held when a US reversal lowered
	// the cap: the held units may stay over the cap up to it.
	allowance int64
	// audit is the audit records ("action object-id") of the operations
	// applied since it was last emptied.
	audit []string
}

type propExport struct {
	id, orderID string
	units       tollgate.Units
	state       tollgate.ExportState
	expires     time.Time
}

type propUS struct {
	id       string
	left     int64 // units left to reverse
	reversal bool
}

func newPropModel() *propModel {
	return &propModel{byID: map[string]*propExport{}, shipped: map[string]bool{}}
}

func (m *propModel) clone() *propModel {
	c := &propModel{byID: make(map[string]*propExport, len(m.byID)), shipped: maps.Clone(m.shipped),
		usUnits: m.usUnits, allowance: m.allowance, audit: slices.Clone(m.audit)}
	for _, e := range m.exports {
		ce := *e
		c.exports = append(c.exports, &ce)
		c.byID[ce.id] = &ce
	}
	for _, u := range m.us {
		cu := *u
		c.us = append(c.us, &cu)
	}
	return c
}

// holds reports whether e holds its units at now.
func (e *propExport) holds(now time.Time) bool {
	return e.state == tollgate.ExportShipped || (e.state == tollgate.ExportReserved && now.Before(e.expires))
}

// held returns the units held at now by the exports that keep selects
// (all when nil).
func (m *propModel) held(now time.Time, keep func(*propExport) bool) int64 {
	var n int64
	for _, e := range m.exports {
		if e.holds(now) && (keep == nil || keep(e)) {
			n += e.units.Count
		}
	}
	return n
}

// counted returns the units of the exports in state that keep selects, as
// the store's counters count them (a reservation past its time counts as
// reserved until marked expired).
func (m *propModel) counted(state tollgate.ExportState, keep func(*propExport) bool) int64 {
	var n int64
	for _, e := range m.exports {
		if e.state == state && (keep == nil || keep(e)) {
			n += e.units.Count
		}
	}
	return n
}

func (m *propModel) expiredReserved(now time.Time) []*propExport {
	var out []*propExport
	for _, e := range m.exports {
		if e.state == tollgate.ExportReserved && !now.Before(e.expires) {
			out = append(out, e)
		}
	}
	return out
}

// free returns the serials that may ship and no export holds at now.
func (m *propModel) free(env *propEnv, now time.Time) []string {
	taken := map[string]bool{}
	for _, e := range m.exports {
		if e.holds(now) {
			for _, s := range e.units.Serials {
				taken[s] = true
			}
		}
	}
	return slices.DeleteFunc(slices.Clone(env.okSerials), func(s string) bool { return taken[s] })
}

func capUnits(us int64) int64 { return max(0, us) / 2 }

// decide returns the error code the rules give op at now ("" when it
// passes) and, for a sweep, how many reservations it marks expired. The
// checks run in CheckReserve's order.
func (m *propModel) decide(env *propEnv, now time.Time, op propOp) (string, int) {
	switch op.kind {
	case opReserve:
		return m.decideReserve(env, now, op), 0
	case opShip, opVoid:
		e := m.byID[op.exportID]
		switch {
		case e == nil:
			return tollgate.ENOTFOUND, 0
		case !(e.state == tollgate.ExportReserved && now.Before(e.expires)):
			return tollgate.ECONFLICT, 0
		}
		return "", 0
	case opUSShipment:
		return "", 0
	case opReversal:
		i := slices.IndexFunc(m.us, func(u *propUS) bool { return u.id == op.usID })
		switch {
		case i < 0:
			return tollgate.ENOTFOUND, 0
		case m.us[i].reversal, m.us[i].left == 0, op.usUnits > m.us[i].left:
			return tollgate.ECONFLICT, 0
		}
		return "", 0
	default:
		return "", len(m.expiredReserved(now))
	}
}

func (m *propModel) decideReserve(env *propEnv, now time.Time, op propOp) string {
	n := op.units.Count
	if m.shipped[op.orderID] {
		return tollgate.ECONFLICT // the order is past shipping
	}
	if m.held(now, func(e *propExport) bool { return e.orderID == op.orderID })+n > env.orderQty[op.orderID] {
		return limitOrder
	}
	if op.units.Lot != "" {
		var lotHeld int64
		for _, e := range m.exports {
			if e.holds(now) && e.units.Lot == op.units.Lot {
				lotHeld += e.units.Count
			}
		}
		switch {
		case op.units.Lot != propLot || env.lotQty == 0:
			return tollgate.EPRECONDITION // never imported
		case env.lotQty-lotHeld < n && lotHeld == 0:
			return tollgate.EPRECONDITION // not that many imported
		case env.lotQty-lotHeld < n:
			return tollgate.ECONFLICT // taken by other exports
		}
	} else {
		taken := map[string]bool{}
		for _, e := range m.exports {
			if e.holds(now) {
				for _, s := range e.units.Serials {
					taken[s] = true
				}
			}
		}
		var missing, bound, held, untested bool
		for _, s := range op.units.Serials {
			switch k := env.kind[s]; {
			case k == unitUnknown:
				missing = true
			case k == unitBound:
				bound = true
			case taken[s]:
				held = true
			case k != unitOK:
				untested = true
			}
		}
		switch {
		case missing:
			return tollgate.EPRECONDITION
		case bound, held:
			return tollgate.ECONFLICT
		case untested:
			return tollgate.EPRECONDITION
		}
	}
	held := m.held(now, nil) // every export is under the one license, to China
	if held+n > env.licQty {
		return tollgate.ELIMIT + "/" + limitLicense
	}
	if held+n > capUnits(m.usUnits) {
		return limitCap
	}
	return ""
}

// primaryRecord returns the audit record ("action object-id") that a
// successful op writes, "" for a refusal or a sweep.
func primaryRecord(op propOp, out propOutcome) string {
	switch {
	case out.code != "" || op.kind == opSweep:
		return ""
	case op.kind == opUSShipment && out.us != nil:
		return "us_shipment.record " + out.us.ID
	case op.kind == opReversal && out.us != nil:
		return "us_shipment.reverse " + out.us.ID
	case op.kind == opReserve && out.export != nil:
		return "export.reserve " + out.export.ID
	case op.kind == opShip:
		return "export.ship " + op.exportID
	case op.kind == opVoid:
		return "export.void " + op.exportID
	}
	return "(no result)"
}

// apply records in the model what op did at now, as out reports it, with
// the audit records it wrote, and checks that a result is what was asked.
// The reservations it marked expired on its way, or a sweep marked, are
// the audit log's to tell (see expiries).
func (m *propModel) apply(env *propEnv, now time.Time, op propOp, out propOutcome) error {
	if out.code != "" {
		return nil
	}
	switch op.kind {
	case opReserve:
		e := out.export
		switch {
		case e == nil:
			return fmt.Errorf("%s: no export", op)
		case e.State != tollgate.ExportReserved || e.OrderID != op.orderID || e.LicenseID != env.licenseID ||
			e.ExporterOrgID != env.w.Exporter.ID || e.Destination != "CN" || !unitsEqual(e.Units, op.units):
			return fmt.Errorf("%s: got export %+v", op, e)
		case e.ValueCents != op.units.Count*propPriceUS:
			return fmt.Errorf("%s: value %d cents, want %d", op, e.ValueCents, op.units.Count*propPriceUS)
		case !e.ReservedAt.Equal(now) || !e.ExpiresAt.Equal(now.Add(env.ttl)):
			return fmt.Errorf("%s: reserved at %v expiring %v; now is %v and the TTL %v", op, e.ReservedAt, e.ExpiresAt, now, env.ttl)
		case m.byID[e.ID] != nil:
			return fmt.Errorf("%s: export id %s given twice", op, e.ID)
		}
		pe := &propExport{id: e.ID, orderID: e.OrderID, units: e.Units, state: tollgate.ExportReserved, expires: e.ExpiresAt}
		m.exports = append(m.exports, pe)
		m.byID[pe.id] = pe
		m.audit = append(m.audit, primaryRecord(op, out))
	case opShip, opVoid:
		want := tollgate.ExportShipped
		if op.kind == opVoid {
			want = tollgate.ExportVoided
		}
		if out.export == nil || out.export.ID != op.exportID || out.export.State != want {
			return fmt.Errorf("%s: got export %+v", op, out.export)
		}
		e := m.byID[op.exportID]
		e.state = want
		m.audit = append(m.audit, "export."+string(op.kindName())+" "+e.id)
		if want == tollgate.ExportShipped && m.counted(tollgate.ExportShipped, func(x *propExport) bool { return x.orderID == e.orderID }) == env.orderQty[e.orderID] {
			m.shipped[e.orderID] = true
			m.audit = append(m.audit, "order.ship "+e.orderID)
		}
	case opUSShipment:
		if out.us == nil || out.us.Units != op.usUnits {
			return fmt.Errorf("%s: got %+v", op, out.us)
		}
		m.us = append(m.us, &propUS{id: out.us.ID, left: op.usUnits})
		m.usUnits += op.usUnits
		m.audit = append(m.audit, primaryRecord(op, out))
	case opReversal:
		i := slices.IndexFunc(m.us, func(u *propUS) bool { return u.id == op.usID })
		n := op.usUnits
		if n == 0 {
			n = m.us[i].left
		}
		if out.us == nil || out.us.Units != -n || out.us.Reverses != op.usID {
			return fmt.Errorf("%s: got %+v, want a reversal of %d units", op, out.us, n)
		}
		m.us[i].left -= n
		m.us = append(m.us, &propUS{id: out.us.ID, reversal: true})
		m.usUnits -= n
		m.audit = append(m.audit, primaryRecord(op, out))
		// The reversal may leave the units held over the lowered cap.
		m.allowance = max(m.allowance, m.held(now, nil))
	}
	return nil
}

// sameUnitSet reports whether a and b name the same units, serials in any
// order.
func sameUnitSet(a, b tollgate.Units) bool {
	return a.Lot == b.Lot && a.Count == b.Count &&
		slices.Equal(slices.Sorted(slices.Values(a.Serials)), slices.Sorted(slices.Values(b.Serials)))
}

func unitsEqual(a, b tollgate.Units) bool {
	return a.Lot == b.Lot && a.Count == b.Count && slices.Equal(a.Serials, b.Serials)
}

// linearize looks for an order of running ops one at a time in which the
// model decides each as the service did (outs) and the ops of rank 0 and
// up come in rank order (those of rank -1 anywhere), and returns the
// model after them in that order, and the order; nil when there is none.
func (m *propModel) linearize(env *propEnv, now time.Time, ops []propOp, outs []propOutcome, rank []int) (*propModel, []int) {
	var order []int
	used := make([]bool, len(ops))
	var search func(cur *propModel) *propModel
	search = func(cur *propModel) *propModel {
		if len(order) == len(ops) {
			return cur
		}
		first := -1 // the unused op of the lowest rank
		for i := range ops {
			if !used[i] && rank[i] >= 0 && (first < 0 || rank[i] < rank[first]) {
				first = i
			}
		}
		for i, op := range ops {
			if used[i] || (rank[i] >= 0 && i != first) {
				continue
			}
			if code, _ := cur.decide(env, now, op); code != outs[i].code {
				continue
			}
			next := cur.clone()
			if err := next.apply(env, now, op, outs[i]); err != nil {
				continue
			}
			used[i] = true
			order = append(order, i)
			if done := search(next); done != nil {
				return done
			}
			used[i] = false
			order = order[:len(order)-1]
		}
		return nil
	}
	return search(m), order
}

// checkAll compares the store with the model and checks every invariant.
func (env *propEnv) checkAll(rt *rapid.T, m *propModel) {
	rt.Helper()
	ctx, now := env.ctx, env.now()
	held := m.held(now, nil)
	capNow := capUnits(m.usUnits)
	overCap := held > capNow
	if overCap && held > m.allowance {
		rt.Fatalf("model: %d China units held over a cap of %d that no reversal explains (at most %d held at a reversal)", held, capNow, m.allowance)
	}

	// The store's own checks, and the cap's.
	lines, err := env.svc.Verify(ctx)
	if err != nil {
		rt.Fatal(err)
	}
	capLines := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "cap exceeded:") && overCap {
			capLines++
			continue
		}
		rt.Errorf("Verify: %s", l)
	}
	if overCap && capLines != 1 {
		rt.Errorf("Verify reported %d cap lines; %d units held over a cap of %d", capLines, held, capNow)
	}
	pos, err := env.svc.CapPosition(ctx, env.w.Exporter.ID, shipload.Product)
	if err != nil {
		rt.Fatal(err)
	}
	if pos.USUnits != m.usUnits || pos.CapUnits != capNow || pos.HeldUnits != held || pos.Headroom != capNow-held {
		rt.Errorf("cap position %+v; the model has %d US units, a cap of %d and %d held", pos, m.usUnits, capNow, held)
	}
	if pos.HeldUnits > max(pos.CapUnits, m.allowance) {
		rt.Errorf("%d China units held over the cap of %d (a reversal left at most %d held)", pos.HeldUnits, pos.CapUnits, m.allowance)
	}

	// The counters: the license item's, the orders' and the
	// destination's, against the exports' states in the model.
	all := func(*propExport) bool { return true }
	resUnits, shipUnits := m.counted(tollgate.ExportReserved, all), m.counted(tollgate.ExportShipped, all)
	err = env.db.View(ctx, func(tx *store.Tx) error {
		lic, err := tx.License(ctx, env.licenseID)
		if err != nil {
			return err
		}
		want := store.LicenseItemUsage{Product: shipload.Product, ReservedUnits: resUnits, ReservedCents: resUnits * propPriceUS,
			ShippedUnits: shipUnits, ShippedCents: shipUnits * propPriceUS}
		if len(lic.Usage) != 1 || lic.Usage[0] != want {
			rt.Errorf("license usage %+v, the model wants %+v", lic.Usage, want)
		}
		if len(lic.Usage) == 1 && (lic.Usage[0].UsedUnits() > env.licQty || lic.Usage[0].UsedCents() > env.licQty*propPriceUS) {
			rt.Errorf("license usage %+v over its %d units", lic.Usage[0], env.licQty)
		}
		for _, id := range env.orders {
			o, units, err := tx.FindOrder(ctx, id, false)
			if err != nil {
				return err
			}
			of := func(e *propExport) bool { return e.orderID == id }
			want := store.UnitCounters{Reserved: m.counted(tollgate.ExportReserved, of), Shipped: m.counted(tollgate.ExportShipped, of)}
			if units != want {
				rt.Errorf("order %s counters %+v, the model wants %+v", o.Reference, units, want)
			}
			if units.Held() > o.Quantity || m.held(now, of) > o.Quantity {
				rt.Errorf("order %s over its quantity %d: %+v", o.Reference, o.Quantity, units)
			}
			state := tollgate.OrderLicensed
			if m.shipped[id] {
				state = tollgate.OrderShipped
			}
			if o.State != state {
				rt.Errorf("order %s is %s, the model wants %s", o.Reference, o.State, state)
			}
		}
		return nil
	})
	if err != nil {
		rt.Fatal(err)
	}
	rows, err := env.db.CapRows(ctx)
	if err != nil {
		rt.Fatal(err)
	}
	var totals store.UnitCounters
	for _, r := range rows {
		if r.ExporterOrgID == env.w.Exporter.ID && r.Product == shipload.Product {
			totals = r.Destinations["CN"]
		}
	}
	if want := (store.UnitCounters{Reserved: resUnits, Shipped: shipUnits}); totals != want {
		rt.Errorf("destination totals %+v, the model wants %+v", totals, want)
	}

	// The exports: the same ones, in the model's states, holding units
	// once each, all imported for export and tested.
	var listed []*tollgate.Export
	f := store.ShippingFilter{ExporterOrgID: env.w.Exporter.ID, Limit: tollgate.MaxPageLimit}
	for {
		page, cursor, err := env.svc.FindExports(ctx, f)
		if err != nil {
			rt.Fatal(err)
		}
		listed = append(listed, page...)
		if cursor == "" {
			break
		}
		f.Cursor = cursor
	}
	if len(listed) != len(m.exports) {
		rt.Errorf("the store lists %d exports, the model has %d", len(listed), len(m.exports))
	}
	holder, reviewer := map[string]string{}, map[string]string{}
	var lotHeld int64
	for _, l := range listed {
		me := m.byID[l.ID]
		if me == nil {
			rt.Errorf("the store lists export %s, unknown to the model", l.ID)
			continue
		}
		if l.State != me.state {
			rt.Errorf("export %s is %s, the model wants %s", l.ID, l.State, me.state)
		}
		if !shipping.Holds(*l, now) {
			continue
		}
		e, err := env.svc.FindExportByID(ctx, l.ID)
		if err != nil {
			rt.Fatal(err)
		}
		if !unitsEqual(e.Units, me.units) {
			rt.Errorf("export %s has units %s, reserved %s", e.ID, unitsString(e.Units), unitsString(me.units))
		}
		// Every shipment is reviewed: each export that holds names its
		// own review, of exactly its units.
		if prev, ok := reviewer[e.LabReportID]; ok || e.LabReportID == "" {
			rt.Errorf("export %s holds under review %q, which export %q also uses", e.ID, e.LabReportID, prev)
		} else if r, err := env.svc.FindLabReportByID(ctx, e.LabReportID); err != nil || !sameUnitSet(r.Units, e.Units) || !r.Pass {
			rt.Errorf("export %s holds under review %s (%v), not a passing review of exactly its units", e.ID, e.LabReportID, err)
		}
		reviewer[e.LabReportID] = e.ID
		if e.Units.Lot != "" {
			if e.Units.Lot != propLot {
				rt.Errorf("export %s holds units of lot %s, never imported", e.ID, e.Units.Lot)
			}
			lotHeld += e.Units.Count
		}
		for _, s := range e.Units.Serials {
			if prev, ok := holder[s]; ok {
				rt.Errorf("serial %s held by exports %s and %s", s, prev, e.ID)
			}
			holder[s] = e.ID
			if env.kind[s] != unitOK {
				rt.Errorf("export %s (%s) holds serial %s, not imported for export with a passing lab report", e.ID, e.State, s)
			}
		}
	}
	if lotHeld > env.lotQty {
		rt.Errorf("exports hold %d units of lot %s; %d were imported", lotHeld, propLot, env.lotQty)
	}
	if rt.Failed() {
		rt.FailNow()
	}
}
