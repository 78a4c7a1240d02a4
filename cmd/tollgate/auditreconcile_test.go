package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"tollgate/store"
)

// TestAuditReconcile runs the demo into a temporary store: reconcile
// passes on it untouched, then names a party whose legal name was edited
// directly in the SQLite file (which audit verify cannot see), and exits 1.
func TestAuditReconcile(t *testing.T) {
	data := t.TempDir()
	file := filepath.Join(t.TempDir(), "demo.db")
	dsn := "sqlite:" + file
	if r := runDemoCLI(t, data, "--no-serve", "--db", dsn, "--lists", t.TempDir()); r.err != nil {
		t.Fatalf("demo: %v\n%s", r.err, r.stderr)
	}
	out, _, err := runAudit(t, data, "audit", "reconcile", "--db", dsn)
	if err != nil || !strings.Contains(out, "every object is what the log says") {
		t.Fatalf("reconcile on the untouched demo store: %v\n%s", err, out)
	}

	raw, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	if err := raw.QueryRow(`SELECT id FROM parties ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE parties SET legal_name = 'Friendly Trading Co.' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	out, _, err = runAudit(t, data, "audit", "reconcile", "--db", dsn)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("reconcile after a direct edit: %v, want exit 1", err)
	}
	line := ""
	for l := range strings.Lines(out) {
		if strings.Contains(l, id) {
			line = l
		}
	}
	for _, want := range []string{"parties", "differs", "legal_name"} {
		if !strings.Contains(line, want) {
			t.Errorf("reconcile's line for party %s: %q, want it to say %q\n%s", id, line, want, out)
		}
	}

	out, _, err = runAudit(t, data, "audit", "reconcile", "--db", dsn, "--json")
	if exitCode(err) != 1 {
		t.Fatalf("reconcile --json: %v, want exit 1", err)
	}
	var rep store.ReconcileReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("reconcile --json: %v\n%s", err, out)
	}
	if rep.Total != 1 || len(rep.Findings) != 1 || rep.Findings[0].ObjectID != id ||
		strings.Join(rep.Findings[0].Fields, ",") != "legal_name" {
		t.Errorf("reconcile --json: %+v, want one finding: party %s, field legal_name", rep, id)
	}
}
