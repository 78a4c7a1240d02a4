package api

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"

	"tollgate"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
)

// shipFlow is an exporter with a broker, a lab and an auditor, each with a
// user, a screened customer in China and a license, for the shipping flow
// over the API.
type shipFlow struct {
	env                                    *testEnv
	w                                      *shipload.World
	officer, broker, tech, auditor, intrud *testUser
	license                                string
}

func newShipFlow(t *testing.T) *shipFlow {
	env := newTestEnv(t)
	ctx := context.Background()
	svc := newTestShipping(t, env.db).(*shipping.Service)
	w, err := shipload.NewWorld(ctx, env.db, svc)
	if err != nil {
		t.Fatal(err)
	}
	f := &shipFlow{env: env, w: w}
	f.officer = env.newUser(w.Exporter, tollgate.RoleExporterOfficer)
	f.broker = env.newUser(w.Broker, tollgate.RoleBroker)
	f.tech = env.newUser(w.Lab, tollgate.RoleLabTechnician)
	f.auditor = env.newUser(env.newOrg(tollgate.OrgAuditor, "Audit LLP"), tollgate.RoleAuditor)
	f.intrud = env.newUser(env.newOrg(tollgate.OrgExporter, "Other Exporter"), tollgate.RoleExporterOfficer)
	if f.license, err = w.License(ctx, 6000); err != nil {
		t.Fatal(err)
	}
	return f
}

// importLot records lot as an import of n units by the broker over the API.
func (f *shipFlow) importLot(seq, lot string, n int64, exemption string) tollgate.ImportEntry {
	check, _ := tollgate.EntryCheckDigit("FLW", seq)
	in := ImportInput{ImporterOrgID: f.w.Broker.ID, ExporterOrgID: f.w.Exporter.ID, ImporterOfRecord: "Load Exporter Corp",
		EntryNumber: "FLW" + seq + string(check), Line: 1, EntryDate: "2026-01-30", Product: "h200",
		Units: tollgate.Units{Lot: lot, Count: n}, CountryOfOrigin: "TW", HTS: "8473.30.1180", EnteredValueCents: n * 2_500_000}
	if exemption != "" {
		in.Exemption, in.EndUseCertification = exemption, "certificate of US data-center end use"
	}
	return must[tollgate.ImportEntry](f.env, request{method: "POST", path: "/v1/imports", body: in, as: f.broker}, http.StatusCreated)
}

// testLot records a passing signed report on count units of lot, as the
// lab's technician over the API.
func (f *shipFlow) testLot(number, lot string, count int64) tollgate.LabReport {
	r, err := f.w.SignedReport(number, tollgate.Units{Lot: lot, Count: count}, 1975)
	if err != nil {
		f.env.t.Fatal(err)
	}
	return must[tollgate.LabReport](f.env, request{method: "POST", path: "/v1/lab-reports", body: r, as: f.tech}, http.StatusCreated)
}

