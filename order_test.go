package tollgate_test

import (
	"testing"
	"time"

	"tollgate"
)

func validOrder() tollgate.Order {
	return tollgate.Order{
		ExporterOrgID: "org-nv", CustomerPartyID: "p-bytedance", Reference: "PO-1", Product: "H200",
		Quantity: 1000, UnitPriceCents: 2_700_000, Destination: "CN", State: tollgate.OrderDrafted,
	}
}

func TestOrderValidate(t *testing.T) {
	at := time.Date(2026, 1, 28, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		mutate func(o *tollgate.Order)
		field  string
	}{
		{"OK", func(o *tollgate.Order) {}, ""},
		{"OK/licensed", func(o *tollgate.Order) { o.State, o.LicenseID = tollgate.OrderLicensed, "lic-1" }, ""},
		{"OK/cancelled", func(o *tollgate.Order) {
			o.State, o.CancelReason, o.CancelledAt = tollgate.OrderCancelled, tollgate.CancelCustomerWithdrew, at
		}, ""},
		{"OK/approved", func(o *tollgate.Order) {
			o.PRC = tollgate.PRCStatusChange{Status: tollgate.PRCApproved, Reference: "NDRC-2026-1", Date: at, RecordedBy: "u-1", At: at}
			o.PRCHistory = []tollgate.PRCStatusChange{o.PRC}
		}, ""},
		{"ErrExporter", func(o *tollgate.Order) { o.ExporterOrgID = "" }, "exporter_org_id"},
		{"ErrCustomer", func(o *tollgate.Order) { o.CustomerPartyID = "" }, "customer_party_id"},
		{"ErrReference", func(o *tollgate.Order) { o.Reference = "" }, "reference"},
		{"ErrProduct", func(o *tollgate.Order) { o.Product = "h200" }, "product"},
		{"ErrQuantity", func(o *tollgate.Order) { o.Quantity = 0 }, "quantity"},
		{"ErrPrice", func(o *tollgate.Order) { o.UnitPriceCents = -1 }, "unit_price_cents"},
		{"ErrOverflow", func(o *tollgate.Order) { o.Quantity = 1 << 62 }, "quantity"},
		{"ErrTotalAboveMaxCents", func(o *tollgate.Order) { o.Quantity, o.UnitPriceCents = tollgate.MaxUnits, 10_000_000 }, "unit_price_cents"},
		{"ErrDestination", func(o *tollgate.Order) { o.Destination = "" }, "destination"},
		{"ErrState", func(o *tollgate.Order) { o.State = "open" }, "state"},
		{"ErrLicensedNoLicense", func(o *tollgate.Order) { o.State = tollgate.OrderLicensed }, "license_id"},
		{"ErrCancelledNoReason", func(o *tollgate.Order) { o.State, o.CancelledAt = tollgate.OrderCancelled, at }, "cancel_reason"},
		{"ErrReasonNotCancelled", func(o *tollgate.Order) { o.CancelReason = tollgate.CancelPRCBlocked }, "cancel_reason"},
		{"ErrCancelledNoTime", func(o *tollgate.Order) { o.State, o.CancelReason = tollgate.OrderCancelled, tollgate.CancelPRCBlocked }, "cancelled_at"},
		{"ErrApprovalNoReference", func(o *tollgate.Order) {
			o.PRC = tollgate.PRCStatusChange{Status: tollgate.PRCApproved, Date: at, RecordedBy: "u-1", At: at}
		}, "prc.reference"},
		{"ErrApprovalNoDate", func(o *tollgate.Order) {
			o.PRC = tollgate.PRCStatusChange{Status: tollgate.PRCApproved, Reference: "R", RecordedBy: "u-1", At: at}
		}, "prc.date"},
		{"ErrHistory", func(o *tollgate.Order) {
			o.PRC = tollgate.PRCStatusChange{Status: tollgate.PRCRestricted, RecordedBy: "u-1", At: at}
			o.PRCHistory = []tollgate.PRCStatusChange{{Status: "maybe", RecordedBy: "u-1", At: at}}
		}, "prc_history[0].status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOrder()
			tt.mutate(&o)
			if got := invalidFieldOf(t, o.Validate()); got != tt.field {
				t.Errorf("Validate() = %v; got field %q, want %q", o.Validate(), got, tt.field)
			}
		})
	}
}

func TestOrderPRCStatus(t *testing.T) {
	o := validOrder()
	if got := o.PRCStatus(); got != tollgate.PRCUnknown {
		t.Errorf("PRCStatus() of a new order = %q, want unknown", got)
	}
	o.PRC.Status = tollgate.PRCBlockedAtCustoms
	if got := o.PRCStatus(); got != tollgate.PRCBlockedAtCustoms {
		t.Errorf("PRCStatus() = %q, want blocked_at_customs", got)
	}
	if got, want := o.TotalCents(), int64(2_700_000_000); got != want {
		t.Errorf("TotalCents() = %d, want %d", got, want)
	}
}
