package shipping_test

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/internal/testenv"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
	"tollgate/store"
)

// TestRememberedReportsStaySound checks the reservations made while a lab
// report is remembered as signed (reportcache.go) against changes made to
// the database behind tollgate's back: a serial row added to the report
// does not cover that unit, and a changed report row or lab key is read
// and verified afresh, so that the report covers nothing.
func TestRememberedReportsStaySound(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "t.db") },
		"postgres": func(t *testing.T) string { return testenv.PostgresSchema(t, "tollgate_reportcache_test_") },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, dsn(t), time.Now)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			svc, err := shipping.NewService(db, classify.Default(), catalog.Default().Lookup, shipping.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			w, err := shipload.NewWorld(ctx, db, svc)
			if err != nil {
				t.Fatal(err)
			}
			lic, err := w.License(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.USShipment(ctx, 100); err != nil { // room under the cap
				t.Fatal(err)
			}
			units := func(s ...string) tollgate.Units { return tollgate.Units{Serials: s, Count: int64(len(s))} }
			if _, err := w.Import(ctx, 1, units("RC-0", "RC-1", "RC-2", "RC-3"), ""); err != nil {
				t.Fatal(err)
			}
			report, err := w.LabReport(ctx, "LR-RC", units("RC-0", "RC-1", "RC-2"), 1975) // RC-3 untested
			if err != nil {
				t.Fatal(err)
			}
			order, err := w.Order(ctx, "PO-RC", 10, lic)
			if err != nil {
				t.Fatal(err)
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.ExecContext(ctx, q, args...); return err }); err != nil {
					t.Fatal(err)
				}
			}
			reserve := func(serial string) error {
				t.Helper()
				e, err := svc.Reserve(ctx, shipping.ReserveRequest{OrderID: order.ID, Units: units(serial)})
				if err == nil {
					if _, err := svc.Void(ctx, e.ID, "test"); err != nil {
						t.Fatal(err)
					}
				}
				return err
			}
			untested := func(serial string, err error) {
				t.Helper()
				if tollgate.ErrorCode(err) != tollgate.EPRECONDITION || !strings.Contains(err.Error(), "without a passing signed lab report") {
					t.Errorf("reserving %s: %v, want EPRECONDITION for units without a passing signed lab report", serial, err)
				}
			}

			if err := reserve("RC-0"); err != nil { // verifies the report and remembers it
				t.Fatalf("reserving a tested unit: %v", err)
			}
			if err := reserve("RC-1"); err != nil { // with the remembered report
				t.Fatalf("reserving a tested unit again: %v", err)
			}
			// The report's row changed: read and verified afresh, it fails.
			exec(`UPDATE lab_reports SET method = ? WHERE id = ?`, report.Method+" (edited)", report.ID)
			untested("RC-2", reserve("RC-2"))
			exec(`UPDATE lab_reports SET method = ? WHERE id = ?`, report.Method, report.ID)
			if err := reserve("RC-2"); err != nil {
				t.Fatalf("reserving a tested unit once the report is restored: %v", err)
			}

			// A serial row smuggled into the report: the lab never signed it.
			exec(`INSERT INTO lab_report_serials (report_id, position, exporter_org_id, product, serial) VALUES (?, ?, ?, ?, ?)`,
				report.ID, 99, w.Exporter.ID, shipload.Product, "RC-3")
			untested("RC-3", reserve("RC-3"))
			exec(`DELETE FROM lab_report_serials WHERE report_id = ? AND serial = ?`, report.ID, "RC-3")

			// The lab key's public key replaced: the remembered signature
			// was made with another key.
			other, _, err := ed25519.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			exec(`UPDATE lab_keys SET public_key = ? WHERE id = ?`, []byte(other), w.Key.ID)
			untested("RC-0", reserve("RC-0"))
		})
	}
}
