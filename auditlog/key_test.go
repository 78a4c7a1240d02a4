package auditlog_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tollgate/auditlog"
)

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, created, err := auditlog.LoadOrCreateKey(dir, "tollgate")
	if err != nil || !created {
		t.Fatalf("first call: created %v, err %v; want a new key", created, err)
	}
	st, err := os.Stat(filepath.Join(dir, auditlog.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), fs.FileMode(0o600); got != want {
		t.Fatalf("key file mode %v, want %v", got, want)
	}
	k2, created, err := auditlog.LoadOrCreateKey(dir, "tollgate")
	if err != nil || created || k2.VerifierKey() != k1.VerifierKey() {
		t.Fatalf("second call: created %v, err %v, same key %v; want the same key loaded", created, err, k2.VerifierKey() == k1.VerifierKey())
	}
	if !strings.HasPrefix(k1.VerifierKey(), "tollgate+") {
		t.Fatalf("verifier key %q does not name the log", k1.VerifierKey())
	}
	if _, _, err := auditlog.LoadOrCreateKey(dir, "renamed"); err == nil {
		t.Fatal("loading the key under another name succeeded, want an error")
	}
	if err := os.Chmod(filepath.Join(dir, auditlog.KeyFileName), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := auditlog.LoadKey(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("loading a world-readable key: %v, want an error asking for chmod 600", err)
	}
	if _, _, err := auditlog.LoadOrCreateKey(t.TempDir(), "bad name"); err == nil {
		t.Fatal("creating a key with a bad name succeeded")
	}
}

func TestLoadOrCreateKeyConcurrent(t *testing.T) {
	dir := t.TempDir()
	keys := make([]string, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, _, err := auditlog.LoadOrCreateKey(dir, "tollgate")
			if err != nil {
				t.Error(err)
				return
			}
			keys[i] = k.VerifierKey()
		})
	}
	wg.Wait()
	for i := range keys {
		if keys[i] != keys[0] {
			t.Fatalf("concurrent first calls got different keys: %q and %q", keys[0], keys[i])
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("key directory holds %d files, want 1 (no temporary files left)", len(entries))
	}
}

func TestRotateKey(t *testing.T) {
	dir := t.TempDir()
	k, _, err := auditlog.LoadOrCreateKey(dir, "tollgate")
	if err != nil {
		t.Fatal(err)
	}
	oldKey, newKey, err := auditlog.RotateKey(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if oldKey.VerifierKey() != k.VerifierKey() || newKey.VerifierKey() == k.VerifierKey() || newKey.Name() != "tollgate" {
		t.Fatalf("rotation: old %s, new %s, was %s", oldKey.VerifierKey(), newKey.VerifierKey(), k.VerifierKey())
	}
	loaded, err := auditlog.LoadKey(dir)
	if err != nil || loaded.VerifierKey() != newKey.VerifierKey() {
		t.Fatalf("after rotation LoadKey = %v, %v; want the new key", loaded, err)
	}
	retired, err := filepath.Glob(filepath.Join(dir, auditlog.KeyFileName+".*.retired"))
	if err != nil || len(retired) != 1 {
		t.Fatalf("retired keys %v, %v; want one", retired, err)
	}
	r := auditlog.RotationRecord(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), auditlog.Actor{UserID: "admin"}, oldKey, newKey)
	canon, err := r.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"action":"audit.key.rotate"`, oldKey.VerifierKey(), newKey.VerifierKey()} {
		if !strings.Contains(string(canon), want) {
			t.Fatalf("rotation record %s lacks %s", canon, want)
		}
	}
	if _, _, err := auditlog.RotateKey(t.TempDir(), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("rotating without a key: %v, want ErrNotExist", err)
	}
}