// TestShippingOverAPI runs the regime's shipping story over the API, as
// each party: US shipments, imports and their duty, the lab's key and
// signed reports, an order licensed and reserved against the license and
// the 50% cap, shipped, voided, refused for each reason, and reported.
func TestShippingOverAPI(t *testing.T) {
	f := newShipFlow(t)
	env := f.env
	exporter := f.w.Exporter.ID

	// The cap's denominator: 10,000 H200s to US customers.
	us := must[tollgate.DomesticShipment](env, request{method: "POST", path: "/v1/shipments", as: f.officer,
		body: USShipmentInput{ExporterOrgID: exporter, Product: "H200", Units: 10_000, ShippedOn: "2026-01-20",
			Customer: "US Cloud Inc.", EndUse: "cloud AI services", Reference: "INV-2026-001"}}, http.StatusCreated)
	env.problem(request{method: "POST", path: "/v1/shipments", as: f.broker, body: USShipmentInput{ExporterOrgID: exporter,
		Product: "H200", Units: 1, ShippedOn: "2026-01-20", Customer: "X", EndUse: "Z", Reference: "Y"}}, http.StatusForbidden)
	env.problem(request{method: "GET", path: "/v1/shipments/" + us.ID, as: f.intrud}, http.StatusNotFound)

	// 1,000 H200s entered at $25,000 each: $6,250,000.00 under 9903.79.01.
	entry := f.importLot("0000011", "TW-LOT-1", 1000, "")
	if entry.Heading != "9903.79.01" || entry.DutyCents != 625_000_000 || entry.DutyStatus != tollgate.DutyOwed {
		t.Errorf("import: heading %s duty %d status %s, want 9903.79.01, 625000000, owed", entry.Heading, entry.DutyCents, entry.DutyStatus)
	}
	paid := must[tollgate.ImportEntry](env, request{method: "POST", path: "/v1/imports/" + entry.ID + "/payment", as: f.broker,
		body: DutyPaymentInput{PaymentReference: "ACH-77", PaidOn: "2026-01-31"}}, http.StatusOK)
	if paid.DutyStatus != tollgate.DutyPaid {
		t.Errorf("after payment: duty status %s", paid.DutyStatus)
	}
	// The same units under the US data-center exemption: no duty, bound.
	exempt := f.importLot("0000012", "TW-LOT-X", 100, "9903.79.03")
	if exempt.DutyCents != 0 || !exempt.Bound || exempt.Heading != "9903.79.03" {
		t.Errorf("exempt import: heading %s duty %d bound %t, want 9903.79.03, 0, true", exempt.Heading, exempt.DutyCents, exempt.Bound)
	}

	// The lab registers a second key and records signed reports.
	seed := sha256.Sum256([]byte("flow key"))
	must[tollgate.LabKey](env, request{method: "POST", path: "/v1/labs/" + f.w.Lab.ID + "/keys", as: f.tech,
		body: LabKeyInput{PublicKey: ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)}}, http.StatusCreated)
	rep := f.testLot("LAB-1", "TW-LOT-1", 10) // exactly the units of the export below
	if !rep.Pass {
		t.Errorf("lab report: pass false: %v", rep.Findings)
	}
	f.testLot("LAB-X", "TW-LOT-X", 10)
	bogus, _ := f.w.SignedReport("LAB-GHOST", tollgate.Units{Lot: "NEVER-IMPORTED", Count: 5}, 1975)
	p := env.problem(request{method: "POST", path: "/v1/lab-reports", body: bogus, as: f.tech}, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Detail, "NEVER-IMPORTED") {
		t.Errorf("report on units never imported: %q does not name the lot", p.Detail)
	}

	// The order, licensed, reserves and ships 10 units.
	order := must[tollgate.Order](env, request{method: "POST", path: "/v1/orders", as: f.officer, body: OrderInput{
		ExporterOrgID: exporter, CustomerPartyID: f.w.Customer.ID, Reference: "PO-BD-1", Product: "H200", Quantity: 6000,
		UnitPriceCents: 2_700_000, Destination: "CN"}}, http.StatusCreated)
	order = must[tollgate.Order](env, request{method: "POST", path: "/v1/orders/" + order.ID + "/events", as: f.officer,
		body: OrderEventInput{Kind: shipping.OrderEventLicense, LicenseID: f.license}}, http.StatusOK)
	if order.State != tollgate.OrderLicensed {
		t.Fatalf("order state %s, want licensed", order.State)
	}
	body := shipping.ReserveRequest{OrderID: order.ID, Units: tollgate.Units{Lot: "TW-LOT-1", Count: 10}}
	e := must[tollgate.Export](env, request{method: "POST", path: "/v1/exports", body: body, key: "reserve-1", as: f.officer}, http.StatusCreated)
	again := must[tollgate.Export](env, request{method: "POST", path: "/v1/exports", body: body, key: "reserve-1", as: f.officer}, http.StatusCreated)
	if again.ID != e.ID {
		t.Errorf("replayed reservation: id %s, want %s", again.ID, e.ID)
	}
	body.Units.Count = 11
	env.problem(request{method: "POST", path: "/v1/exports", body: body, key: "reserve-1", as: f.officer}, http.StatusConflict)
	shipped := must[tollgate.Export](env, request{method: "POST", path: "/v1/exports/" + e.ID + "/ship", as: f.officer,
		body: ShipInput{FilingReference: "X20260201000001", ExportedOn: e.ReservedAt.Format("2006-01-02")}}, http.StatusOK)
	if shipped.State != tollgate.ExportShipped || shipped.ValueCents != 10*2_700_000 {
		t.Errorf("shipped: state %s value %d", shipped.State, shipped.ValueCents)
	}

	// Refusals: units bound by an exemption, units without a passing signed
	// report (named), the 5,001st unit against the 50% cap.
	p = env.problem(request{method: "POST", path: "/v1/exports", as: f.officer, body: shipping.ReserveRequest{OrderID: order.ID,
		Units: tollgate.Units{Lot: "TW-LOT-X", Count: 1}}}, http.StatusConflict)
	if !strings.Contains(p.Detail, "9903.79.03") {
		t.Errorf("exempt units: %q does not name the exemption", p.Detail)
	}
	f.importSerials(t, "0000013", []string{"SN-A1", "SN-A2"})
	p = env.problem(request{method: "POST", path: "/v1/exports", as: f.officer, body: shipping.ReserveRequest{OrderID: order.ID,
		Units: tollgate.Units{Serials: []string{"SN-A1", "SN-A2"}, Count: 2}}}, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Detail, "SN-A1") || !strings.Contains(p.Detail, "lab review") {
		t.Errorf("untested units: %q does not name them", p.Detail)
	}
	f.importLot("0000014", "TW-LOT-2", 5000, "")
	f.testLot("LAB-2", "TW-LOT-2", 4990)
	f.testLot("LAB-3", "TW-LOT-2", 1) // so that the cap, not the review, refuses the 5,001st unit
	must[tollgate.Export](env, request{method: "POST", path: "/v1/exports", as: f.officer, body: shipping.ReserveRequest{
		OrderID: order.ID, Units: tollgate.Units{Lot: "TW-LOT-2", Count: 4990}}}, http.StatusCreated)
	p = env.problem(request{method: "POST", path: "/v1/exports", as: f.officer, body: shipping.ReserveRequest{OrderID: order.ID,
		Units: tollgate.Units{Lot: "TW-LOT-2", Count: 1}}}, http.StatusUnprocessableEntity)
	if p.Code != tollgate.ELIMIT || !strings.Contains(p.Detail, "50% cap") || !strings.Contains(p.Detail, "over by 1") {
		t.Errorf("5,001st unit: %s %q, want limit_exceeded naming the 50%% cap, over by 1", p.Code, p.Detail)
	}
	pos := must[shipping.CapPosition](env, request{method: "GET", path: "/v1/caps/H200", as: f.officer}, http.StatusOK)
	if pos.CapUnits != 5000 || pos.HeldUnits != 5000 || pos.Headroom != 0 {
		t.Errorf("cap position %+v, want cap 5000, held 5000, headroom 0", pos)
	}
	// Another name of the product is the same cap; an unknown one is none.
	if other := must[shipping.CapPosition](env, request{method: "GET", path: "/v1/caps/h200%20sxm5", as: f.officer}, http.StatusOK); other != pos {
		t.Errorf("cap position of h200 sxm5 %+v, want that of H200 %+v", other, pos)
	}
	env.problem(request{method: "GET", path: "/v1/caps/H2000", as: f.officer}, http.StatusNotFound)
	f.checkVoidAndPRC(t, order.ID)
	f.checkReports(t)
}

