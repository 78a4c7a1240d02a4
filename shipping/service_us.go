package shipping

import (
	"context"
	"time"

	"tollgate"
	"tollgate/store"
)

// RecordUSShipment records s, units of a product shipped to a US customer
// for US end use (the cap's denominator), as the caller, and returns it as
// stored. The date is taken as a UTC date and may not be in the future; a
// correction is ReverseUSShipment, never a negative shipment. A shipment
// without an end use, or to the exporter itself or an affiliate, is
// refused (CheckUSCustomer).
func (s *Service) RecordUSShipment(ctx context.Context, sh tollgate.DomesticShipment) (*tollgate.DomesticShipment, error) {
	if err := s.identify(&sh.Product); err != nil {
		return nil, wrap("RecordUSShipment", err)
	}
	sh.ShippedOn = civilDate(sh.ShippedOn)
	sh.RecordedBy = actor(ctx)
	if sh.Reverses != "" || sh.Units < 0 {
		return nil, wrap("RecordUSShipment", tollgate.FieldErrorf("units", "a correction is a reversal of the shipment it corrects (ReverseUSShipment)"))
	}
	if err := sh.Validate(); err != nil {
		return nil, wrap("RecordUSShipment", err)
	}
	err := s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		if sh.ShippedOn.After(civilDate(tx.Now())) {
			return tollgate.FieldErrorf("shipped_on", "%s is in the future", sh.ShippedOn.Format(time.DateOnly))
		}
		exporter, err := tx.Org(ctx, sh.ExporterOrgID)
		if err != nil {
			return err
		}
		if err := CheckUSCustomer(*exporter, sh); err != nil {
			return err
		}
		if err := tx.InsertUSShipment(ctx, &sh); err != nil {
			return err
		}
		return tx.Audit(ctx, "us_shipment.record", "us_shipment", sh.ID, nil, sh)
	})
	if err != nil {
		return nil, wrap("RecordUSShipment", err)
	}
	return &sh, nil
}

// ReverseUSShipment records a reversal of units of US shipment id (all the
// units it has left when units is 0) for reason, and returns it. The
// reversal lowers the cap's denominator; the reversals of one shipment
// never take more than it shipped (ECONFLICT). A reversal may leave the
// product's China units over its cap: nothing already shipped is undone,
// but no reservation passes until the US units catch up.
func (s *Service) ReverseUSShipment(ctx context.Context, id string, units int64, reason string) (*tollgate.DomesticShipment, error) {
	if units < 0 {
		return nil, wrap("ReverseUSShipment", tollgate.FieldErrorf("units", "the units to reverse are counted positive; got %d", units))
	}
	var rev tollgate.DomesticShipment
	err := s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		orig, err := tx.FindUSShipment(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.LockCap(ctx, orig.ExporterOrgID, orig.Product); err != nil {
			return err
		}
		prior, err := tx.USShipmentReversals(ctx, orig.ID)
		if err != nil {
			return err
		}
		n := units
		if n == 0 {
			n = orig.Units
			for _, p := range prior {
				n += p.Units
			}
			if n <= 0 {
				return tollgate.Errorf(tollgate.ECONFLICT, "shipment %s is already fully reversed", orig.ID)
			}
		}
		rev = orig.Reversal(n, reason)
		rev.RecordedBy = actor(ctx)
		if err := CheckReversal(*orig, rev, prior); err != nil {
			return err
		}
		if err := tx.InsertUSShipment(ctx, &rev); err != nil {
			return err
		}
		return tx.Audit(ctx, "us_shipment.reverse", "us_shipment", rev.ID, nil, rev)
	})
	if err != nil {
		return nil, wrap("ReverseUSShipment", err)
	}
	return &rev, nil
}
