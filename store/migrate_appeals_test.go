package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAppealsMigrationKeepsApplications upgrades a SQLite database that
// holds an application, its assignment and its license under the
// migrations before 0014: 0014 rebuilds the applications table to allow the
// appeal states, and the rows, and the foreign keys that reference them,
// must come through.
func TestAppealsMigrationKeepsApplications(t *testing.T) {
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
		if m.version >= "0014" {
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
		org  = "01900000-0000-7000-8000-000000000001"
		app  = "01900000-0000-7000-8000-000000000002"
		lic  = "01900000-0000-7000-8000-000000000003"
		when = "2026-01-01T00:00:00.000000Z"
	)
	for _, s := range []string{
		`INSERT INTO orgs (id, kind, name, country, created_at, updated_at) VALUES ('` + org + `', 'exporter', 'Old Exporter', 'US', '` + when + `', '` + when + `')`,
		`INSERT INTO applications VALUES ('` + app + `', '` + org + `', 'escalated', 'Z000001', 3, '{}', 'u', '` + when + `', '` + when + `', '` + when + `')`,
		`INSERT INTO application_assignments VALUES ('` + app + `', '` + org + `', 'submitted', '` + when + `')`,
		`INSERT INTO licenses (id, number, holder_org_id, issuing_org_id, application_id, control_number, destination, parties,
			valid_from, valid_to, status, status_reason, issued_at) VALUES ('` + lic + `', 'D000001', '` + org + `', '` + org + `', '` + app + `',
			'Z000001', 'CN', '{}', '` + when + `', '` + when + `', 'active', '', '` + when + `')`,
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
	var state, number string
	if err := db.write.QueryRowContext(ctx, `SELECT state, control_number FROM applications WHERE id = ?`, app).Scan(&state, &number); err != nil ||
		state != "escalated" || number != "Z000001" {
		t.Fatalf("application after the upgrade: %s %s, %v", state, number, err)
	}
	exec := func(q string) error {
		return db.Update(ctx, func(tx *Tx) error { _, err := tx.ExecContext(ctx, q); return err })
	}
	if err := exec(`UPDATE applications SET state = 'appeal_window' WHERE id = '` + app + `'`); err != nil {
		t.Errorf("appeal_window after the upgrade: %v", err)
	}
	if err := exec(`UPDATE applications SET state = 'bogus' WHERE id = '` + app + `'`); err == nil || !strings.Contains(err.Error(), "CHECK") {
		t.Errorf("an unknown state after the upgrade: got %v, want a CHECK failure", err)
	}
	if err := exec(`DELETE FROM applications WHERE id = '` + app + `'`); err == nil {
		t.Error("deleted an application a license references: the foreign key is gone")
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
