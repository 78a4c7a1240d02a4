package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/auditlog"
)

// TestBuildInfoEverywhere checks that "tollgate version", --version,
// /healthz and an audit bundle all carry the build's version, revision,
// time and dirty flag ("unknown" where the toolchain recorded none, as in
// a test binary).
func TestBuildInfoEverywhere(t *testing.T) {
	want := buildInfo()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := shipCLI(t, "", "", args...)
		if err != nil {
			t.Fatalf("tollgate %s: %v", args[0], err)
		}
		if got := strings.TrimSpace(out); got != "tollgate "+want.String() {
			t.Errorf("tollgate %s = %q, want %q", args[0], got, "tollgate "+want.String())
		}
		for _, part := range []string{"revision ", "committed ", "modified "} {
			if !strings.Contains(out, part) {
				t.Errorf("tollgate %s = %q, want %q", args[0], out, part)
			}
		}
	}

	base, _, _ := startServe(t, apitest.SQLiteDSN(t))
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct {
		Status string          `json:"status"`
		Build  *tollgate.Build `json:"build"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h.Build == nil || *h.Build != want {
		t.Errorf("/healthz build = %+v, want %+v", h.Build, want)
	}

	a := newAuditCLI(t)
	a.must("orgs", "add", "--kind", "exporter", "--name", "Exporter Inc", "--country", "US")
	bundle := filepath.Join(t.TempDir(), "bundle")
	a.must("audit", "export", "--out", bundle)
	b, err := os.ReadFile(filepath.Join(bundle, auditlog.BuildFile))
	if err != nil {
		t.Fatalf("the bundle has no %s: %v", auditlog.BuildFile, err)
	}
	var got tollgate.Build
	if err := json.Unmarshal(b, &got); err != nil || got != want {
		t.Errorf("%s = %s (%v), want %+v", auditlog.BuildFile, b, err, want)
	}
	a.must("audit", "verify", bundle, "--key", strings.TrimSpace(a.must("audit", "key")))
}
