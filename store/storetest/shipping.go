package storetest

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
	"tollgate/store"
)

// shippingDay is how far the shipping tests move the suite's clock: to 2
// March 2026, after the H200 rule and the Section 232 duty took effect.
const shippingDay = 45*24*time.Hour + 14*time.Hour

// shipEnv is a shipping world in a fresh store, its clock and service.
type shipEnv struct {
	dsn   string
	db    *store.DB
	clock *Clock
	svc   *shipping.Service
	w     *shipload.World
	seq   int // numbers the lab's reviews
}

// shippingService returns the shipping service over db with the default
// rules and the catalog's specifications.
func shippingService(t testing.TB, db *store.DB) *shipping.Service {
	t.Helper()
	svc, err := shipping.NewService(db, classify.Default(), catalog.Default().Lookup, shipping.DefaultConfig())
	mustNoErr(t, err)
	return svc
}

func newShipEnv(t *testing.T, newDSN NewDSN) *shipEnv {
	t.Helper()
	clock := NewClock()
	clock.Advance(shippingDay)
	dsn := newDSN(t)
	db := MustOpen(t, dsn, clock.Now)
	svc := shippingService(t, db)
	w, err := shipload.NewWorld(context.Background(), db, svc)
	mustNoErr(t, err)
	return &shipEnv{dsn: dsn, db: db, clock: clock, svc: svc, w: w}
}

// licensedOrder makes a license for units and a licensed order for them.
func (e *shipEnv) licensedOrder(t *testing.T, ref string, units int64) *tollgate.Order {
	t.Helper()
	ctx := context.Background()
	lic, err := e.w.License(ctx, units)
	mustNoErr(t, err)
	o, err := e.w.Order(ctx, ref, units, lic)
	mustNoErr(t, err)
	return o
}

// tested imports a lot of n units and records a passing report on it,
// judged against the latest license's application.
func (e *shipEnv) tested(t *testing.T, seq int, lot string, n int64) {
	t.Helper()
	_, err := e.w.Import(context.Background(), seq, tollgate.Units{Lot: lot, Count: n}, "")
	mustNoErr(t, err)
	_, err = e.w.LabReport(context.Background(), "LAB-"+lot, tollgate.Units{Lot: lot, Count: min(n, 20)}, 1975)
	mustNoErr(t, err)
}

// reserve reserves units on the order. Units of a lot are first reviewed
// by the lab, exactly those (every shipment is reviewed), so that the
// tests of other rules reach them; serials are reserved as they are.
func (e *shipEnv) reserve(orderID string, units tollgate.Units) (*tollgate.Export, error) {
	ctx := context.Background()
	if !units.BySerial() {
		e.seq++
		if _, err := e.w.LabReport(ctx, fmt.Sprintf("LAB-REVIEW-%d", e.seq), units, 1975); err != nil {
			return nil, fmt.Errorf("review of %d units of lot %s: %w", units.Count, units.Lot, err)
		}
	}
	return e.svc.Reserve(ctx, shipping.ReserveRequest{OrderID: orderID, Units: units})
}

// wantMessage fails t unless err has code and a message containing every
// part.
func wantMessage(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	wantCode(t, err, code)
	for _, p := range parts {
		if !strings.Contains(tollgate.ErrorMessage(err), p) {
			t.Errorf("error %q does not contain %q", tollgate.ErrorMessage(err), p)
		}
	}
}

func testShipping(t *testing.T, newDSN NewDSN) {
	t.Run("Duty", func(t *testing.T) { testShippingDuty(t, newDSN) })
	t.Run("Cap", func(t *testing.T) { testShippingCap(t, newDSN) })
	t.Run("ProductIdentity", func(t *testing.T) { testShippingProductIdentity(t, newDSN) })
	t.Run("LabReports", func(t *testing.T) { testShippingLabReports(t, newDSN) })
	t.Run("RememberedReports", func(t *testing.T) { testShippingRememberedReports(t, newDSN) })
	t.Run("Lifecycle", func(t *testing.T) { testShippingLifecycle(t, newDSN) })
	t.Run("Expiry", func(t *testing.T) { testShippingExpiry(t, newDSN) })
	t.Run("Orders", func(t *testing.T) { testShippingOrders(t, newDSN) })
	t.Run("Concurrency", func(t *testing.T) { testShippingConcurrency(t, newDSN) })
}

