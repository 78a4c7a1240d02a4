package shipping

import (
	"crypto/ed25519"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"tollgate"
)

// ledger is a small in-memory store: the records of one exporter's H200
// business, changed only through this package's functions, the way a real
// store would call them inside its transactions.
type ledger struct {
	cfg       Config
	now       time.Time
	lic       tollgate.License
	order     tollgate.Order
	key       tollgate.LabKey
	priv      ed25519.PrivateKey
	shipments []tollgate.DomesticShipment
	imports   []tollgate.ImportEntry
	reports   []tollgate.LabReport
	exports   []tollgate.Export
	seq       int
}

const price = 2_700_000

func newLedger(licUnits, licValueUnits int64) *ledger {
	key, priv := labKey("lab")
	lic := license()
	lic.Items[0].Quantity, lic.Items[0].ValueCents = licUnits, licValueUnits*price
	cfg := DefaultConfig()
	cfg.ReservationTTL = 2 * time.Hour
	return &ledger{cfg: cfg, now: t0, lic: lic, order: licensedOrder(20), key: key, priv: priv}
}

func (l *ledger) id(prefix string) string { l.seq++; return prefix + strconv.Itoa(l.seq) }

// input builds the reservation input the way a store would: sums over the
// records that hold at now.
func (l *ledger) input(units tollgate.Units) ReserveInput {
	return ReserveInput{
		Config: l.cfg, Now: l.now,
		Request: tollgate.Export{ID: l.id("e"), ExporterOrgID: "org-nv", LicenseID: l.lic.ID, OrderID: l.order.ID, Product: "H200",
			Units: units, ValueCents: units.Count * price, Destination: "CN", ReservedBy: "u-1"},
		License: l.lic, Order: l.order, Parties: clearParties(), CurrentListVersionIDs: []string{"lv-csl"},
		Units:          UnitFacts{Imports: l.imports, Reports: l.reports, LabKeys: []tollgate.LabKey{l.key}, Exports: l.exports},
		LicenseUsed:    LicenseConsumption(l.exports, l.lic.ID, l.now),
		OrderHeldUnits: OrderUnitsHeld(l.exports, l.order.ID, l.now),
		USUnits:        USUnits(l.shipments, "org-nv", "H200", time.Time{}),
		ChinaHeldUnits: ChinaUnitsHeld(l.cfg, l.exports, "org-nv", "H200", l.now),
	}
}

// oracle decides a reservation from the records directly, without this
// package's helpers, so that the property test checks CheckReserve against
// an independent reading of the rules.
func (l *ledger) oracle(units tollgate.Units) bool {
	var heldUnits, heldValue, heldLot int64
	heldSerial := map[string]bool{}
	for _, e := range l.exports {
		if e.State == tollgate.ExportShipped || (e.State == tollgate.ExportReserved && l.now.Before(e.ExpiresAt)) {
			heldUnits += e.Units.Count
			heldValue += e.ValueCents
			heldLot += map[bool]int64{true: e.Units.Count}[e.Units.Lot == "L"]
			for _, s := range e.Units.Serials {
				heldSerial[s] = true
			}
		}
	}
	var us int64
	for _, s := range l.shipments {
		us += s.Units
	}
	if heldUnits+units.Count > l.order.Quantity || heldUnits+units.Count > l.lic.Items[0].Quantity ||
		heldValue+units.Count*price > l.lic.Items[0].ValueCents || heldUnits+units.Count > us/2 {
		return false
	}
	if units.Lot != "" {
		var free int64
		for _, e := range l.imports {
			if e.Units.Lot == "L" && !e.Bound {
				free += e.Units.Count
			}
		}
		if free-heldLot < units.Count {
			return false
		}
	} else {
		for _, s := range units.Serials {
			imported := slices.ContainsFunc(l.imports, func(e tollgate.ImportEntry) bool { return !e.Bound && slices.Contains(e.Units.Serials, s) })
			if !imported || heldSerial[s] {
				return false
			}
		}
	}
	return l.reviewed(units)
}

