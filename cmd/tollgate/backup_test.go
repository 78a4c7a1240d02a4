package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// runTollgate runs tollgate in process with env and returns stdout, stderr
// and the error.
func runTollgate(env map[string]string, args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func TestBackupRestoreCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
	live := "sqlite:" + filepath.Join(dir, "live.db")
	db, err := store.Open(ctx, live, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	org := &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Backed Up Inc", Country: "US"}
	if err := db.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out := filepath.Join(dir, "backup.db")
	stdout, _, err := runTollgate(env, "backup", "--db", live, "--out", out, "--json")
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	var res backupResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Out != out || res.Bytes == 0 {
		t.Fatalf("backup --json: %q (%v)", stdout, err)
	}

	target := "sqlite:" + filepath.Join(dir, "restored.db")
	stdout, _, err = runTollgate(env, "restore", out, "--db", target)
	if err != nil || !strings.Contains(stdout, "restored "+out) || !strings.Contains(stdout, "backup schema: ") {
		t.Fatalf("restore: %v\n%s", err, stdout)
	}
	restored, err := store.Open(ctx, target, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := restored.FindOrgByID(ctx, org.ID)
	restored.Close()
	if err != nil || got.Name != org.Name {
		t.Fatalf("restored org: %+v, %v", got, err)
	}

	// The restored store now holds data: a second restore needs --force.
	_, _, err = runTollgate(env, "restore", out, "--db", target)
	if err == nil || exitCode(err) != 1 || !strings.Contains(errorLine(err), "--force") {
		t.Fatalf("restore over data: %v (exit %d), want exit 1 naming --force", err, exitCode(err))
	}
	stdout, _, err = runTollgate(env, "restore", out, "--db", target, "--force", "--json")
	var rep store.RestoreReport
	if err != nil || json.Unmarshal([]byte(stdout), &rep) != nil || !rep.Replaced {
		t.Fatalf("restore --force --json: %v\n%s", err, stdout)
	}
}

func TestBackupRestoreUsage(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
	exists := filepath.Join(dir, "exists.db")
	if _, _, err := runTollgate(env, "backup", "--out", exists); err != nil { // the default store
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		exit     int
		want     string
		inStderr string
	}{
		{"NoOut", []string{"backup"}, 2, "--out", ""},
		{"OutExists", []string{"backup", "--out", exists}, 2, "--out", ""},
		{"BackupPostgres", []string{"backup", "--db", "postgres://db.invalid/t", "--out", filepath.Join(dir, "pg.db")}, 1, "pg_dump", "pg_dump --format=custom"},
		{"BackupBadDB", []string{"backup", "--db", "mysql://x", "--out", filepath.Join(dir, "x.db")}, 2, "--db", ""},
		{"RestoreNoFile", []string{"restore"}, 2, "arg", ""},
		{"RestorePostgres", []string{"restore", exists, "--db", "postgres://db.invalid/t"}, 1, "pg_restore", "pg_restore"},
		{"RestoreBadDB", []string{"restore", exists, "--db", "mysql://x"}, 2, "--db", ""},
		{"RestoreNotBackup", []string{"restore", filepath.Join(dir, "missing.db"), "--db", "sqlite:" + filepath.Join(dir, "t.db")}, 1, "missing.db", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := runTollgate(env, tt.args...)
			if err == nil || exitCode(err) != tt.exit || !strings.Contains(errorLine(err), tt.want) {
				t.Fatalf("%v: err %v (exit %d), want exit %d naming %q", tt.args, err, exitCode(err), tt.exit, tt.want)
			}
			if !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.inStderr, stderr)
			}
		})
	}
}