// testShippingDuty: 1,000 H200s at $25,000 pay $6,250,000.00 under
// 9903.79.01; under the US data-center exemption they pay nothing and can
// never be reserved for China.
func testShippingDuty(t *testing.T, newDSN NewDSN) {
	e := newShipEnv(t, newDSN)
	ctx := context.Background()
	tests := []struct {
		name, lot, exemption, heading string
		duty                          int64
		status                        tollgate.DutyStatus
		bound                         bool
	}{
		{"Owed", "TW-DUTY", "", "9903.79.01", 625_000_000, tollgate.DutyOwed, false},
		{"Exempt", "TW-EXEMPT", "9903.79.03", "9903.79.03", 0, tollgate.DutyNone, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entry, err := e.w.Import(ctx, i+1, tollgate.Units{Lot: tt.lot, Count: 1000}, tt.exemption)
			mustNoErr(t, err)
			if entry.Heading != tt.heading || entry.DutyCents != tt.duty || entry.DutyStatus != tt.status || entry.Bound != tt.bound {
				t.Errorf("got heading %s duty %d status %s bound %t, want %s %d %s %t", entry.Heading, entry.DutyCents,
					entry.DutyStatus, entry.Bound, tt.heading, tt.duty, tt.status, tt.bound)
			}
			got, err := e.db.FindImportByID(ctx, entry.ID)
			mustNoErr(t, err)
			if got.DutyCents != tt.duty || !got.EntryDate.Equal(entry.EntryDate) || got.Units.Lot != tt.lot || got.Units.Count != 1000 {
				t.Errorf("stored entry %+v, want %+v", got, entry)
			}
		})
	}
	o := e.licensedOrder(t, "PO-DUTY", 100)
	_, err := e.w.LabReport(ctx, "LAB-EX", tollgate.Units{Lot: "TW-EXEMPT", Count: 10}, 1975)
	mustNoErr(t, err)
	_, err = e.w.USShipment(ctx, 10_000)
	mustNoErr(t, err)
	_, err = e.reserve(o.ID, tollgate.Units{Lot: "TW-EXEMPT", Count: 5})
	wantMessage(t, err, tollgate.ECONFLICT, "9903.79.03", "may not be exported")
	_, err = e.w.Import(ctx, 1, tollgate.Units{Lot: "TW-DUTY", Count: 1}, "")
	wantCode(t, err, tollgate.ECONFLICT)
	paid, err := e.svc.PayDuty(ctx, firstImport(t, e, "TW-DUTY"), "ACH-1", e.clock.Now())
	mustNoErr(t, err)
	if paid.DutyStatus != tollgate.DutyPaid || paid.PaymentReference != "ACH-1" {
		t.Errorf("paid: %s %q", paid.DutyStatus, paid.PaymentReference)
	}
	_, err = e.svc.PayDuty(ctx, paid.ID, "ACH-2", e.clock.Now())
	wantCode(t, err, tollgate.ECONFLICT)
}

// firstImport returns the id of the first import entry of lot.
func firstImport(t *testing.T, e *shipEnv, lot string) string {
	t.Helper()
	es, _, err := e.db.FindImports(context.Background(), store.ShippingFilter{ExporterOrgID: e.w.Exporter.ID})
	mustNoErr(t, err)
	for _, en := range es {
		if en.Units.Lot == lot {
			return en.ID
		}
	}
	t.Fatalf("no import of lot %s", lot)
	return ""
}

