// Package shipload is the concurrency scenario of the shipping use cases:
// many clients reserving and shipping against one license and one 50% cap,
// then a check that every counter is exact and no limit was exceeded. The
// store's benchmark, its conformance suite and `tollgate bench ship` all
// run it, on SQLite and on PostgreSQL.
//
// Setup builds a world in which the cap is the binding limit: an exporter
// with US shipments, one license for more units than the cap allows, one
// licensed order per client, and every unit imported and covered by a
// passing signed lab report. Run then attempts more reservations than the
// cap has room for, so that the last ones must be refused whatever the
// interleaving, and Check verifies the outcome.
package shipload

import (
	"context"
	"fmt"

	"tollgate"
	"tollgate/shipping"
	"tollgate/store"
)

// Product is the product the scenario ships: the H200, by its product
// identity (the product key of the catalog's model, H200 SXM), under which
// caps, licenses and orders count it whatever name a request gives.
const Product = "H200 SXM"

// UnitPriceCents is the order price of one unit: $27,000.
const UnitPriceCents = 2_700_000

// Options sizes the scenario.
type Options struct {
	// Clients is the number of concurrent clients (32 in the benchmark).
	Clients int
	// Attempts is the number of reservations the clients attempt in all.
	Attempts int
	// UnitsPerExport is the number of serial-numbered units one
	// reservation takes.
	UnitsPerExport int
	// CapPercent is the share of the attempts the cap has room for: 90
	// means the last tenth of the attempts must be refused.
	CapPercent int
	// CapUnits, when positive, is the cap's room in units, overriding
	// CapPercent.
	CapUnits int64
}

// withDefaults fills zero fields: 32 clients, 4 units per export, cap
// room for 90% of the attempts.
func (o Options) withDefaults() Options {
	if o.Clients <= 0 {
		o.Clients = 32
	}
	if o.Attempts <= 0 {
		o.Attempts = 100 * o.Clients
	}
	if o.UnitsPerExport <= 0 {
		o.UnitsPerExport = 4
	}
	if o.CapPercent <= 0 || o.CapPercent > 100 {
		o.CapPercent = 90
	}
	return o
}

// Scenario is the world Setup built: who and what the clients reserve.
type Scenario struct {
	Options Options
	// ExporterOrgID is the exporter; LicenseID its license, for more units
	// than all attempts take.
	ExporterOrgID string
	LicenseID     string
	// OrderIDs has one licensed order per client; Serials the serials each
	// client reserves, UnitsPerExport at a time.
	OrderIDs []string
	Serials  [][]string
	// USUnits is the exporter's US units; CapUnits the China units they
	// allow.
	USUnits  int64
	CapUnits int64
}

// Setup builds the scenario in db, through svc's use cases where there is
// one (US shipments, imports, lab keys and reports, orders) and through the
// store directly for what belongs to licensing and screening (an
// application and its license, the customer's clear screening). It uses the
// store's clock, which must be after 15 January 2026.
func Setup(ctx context.Context, db *store.DB, svc *shipping.Service, o Options) (*Scenario, error) {
	o = o.withDefaults()
	sc := &Scenario{Options: o}
	units := int64(o.Attempts * o.UnitsPerExport)
	sc.CapUnits = units * int64(o.CapPercent) / 100
	if o.CapUnits > 0 {
		sc.CapUnits = o.CapUnits
	}
	sc.USUnits = 2 * sc.CapUnits
	w, err := NewWorld(ctx, db, svc)
	if err != nil {
		return nil, fmt.Errorf("shipload.Setup: %w", err)
	}
	sc.ExporterOrgID = w.Exporter.ID
	if sc.LicenseID, err = w.License(ctx, units+int64(o.UnitsPerExport)); err != nil {
		return nil, fmt.Errorf("shipload.Setup: license: %w", err)
	}
	if _, err := w.USShipment(ctx, sc.USUnits); err != nil {
		return nil, fmt.Errorf("shipload.Setup: US shipment: %w", err)
	}
	perClient := (o.Attempts + o.Clients - 1) / o.Clients
	for c := range o.Clients {
		serials := make([]string, perClient*o.UnitsPerExport)
		for i := range serials {
			serials[i] = fmt.Sprintf("H200-C%02d-%06d", c, i)
		}
		sc.Serials = append(sc.Serials, serials)
		if _, err := w.Import(ctx, c+1, tollgate.Units{Serials: serials, Count: int64(len(serials))}, ""); err != nil {
			return nil, fmt.Errorf("shipload.Setup: client %d: %w", c, err)
		}
		// Every export is reviewed: one report of exactly each export's units.
		for start := 0; start < len(serials); start += o.UnitsPerExport {
			block := serials[start:min(len(serials), start+o.UnitsPerExport)]
			number := fmt.Sprintf("LAB-%02d-%06d", c, start)
			if _, err := w.LabReport(ctx, number, tollgate.Units{Serials: block, Count: int64(len(block))}, 1975); err != nil {
				return nil, fmt.Errorf("shipload.Setup: client %d: %w", c, err)
			}
		}
		order, err := w.Order(ctx, fmt.Sprintf("PO-LOAD-%02d", c), int64(len(serials)), sc.LicenseID)
		if err != nil {
			return nil, fmt.Errorf("shipload.Setup: client %d: %w", c, err)
		}
		sc.OrderIDs = append(sc.OrderIDs, order.ID)
	}
	return sc, nil
}