// reviewed decides from the records whether units have their own review:
// the latest passing report on exactly these units that no holding export
// uses, tested at most 30 days (by date) before now, within the license's
// tolerance, with no failing report on any of the units tested after it.
func (l *ledger) reviewed(units tollgate.Units) bool {
	if tol := l.lic.Conditions[0].LabToleranceBP; tol > 0 && tol < 100 {
		return false // every report applied 1%, more than the license allows
	}
	want := slices.Sorted(slices.Values(units.Serials))
	var best *tollgate.LabReport
	var lastFail time.Time
	for i := range l.reports {
		r := &l.reports[i]
		shares := r.Units.Lot != "" && r.Units.Lot == units.Lot
		for _, s := range r.Units.Serials {
			shares = shares || slices.Contains(units.Serials, s)
		}
		if !shares {
			continue
		}
		if !r.Pass {
			if r.TestedAt.After(lastFail) {
				lastFail = r.TestedAt
			}
			continue
		}
		exact := r.Units.Count == units.Count && r.Units.Lot == units.Lot && slices.Equal(slices.Sorted(slices.Values(r.Units.Serials)), want)
		used := slices.ContainsFunc(l.exports, func(e tollgate.Export) bool { return e.LabReportID == r.ID && Holds(e, l.now) })
		if exact && !used && (best == nil || r.TestedAt.After(best.TestedAt)) {
			best = r
		}
	}
	if best == nil || lastFail.After(best.TestedAt) {
		return false
	}
	return !civilDate(l.now).After(civilDate(best.TestedAt).AddDate(0, 0, 30))
}

// check asserts every invariant of the ledger.
func (l *ledger) check(t *rapid.T) {
	var units, value int64
	held := map[string]string{}
	shipped := map[string]string{}
	reviews := map[string]string{} // lab report ID -> the holding export using it
	var lot int64
	for _, e := range l.exports {
		if err := e.Validate(); err != nil {
			t.Fatalf("export %s does not validate: %v", e.ID, err)
		}
		if e.State == tollgate.ExportShipped {
			for _, s := range e.Units.Serials {
				if prev, ok := shipped[s]; ok {
					t.Fatalf("unit %s exported twice: %s and %s", s, prev, e.ID)
				}
				shipped[s] = e.ID
			}
		}
		if !Holds(e, l.now) {
			continue
		}
		if prev, ok := reviews[e.LabReportID]; ok || e.LabReportID == "" {
			t.Fatalf("export %s holds under review %q, which export %q also uses", e.ID, e.LabReportID, prev)
		}
		reviews[e.LabReportID] = e.ID
		units, value = units+e.Units.Count, value+e.ValueCents
		if e.Units.Lot != "" {
			lot += e.Units.Count
		}
		for _, s := range e.Units.Serials {
			if prev, ok := held[s]; ok {
				t.Fatalf("unit %s held by %s and %s", s, prev, e.ID)
			}
			held[s] = e.ID
		}
	}
	item := l.lic.Items[0]
	if units > item.Quantity || value > item.ValueCents || units > l.order.Quantity {
		t.Fatalf("over-allocated: %d units and %d cents held; license %d units, %d cents; order %d", units, value, item.Quantity, item.ValueCents, l.order.Quantity)
	}
	var free int64
	for _, e := range l.imports {
		if e.Units.Lot == "L" && !e.Bound {
			free += e.Units.Count
		}
	}
	if lot > free {
		t.Fatalf("lot L: %d units held, %d imported for export", lot, free)
	}
}

func TestLedgerProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := newLedger(rapid.Int64Range(3, 30).Draw(t, "license units"), rapid.Int64Range(3, 30).Draw(t, "license value units"))
		// Sometimes a license condition tightens the lab tolerance below
		// the 1% the ledger's lab applies: then no review covers anything.
		l.lic.Conditions[0].LabToleranceBP = rapid.SampledFrom([]int{0, 0, 0, 100, 50}).Draw(t, "condition tolerance")
		for range rapid.IntRange(1, 100).Draw(t, "steps") {
			heldBefore := ChinaUnitsHeld(l.cfg, l.exports, "org-nv", "H200", l.now)
			reserved := l.step(t)
			heldAfter := ChinaUnitsHeld(l.cfg, l.exports, "org-nv", "H200", l.now)
			capUnits := CapUnits(USUnits(l.shipments, "org-nv", "H200", time.Time{}), l.cfg.CapBP)
			switch {
			case reserved && heldAfter > capUnits:
				t.Fatalf("a reservation put %d China units over the cap of %d", heldAfter, capUnits)
			case !reserved && heldAfter > heldBefore:
				t.Fatalf("China units held grew from %d to %d without a reservation", heldBefore, heldAfter)
			}
			l.check(t)
		}
	})
}