// testShippingCap: with 10,000 US units, 5,000 China units fit and the
// 5,001st fails naming the 50% cap; a reversal of US units shrinks it.
func testShippingCap(t *testing.T, newDSN NewDSN) {
	e := newShipEnv(t, newDSN)
	ctx := context.Background()
	us, err := e.w.USShipment(ctx, 10_000)
	mustNoErr(t, err)
	if got, err := e.db.FindUSShipmentByID(ctx, us.ID); err != nil || got.EndUse != "cloud AI services" || got.Customer != "US Cloud Inc." {
		t.Errorf("stored US shipment: %+v, %v; want its customer and end use", got, err)
	}
	// The denominator counts end-use customers: not the exporter itself,
	// nor an affiliate sharing its ultimate parent.
	self := tollgate.DomesticShipment{ExporterOrgID: e.w.Exporter.ID, Product: shipload.Product, Units: 5000,
		ShippedOn: e.clock.Now(), Customer: e.w.Exporter.Name, EndUse: "stock", Reference: "INV-SELF"}
	_, err = e.svc.RecordUSShipment(ctx, self)
	wantMessage(t, err, tollgate.EPRECONDITION, "only end-use customers count")
	self.Customer, self.CustomerUltimateParent = "Sister Cloud LLC", e.w.Exporter.Name
	_, err = e.svc.RecordUSShipment(ctx, self)
	wantMessage(t, err, tollgate.EPRECONDITION, "an affiliate")
	o := e.licensedOrder(t, "PO-CAP", 6000)
	e.tested(t, 1, "TW-CAP", 6000)
	_, err = e.reserve(o.ID, tollgate.Units{Lot: "TW-CAP", Count: 5000})
	mustNoErr(t, err)
	_, err = e.reserve(o.ID, tollgate.Units{Lot: "TW-CAP", Count: 1})
	wantMessage(t, err, tollgate.ELIMIT, "50% cap", "10000 US units allow 5000", "over by 1")
	var te *tollgate.Error
	if errors.As(err, &te) {
		if d, ok := te.Details.(shipping.LimitExceeded); !ok || d.Limit != shipping.LimitChinaCap || d.Over != 1 {
			t.Errorf("details %+v, want the China cap over by 1", te.Details)
		}
	}
	_, err = e.svc.ReverseUSShipment(ctx, us.ID, 2, "returned")
	mustNoErr(t, err)
	pos, err := e.svc.CapPosition(ctx, e.w.Exporter.ID, "H200")
	mustNoErr(t, err)
	if pos.USUnits != 9998 || pos.CapUnits != 4999 || pos.HeldUnits != 5000 || pos.Headroom != -1 {
		t.Errorf("after the reversal: %+v, want 9998 US units, cap 4999, 5000 held, headroom -1", pos)
	}
	_, err = e.svc.ReverseUSShipment(ctx, us.ID, 9999, "too many")
	wantMessage(t, err, tollgate.ECONFLICT, "9998 units left to reverse")
}

