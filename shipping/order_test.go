package shipping

import (
	"slices"
	"testing"
	"time"

	"tollgate"
)

func draftOrder() tollgate.Order {
	o := licensedOrder(1000)
	o.State, o.LicenseID = tollgate.OrderDrafted, ""
	return o
}

func TestTransitionOrder(t *testing.T) {
	at := day("2026-02-12")
	prcBlocked := func() tollgate.Order {
		o := draftOrder()
		o.PRC = tollgate.PRCStatusChange{Status: tollgate.PRCBlockedAtCustoms, RecordedBy: "u-1", At: day("2026-01-30")}
		return o
	}
	tests := []struct {
		name  string
		order func() tollgate.Order
		ev    OrderEvent
		state tollgate.OrderState
		code  string
		part  string
	}{
		{"OK/License", draftOrder, OrderEvent{Kind: OrderEventLicense, Actor: "u-1", At: at, LicenseID: "lic-1"}, tollgate.OrderLicensed, "", ""},
		{"OK/Ship", func() tollgate.Order { return licensedOrder(10) }, OrderEvent{Kind: OrderEventShip, Actor: "u-1", At: at}, tollgate.OrderShipped, "", ""},
		{"OK/Deliver", func() tollgate.Order { o := licensedOrder(10); o.State = tollgate.OrderShipped; return o },
			OrderEvent{Kind: OrderEventDeliver, Actor: "u-1", At: at}, tollgate.OrderDelivered, "", ""},
		{"OK/CancelDenied", draftOrder, OrderEvent{Kind: OrderEventCancel, Actor: "u-1", At: at, Reason: tollgate.CancelLicenseDenied}, tollgate.OrderCancelled, "", ""},
		{"OK/CancelWithdrew", func() tollgate.Order { return licensedOrder(10) },
			OrderEvent{Kind: OrderEventCancel, Actor: "u-1", At: at, Reason: tollgate.CancelCustomerWithdrew}, tollgate.OrderCancelled, "", ""},
		{"OK/CancelPRCBlocked", prcBlocked, OrderEvent{Kind: OrderEventCancel, Actor: "u-1", At: at, Reason: tollgate.CancelPRCBlocked}, tollgate.OrderCancelled, "", ""},

		{"ErrShipDrafted", draftOrder, OrderEvent{Kind: OrderEventShip, Actor: "u-1", At: at}, "", tollgate.ECONFLICT,
			"cannot ship: the order is drafted; allowed events: license, cancel"},
		{"ErrCancelDelivered", func() tollgate.Order { o := licensedOrder(10); o.State = tollgate.OrderDelivered; return o },
			OrderEvent{Kind: OrderEventCancel, Actor: "u-1", At: at, Reason: tollgate.CancelCustomerWithdrew}, "", tollgate.ECONFLICT,
			"the order is delivered; allowed events: none"},
		{"ErrUnknownEvent", draftOrder, OrderEvent{Kind: "approve", Actor: "u-1", At: at}, "", tollgate.EINVALID, "unknown order event"},
		{"ErrNoActor", draftOrder, OrderEvent{Kind: OrderEventLicense, At: at, LicenseID: "lic-1"}, "", tollgate.EINVALID, "actor"},
		{"ErrNoTime", draftOrder, OrderEvent{Kind: OrderEventLicense, Actor: "u-1", LicenseID: "lic-1"}, "", tollgate.EINVALID, "at"},
		{"ErrBeforeCreation", draftOrder, OrderEvent{Kind: OrderEventLicense, Actor: "u-1", At: day("2026-01-01"), LicenseID: "lic-1"}, "", tollgate.EINVALID, "precedes"},
		{"ErrNoLicense", draftOrder, OrderEvent{Kind: OrderEventLicense, Actor: "u-1", At: at}, "", tollgate.EINVALID, "license_id"},
		{"ErrNoReason", draftOrder, OrderEvent{Kind: OrderEventCancel, Actor: "u-1", At: at}, "", tollgate.EINVALID, "reason"},
		{"ErrPRCBlockedWithoutStatus", draftOrder, OrderEvent{Kind: OrderEventCancel, Actor: "u-1", At: at, Reason: tollgate.CancelPRCBlocked},
			"", tollgate.ECONFLICT, "its PRC status is unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.order()
			got, err := TransitionOrder(before, tt.ev)
			if tt.code != "" {
				wantError(t, err, tt.code, tt.part)
				return
			}
			if err != nil {
				t.Fatalf("TransitionOrder() = %v", err)
			}
			last := got.History[len(got.History)-1]
			if got.State != tt.state || last.From != before.State || last.To != tt.state || last.Event != string(tt.ev.Kind) {
				t.Errorf("TransitionOrder() = %s with last change %+v; want %s", got.State, last, tt.state)
			}
			if tt.ev.Kind == OrderEventCancel && (got.CancelReason != tt.ev.Reason || !got.CancelledAt.Equal(at)) {
				t.Errorf("cancelled with %q at %v; want %q at %v", got.CancelReason, got.CancelledAt, tt.ev.Reason, at)
			}
		})
	}
}