// step applies one random operation and reports whether it was a
// successful reservation.
func (l *ledger) step(t *rapid.T) bool {
	switch op := rapid.IntRange(0, 14).Draw(t, "op"); op {
	case 0:
		l.shipUS(t)
	case 1, 2, 3:
		l.importUnits(t)
	case 4, 5, 6:
		l.test(t)
	case 7, 8, 9:
		return l.reserve(t)
	case 10, 11:
		l.shipOrVoid(t)
	case 12:
		if rapid.IntRange(0, 3).Draw(t, "days?") == 0 {
			l.now = l.now.Add(time.Duration(rapid.IntRange(1, 20).Draw(t, "days")) * 24 * time.Hour)
		} else {
			l.now = l.now.Add(time.Duration(rapid.IntRange(0, 180).Draw(t, "minutes")) * time.Minute)
		}
	case 13:
		for i, e := range l.exports {
			if e.State == tollgate.ExportReserved && Expired(e, l.now) {
				var err error
				if l.exports[i], err = Expire(e, l.now); err != nil {
					t.Fatalf("Expire: %v", err)
				}
			}
		}
	default:
		l.reverseUS(t)
	}
	return false
}

func (l *ledger) shipUS(t *rapid.T) {
	s := usShipment(l.id("s"), rapid.Int64Range(1, 8).Draw(t, "us units"), "2026-01-10")
	l.shipments = append(l.shipments, s)
}

func (l *ledger) reverseUS(t *rapid.T) {
	var originals []tollgate.DomesticShipment
	for _, s := range l.shipments {
		if !s.IsReversal() {
			originals = append(originals, s)
		}
	}
	if len(originals) == 0 {
		return
	}
	orig := rapid.SampledFrom(originals).Draw(t, "reversed")
	left := orig.Units
	for _, s := range l.shipments {
		if s.Reverses == orig.ID {
			left += s.Units
		}
	}
	n := rapid.Int64Range(1, 20).Draw(t, "reversed units")
	rev := orig.Reversal(n, "correction")
	rev.ID = l.id("r")
	err := CheckReversal(orig, rev, l.shipments)
	switch {
	case n > left && tollgate.ErrorCode(err) != tollgate.ECONFLICT:
		t.Fatalf("reversing %d of %d units left = %v, want conflict", n, left, err)
	case n <= left && err != nil:
		t.Fatalf("reversing %d of %d units left = %v", n, left, err)
	case err == nil:
		l.shipments = append(l.shipments, rev)
	}
}

func (l *ledger) importUnits(t *rapid.T) {
	entry := fmt.Sprintf("ABC-%07d-", l.seq+1)
	cd, err := tollgate.EntryCheckDigit("ABC", entry[4:11])
	if err != nil {
		t.Fatal(err)
	}
	entry += string(cd)
	var e tollgate.ImportEntry
	if rapid.Bool().Draw(t, "by lot") {
		e = lotImport(entry, "L", rapid.Int64Range(1, 10).Draw(t, "lot units"))
	} else {
		var ss []string
		for _, n := range rapid.SliceOfNDistinct(rapid.IntRange(0, 14), 1, 4, rapid.ID[int]).Draw(t, "serials") {
			s := "S-" + strconv.Itoa(n)
			if !slices.ContainsFunc(l.imports, func(e tollgate.ImportEntry) bool { return slices.Contains(e.Units.Serials, s) }) {
				ss = append(ss, s)
			}
		}
		if len(ss) == 0 {
			return
		}
		e = serialImport(entry, ss)
	}
	if rapid.IntRange(0, 4).Draw(t, "exempt") == 0 {
		e.DutyCents, e.DutyStatus, e.PaymentReference, e.PaidOn = 0, tollgate.DutyNone, "", time.Time{}
		e.Exemption, e.EndUseCertification, e.Bound = "9903.79.03", "DC", true
	}
	if err := e.Validate(); err != nil {
		t.Fatalf("import: %v", err)
	}
	l.imports = append(l.imports, e)
}

