package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
)

// runAudit runs tollgate in process with TOLLGATE_DATA set to dataDir and
// returns stdout, stderr and the error.
func runAudit(t *testing.T, dataDir string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string {
		if k == "TOLLGATE_DATA" {
			return dataDir
		}
		return ""
	}
	err := run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// auditBundle signs a log of n sample records with the key in dataDir and
// exports it; it returns the bundle directory and the signed checkpoint of
// the first half of the log.
func auditBundle(t *testing.T, dataDir string, n int64) (dir string, half []byte) {
	t.Helper()
	ctx := context.Background()
	key, err := auditlog.LoadKey(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	st := audittest.NewMemStore()
	for i := range n {
		audittest.MustAppend(t, st, audittest.SampleRecord(i))
	}
	sign := func(size int64) []byte {
		cp, err := auditlog.NewCheckpoint(ctx, st, key.Name(), size)
		if err != nil {
			t.Fatal(err)
		}
		b, err := key.Sign(cp)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dir = filepath.Join(t.TempDir(), "bundle")
	if _, err := auditlog.Export(ctx, dir, sign(n), st.Records(ctx, 0), st); err != nil {
		t.Fatal(err)
	}
	return dir, sign(n / 2)
}

func TestAuditKey(t *testing.T) {
	data := t.TempDir()
	out1, stderr, err := runAudit(t, data, "audit", "key")
	if err != nil || !strings.HasPrefix(out1, "tollgate+") || !strings.Contains(stderr, "created") {
		t.Fatalf("first audit key: %q, %q, %v", out1, stderr, err)
	}
	st, err := os.Stat(filepath.Join(data, auditlog.KeyFileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", st, err)
	}
	out2, _, err := runAudit(t, data, "audit", "key", "--json")
	var info auditKeyInfo
	if err != nil || json.Unmarshal([]byte(out2), &info) != nil {
		t.Fatalf("audit key --json: %q, %v", out2, err)
	}
	if info.VerifierKey+"\n" != out1 || info.Created || info.Name != "tollgate" {
		t.Fatalf("audit key --json = %+v, want the key printed before (%q), not created", info, out1)
	}
	if _, _, err := runAudit(t, data, "audit", "key", "--name", "other"); err == nil || exitCode(err) != 1 {
		t.Fatalf("renaming the log: %v, want exit 1", err)
	}
	if _, _, err := runAudit(t, t.TempDir(), "audit", "key", "--name", "bad name"); err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--name") {
		t.Fatalf("bad --name: %v, want a usage error naming --name", err)
	}
}

func TestAuditVerify(t *testing.T) {
	data := t.TempDir()
	pub, _, err := runAudit(t, data, "audit", "key")
	if err != nil {
		t.Fatal(err)
	}
	pub = strings.TrimSpace(pub)
	keyFile := filepath.Join(t.TempDir(), "audit.pub")
	if err := os.WriteFile(keyFile, []byte("# tollgate audit key\n"+pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, half := auditBundle(t, data, 50)
	oldFile := filepath.Join(t.TempDir(), "old.note")
	if err := os.WriteFile(oldFile, half, 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		out, _, err := runAudit(t, data, "audit", "verify", dir, "--key", pub, "--checkpoint", oldFile)
		if err != nil || !strings.Contains(out, "bundle verified: 50 records") || !strings.Contains(out, "older checkpoint of size 25") {
			t.Fatalf("got %q, %v", out, err)
		}
	})
	t.Run("OKJSONKeyFile", func(t *testing.T) {
		out, _, err := runAudit(t, data, "audit", "verify", dir, "--key", "@"+keyFile, "--json")
		var rep auditlog.Report
		if err != nil || json.Unmarshal([]byte(out), &rep) != nil || !rep.OK || rep.Records != 50 {
			t.Fatalf("got %q, %v", out, err)
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bundle")
		if err := os.CopyFS(bad, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(bad, auditlog.RecordsFile)
		b, _ := os.ReadFile(p)
		if err := os.WriteFile(p, bytes.Replace(b, []byte(`"seq":17,`), []byte(`"seq":71,`), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _, err := runAudit(t, data, "audit", "verify", bad, "--key", pub, "--json")
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || exitCode(err) != 1 || !strings.HasPrefix(errorLine(err), "record 17 (altered)") {
			t.Fatalf("got %v, want exit 1 naming record 17 as altered", err)
		}
		var rep auditlog.Report
		if json.Unmarshal([]byte(out), &rep) != nil || rep.OK || rep.Problem == nil || rep.Problem.Seq != 17 {
			t.Fatalf("JSON report %q does not name record 17", out)
		}
	})
	t.Run("ErrWrongKey", func(t *testing.T) {
		other, _, err := runAudit(t, t.TempDir(), "audit", "key")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = runAudit(t, data, "audit", "verify", dir, "--key", strings.TrimSpace(other))
		if err == nil || exitCode(err) != 1 || !strings.Contains(errorLine(err), "signature") {
			t.Fatalf("got %v, want exit 1 for the signature", err)
		}
	})
	usage := []struct {
		name string
		args []string
		want string
	}{
		{"NoBundle", []string{"audit", "verify", "--key", pub}, "arg"},
		{"NotADirectory", []string{"audit", "verify", keyFile, "--key", pub}, "BUNDLE"},
		{"NoKey", []string{"audit", "verify", dir}, "--key"},
		{"BadKey", []string{"audit", "verify", dir, "--key", "tollgate+nothex+AAAA"}, "--key"},
		{"MissingKeyFile", []string{"audit", "verify", dir, "--key", "@/nonexistent/key"}, "--key"},
		{"MissingCheckpoint", []string{"audit", "verify", dir, "--key", pub, "--checkpoint", "/nonexistent"}, "--checkpoint"},
	}
	for _, tt := range usage {
		t.Run("Usage"+tt.name, func(t *testing.T) {
			_, _, err := runAudit(t, data, tt.args...)
			if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v (exit %d), want a usage error naming %s", err, exitCode(err), tt.want)
			}
		})
	}
}