// testShippingLabReports: units without a passing signed report are named
// when refused; a failing report stops units; a report on units never
// imported, or signed with an unregistered key, is refused.
func testShippingLabReports(t *testing.T, newDSN NewDSN) {
	e := newShipEnv(t, newDSN)
	ctx := context.Background()
	_, err := e.w.USShipment(ctx, 10_000)
	mustNoErr(t, err)
	serials := []string{"SN-1", "SN-2", "SN-3", "SN-4"}
	_, err = e.w.Import(ctx, 1, tollgate.Units{Serials: serials, Count: 4}, "")
	mustNoErr(t, err)
	o := e.licensedOrder(t, "PO-LAB", 100)
	_, err = e.w.LabReport(ctx, "LAB-OK", tollgate.Units{Serials: serials[:2], Count: 2}, 1975)
	mustNoErr(t, err)
	_, err = e.w.LabReport(ctx, "LAB-HOT", tollgate.Units{Serials: serials[3:], Count: 1}, 2100)
	mustNoErr(t, err)
	_, err = e.reserve(o.ID, tollgate.Units{Serials: serials, Count: 4})
	wantMessage(t, err, tollgate.EPRECONDITION, "lab report LAB-HOT on serials SN-1, SN-2, SN-3, SN-4 failed")
	_, err = e.reserve(o.ID, tollgate.Units{Serials: serials[:3], Count: 3})
	wantMessage(t, err, tollgate.EPRECONDITION, "no passing signed lab review of exactly serials SN-1, SN-2, SN-3")
	_, err = e.reserve(o.ID, tollgate.Units{Serials: serials[:1], Count: 1})
	wantMessage(t, err, tollgate.EPRECONDITION, "no passing signed lab review of exactly serials SN-1")
	x, err := e.reserve(o.ID, tollgate.Units{Serials: serials[:2], Count: 2})
	if err != nil {
		t.Fatalf("tested units: %v", err)
	}
	if r, err := e.svc.FindLabReportByID(ctx, x.LabReportID); err != nil || r.Number != "LAB-OK" || !x.ReviewedAt.Equal(r.TestedAt) {
		t.Errorf("the reservation names review %q tested %s (%v), want LAB-OK", x.LabReportID, x.ReviewedAt, err)
	}
	_, err = e.w.LabReport(ctx, "LAB-GHOST", tollgate.Units{Serials: []string{"SN-9"}, Count: 1}, 1975)
	wantMessage(t, err, tollgate.EPRECONDITION, "never imported", "SN-9")
	r, err := e.w.SignedReport("LAB-FORGED", tollgate.Units{Serials: serials[2:3], Count: 1}, 1975)
	mustNoErr(t, err)
	r.MeasuredDRAMBandwidthGBps = 4000
	_, err = e.svc.RecordLabReport(ctx, r)
	wantMessage(t, err, tollgate.EINVALID, "does not verify")
	// The lab must be independent: a parent shared with the exporter, or
	// the lab located abroad, refuses its reports.
	parent := e.w.Exporter.Name + " Holdings"
	_, err = e.db.UpdateOrg(ctx, e.w.Exporter.ID, tollgate.OrgUpdate{UltimateParent: &parent})
	mustNoErr(t, err)
	_, err = e.db.UpdateOrg(ctx, e.w.Lab.ID, tollgate.OrgUpdate{UltimateParent: &parent})
	mustNoErr(t, err)
	_, err = e.w.LabReport(ctx, "LAB-SISTER", tollgate.Units{Serials: serials[2:3], Count: 1}, 1975)
	wantMessage(t, err, tollgate.EPRECONDITION, "not independent of the exporter", "ultimate parent")
	none, abroad := "", "TW"
	_, err = e.db.UpdateOrg(ctx, e.w.Lab.ID, tollgate.OrgUpdate{UltimateParent: &none, Country: &abroad})
	mustNoErr(t, err)
	_, err = e.w.LabReport(ctx, "LAB-ABROAD", tollgate.Units{Serials: serials[2:3], Count: 1}, 1975)
	wantMessage(t, err, tollgate.EPRECONDITION, "located in TW")
	us := "US"
	_, err = e.db.UpdateOrg(ctx, e.w.Lab.ID, tollgate.OrgUpdate{Country: &us})
	mustNoErr(t, err)
	if _, err := e.svc.RevokeLabKey(ctx, e.w.Lab.ID, e.w.Key.ID, "key rotated"); err != nil {
		t.Fatal(err)
	}
	_, err = e.w.LabReport(ctx, "LAB-REVOKED", tollgate.Units{Serials: serials[2:3], Count: 1}, 1975)
	wantMessage(t, err, tollgate.EINVALID, "revoked")
}

// testShippingLifecycle: a reservation ships (the order ships with its
// last units), voids release, and neither can happen twice.
func testShippingLifecycle(t *testing.T, newDSN NewDSN) {
	e := newShipEnv(t, newDSN)
	ctx := context.Background()
	_, err := e.w.USShipment(ctx, 1000)
	mustNoErr(t, err)
	o := e.licensedOrder(t, "PO-LC", 30)
	e.tested(t, 1, "TW-LC", 100)
	a, err := e.reserve(o.ID, tollgate.Units{Lot: "TW-LC", Count: 10})
	mustNoErr(t, err)
	b, err := e.reserve(o.ID, tollgate.Units{Lot: "TW-LC", Count: 20})
	mustNoErr(t, err)
	_, err = e.reserve(o.ID, tollgate.Units{Lot: "TW-LC", Count: 1})
	wantMessage(t, err, tollgate.ELIMIT, "order quantity exceeded", "over by 1")
	_, err = e.svc.Void(ctx, a.ID, "postponed")
	mustNoErr(t, err)
	_, err = e.svc.Void(ctx, a.ID, "again")
	wantCode(t, err, tollgate.ECONFLICT)
	shipped, err := e.svc.Ship(ctx, b.ID, "X1", e.clock.Now())
	mustNoErr(t, err)
	if shipped.State != tollgate.ExportShipped || shipped.ExportedOn.IsZero() {
		t.Errorf("shipped: %+v", shipped)
	}
	_, err = e.svc.Ship(ctx, b.ID, "X1", e.clock.Now())
	wantCode(t, err, tollgate.ECONFLICT)
	c, err := e.reserve(o.ID, tollgate.Units{Lot: "TW-LC", Count: 10})
	mustNoErr(t, err)
	_, err = e.svc.Ship(ctx, c.ID, "X2", e.clock.Now())
	mustNoErr(t, err)
	got, err := e.svc.FindOrderByID(ctx, o.ID)
	mustNoErr(t, err)
	if got.State != tollgate.OrderShipped || len(got.History) != 2 {
		t.Errorf("order after its last units shipped: %s with %d changes, want shipped with 2", got.State, len(got.History))
	}
	violations, err := e.svc.Verify(ctx)
	mustNoErr(t, err)
	for _, v := range violations {
		t.Error(v)
	}
}