// test records a lab report: usually on every unit of one import entry,
// sometimes on units drawn at random (which may never have been imported).
func (l *ledger) test(t *rapid.T) {
	units := l.drawUnits(t)
	if len(l.imports) > 0 && rapid.IntRange(0, 3).Draw(t, "whole entry") > 0 {
		units = rapid.SampledFrom(l.imports).Draw(t, "tested entry").Units
	}
	if CheckReportUnits(tollgate.LabReport{ExporterOrgID: "org-nv", Product: "H200", Units: units, Number: "x", TestedAt: l.now}, l.imports) != nil {
		return // a lab may not report on units never imported
	}
	bw := rapid.SampledFrom([]float64{4790, 4790, 4790, 4900}).Draw(t, "bandwidth")
	r := mustSignedReport(t, l.key, l.priv, l.id("LAB-"), units, bw)
	r.TestedAt = l.now.Add(time.Duration(l.seq)) // strictly later than every earlier report
	r, err := Judge(r, h200(), l.cfg.Review)
	if err != nil {
		t.Fatal(err)
	}
	if r.Signature, err = SignReport(l.priv, r); err != nil {
		t.Fatal(err)
	}
	l.reports = append(l.reports, r)
}

// drawUnits draws units to test or reserve: a count from lot L, or one to
// three serials, usually among those imported.
func (l *ledger) drawUnits(t *rapid.T) tollgate.Units {
	if rapid.IntRange(0, 3).Draw(t, "lot units?") == 0 {
		return tollgate.Units{Lot: "L", Count: rapid.Int64Range(1, 5).Draw(t, "count")}
	}
	var imported []string
	for _, e := range l.imports {
		imported = append(imported, e.Units.Serials...)
	}
	pool := rapid.SampledFrom([]string{"imported", "imported", "imported", "any"}).Draw(t, "pool")
	if pool == "any" || len(imported) == 0 {
		imported = serials("S", 15)
	}
	ss := rapid.SliceOfNDistinct(rapid.SampledFrom(imported), 1, 3, rapid.ID[string]).Draw(t, "serials")
	return tollgate.Units{Serials: ss, Count: int64(len(ss))}
}

func (l *ledger) reserve(t *rapid.T) bool {
	units := l.drawUnits(t)
	if len(l.reports) > 0 && rapid.Bool().Draw(t, "reviewed units") {
		units = rapid.SampledFrom(l.reports).Draw(t, "review").Units
	}
	want := l.oracle(units)
	res, err := Reserve(l.input(units))
	if (err == nil) != want {
		t.Fatalf("Reserve(%+v) = %v; the oracle says ok = %t", units, err, want)
	}
	if err != nil {
		return false
	}
	l.exports = append(l.exports, res)
	return true
}

func (l *ledger) shipOrVoid(t *rapid.T) {
	var open []int
	for i, e := range l.exports {
		if e.State == tollgate.ExportReserved {
			open = append(open, i)
		}
	}
	if len(open) == 0 {
		return
	}
	i := rapid.SampledFrom(open).Draw(t, "export")
	e := l.exports[i]
	var next tollgate.Export
	var err error
	if rapid.Bool().Draw(t, "ship") {
		next, err = Ship(e, "X"+e.ID, l.now, "u-1", l.now, l.cfg.Review)
		// A review made 30 days before the reservation's date is 31 days
		// old if the shipment leaves the next day: it may not ship.
		if stale := civilDate(l.now).After(civilDate(e.ReviewedAt).AddDate(0, 0, 30)); stale && !Expired(e, l.now) {
			if tollgate.ErrorCode(err) != tollgate.EPRECONDITION {
				t.Fatalf("ship under a review of %s on %s = %v, want precondition failed", e.ReviewedAt, l.now, err)
			}
			return
		}
	} else {
		next, err = Void(e, "changed plans", "u-1", l.now)
	}
	if Expired(e, l.now) {
		if tollgate.ErrorCode(err) != tollgate.ECONFLICT {
			t.Fatalf("ship or void of an expired reservation = %v, want conflict", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("ship or void: %v", err)
	}
	l.exports[i] = next
}
