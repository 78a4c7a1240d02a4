package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestImportEntryPerFilerMigration upgrades a SQLite database that holds an
// import entry and its serial under the migrations before 0015: 0015
// rebuilds import_entries so that an entry line is unique per filer, and
// the row, and the serial that references it, must come through.
func TestImportEntryPerFilerMigration(t *testing.T) {
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
	if _, err := old.ExecContext(ctx, `CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, digest TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version >= "0015" {
			break
		}
		if _, err := old.ExecContext(ctx, m.sql); err != nil {
			t.Fatalf("%s: %v", m.version, err)
		}
		if _, err := old.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00.000000Z')`, m.version, m.digest); err != nil {
			t.Fatal(err)
		}
	}
	const (
		exporter = "01900000-0000-7000-8000-000000000001"
		broker   = "01900000-0000-7000-8000-000000000002"
		other    = "01900000-0000-7000-8000-000000000003"
		entry    = "01900000-0000-7000-8000-000000000004"
		when     = "2026-01-01T00:00:00.000000Z"
	)
	insertEntry := func(id, importer string) string {
		return `INSERT INTO import_entries (id, importer_org_id, exporter_org_id, importer_of_record, entry_number, line,
			entry_date, product, lot, count, country_of_origin, hts, entered_value_cents, exemption, end_use_certification,
			heading, band, rate_bp, duty_cents, bound, duty_status, payment_reference, paid_on, recorded_by, recorded_at) VALUES ('` + id + `', '` + importer + `', '` + exporter + `', 'Importer', 'AB1-0000001-6', 1,
			'` + when + `', 'h200', 'LOT-1', 1, 'TW', '8473.30.1180', 100, '', '', '8473', 0, 0, 0, 0, 'none', '', NULL, 'u', '` + when + `')`
	}
	for _, s := range []string{
		`INSERT INTO orgs (id, kind, name, country, created_at, updated_at) VALUES ('` + exporter + `', 'exporter', 'Old Exporter', 'US', '` + when + `', '` + when + `')`,
		`INSERT INTO orgs (id, kind, name, country, created_at, updated_at) VALUES ('` + broker + `', 'broker', 'Old Broker', 'US', '` + when + `', '` + when + `')`,
		`INSERT INTO orgs (id, kind, name, country, created_at, updated_at) VALUES ('` + other + `', 'broker', 'Other Broker', 'US', '` + when + `', '` + when + `')`,
		insertEntry(entry, broker),
		`INSERT INTO import_serials (exporter_org_id, product, serial, import_id, position) VALUES ('` + exporter + `', 'h200', 'SN1', '` + entry + `', 1)`,
	} {
		if _, err := old.ExecContext(ctx, s); err != nil {
			t.Fatalf("set up: %v", err)
		}
	}
	old.Close()

	db, err := Open(ctx, "sqlite:"+path, func() time.Time { return time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer db.Close()
	var importer, number string
	if err := db.write.QueryRowContext(ctx, `SELECT importer_org_id, entry_number FROM import_entries WHERE id = ?`, entry).Scan(&importer, &number); err != nil ||
		importer != broker || number != "AB1-0000001-6" {
		t.Fatalf("entry after the upgrade: %s %s, %v", importer, number, err)
	}
	exec := func(q string) error {
		return db.Update(ctx, func(tx *Tx) error { _, err := tx.ExecContext(ctx, q); return err })
	}
	if err := exec(insertEntry("01900000-0000-7000-8000-000000000005", other)); err != nil {
		t.Errorf("another filer's entry with the same number and line: %v", err)
	}
	if err := exec(insertEntry("01900000-0000-7000-8000-000000000006", broker)); err == nil {
		t.Error("the same filer recorded an entry line twice: the unique constraint is gone")
	}
	if err := exec(`DELETE FROM import_entries WHERE id = '` + entry + `'`); err == nil {
		t.Error("deleted an entry a serial references: the foreign key is gone")
	}
	rows, err := db.write.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Error("foreign_key_check reports violations after the upgrade")
	}
}
