package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
)

// testShippingExpiry: a reservation past its time holds nothing: the next
// reservation of the product releases it (lazily), and the sweep marks the
// rest.
func testShippingExpiry(t *testing.T, newDSN NewDSN) {
	e := newShipEnv(t, newDSN)
	ctx := context.Background()
	_, err := e.w.USShipment(ctx, 40)
	mustNoErr(t, err)
	o := e.licensedOrder(t, "PO-EXP", 100)
	e.tested(t, 1, "TW-EXP", 100)
	a, err := e.reserve(o.ID, tollgate.Units{Lot: "TW-EXP", Count: 20})
	mustNoErr(t, err)
	_, err = e.reserve(o.ID, tollgate.Units{Lot: "TW-EXP", Count: 1})
	wantMessage(t, err, tollgate.ELIMIT, "50% cap")
	e.clock.Advance(shipping.DefaultConfig().ReservationTTL)
	pos, err := e.svc.CapPosition(ctx, e.w.Exporter.ID, "H200")
	mustNoErr(t, err)
	if pos.HeldUnits != 0 {
		t.Errorf("held after the reservation expired: %d, want 0", pos.HeldUnits)
	}
	_, err = e.svc.Ship(ctx, a.ID, "X1", e.clock.Now())
	wantMessage(t, err, tollgate.ECONFLICT, "expired")
	b, err := e.reserve(o.ID, tollgate.Units{Lot: "TW-EXP", Count: 20})
	mustNoErr(t, err)
	got, err := e.db.FindExportByID(ctx, a.ID)
	mustNoErr(t, err)
	if got.State != tollgate.ExportExpired || !got.ReleasedAt.Equal(a.ExpiresAt) {
		t.Errorf("first reservation: %s released %v, want expired at %v", got.State, got.ReleasedAt, a.ExpiresAt)
	}
	e.clock.Advance(shipping.DefaultConfig().ReservationTTL + time.Minute)
	n, err := e.svc.Sweep(ctx, 0)
	mustNoErr(t, err)
	if n != 1 {
		t.Errorf("sweep marked %d, want 1", n)
	}
	if got, _ := e.db.FindExportByID(ctx, b.ID); got == nil || got.State != tollgate.ExportExpired {
		t.Errorf("second reservation after the sweep: %+v", got)
	}
	if n, err := e.svc.Sweep(ctx, 0); err != nil || n != 0 {
		t.Errorf("second sweep: %d, %v; want 0, nil", n, err)
	}
	violations, err := e.svc.Verify(ctx)
	mustNoErr(t, err)
	for _, v := range violations {
		t.Error(v)
	}
}

