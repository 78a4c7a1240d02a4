package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"tollgate"
)

// TestAuthMigrationKeepsOrgs upgrades a SQLite database that holds data
// under schema 0001 alone: 0002 rebuilds the orgs table to allow the
// operator kind, and the organizations, the parties that reference them
// and the foreign keys between them must all come through.
func TestAuthMigrationKeepsOrgs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations("sqlite")
	if err != nil || len(ms) < 2 || ms[0].version != "0001_init" || ms[1].version != "0002_auth" {
		t.Fatalf("migrations: %v, %v", ms, err)
	}
	stmts := []string{ms[0].sql,
		`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, digest TEXT NOT NULL, applied_at TEXT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES ('0001_init', '` + ms[0].digest + `', '2026-01-01T00:00:00.000000Z')`,
		`INSERT INTO orgs VALUES ('01900000-0000-7000-8000-000000000001', 'exporter', 'Old Exporter', 'US',
			'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
		`INSERT INTO parties VALUES ('01900000-0000-7000-8000-000000000002', '01900000-0000-7000-8000-000000000001',
			'purchaser', 'organization', 'Old Party', '[]', '[]', 'CN', '', '', '[]', 'unscreened',
			'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
	}
	for _, s := range stmts {
		if _, err := old.ExecContext(ctx, s); err != nil {
			t.Fatalf("set up schema 0001: %v", err)
		}
	}
	old.Close()

	db, err := Open(ctx, "sqlite:"+path, func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer db.Close()
	p, err := db.FindPartyByID(ctx, "01900000-0000-7000-8000-000000000002")
	if err != nil || p.OrgID != "01900000-0000-7000-8000-000000000001" {
		t.Fatalf("party after the upgrade: %+v, %v", p, err)
	}
	op := &tollgate.Org{Kind: tollgate.OrgOperator, Name: "Operator", Country: "US"}
	if err := db.CreateOrg(ctx, op); err != nil {
		t.Fatalf("an operator organization after the upgrade: %v", err)
	}
	err = db.Update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM orgs WHERE id = '01900000-0000-7000-8000-000000000001'`)
		return err
	})
	if err == nil {
		t.Error("deleted an organization a party references: the foreign key is gone")
	}
	var fkOn int
	if err := db.write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fkOn); err != nil || fkOn != 1 {
		t.Errorf("foreign_keys after the upgrade: %d, %v", fkOn, err)
	}
}
