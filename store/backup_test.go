package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/store"
	"tollgate/store/storetest"
)

// mustCreateOrgs creates n brokers named prefix-0 … and returns their ids.
func mustCreateOrgs(t *testing.T, db *store.DB, prefix string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		org := &tollgate.Org{Kind: tollgate.OrgBroker, Name: fmt.Sprintf("%s-%d", prefix, i), Country: "US"}
		if err := db.CreateOrg(context.Background(), org); err != nil {
			t.Fatalf("CreateOrg: %v", err)
		}
		ids[i] = org.ID
	}
	return ids
}

// TestBackupRestore backs a store up while a writer keeps writing,
// restores the backup into a new store and checks the data, and that the
// restored audit log verifies against a checkpoint taken before the backup.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock()
	dir := t.TempDir()
	db := storetest.MustOpen(t, "sqlite:"+filepath.Join(dir, "live.db"), clock.Now)
	key, err := auditlog.GenerateKey(rand.Reader, "tollgate.test")
	if err != nil {
		t.Fatal(err)
	}
	before := mustCreateOrgs(t, db, "before", 20)
	cp, err := db.AuditCheckpoint(ctx, key)
	if err != nil {
		t.Fatalf("AuditCheckpoint: %v", err)
	}
	if cp.Checkpoint.Size == 0 {
		t.Fatal("the checkpoint before the backup covers no records; creating orgs should audit")
	}

	// An online backup: a writer keeps going meanwhile.
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		written atomic.Int64
	)
	wg.Go(func() {
		for i := 0; !stop.Load(); i++ {
			if err := db.CreateOrg(ctx, &tollgate.Org{Kind: tollgate.OrgBroker, Name: fmt.Sprintf("during-%d", i), Country: "US"}); err != nil {
				t.Errorf("CreateOrg during the backup: %v", err)
				return
			}
			written.Add(1)
		}
	})
	backup := filepath.Join(dir, "backup.db")
	err = db.Backup(ctx, backup)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	t.Logf("%d orgs written while the backup ran", written.Load())

	dst := filepath.Join(dir, "restored", "tollgate.db")
	rep, err := store.Restore(ctx, backup, "sqlite:"+dst, store.RestoreOptions{Now: clock.Now})
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if rep.Path != dst || rep.Replaced || len(rep.Backup) == 0 || len(rep.Applied) != 0 {
		t.Errorf("Restore report %+v", rep)
	}
	restored := storetest.MustOpen(t, "sqlite:"+dst, clock.Now)
	for _, id := range before {
		if _, err := restored.FindOrgByID(ctx, id); err != nil {
			t.Errorf("org %s made before the backup: %v", id, err)
		}
	}

	// The restored log extends the checkpoint taken before the backup.
	now, err := restored.AuditCheckpoint(ctx, key)
	if err != nil {
		t.Fatalf("AuditCheckpoint of the restored store: %v", err)
	}
	bundle := filepath.Join(dir, "bundle")
	if _, err := auditlog.Export(ctx, bundle, []byte(now.Note), restored.AuditRecords(ctx, 0), restored); err != nil {
		t.Fatalf("Export: %v", err)
	}
	known, err := auditlog.ParseVerifierKeys(key.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	vr, err := auditlog.Verify(ctx, os.DirFS(bundle), known, []byte(cp.Note))
	if err != nil {
		t.Fatalf("Verify against the checkpoint before the backup: %v (report %+v)", err, vr)
	}
	if now.Checkpoint.Size < cp.Checkpoint.Size {
		t.Errorf("restored log has %d records, fewer than the %d checkpointed before", now.Checkpoint.Size, cp.Checkpoint.Size)
	}
}

func TestRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	db := storetest.MustOpen(t, "sqlite:"+live, clock.Now)
	mustCreateOrgs(t, db, "org", 2)
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}

	// Files that are not tollgate backups.
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	junk := write("junk.db", []byte("this is not a database, just some text long enough to look like a header......"))
	empty := write("empty.db", nil)
	foreign := filepath.Join(dir, "foreign.db")
	mustExec(t, foreign, `CREATE TABLE notes (body TEXT)`)
	newer := filepath.Join(dir, "newer.db")
	copyFile(t, backup, newer)
	mustExec(t, newer, `INSERT INTO schema_migrations (version, digest, applied_at) VALUES ('9999_future', 'x', '2030-01-01T00:00:00.000000Z')`)
	edited := filepath.Join(dir, "edited.db")
	copyFile(t, backup, edited)
	mustExec(t, edited, `UPDATE schema_migrations SET digest = 'changed' WHERE version = '0001_init'`)

	fresh := func() string { return "sqlite:" + filepath.Join(t.TempDir(), "tollgate.db") }
	tests := []struct {
		name, src, dsn string
		force          bool
		code, field    string
	}{
		{"Missing", filepath.Join(dir, "nope.db"), fresh(), false, tollgate.EINVALID, "backup"},
		{"Empty", empty, fresh(), false, tollgate.EINVALID, "backup"},
		{"NotSQLite", junk, fresh(), false, tollgate.EINVALID, "backup"},
		{"NotTollgate", foreign, fresh(), false, tollgate.EINVALID, "backup"},
		{"NewerTollgate", newer, fresh(), false, tollgate.EINVALID, "backup"},
		{"EditedMigration", edited, fresh(), false, tollgate.EINVALID, "backup"},
		{"InUse", backup, "sqlite:" + live, true, tollgate.ECONFLICT, ""},
		{"Postgres", backup, "postgres://localhost/tollgate", false, tollgate.EPRECONDITION, ""},
		{"BadDSN", backup, "mysql://x", false, tollgate.EINVALID, "db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.Restore(ctx, tt.src, tt.dsn, store.RestoreOptions{Force: tt.force, Now: clock.Now})
			var e *tollgate.Error
			if tollgate.ErrorCode(err) != tt.code || !errors.As(err, &e) || e.Field != tt.field {
				t.Fatalf("Restore: %v; want code %s field %q", err, tt.code, tt.field)
			}
		})
	}

	t.Run("NonEmptyNeedsForce", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "tollgate.db")
		other := storetest.MustOpen(t, "sqlite:"+target, clock.Now)
		otherIDs := mustCreateOrgs(t, other, "other", 1)
		other.Close()
		_, err := store.Restore(ctx, backup, "sqlite:"+target, store.RestoreOptions{Now: clock.Now})
		if tollgate.ErrorCode(err) != tollgate.ECONFLICT {
			t.Fatalf("Restore over a store with data: %v, want conflict", err)
		}
		rep, err := store.Restore(ctx, backup, "sqlite:"+target, store.RestoreOptions{Force: true, Now: clock.Now})
		if err != nil || !rep.Replaced {
			t.Fatalf("Restore --force: %+v, %v", rep, err)
		}
		got := storetest.MustOpen(t, "sqlite:"+target, clock.Now)
		if _, err := got.FindOrgByID(ctx, otherIDs[0]); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
			t.Errorf("the replaced store's org is still there: %v", err)
		}
	})
	t.Run("EmptyStoreNeedsNoForce", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "tollgate.db")
		storetest.MustOpen(t, "sqlite:"+target, clock.Now).Close() // migrated, no data
		if rep, err := store.Restore(ctx, backup, "sqlite:"+target, store.RestoreOptions{Now: clock.Now}); err != nil || rep.Replaced {
			t.Fatalf("Restore over an empty store: %+v, %v", rep, err)
		}
	})
}

func TestBackupRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := storetest.MustOpen(t, "sqlite:"+filepath.Join(dir, "live.db"), storetest.NewClock().Now)
	exists := filepath.Join(dir, "exists.db")
	if err := os.WriteFile(exists, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, exists); tollgate.ErrorCode(err) != tollgate.EINVALID {
		t.Errorf("Backup over an existing file: %v, want invalid", err)
	}
	if b, _ := os.ReadFile(exists); string(b) != "keep me" {
		t.Errorf("Backup changed the existing file: %q", b)
	}
	t.Run("Postgres", func(t *testing.T) {
		pg := storetest.MustOpen(t, postgresDSN(t), storetest.NewClock().Now)
		if err := pg.Backup(ctx, filepath.Join(dir, "pg.db")); tollgate.ErrorCode(err) != tollgate.EPRECONDITION {
			t.Errorf("Backup of PostgreSQL: %v, want precondition_failed", err)
		}
	})
}

// mustExec runs one statement on the SQLite file path, creating it.
func mustExec(t *testing.T, path, stmt string) {
	t.Helper()
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