// importSerials records serial-numbered units by the broker.
func (f *shipFlow) importSerials(t *testing.T, seq string, serials []string) {
	check, _ := tollgate.EntryCheckDigit("FLW", seq)
	must[tollgate.ImportEntry](f.env, request{method: "POST", path: "/v1/imports", as: f.broker, body: ImportInput{
		ImporterOrgID: f.w.Broker.ID, ExporterOrgID: f.w.Exporter.ID, ImporterOfRecord: "Load Exporter Corp",
		EntryNumber: "FLW-" + seq + "-" + string(check), Line: 1, EntryDate: "2026-01-30", Product: "H200",
		Units: tollgate.Units{Serials: serials, Count: int64(len(serials))}, CountryOfOrigin: "TW", HTS: "8473.30.1180",
		EnteredValueCents: int64(len(serials)) * 2_500_000}}, http.StatusCreated)
}

// checkVoidAndPRC voids the open reservation, then records that the
// customer is blocked at Chinese customs, which refuses the next one.
func (f *shipFlow) checkVoidAndPRC(t *testing.T, orderID string) {
	env := f.env
	open := must[Page[tollgate.Export]](env, request{method: "GET", path: "/v1/exports?state=reserved", as: f.officer}, http.StatusOK)
	if len(open.Items) != 1 {
		t.Fatalf("open reservations: %d, want 1", len(open.Items))
	}
	voided := must[tollgate.Export](env, request{method: "POST", path: "/v1/exports/" + open.Items[0].ID + "/void", as: f.officer,
		body: VoidInput{Reason: "customer postponed"}}, http.StatusOK)
	if voided.State != tollgate.ExportVoided {
		t.Errorf("voided: state %s", voided.State)
	}
	must[tollgate.Order](env, request{method: "POST", path: "/v1/orders/" + orderID + "/prc-status", as: f.officer,
		body: PRCStatusInput{Status: tollgate.PRCBlockedAtCustoms, Note: "customs notice of 13 Jan 2026"}}, http.StatusOK)
	p := env.problem(request{method: "POST", path: "/v1/exports", as: f.officer, body: shipping.ReserveRequest{OrderID: orderID,
		Units: tollgate.Units{Lot: "TW-LOT-2", Count: 1}}}, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Detail, "blocked_at_customs") {
		t.Errorf("blocked customer: %q", p.Detail)
	}
	o := must[tollgate.Order](env, request{method: "POST", path: "/v1/orders/" + orderID + "/events", as: f.officer,
		body: OrderEventInput{Kind: shipping.OrderEventCancel, Reason: tollgate.CancelPRCBlocked}}, http.StatusOK)
	if o.State != tollgate.OrderCancelled || len(o.PRCHistory) != 1 {
		t.Errorf("cancelled order: state %s, PRC history %d", o.State, len(o.PRCHistory))
	}
}

