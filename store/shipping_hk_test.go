package store_test

import (
	"context"
	"testing"

	"tollgate/classify"
	"tollgate/shipping/shipload"
	"tollgate/store"
	"tollgate/store/storetest"
)

// TestDestinationUnitsCountHongKong: export_totals keeps one row per
// destination, Hong Kong's included, so the units an existing store
// already holds for HK count against the cap as soon as the cap's
// destinations are classify's "China or Macau": no recount is needed.
func TestDestinationUnitsCountHongKong(t *testing.T) {
	for name, newDSN := range map[string]storetest.NewDSN{"sqlite": sqliteDSN, "postgres": postgresDSN} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, w := newShipWorld(t, newDSN(t))
			err := db.UpdateLocked(ctx, func(tx *store.Tx) error {
				for _, row := range []struct {
					dest              string
					reserved, shipped int64
				}{{"CN", 1, 2}, {"HK", 3, 7}, {"MO", 0, 5}, {"SG", 100, 100}} {
					if _, err := tx.ExecContext(ctx, `INSERT INTO export_totals (exporter_org_id, product, destination, reserved_units, shipped_units)
						VALUES (?, ?, ?, ?, ?)`, w.Exporter.ID, shipload.Product, row.dest, row.reserved, row.shipped); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var got store.UnitCounters
			err = db.UpdateLocked(ctx, func(tx *store.Tx) (err error) {
				got, err = tx.DestinationUnits(ctx, w.Exporter.ID, shipload.Product, classify.ChinaOrMacau())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := (store.UnitCounters{Reserved: 4, Shipped: 14}); got != want {
				t.Errorf("DestinationUnits(China or Macau) = %+v, want %+v (HK's row included, SG's not)", got, want)
			}
		})
	}
}