// testShippingRememberedReports checks the reservations made while a lab
// report is remembered as signed (shipping/reportcache.go) against changes
// made to the database behind tollgate's back: a serial row added to the
// report does not cover that unit, and a changed report row or lab key is
// read and verified afresh, so that the report covers nothing.
func testShippingRememberedReports(t *testing.T, newDSN NewDSN) {
	e := newShipEnv(t, newDSN)
	ctx := context.Background()
	units := func(s ...string) tollgate.Units { return tollgate.Units{Serials: s, Count: int64(len(s))} }
	_, err := e.w.USShipment(ctx, 100) // room under the cap
	mustNoErr(t, err)
	order := e.licensedOrder(t, "PO-RC", 10)
	_, err = e.w.Import(ctx, 1, units("RC-0", "RC-1", "RC-2", "RC-3"), "")
	mustNoErr(t, err)
	report, err := e.w.LabReport(ctx, "LR-RC", units("RC-0", "RC-1", "RC-2"), 1975) // RC-3 untested
	mustNoErr(t, err)
	exec := func(q string, args ...any) {
		t.Helper()
		mustNoErr(t, e.db.Update(ctx, func(tx *store.Tx) error { _, err := tx.ExecContext(ctx, q, args...); return err }))
	}
	reserve := func(serials ...string) error {
		t.Helper()
		x, err := e.svc.Reserve(ctx, shipping.ReserveRequest{OrderID: order.ID, Units: units(serials...)})
		if err == nil {
			_, err := e.svc.Void(ctx, x.ID, "test")
			mustNoErr(t, err)
		}
		return err
	}
	untested := func(what string, err error) {
		t.Helper()
		if tollgate.ErrorCode(err) != tollgate.EPRECONDITION || !strings.Contains(fmt.Sprint(err), "no passing signed lab review") {
			t.Errorf("reserving %s: %v, want EPRECONDITION for units without a passing signed lab review", what, err)
		}
	}
	tested := []string{"RC-0", "RC-1", "RC-2"} // a review covers exactly its units

	mustNoErr(t, reserve(tested...)) // verifies the report and remembers it
	mustNoErr(t, reserve(tested...)) // with the remembered report

	// The report's row changed: read and verified afresh, it fails.
	exec(`UPDATE lab_reports SET method = ? WHERE id = ?`, report.Method+" (edited)", report.ID)
	untested("the edited report's units", reserve(tested...))
	exec(`UPDATE lab_reports SET method = ? WHERE id = ?`, report.Method, report.ID)
	mustNoErr(t, reserve(tested...))

	// A serial row smuggled into the report: the lab never signed it, so
	// the report does not cover the four units.
	exec(`INSERT INTO lab_report_serials (report_id, position, exporter_org_id, product, serial) VALUES (?, ?, ?, ?, ?)`,
		report.ID, 99, e.w.Exporter.ID, shipload.Product, "RC-3")
	untested("RC-0 to RC-3", reserve("RC-0", "RC-1", "RC-2", "RC-3"))
	exec(`DELETE FROM lab_report_serials WHERE report_id = ? AND serial = ?`, report.ID, "RC-3")

	// The lab key's public key replaced: the remembered signature was
	// made with another key.
	other, _, err := ed25519.GenerateKey(nil)
	mustNoErr(t, err)
	exec(`UPDATE lab_keys SET public_key = ? WHERE id = ?`, []byte(other), e.w.Key.ID)
	untested("the report's units", reserve(tested...))
}