// checkReports reads the period report as JSON and CSV, as the exporter
// and as an auditor, and checks that another exporter sees nothing.
func (f *shipFlow) checkReports(t *testing.T) {
	env := f.env
	path := "/v1/reports/shipping?from=2026-01-01&to=2026-03-01&months=2&exporter_org_id=" + f.w.Exporter.ID
	rep := must[ShippingReport](env, request{method: "GET", path: path, as: f.auditor}, http.StatusOK)
	if len(rep.Reports) != 1 {
		t.Fatalf("reports: %d, want 1", len(rep.Reports))
	}
	r := rep.Reports[0]
	if r.ChinaUnits != 10 || r.ChinaRevenueCents != 27_000_000 || r.DutyPaidCents != 6_250_000 || r.USUnits != 10_000 {
		t.Errorf("report %+v: want 10 China units, $270,000 revenue, $62,500 duty paid, 10,000 US units", r)
	}
	w := env.do(request{method: "GET", path: path + "&format=csv", as: f.officer})
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(w.Body.String(), "exporter_org_id,product,from,to,") {
		t.Errorf("CSV report: status %d, type %q, body %.80q", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	env.problem(request{method: "GET", path: path, as: f.intrud}, http.StatusNotFound)
	list := must[Page[tollgate.Export]](env, request{method: "GET", path: "/v1/exports", as: f.intrud}, http.StatusOK)
	if len(list.Items) != 0 {
		t.Errorf("another exporter lists %d exports", len(list.Items))
	}
}