// testShippingOrders: the PRC status refuses a customer blocked at
// customs; cancelling voids the order's open reservations; an order is
// licensed only under the exporter's license for its destination.
func testShippingOrders(t *testing.T, newDSN NewDSN) {
	e := newShipEnv(t, newDSN)
	ctx := context.Background()
	_, err := e.w.USShipment(ctx, 1000)
	mustNoErr(t, err)
	o := e.licensedOrder(t, "PO-ORD", 100)
	e.tested(t, 1, "TW-ORD", 100)
	_, err = e.svc.SetPRCStatus(ctx, o.ID, tollgate.PRCStatusChange{Status: tollgate.PRCApproved})
	wantField(t, err, "reference")
	o2, err := e.svc.SetPRCStatus(ctx, o.ID, tollgate.PRCStatusChange{Status: tollgate.PRCApproved, Reference: "MOFCOM-0128",
		Date: time.Date(2026, 1, 28, 0, 0, 0, 0, time.UTC)})
	mustNoErr(t, err)
	if o2.PRCStatus() != tollgate.PRCApproved || len(o2.PRCHistory) != 1 {
		t.Errorf("approved: %s with %d entries", o2.PRCStatus(), len(o2.PRCHistory))
	}
	open, err := e.reserve(o.ID, tollgate.Units{Lot: "TW-ORD", Count: 10})
	mustNoErr(t, err)
	_, err = e.svc.SetPRCStatus(ctx, o.ID, tollgate.PRCStatusChange{Status: tollgate.PRCBlockedAtCustoms, Note: "13 Jan notice"})
	mustNoErr(t, err)
	_, err = e.reserve(o.ID, tollgate.Units{Lot: "TW-ORD", Count: 10})
	wantMessage(t, err, tollgate.EPRECONDITION, "blocked_at_customs")
	cancelled, err := e.svc.ApplyOrderEvent(ctx, o.ID, shipping.OrderEvent{Kind: shipping.OrderEventCancel, Reason: tollgate.CancelPRCBlocked})
	mustNoErr(t, err)
	if cancelled.State != tollgate.OrderCancelled || cancelled.CancelReason != tollgate.CancelPRCBlocked {
		t.Errorf("cancelled: %s %s", cancelled.State, cancelled.CancelReason)
	}
	if got, _ := e.db.FindExportByID(ctx, open.ID); got == nil || got.State != tollgate.ExportVoided {
		t.Errorf("open reservation of the cancelled order: %+v, want voided", got)
	}
	_, err = e.svc.ApplyOrderEvent(ctx, o.ID, shipping.OrderEvent{Kind: shipping.OrderEventShip})
	wantField(t, err, "kind")
	draft, err := e.w.Order(ctx, "PO-MO", 5, "")
	mustNoErr(t, err)
	_, err = e.svc.ApplyOrderEvent(ctx, draft.ID, shipping.OrderEvent{Kind: shipping.OrderEventLicense, LicenseID: "not-a-license"})
	wantField(t, err, "license_id")
	_, err = e.w.Order(ctx, "PO-MO", 5, "")
	wantCode(t, err, tollgate.ECONFLICT)
}

// testShippingConcurrency: many clients reserving and shipping at once, on
// two handles of one database, never over-allocate the license, the orders
// or the cap, and never take one unit twice.
func testShippingConcurrency(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	t.Run("NoOverAllocation", func(t *testing.T) {
		clock := NewClock()
		clock.Advance(shippingDay)
		db := MustOpen(t, newDSN(t), clock.Now)
		svc := shippingService(t, db)
		sc, err := shipload.Setup(ctx, db, svc, shipload.Options{Clients: 12, Attempts: 120, UnitsPerExport: 2, CapPercent: 75})
		mustNoErr(t, err)
		res := shipload.Run(ctx, svc, sc)
		if res.Pairs != 90 || res.RefusedCap != 30 {
			t.Errorf("%d pairs and %d refused at the cap, want 90 and 30: %+v", res.Pairs, res.RefusedCap, res)
		}
		violations, err := shipload.Check(ctx, db, svc, sc, res)
		mustNoErr(t, err)
		for _, v := range violations {
			t.Error(v)
		}
	})
	t.Run("OneUnitOnce", func(t *testing.T) {
		e := newShipEnv(t, newDSN)
		_, err := e.w.USShipment(ctx, 1000)
		mustNoErr(t, err)
		serials := []string{"SN-C1", "SN-C2"}
		_, err = e.w.Import(ctx, 1, tollgate.Units{Serials: serials, Count: 2}, "")
		mustNoErr(t, err)
		o := e.licensedOrder(t, "PO-RACE", 100)
		_, err = e.w.LabReport(ctx, "LAB-RACE", tollgate.Units{Serials: serials, Count: 2}, 1975)
		mustNoErr(t, err)
		// Half the clients go through a second handle, as another
		// process or replica would.
		other := shippingService(t, MustOpen(t, e.dsn, e.clock.Now))
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			svc := e.svc
			if i%2 == 1 {
				svc = other
			}
			wg.Go(func() {
				_, errs[i] = svc.Reserve(ctx, shipping.ReserveRequest{OrderID: o.ID, Units: tollgate.Units{Serials: serials, Count: 2}})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch tollgate.ErrorCode(err) {
			case "":
				won++
			case tollgate.ECONFLICT:
			default:
				t.Errorf("concurrent reservation of the same units: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d concurrent reservations of the same units won, want 1", won, n)
		}
	})
}
