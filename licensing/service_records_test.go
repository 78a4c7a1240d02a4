package licensing_test

import (
	"testing"
	"time"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/licensing"
	"tollgate/licensing/licensingtest"
	"tollgate/shipping"
)

// TestPrecheckUSUnitsFromRecords checks that once the exporter has US
// shipment records for a product, the 50% cap projection counts them
// instead of the units the application states.
func TestPrecheckUSUnitsFromRecords(t *testing.T) {
	licensingtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		clock := licensingtest.NewClock()
		db := licensingtest.Open(t, dsn, clock.Now)
		w := licensingtest.NewWorld(t, db)
		svc := licensingtest.NewService(t, db)
		w.SetAgencies(t, svc)
		officer := licensingtest.As(w.Officer())
		id := w.Certified(t, svc)

		capOf := func() *licensing.CapProjection {
			t.Helper()
			rep, err := svc.Precheck(officer, id)
			mustNoErr(t, err)
			for _, c := range rep.Checks {
				if c.Name == licensing.CheckChinaCap {
					return c.Cap
				}
			}
			t.Fatalf("no %s check in %+v", licensing.CheckChinaCap, rep.Checks)
			return nil
		}
		if got := capOf(); got.USUnitsSource != tollgate.UnitsStated || got.USUnits != 10_000 {
			t.Fatalf("before any record: got %d units (%s), want 10000 (stated)", got.USUnits, got.USUnitsSource)
		}

		ship, err := shipping.NewService(db, classify.Default(), catalog.Default().Lookup, shipping.DefaultConfig())
		mustNoErr(t, err)
		_, err = ship.RecordUSShipment(officer, tollgate.DomesticShipment{ExporterOrgID: w.Exporter.ID, Product: "H200",
			Units: 1_500, ShippedOn: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC), Customer: "US Cloud", EndUse: "cloud AI services", Reference: "INV-1"})
		mustNoErr(t, err)
		got := capOf()
		if got.USUnitsSource != tollgate.UnitsFromRecords || got.USUnits != 1_500 {
			t.Fatalf("after a record: got %d units (%s), want 1500 (records)", got.USUnits, got.USUnitsSource)
		}
		// 1,000 applied units against half of 1,500 recorded: the cap fails.
		rep, err := svc.Precheck(officer, id)
		mustNoErr(t, err)
		if rep.CanSubmit {
			t.Error("prechecks pass with 1,000 units applied against 1,500 recorded US units")
		}
	})
}
