package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/shipping"
)

// shipmentSpec is one export of units of a lot for an order: reserved at
// Reserve, shipped at Ship under the export filing's reference (the
// AES internal transaction number).
type shipmentSpec struct {
	Order   string
	Lot     string
	Units   int64
	Reserve string
	Ship    string
	ITN     string
}

// The exports of February and March 2026. Between the first two, a
// reservation of all 2,500 units of AL-2025-001 is refused by the cap.
var (
	firstExport  = shipmentSpec{"BD-2025-001", "TW-H200-2601-A", 3000, "2026-02-05 10:00", "2026-02-06 09:00", "X20260206004417"}
	secondExport = shipmentSpec{"AL-2025-001", "TW-H200-2601-B", 2000, "2026-02-10 10:30", "2026-02-11 09:00", "X20260211002903"}
	lastExport   = shipmentSpec{"AL-2025-001", "TW-H200-2601-B", 500, "2026-03-04 10:00", "2026-03-05 09:00", "X20260305001188"}
)

// shipAct ships ByteDance's order (5-6 Feb 2026); a reservation of all of
// Alibaba's order is refused by the 50% cap and 2,000 units ship instead
// (10-11 Feb); the US shipments of late February raise the cap and the
// last 500 units ship (2-5 Mar); both orders are delivered (10 Mar).
func (p *play) shipAct(ctx context.Context) error {
	if err := p.export(ctx, firstExport); err != nil {
		return err
	}

	p.at("2026-02-10 10:00")
	_, err := p.reserve(ctx, "AL-2025-001", "TW-H200-2601-B", 2500)
	var le shipping.LimitExceeded
	if tollgate.ErrorCode(err) != tollgate.ELIMIT || !limitOf(err, &le) || le.Limit != shipping.LimitChinaCap {
		return step("reserve AL-2025-001", fmt.Errorf("want a refusal by the China cap, got %v", err))
	}
	p.counts.capRefusals++
	p.tell("ship", "reservation of all 2,500 units of AL-2025-001 refused: %s", tollgate.ErrorMessage(err))
	// Every shipment is reviewed: a review covers exactly the units of one
	// export, so the smaller shipment needs its own.
	if err := p.labReview(ctx, secondExport.Lot, secondExport.Units); err != nil {
		return err
	}
	if err := p.export(ctx, secondExport); err != nil {
		return err
	}

	p.at("2026-03-02 10:00")
	pos, err := p.recordUSShipments(ctx, usShipmentsFebruary)
	if err != nil {
		return step("US shipments", err)
	}
	p.tell("ship", "%s records %s more US units (%s): %s US units, cap %s, headroom %s",
		p.cast.officer().user.Email, thousands(usUnits(usShipmentsFebruary)), usCustomers(usShipmentsFebruary),
		thousands(pos.USUnits), thousands(pos.CapUnits), thousands(pos.Headroom))
	p.at("2026-03-03 14:00")
	if err := p.labReview(ctx, lastExport.Lot, lastExport.Units); err != nil {
		return err
	}
	if err := p.export(ctx, lastExport); err != nil {
		return err
	}

	p.at("2026-03-10 10:00")
	for _, ref := range []string{"BD-2025-001", "AL-2025-001"} {
		if err := p.orderEvent(ctx, ref, shipping.OrderEvent{Kind: shipping.OrderEventDeliver, Note: "delivered to the customer's data center"}); err != nil {
			return step("deliver "+ref, err)
		}
	}
	p.tell("ship", "orders BD-2025-001 and AL-2025-001 are delivered")
	return nil
}

// export reserves and ships one export.
func (p *play) export(ctx context.Context, s shipmentSpec) error {
	p.at(s.Reserve)
	e, err := p.reserve(ctx, s.Order, s.Lot, s.Units)
	if err != nil {
		return step("reserve "+s.Order, err)
	}
	shipAt := p.at(s.Ship)
	sctx, err := p.as(ctx, p.cast.officer(), "export.ship", auth.OwnedBy(p.cast.exporter().ID))
	if err != nil {
		return err
	}
	if e, err = p.shipping.Ship(sctx, e.ID, s.ITN, shipAt); err != nil {
		return step("ship "+s.Order, err)
	}
	pos, err := p.shipping.CapPosition(ctx, p.cast.exporter().ID, product)
	if err != nil {
		return err
	}
	p.tell("ship", "%s reserves %s units of lot %s for %s under license %s, and ships them on %s (ITN %s): %s of the %s-unit cap held",
		p.cast.officer().user.Email, thousands(s.Units), s.Lot, s.Order, e.LicenseNumber, shipAt.Format(time.DateOnly), s.ITN,
		thousands(pos.HeldUnits), thousands(pos.CapUnits))
	return nil
}

// reserve asks the shipping service, as the officer, to reserve units of
// a lot for an order.
func (p *play) reserve(ctx context.Context, ref, lot string, units int64) (*tollgate.Export, error) {
	rctx, err := p.as(ctx, p.cast.officer(), "export.reserve", auth.OwnedBy(p.cast.exporter().ID))
	if err != nil {
		return nil, err
	}
	return p.shipping.Reserve(rctx, shipping.ReserveRequest{OrderID: p.orders[ref].ID, Units: tollgate.Units{Lot: lot, Count: units}})
}

// limitOf finds the LimitExceeded details of an ELIMIT error.
func limitOf(err error, le *shipping.LimitExceeded) bool {
	var te *tollgate.Error
	if !errors.As(err, &te) {
		return false
	}
	d, ok := te.Details.(shipping.LimitExceeded)
	if ok {
		*le = d
	}
	return ok
}

func usUnits(ss []usShipment) int64 {
	var n int64
	for _, s := range ss {
		n += s.Units
	}
	return n
}
