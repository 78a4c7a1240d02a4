package shipping

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"tollgate"
)

func shippedExport(id, order string, units tollgate.Units, on string) tollgate.Export {
	e := validReservation()
	e.ID, e.OrderID, e.Units, e.ValueCents = id, order, units, units.Count*2_700_000
	e.ReservedAt, e.ExpiresAt = day(on).Add(-12*time.Hour), day(on).Add(12*time.Hour)
	e.State, e.FilingReference, e.ExportedOn, e.ShippedBy, e.ShippedAt = tollgate.ExportShipped, "X"+id, day(on), "u-1", day(on)
	return e
}

func cancelledOrder(id string, qty int64, reason tollgate.CancelReason, on string) tollgate.Order {
	o := licensedOrder(qty)
	o.ID, o.State, o.CancelReason, o.CancelledAt = id, tollgate.OrderCancelled, reason, day(on)
	return o
}

func reportFixture() ReportInput {
	s2 := usShipment("s2", 4000, "2026-02-10")
	s2.Customer, s2.EndUse = "Oracle", "cloud inference"
	rev := s2.Reversal(500, "returned")
	lot := lotImport("ABC-1234568-4", "L", 500)
	lot.DutyStatus, lot.PaymentReference, lot.PaidOn = tollgate.DutyOwed, "", time.Time{}
	bound := lotImport("ABC-1234569-2", "L", 300)
	bound.DutyCents, bound.DutyStatus, bound.PaymentReference, bound.PaidOn = 0, tollgate.DutyNone, "", time.Time{}
	bound.Exemption, bound.EndUseCertification, bound.Bound = "9903.79.03", "DC", true
	held := validReservation()
	held.ID, held.Units, held.ValueCents = "e3", tollgate.Units{Serials: serials("S", 15)[10:], Count: 5}, 5*2_700_000
	held.ReservedAt, held.ExpiresAt = day("2026-03-31").Add(12*time.Hour), day("2026-04-01").Add(12*time.Hour)
	voided := validReservation()
	voided.ID, voided.State, voided.ReservedAt = "e4", tollgate.ExportVoided, day("2026-03-20")
	voided.ExpiresAt, voided.VoidReason, voided.ReleasedAt = day("2026-03-21"), "postponed", day("2026-03-20").Add(time.Hour)
	foreign := shippedExport("e9", "o-9", tollgate.Units{Lot: "X", Count: 999}, "2026-03-05")
	foreign.ExporterOrgID = "org-amd"
	return ReportInput{
		Config: DefaultConfig(), ExporterOrgID: "org-nv",
		Shipments: []tollgate.DomesticShipment{usShipment("s1", 6000, "2026-01-10"), s2, rev},
		Imports:   []tollgate.ImportEntry{serialImport("ABC-1234567-6", serials("S", 100)), lot, bound},
		Exports: []tollgate.Export{
			shippedExport("e1", "o-1", tollgate.Units{Serials: serials("S", 10), Count: 10}, "2026-03-05"),
			shippedExport("e2", "o-1", tollgate.Units{Lot: "L", Count: 100}, "2026-03-10"),
			held, voided, foreign,
			shippedExport("e5", "o-2", tollgate.Units{Serials: serials("S", 40)[30:], Count: 10}, "2026-02-20"),
		},
		Orders: []tollgate.Order{
			licensedOrder(1000),
			cancelledOrder("o-2", 100, tollgate.CancelCustomerWithdrew, "2026-03-15"),
			cancelledOrder("o-3", 1000, tollgate.CancelPRCBlocked, "2026-03-20"),
			cancelledOrder("o-4", 50, tollgate.CancelLicenseDenied, "2026-02-10"),
		},
	}
}

func lost(denied, prc, withdrew LostRevenue) []LostRevenue {
	denied.Reason, prc.Reason, withdrew.Reason = tollgate.CancelLicenseDenied, tollgate.CancelPRCBlocked, tollgate.CancelCustomerWithdrew
	return []LostRevenue{denied, prc, withdrew}
}

