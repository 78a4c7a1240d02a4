package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"tollgate"
	"tollgate/shipping/shipload"
	"tollgate/store"
	"tollgate/store/storetest"
)

// TestUnitLookupsOfManySerials checks the lookups a reservation's facts
// are read with, for more serials than one statement of SQLite's takes
// (so in several batches there, in one array on PostgreSQL), and in a
// keyed transaction: each import entry and lab report comes once, complete
// with all its serials.
func TestUnitLookupsOfManySerials(t *testing.T) {
	for name, newDSN := range map[string]storetest.NewDSN{"sqlite": sqliteDSN, "postgres": postgresDSN} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, w := newShipWorld(t, newDSN(t))
			if _, err := w.License(ctx, 2000); err != nil {
				t.Fatal(err)
			}
			const n = 1100 // over two of SQLite's batches of 512
			all := make([]string, n)
			for i := range all {
				all[i] = fmt.Sprintf("H200-MANY-%05d", i)
			}
			units := func(s []string) tollgate.Units { return tollgate.Units{Serials: s, Count: int64(len(s))} }
			// Two entries and two reports, each of half the serials, the
			// second half's report also covering the first serial.
			for i, half := range [][]string{all[:n/2], all[n/2:]} {
				if _, err := w.Import(ctx, i+1, units(half), ""); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := w.LabReport(ctx, "LR-MANY-1", units(all[:n/2]), 1975); err != nil {
				t.Fatal(err)
			}
			if _, err := w.LabReport(ctx, "LR-MANY-2", units(append([]string{all[0]}, all[n/2:]...)), 1975); err != nil {
				t.Fatal(err)
			}
			err := db.ViewKeyed(ctx, func(tx *store.Tx) error {
				imports, err := tx.ImportsOfUnits(ctx, w.Exporter.ID, shipload.Product, units(all))
				if err != nil {
					return err
				}
				if got := countUnits(imports, func(e tollgate.ImportEntry) int { return len(e.Units.Serials) }); len(imports) != 2 || got != n {
					t.Errorf("ImportsOfUnits: %d entries holding %d serials, want 2 holding %d", len(imports), got, n)
				}
				reports, keys, err := tx.LabReportsOfUnits(ctx, w.Exporter.ID, shipload.Product, w.ApplicationID, units(all), nil)
				if err != nil {
					return err
				}
				if got := countUnits(reports, func(r tollgate.LabReport) int { return len(r.Units.Serials) }); len(reports) != 2 || got != n+1 {
					t.Errorf("LabReportsOfUnits: %d reports covering %d serials, want 2 covering %d", len(reports), got, n+1)
				}
				if len(reports) == 2 && reports[0].ID > reports[1].ID {
					t.Errorf("LabReportsOfUnits: reports not in id order")
				}
				if len(keys) != 1 {
					t.Errorf("LabReportsOfUnits: %d keys, want 1", len(keys))
				}
				// Serials a caller knows are not read again.
				known := func(r *tollgate.LabReport) bool {
					if r.Number != "LR-MANY-1" {
						return false
					}
					r.Units.Serials = []string{"KNOWN"}
					return true
				}
				reports, _, err = tx.LabReportsOfUnits(ctx, w.Exporter.ID, shipload.Product, w.ApplicationID, units(all), known)
				if err != nil {
					return err
				}
				for _, r := range reports {
					if want := n/2 + 1; r.Number == "LR-MANY-1" && len(r.Units.Serials) != 1 || r.Number == "LR-MANY-2" && len(r.Units.Serials) != want {
						t.Errorf("LabReportsOfUnits with a known report: %s covers %d serials, want 1 for the known one, %d for the other", r.Number, len(r.Units.Serials), want)
					}
				}
				held, err := tx.ExportsOfUnits(ctx, w.Exporter.ID, shipload.Product, units(all), tx.Now())
				if err != nil {
					return err
				}
				if len(held) != 0 {
					t.Errorf("ExportsOfUnits: %d exports hold units never reserved", len(held))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// newShipWorld opens a store at dsn with a shipping world in it.
func newShipWorld(t *testing.T, dsn string) (*store.DB, *shipload.World) {
	t.Helper()
	db := storetest.MustOpen(t, dsn, time.Now)
	w, err := shipload.NewWorld(context.Background(), db, mustShippingService(t, db))
	if err != nil {
		t.Fatal(err)
	}
	return db, w
}

func countUnits[T any](xs []T, n func(T) int) int {
	total := 0
	for _, x := range xs {
		total += n(x)
	}
	return total
}

// TestPrefetchSetLocks checks that what PrefetchSetLocks reads is what the
// calls it stands in for read themselves, and, on PostgreSQL, that they
// then find it remembered: a license item's counters changed by another
// connection after the prefetch are not read again.
func TestPrefetchSetLocks(t *testing.T) {
	for name, newDSN := range map[string]storetest.NewDSN{"sqlite": sqliteDSN, "postgres": postgresDSN} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dsn := newDSN(t)
			db, w := newShipWorld(t, dsn)
			lic, err := w.License(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.USShipment(ctx, 10); err != nil {
				t.Fatal(err)
			}
			order, err := w.Order(ctx, "PO-PREFETCH", 5, lic)
			if err != nil {
				t.Fatal(err)
			}
			type reads struct {
				status  tollgate.LicenseStatus
				us      int64
				lock    store.OrderLock
				item    store.LicenseItemUsage
				totals  store.UnitCounters
				missing error
			}
			dests := []string{"CN", "MO"}
			read := func(tx *store.Tx) (r reads, err error) {
				if r.status, _, err = tx.LockLicenseStatus(ctx, lic); err != nil {
					return r, err
				}
				if r.us, err = tx.LockCap(ctx, w.Exporter.ID, shipload.Product); err != nil {
					return r, err
				}
				if r.lock, err = tx.LockOrderUnits(ctx, order.ID); err != nil {
					return r, err
				}
				if _, r.item, err = tx.LicenseItem(ctx, lic, shipload.Product); err != nil {
					return r, err
				}
				r.totals, err = tx.DestinationUnits(ctx, w.Exporter.ID, shipload.Product, dests)
				_, _, r.missing = tx.LockLicenseStatus(ctx, "00000000-0000-7000-8000-000000000000")
				return r, err
			}
			var want, got reads
			if err := db.UpdateLockedKeyed(ctx, func(tx *store.Tx) (err error) { want, err = read(tx); return err }); err != nil {
				t.Fatal(err)
			}
			var external *sql.DB
			if name == "postgres" {
				if external, err = sql.Open("pgx", dsn); err != nil {
					t.Fatal(err)
				}
				defer external.Close()
			}
			err = db.UpdateLockedKeyed(ctx, func(tx *store.Tx) (err error) {
				err = tx.PrefetchSetLocks(ctx, store.SetLocks{Licenses: []string{lic, "00000000-0000-7000-8000-000000000000"},
					Caps:   []store.OfProduct{{Owner: w.Exporter.ID, Product: shipload.Product}},
					Orders: []string{order.ID}, Items: []store.OfProduct{{Owner: lic, Product: shipload.Product}},
					Totals: []store.OfProduct{{Owner: w.Exporter.ID, Product: shipload.Product}}, Destinations: dests})
				if err != nil {
					return err
				}
				if external != nil { // a change the remembered read must not see
					if _, err := external.ExecContext(ctx, `UPDATE license_items SET reserved_units = reserved_units + 1 WHERE license_id = $1`, lic); err != nil {
						return err
					}
				}
				got, err = read(tx)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if tollgate.ErrorCode(got.missing) != tollgate.ENOTFOUND {
				t.Errorf("a license that does not exist, after the prefetch: %v, want ENOTFOUND", got.missing)
			}
			got.missing, want.missing = nil, nil
			if got != want {
				t.Errorf("after PrefetchSetLocks the calls read %+v, want %+v (as without it)", got, want)
			}
		})
	}
}
