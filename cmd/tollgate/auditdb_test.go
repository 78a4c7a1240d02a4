package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/store"
)

// auditCLI is a data directory with a store, run as the user alice.
type auditCLI struct {
	t   *testing.T
	env map[string]string
	dsn string
}

func newAuditCLI(t *testing.T) *auditCLI {
	data := t.TempDir()
	return &auditCLI{t: t, dsn: "sqlite:" + filepath.Join(data, "tollgate.db"),
		env: map[string]string{"TOLLGATE_DATA": data, "USER": "alice"}}
}

// run runs tollgate with the CLI's environment.
func (a *auditCLI) run(args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return a.env[k] }, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// must runs tollgate and fails the test on an error.
func (a *auditCLI) must(args ...string) string {
	a.t.Helper()
	out, errOut, err := a.run(args...)
	if err != nil {
		a.t.Fatalf("tollgate %s: %v; stderr %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// addOrgs stores n organizations directly, as an API user would.
func (a *auditCLI) addOrgs(n int, prefix string) {
	a.t.Helper()
	db, err := store.Open(context.Background(), a.dsn, time.Now)
	if err != nil {
		a.t.Fatal(err)
	}
	defer db.Close()
	ctx := tollgate.WithPrincipal(context.Background(), &tollgate.Principal{UserID: "u-api", OrgID: "o-api", TokenID: "t-api"})
	for i := range n {
		if err := db.CreateOrg(ctx, &tollgate.Org{Kind: tollgate.OrgBroker, Name: fmt.Sprintf("%s %d", prefix, i), Country: "US"}); err != nil {
			a.t.Fatal(err)
		}
	}
}

func TestAuditExportVerifyCLI(t *testing.T) {
	a := newAuditCLI(t)
	a.must("orgs", "add", "--kind", "exporter", "--name", "Exporter Inc", "--country", "US")
	a.must("orgs", "add", "--kind", "lab", "--name", "Test Lab", "--country", "TW")
	a.addOrgs(30, "Broker")
	old := filepath.Join(t.TempDir(), "old.note")
	if err := os.WriteFile(old, []byte(a.must("audit", "checkpoint")), 0o644); err != nil {
		t.Fatal(err)
	}
	a.addOrgs(8, "Later Broker")
	bundle := filepath.Join(t.TempDir(), "bundle")
	out := a.must("audit", "export", "--out", bundle)
	if !strings.Contains(out, "exported 40 records") {
		t.Fatalf("audit export: %q, want 40 records", out)
	}
	pub := strings.TrimSpace(a.must("audit", "key"))

	t.Run("Untouched", func(t *testing.T) {
		out := a.must("audit", "verify", bundle, "--key", pub, "--checkpoint", old)
		if !strings.Contains(out, "bundle verified: 40 records") || !strings.Contains(out, "older checkpoint of size 32") {
			t.Fatalf("audit verify: %q", out)
		}
	})
	t.Run("LocalActor", func(t *testing.T) {
		first, _, _ := bytes.Cut(mustRead(t, filepath.Join(bundle, auditlog.RecordsFile)), []byte("\n"))
		r, err := auditlog.ParseRecord(first)
		if err != nil || r.Action != "org.create" || r.Actor != (auditlog.Actor{UserID: "cli:alice"}) {
			t.Fatalf("record 0 = %+v, %v; want org.create by cli:alice", r, err)
		}
	})
	for _, tc := range []struct {
		name   string
		tamper func(lines [][]byte) [][]byte
		want   string
	}{
		{"ByteChanged", func(ls [][]byte) [][]byte {
			ls[20] = bytes.Replace(ls[20], []byte(`"action":"org.create"`), []byte(`"action":"org.crEate"`), 1)
			return ls
		}, "record 20 (altered)"},
		{"Deleted", func(ls [][]byte) [][]byte { return append(ls[:20:20], ls[21:]...) }, "record 20 (missing)"},
		{"Swapped", func(ls [][]byte) [][]byte { ls[20], ls[21] = ls[21], ls[20]; return ls }, "record 20 (reordered)"},
		{"Truncated", func(ls [][]byte) [][]byte { return ls[:35] }, "record 35 (truncated)"},
		{"Inserted", func(ls [][]byte) [][]byte { return append(ls[:20:20], append([][]byte{ls[5]}, ls[20:]...)...) }, "record 20 (inserted)"},
	} {
		t.Run("Err"+tc.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bundle")
			if err := os.CopyFS(bad, os.DirFS(bundle)); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(bad, auditlog.RecordsFile)
			lines := bytes.SplitAfter(mustRead(t, p), []byte("\n"))
			lines = lines[:len(lines)-1] // the empty piece after the last newline
			if err := os.WriteFile(p, bytes.Join(tc.tamper(lines), nil), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := a.run("audit", "verify", bad, "--key", pub)
			var ve *auditlog.VerifyError
			if !errors.As(err, &ve) || exitCode(err) != 1 || !strings.HasPrefix(errorLine(err), tc.want) {
				t.Fatalf("audit verify: %v (exit %d), want exit 1 naming %s", err, exitCode(err), tc.want)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAuditCheckpointCLI(t *testing.T) {
	a := newAuditCLI(t)
	a.addOrgs(3, "Broker")
	note := a.must("audit", "checkpoint")
	pub := strings.TrimSpace(a.must("audit", "key"))
	known, err := auditlog.ParseVerifierKeys(pub)
	if err != nil {
		t.Fatal(err)
	}
	cp, _, err := auditlog.OpenCheckpoint([]byte(note), known)
	if err != nil || cp.Size != 3 || cp.Origin != "tollgate" {
		t.Fatalf("audit checkpoint printed %q: %+v, %v", note, cp, err)
	}
	var got store.SignedCheckpoint
	if err := json.Unmarshal([]byte(a.must("audit", "checkpoint", "--json")), &got); err != nil || got.Note != note {
		t.Fatalf("audit checkpoint --json: %+v, %v; want the same checkpoint again", got, err)
	}
}

func TestAuditRotateKeyCLI(t *testing.T) {
	a := newAuditCLI(t)
	a.addOrgs(5, "Broker")
	oldPub := strings.TrimSpace(a.must("audit", "key"))
	oldNote := filepath.Join(t.TempDir(), "old.note")
	if err := os.WriteFile(oldNote, []byte(a.must("audit", "checkpoint")), 0o644); err != nil {
		t.Fatal(err)
	}
	newPub := strings.TrimSpace(a.must("audit", "rotate-key"))
	if newPub == oldPub || strings.TrimSpace(a.must("audit", "key")) != newPub {
		t.Fatalf("rotate-key printed %q; audit key now prints another key, or the old %q", newPub, oldPub)
	}
	a.addOrgs(2, "Later Broker")
	bundle := filepath.Join(t.TempDir(), "bundle")
	a.must("audit", "export", "--out", bundle)
	lines := bytes.Split(bytes.TrimSpace(mustRead(t, filepath.Join(bundle, auditlog.RecordsFile))), []byte("\n"))
	rot, err := auditlog.ParseRecord(lines[5])
	if err != nil || rot.Action != "audit.key.rotate" || rot.Actor.UserID != "cli:alice" ||
		!bytes.Contains(rot.Details, []byte(oldPub)) || !bytes.Contains(rot.Details, []byte(newPub)) {
		t.Fatalf("record 5 = %+v, %v; want the rotation by cli:alice naming both keys", rot, err)
	}
	out := a.must("audit", "verify", bundle, "--key", oldPub, "--key", newPub, "--checkpoint", oldNote)
	if !strings.Contains(out, "bundle verified: 8 records") {
		t.Fatalf("verify with both keys: %q", out)
	}
	if _, _, err := a.run("audit", "verify", bundle, "--key", oldPub); err == nil {
		t.Fatal("a bundle signed after the rotation verified with the old key alone")
	}
}

func TestAuditRetentionCLI(t *testing.T) {
	a := newAuditCLI(t)
	a.addOrgs(4, "Broker")
	out := a.must("audit", "retention")
	if !strings.Contains(out, "no audit record is past its 5-year retention") {
		t.Fatalf("audit retention today: %q", out)
	}
	var rep retentionReport
	later := time.Now().AddDate(6, 0, 0).Format(time.DateOnly)
	if err := json.Unmarshal([]byte(a.must("audit", "retention", "--as-of", later, "--json")), &rep); err != nil || len(rep.Records) != 4 {
		t.Fatalf("audit retention --as-of %s: %+v, %v; want all 4 records", later, rep, err)
	}
	if out := a.must("audit", "retention", "--as-of", later); !strings.Contains(out, "4 audit records are past") {
		t.Fatalf("audit retention --as-of %s: %q", later, out)
	}
}

func TestAuditCommandsUsage(t *testing.T) {
	a := newAuditCLI(t)
	a.addOrgs(1, "Broker")
	bundle := filepath.Join(t.TempDir(), "bundle")
	a.must("audit", "export", "--out", bundle)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ExportNoOut", []string{"audit", "export"}, "--out"},
		{"ExportOutHoldsBundle", []string{"audit", "export", "--out", bundle}, "--out"},
		{"ExportOutIsFile", []string{"audit", "export", "--out", file}, "--out"},
		{"RetentionBadDate", []string{"audit", "retention", "--as-of", "31/12/2031"}, "--as-of"},
		{"CheckpointArgs", []string{"audit", "checkpoint", "extra"}, "extra"},
		{"BadDB", []string{"audit", "checkpoint", "--db", "mysql://x"}, "--db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := a.run(tc.args...)
			if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v (exit %d), want a usage error naming %s", err, exitCode(err), tc.want)
			}
		})
	}
}