// testShippingProductIdentity: "H200", "h200" and "H200 SXM5" are one
// product in the cap, the license and the order, and an unknown product
// is refused.
func testShippingProductIdentity(t *testing.T, newDSN NewDSN) {
	e := newShipEnv(t, newDSN)
	ctx := context.Background()
	us := func(name string, units int64) (*tollgate.DomesticShipment, error) {
		e.seq++
		return e.svc.RecordUSShipment(ctx, tollgate.DomesticShipment{ExporterOrgID: e.w.Exporter.ID, Product: name, Units: units,
			ShippedOn: e.clock.Now(), Customer: "US Cloud Inc.", EndUse: "cloud AI services", Reference: fmt.Sprintf("INV-%d", e.seq)})
	}
	for _, name := range []string{"H200", "h200", "H200 SXM5"} {
		s, err := us(name, 100)
		mustNoErr(t, err)
		if s.Product != shipload.Product {
			t.Errorf("US shipment of %q recorded as %q, want %q", name, s.Product, shipload.Product)
		}
	}
	for _, name := range []string{"H200", "nvidia h200 sxm", shipload.Product} {
		pos, err := e.svc.CapPosition(ctx, e.w.Exporter.ID, name)
		mustNoErr(t, err)
		if pos.Product != shipload.Product || pos.USUnits != 300 || pos.CapUnits != 150 {
			t.Errorf("CapPosition(%q) = %+v, want %s with 300 US units and a cap of 150", name, pos, shipload.Product)
		}
	}
	_, err := us("H2000", 100)
	wantMessage(t, err, tollgate.EINVALID, `unknown product "H2000"`)
	_, err = e.svc.CapPosition(ctx, e.w.Exporter.ID, "H2000")
	wantCode(t, err, tollgate.ENOTFOUND)

	// An order named "h200" ships under the license of the H200 SXM and
	// against the same cap.
	lic, err := e.w.License(ctx, 100)
	mustNoErr(t, err)
	o, err := e.svc.CreateOrder(ctx, tollgate.Order{ExporterOrgID: e.w.Exporter.ID, CustomerPartyID: e.w.Customer.ID,
		Reference: "PO-ID-1", Product: "h200", Quantity: 100, UnitPriceCents: shipload.UnitPriceCents, Destination: "CN"})
	mustNoErr(t, err)
	if o.Product != shipload.Product {
		t.Errorf("order of %q recorded as %q", "h200", o.Product)
	}
	_, err = e.svc.ApplyOrderEvent(ctx, o.ID, shipping.OrderEvent{Kind: shipping.OrderEventLicense, LicenseID: lic})
	mustNoErr(t, err)
	_, err = e.w.Import(ctx, 1, tollgate.Units{Lot: "TW-ID", Count: 200}, "")
	mustNoErr(t, err)
	_, err = e.reserve(o.ID, tollgate.Units{Lot: "TW-ID", Count: 100})
	mustNoErr(t, err)
	_, err = e.reserve(o.ID, tollgate.Units{Lot: "TW-ID", Count: 1})
	wantCode(t, err, tollgate.ELIMIT)
	_, err = e.svc.CreateOrder(ctx, tollgate.Order{ExporterOrgID: e.w.Exporter.ID, CustomerPartyID: e.w.Customer.ID,
		Reference: "PO-ID-2", Product: "H2000", Quantity: 1, UnitPriceCents: 1, Destination: "CN"})
	wantMessage(t, err, tollgate.EINVALID, `unknown product "H2000"`)

	// A lab signs for the identity; a report under another name is refused.
	r, err := e.w.SignedReport("LAB-ALIAS", tollgate.Units{Lot: "TW-ID", Count: 5}, 1975)
	mustNoErr(t, err)
	r.Product = "H200"
	_, err = e.svc.RecordLabReport(ctx, r)
	wantMessage(t, err, tollgate.EINVALID, `"H200" is another name of product "H200 SXM"`)
}