// TestOrderStateMachineComplete checks every state against the table: the
// terminal states accept nothing, the others what AllowedOrderEvents says.
func TestOrderStateMachineComplete(t *testing.T) {
	want := map[tollgate.OrderState][]OrderEventKind{
		tollgate.OrderDrafted:   {OrderEventLicense, OrderEventCancel},
		tollgate.OrderLicensed:  {OrderEventShip, OrderEventCancel},
		tollgate.OrderShipped:   {OrderEventDeliver},
		tollgate.OrderDelivered: nil,
		tollgate.OrderCancelled: nil,
	}
	for _, s := range tollgate.OrderStates {
		if got := AllowedOrderEvents(s); !slices.Equal(got, want[s]) {
			t.Errorf("AllowedOrderEvents(%s) = %v, want %v", s, got, want[s])
		}
	}
	specs := OrderEventSpecs()
	specs[0].From[0] = tollgate.OrderCancelled
	if AllowedOrderEvents(tollgate.OrderCancelled) != nil {
		t.Errorf("OrderEventSpecs returned the table itself, not a copy")
	}
}

func TestSetPRCStatus(t *testing.T) {
	o := draftOrder()
	approved := tollgate.PRCStatusChange{Status: tollgate.PRCApproved, Reference: "MOFCOM approval 2026-017", Date: day("2026-01-28"),
		RecordedBy: "u-1", At: day("2026-01-29").Add(time.Hour)}
	got, err := SetPRCStatus(o, approved)
	if err != nil {
		t.Fatal(err)
	}
	blocked := tollgate.PRCStatusChange{Status: tollgate.PRCBlockedAtCustoms, Note: "customs notice", RecordedBy: "u-1", At: day("2026-02-01")}
	got, err = SetPRCStatus(got, blocked)
	if err != nil {
		t.Fatal(err)
	}
	if got.PRCStatus() != tollgate.PRCBlockedAtCustoms || len(got.PRCHistory) != 2 || got.PRCHistory[0].Reference != "MOFCOM approval 2026-017" {
		t.Errorf("after two changes: status %s, history %+v", got.PRCStatus(), got.PRCHistory)
	}
	if len(o.PRCHistory) != 0 {
		t.Errorf("SetPRCStatus changed its argument's history")
	}
	if err := got.Validate(); err != nil {
		t.Errorf("order with PRC history does not validate: %v", err)
	}
	if _, err := SetPRCStatus(got, tollgate.PRCStatusChange{Status: tollgate.PRCApproved, RecordedBy: "u-1", At: day("2026-02-02")}); errField(t, err, tollgate.EINVALID) != "reference" {
		t.Errorf("approval without reference = %v", err)
	}
	if _, err := SetPRCStatus(got, tollgate.PRCStatusChange{Status: tollgate.PRCRestricted, RecordedBy: "u-1", At: day("2026-01-31")}); errField(t, err, tollgate.EINVALID) != "at" {
		t.Errorf("change dated before the last = %v", err)
	}
}
