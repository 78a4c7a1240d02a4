package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestProductIdentityMigration upgrades a SQLite database holding US
// shipments, the cap's counters and an order under several names of one
// product: 0013 keys them all to the catalog's identity, sums the counters
// of the merged names, and leaves a name the catalog does not know as it
// was.
func TestProductIdentityMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	const (
		org   = "01900000-0000-7000-8000-000000000001"
		party = "01900000-0000-7000-8000-000000000002"
		at    = "'2026-01-01T00:00:00.000000Z'"
	)
	stmts := []string{`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, digest TEXT NOT NULL, applied_at TEXT NOT NULL)`}
	for _, m := range ms {
		if m.version >= "0013" {
			break
		}
		stmts = append(stmts, m.sql, `INSERT INTO schema_migrations VALUES ('`+m.version+`', '`+m.digest+`', `+at+`)`)
	}
	stmts = append(stmts,
		`INSERT INTO orgs VALUES ('`+org+`', 'exporter', 'Old Exporter', 'US', `+at+`, `+at+`)`,
		`INSERT INTO parties VALUES ('`+party+`', '`+org+`', 'purchaser', 'organization', 'Old Party', '[]', '[]', 'CN', '', '', '[]', 'clear', `+at+`, `+at+`)`)
	for i, p := range []struct {
		product string
		units   int
	}{{"H200", 100}, {"H200 SXM5", 50}, {"NVIDIA H200", 25}, {"FOO 9", 7}} {
		id := "01900000-0000-7000-8000-00000000010" + string(rune('0'+i))
		stmts = append(stmts,
			`INSERT INTO us_shipments (id, exporter_org_id, product, units, shipped_on, customer, reference, reverses, reason, recorded_by, recorded_at)
				VALUES ('`+id+`', '`+org+`', '`+p.product+`', `+strconv.Itoa(p.units)+`, `+at+`, 'US Cloud', 'INV-`+strconv.Itoa(i)+`', NULL, '', 'u', `+at+`)`,
			`INSERT INTO cap_locks (exporter_org_id, product, us_units) VALUES ('`+org+`', '`+p.product+`', `+strconv.Itoa(p.units)+`)`)
	}
	stmts = append(stmts, `INSERT INTO orders (id, exporter_org_id, customer_party_id, reference, product, quantity, unit_price_cents,
		destination, state, license_id, prc_status, cancel_reason, cancelled_at, reserved_units, shipped_units, created_by, created_at, updated_at)
		VALUES ('01900000-0000-7000-8000-000000000200', '`+org+`', '`+party+`', 'PO-1', 'H200', 10, 100, 'CN', 'drafted', NULL,
		'unknown', NULL, NULL, 0, 0, 'u', `+at+`, `+at+`)`)
	for _, s := range stmts {
		if _, err := old.ExecContext(ctx, s); err != nil {
			t.Fatalf("set up the schema before 0013: %v\n%s", err, s)
		}
	}
	old.Close()

	db, err := Open(ctx, "sqlite:"+path, func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer db.Close()
	got := map[string]int64{}
	err = db.View(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT product, us_units FROM cap_locks WHERE exporter_org_id = ?`, org)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			var n int64
			if err := rows.Scan(&p, &n); err != nil {
				return err
			}
			got[p] = n
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["H200 SXM"] != 175 || got["FOO 9"] != 7 {
		t.Errorf("cap counters after 0013: %v, want H200 SXM 175 (three names summed) and FOO 9 7 (unknown, kept)", got)
	}
	ships, _, err := db.FindUSShipments(ctx, ShippingFilter{ExporterOrgID: org})
	if err != nil {
		t.Fatal(err)
	}
	var products []string
	for _, s := range ships {
		products = append(products, s.Product)
	}
	if strings.Join(products, ",") != "H200 SXM,H200 SXM,H200 SXM,FOO 9" {
		t.Errorf("US shipments' products after 0013: %q", products)
	}
	o, _, err := db.FindOrderByID(ctx, "01900000-0000-7000-8000-000000000200")
	if err != nil || o.Product != "H200 SXM" {
		t.Errorf("order after 0013: %+v, %v; want product H200 SXM", o, err)
	}
	violations, err := db.CheckShippingCounters(ctx)
	if err != nil || len(violations) > 0 {
		t.Errorf("counters after 0013: %q, %v", violations, err)
	}
}