func TestReport(t *testing.T) {
	in := reportFixture()
	periods, err := MonthlyPeriods(day("2026-01-01"), day("2026-04-01"), 1)
	if err != nil {
		t.Fatal(err)
	}
	in.Periods = periods
	got, err := Report(in)
	if err != nil {
		t.Fatal(err)
	}
	// The denominator's composition, net of the reversal of 500 units.
	coreWeave := USCustomerUnits{Customer: "CoreWeave", EndUse: "AI training in a US data center", Units: 6000}
	oracle := USCustomerUnits{Customer: "Oracle", EndUse: "cloud inference", Units: 3500}
	want := []PeriodReport{
		{ExporterOrgID: "org-nv", Product: "H200", From: "2026-01-01", To: "2026-02-01",
			USUnits: 6000, USUnitsToDate: 6000, CapUnits: 3000, CapHeadroom: 3000, LostRevenue: lost(LostRevenue{}, LostRevenue{}, LostRevenue{}),
			USCustomers: []USCustomerUnits{coreWeave}},
		{ExporterOrgID: "org-nv", Product: "H200", From: "2026-02-01", To: "2026-03-01",
			ChinaUnits: 10, ChinaRevenueCents: 27_000_000, DutyPaidCents: 6_250_000, DutyRatioBP: 2315,
			USUnits: 3500, USUnitsToDate: 9500, ChinaUnitsToDate: 10, CapUnits: 4750, HeldUnitsAtEnd: 10, CapHeadroom: 4740,
			LostRevenue: lost(LostRevenue{Orders: 1, Cents: 50 * 2_700_000}, LostRevenue{}, LostRevenue{}),
			USCustomers: []USCustomerUnits{coreWeave, oracle}},
		{ExporterOrgID: "org-nv", Product: "H200", From: "2026-03-01", To: "2026-04-01",
			// 6,250,000 paid on 297,000,000 of revenue is 210.4 bp; the lot's
			// 100 units carry a fifth of its 312,500,000 owed.
			ChinaUnits: 110, ChinaRevenueCents: 297_000_000, DutyPaidCents: 6_250_000, DutyOwedCents: 62_500_000, DutyRatioBP: 210,
			USUnits: 0, USUnitsToDate: 9500, ChinaUnitsToDate: 120, CapUnits: 4750, HeldUnitsAtEnd: 125, CapHeadroom: 4625,
			LostRevenue: lost(LostRevenue{}, LostRevenue{Orders: 1, Cents: 1000 * 2_700_000}, LostRevenue{Orders: 1, Cents: 90 * 2_700_000}),
			USCustomers: []USCustomerUnits{coreWeave, oracle}},
	}
	if len(got) != len(want) {
		t.Fatalf("Report() returned %d reports, want %d", len(got), len(want))
	}
	for i := range want {
		if !equalReports(got[i], want[i]) {
			t.Errorf("report %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func equalReports(a, b PeriodReport) bool {
	return reflect.DeepEqual(a, b)
}

func TestReportErrors(t *testing.T) {
	in := reportFixture()
	in.Periods = []Period{{From: day("2026-02-01"), To: day("2026-02-01")}}
	if _, err := Report(in); errField(t, err, tollgate.EINVALID) != "periods[0]" {
		t.Errorf("empty period: %v", err)
	}
	in.Periods, in.Config.CapBP = nil, -1
	if _, err := Report(in); errField(t, err, tollgate.EINVALID) != "config.cap_bp" {
		t.Errorf("bad config: %v", err)
	}
}

func TestMonthlyPeriods(t *testing.T) {
	got, err := MonthlyPeriods(day("2026-01-15"), day("2026-07-01"), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []Period{{day("2026-01-15"), day("2026-04-01")}, {day("2026-04-01"), day("2026-07-01")}}
	if !slices.Equal(got, want) {
		t.Errorf("MonthlyPeriods = %v, want %v", got, want)
	}
	for _, bad := range []struct {
		from, to time.Time
		months   int
	}{{day("2026-01-01"), day("2026-01-01"), 1}, {day("2026-01-01"), day("2026-02-01"), 0}, {day("2026-01-01"), day("2300-01-01"), 1}} {
		if _, err := MonthlyPeriods(bad.from, bad.to, bad.months); tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Errorf("MonthlyPeriods(%v, %v, %d) = %v, want invalid", bad.from, bad.to, bad.months, err)
		}
	}
}

func TestWriteCSVAndJSON(t *testing.T) {
	in := reportFixture()
	in.Periods = []Period{{From: day("2026-03-01"), To: day("2026-04-01")}}
	reports, err := Report(in)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, reports); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !slices.Equal(rows[0], CSVHeader()) || len(rows[1]) != len(rows[0]) {
		t.Fatalf("CSV rows %q; want the header and one row of as many columns", rows)
	}
	row := map[string]string{}
	for i, h := range rows[0] {
		row[h] = rows[1][i]
	}
	for col, want := range map[string]string{
		"product": "H200", "from": "2026-03-01", "china_units": "110", "china_revenue_cents": "297000000", "duty_ratio_bp": "210",
		"cap_headroom": "4625", "lost_prc_blocked_orders": "1", "lost_prc_blocked_cents": "2700000000", "lost_customer_withdrew_cents": "243000000",
		"us_customers": "CoreWeave (AI training in a US data center): 6000; Oracle (cloud inference): 3500",
	} {
		if row[col] != want {
			t.Errorf("CSV %s = %q, want %q", col, row[col], want)
		}
	}
	buf.Reset()
	if err := WriteJSON(&buf, reports); err != nil {
		t.Fatal(err)
	}
	var decoded struct{ Reports []PeriodReport }
	if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if len(decoded.Reports) != 1 || !equalReports(decoded.Reports[0], reports[0]) {
		t.Errorf("JSON round trip = %+v, want %+v", decoded.Reports, reports)
	}
	buf.Reset()
	if err := WriteJSON(&buf, nil); err != nil || !bytes.Contains(buf.Bytes(), []byte(`"reports": []`)) {
		t.Errorf("WriteJSON(nil) = %q, %v; want an empty list", buf.String(), err)
	}
}
