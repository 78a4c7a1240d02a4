package shipping

import (
	"context"
	"fmt"
	"slices"

	"tollgate/store"
)

// CapPosition returns where exporter's product stands against the cap now:
// its US units, the cap they allow, the China and Macau units shipped or
// reserved (reservations past their expiry excluded, swept or not) and the
// headroom.
//
// product may be any name of a catalog product; an unknown one is
// ENOTFOUND.
func (s *Service) CapPosition(ctx context.Context, exporterOrgID, product string) (CapPosition, error) {
	product, err := s.product(product, "")
	if err != nil {
		return CapPosition{}, wrap("CapPosition", err)
	}
	return s.capPositionOf(ctx, exporterOrgID, product)
}

// capPositionOf is CapPosition of a product identity as stored.
func (s *Service) capPositionOf(ctx context.Context, exporterOrgID, product string) (CapPosition, error) {
	var pos CapPosition
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		pos, err = s.capPosition(ctx, tx, exporterOrgID, product)
		return err
	})
	if err != nil {
		return CapPosition{}, wrap("CapPosition", err)
	}
	return pos, nil
}

func (s *Service) capPosition(ctx context.Context, tx *store.Tx, exporter, product string) (CapPosition, error) {
	us, err := tx.USUnits(ctx, exporter, product)
	if err != nil {
		return CapPosition{}, err
	}
	held, err := tx.DestinationUnits(ctx, exporter, product, s.cfg.CapDestinations)
	if err != nil {
		return CapPosition{}, err
	}
	stale, err := tx.ExpiredReservations(ctx, exporter, product, tx.Now(), 0)
	if err != nil {
		return CapPosition{}, err
	}
	n := held.Held()
	for _, e := range stale {
		if s.cfg.capped(e.Destination) {
			n -= e.Units.Count
		}
	}
	return NewCapPosition(s.cfg, product, us, n), nil
}

// Report returns the shipping report of exporter for periods and products
// (every product in its records when none): China revenue and units, the
// Section 232 duty on them, US units, the cap and its headroom, and the
// revenue of cancelled orders by reason. See the package function Report.
// Products may be any names of catalog products; an unknown one is
// ENOTFOUND.
func (s *Service) Report(ctx context.Context, exporterOrgID string, periods []Period, products []string) ([]PeriodReport, error) {
	products = slices.Clone(products)
	for i, p := range products {
		var err error
		if products[i], err = s.product(p, ""); err != nil {
			return nil, wrap("Report", err)
		}
	}
	recs, err := s.db.ShippingRecordsOf(ctx, exporterOrgID)
	if err != nil {
		return nil, wrap("Report", err)
	}
	out, err := Report(ReportInput{Config: s.cfg, ExporterOrgID: exporterOrgID, Products: products, Periods: periods,
		Shipments: recs.Shipments, Imports: recs.Imports, Exports: recs.Exports, Orders: recs.Orders})
	if err != nil {
		return nil, wrap("Report", err)
	}
	return out, nil
}

// Verify checks the store's shipping invariants now and returns one line
// per violation, none when everything holds: every counter equals the sum
// of the records it counts, no license item or order is over its quantity
// or value, no unit is held twice or exported without being imported for
// export (store.CheckShippingCounters), and no exporter's product holds
// more China and Macau units than the cap allows. The last can follow
// legitimately from a reversal of US shipments; the others never can.
func (s *Service) Verify(ctx context.Context) ([]string, error) {
	out, err := s.db.CheckShippingCounters(ctx)
	if err != nil {
		return nil, wrap("Verify", err)
	}
	rows, err := s.db.CapRows(ctx)
	if err != nil {
		return nil, wrap("Verify", err)
	}
	for _, r := range rows {
		pos, err := s.capPositionOf(ctx, r.ExporterOrgID, r.Product)
		if err != nil {
			return nil, wrap("Verify", err)
		}
		if pos.Headroom < 0 {
			out = append(out, fmt.Sprintf("cap exceeded: %s %s holds %d China and Macau units, the cap of %d US units allows %d",
				r.ExporterOrgID, r.Product, pos.HeldUnits, pos.USUnits, pos.CapUnits))
		}
	}
	return out, nil
}
