package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/internal/testenv"
)

// storeCLI runs a command in process with env as its whole environment and
// returns its output and exit status. The lists store commands are added to
// the lists command when lists.go does not add them itself yet.
func storeCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &cli{ctx: context.Background(), getenv: func(k string) string { return env[k] },
		stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, now: time.Now}
	root := newRootCmd(c)
	if lc, _, err := root.Find([]string{"lists"}); err == nil && lc.Name() == "lists" {
		if sub, _, _ := lc.Find([]string{"import"}); sub == lc {
			addListsStoreCmds(c, lc)
			wrapArgs(lc)
		}
	}
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.ExecuteContext(c.ctx); err != nil {
		return out.String(), errorLine(err), exitCode(err)
	}
	return out.String(), errOut.String(), 0
}

// internalListCSV writes a small internal-list CSV and returns its path.
func internalListCSV(t *testing.T, rows string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "internal.csv")
	body := "name,aliases,type,country,citation,id\n" + rows
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestListsImportAndVersions(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"TOLLGATE_DATA": data}
	list := internalListCSV(t, "Example Chips Co.,ECC;Example Chip,organization,CN,88 FR 71991,INT-1\n"+
		"Moore Example Technology,,organization,CN,88 FR 71991,INT-2\n")

	out, errOut, code := storeCLI(t, env, "lists", "import", list)
	if code != 0 || !strings.Contains(out, "imported internal version") || !strings.Contains(out, "entities   2") {
		t.Fatalf("import: code %d, stdout:\n%s\nstderr: %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "tollgate.db")); err != nil {
		t.Errorf("default store not created in the data directory: %v", err)
	}
	out, _, code = storeCLI(t, env, "lists", "import", list)
	if code != 0 || !strings.Contains(out, "already imported") || !strings.Contains(out, "nothing changed") {
		t.Errorf("re-import: code %d, stdout:\n%s", code, out)
	}
	out, _, code = storeCLI(t, env, "lists", "versions")
	if code != 0 || !strings.Contains(out, "*  internal") {
		t.Errorf("versions: code %d, stdout:\n%s", code, out)
	}
	out, _, code = storeCLI(t, env, "lists", "versions", "--json", "--current")
	var vs []tollgate.ListVersion
	if err := json.Unmarshal([]byte(out), &vs); err != nil || code != 0 {
		t.Fatalf("versions --json: code %d, %v:\n%s", code, err, out)
	}
	if len(vs) != 1 || !vs[0].Current || vs[0].EntityCount != 2 || vs[0].Source != "internal" || vs[0].FileName != "internal.csv" {
		t.Errorf("versions --json: got %+v, want one current internal version of 2 entities", vs)
	}
	out, _, code = storeCLI(t, env, "lists", "versions", "--source", "csl")
	if code != 0 || !strings.Contains(out, "no list versions") {
		t.Errorf("versions --source csl: code %d, stdout:\n%s", code, out)
	}
}

func TestListsImportReportsBadFiles(t *testing.T) {
	env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
	good := internalListCSV(t, "Example Chips Co.,,organization,CN,,INT-1\n")
	bad := filepath.Join(t.TempDir(), "missing.csv")
	out, errOut, code := storeCLI(t, env, "lists", "import", "--json", bad, good)
	if code != 1 || !strings.Contains(errOut, "1 of 2 list files") {
		t.Fatalf("import with a missing file: code %d, stderr %q", code, errOut)
	}
	var reps []listImportReport
	if err := json.Unmarshal([]byte(out), &reps); err != nil {
		t.Fatalf("import --json: %v:\n%s", err, out)
	}
	if len(reps) != 2 || reps[0].Error == "" || !reps[1].Created || reps[1].Version == nil {
		t.Errorf("import --json: got %+v, want the missing file reported and the good one created", reps)
	}
}

func TestStoreSelection(t *testing.T) {
	dir := t.TempDir()
	good := "sqlite:" + filepath.Join(dir, "flag.db")
	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"FlagBeatsEnv", map[string]string{"TOLLGATE_DB": "mysql://nowhere"}, []string{"--db", good}, 0, ""},
		{"BadFlag", nil, []string{"--db", "mysql://nowhere"}, 2, "--db: want sqlite:PATH or a postgres:// URL"},
		{"BadEnv", map[string]string{"TOLLGATE_DB": "sqlite::memory:"}, nil, 2, "TOLLGATE_DB: want a SQLite file path"},
		{"EnvUsed", map[string]string{"TOLLGATE_DB": "sqlite:" + filepath.Join(dir, "env.db")}, nil, 0, ""},
		{"Unreachable", nil, []string{"--db", "sqlite:" + filepath.Join(dir, "no", "such", "dir", "x.db")}, 1, "cannot open the sqlite database"},
		{"BadLimit", nil, []string{"--db", good, "--limit", "-1"}, 2, "--limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			_, errOut, code := storeCLI(t, env, append([]string{"lists", "versions"}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("got code %d, stderr %q; want %d containing %q", code, errOut, tc.wantCode, tc.wantErr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "env.db")); err != nil {
		t.Errorf("TOLLGATE_DB store not created: %v", err)
	}
}

func TestListsImportCSL(t *testing.T) {
	path := testenv.DataFile(t, "lists/csl/consolidated-2022-04.csv.gz")
	env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
	out, errOut, code := storeCLI(t, env, "lists", "import", "--json", path)
	var reps []listImportReport
	if err := json.Unmarshal([]byte(out), &reps); err != nil || code != 0 {
		t.Fatalf("import: code %d, %v, stderr %q", code, err, errOut)
	}
	v := reps[0].Version
	if v == nil || v.EntityCount != 14160 || v.Counts["SDN"] != 10026 || v.Counts["EL"] != 2001 || v.Source != "csl" {
		t.Errorf("import CSL: got %+v, want 14,160 entities (SDN 10,026, EL 2,001)", v)
	}
}

// TestListsImportMovesForward: a file published before the current
// version of its source is refused with both dates and not stored; with
// --allow-older and a reason it becomes current, with a warning.
func TestListsImportMovesForward(t *testing.T) {
	env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
	dir := t.TempDir()
	newer, older := filepath.Join(dir, "internal-2024-05-03.csv"), filepath.Join(dir, "internal-2023-01-02.csv")
	for path, row := range map[string]string{newer: "Newer Co.,,organization,CN,,N-1\n", older: "Older Co.,,organization,CN,,O-1\n"} {
		if err := os.WriteFile(path, []byte("name,aliases,type,country,citation,id\n"+row), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if out, _, code := storeCLI(t, env, "lists", "import", newer); code != 0 || strings.Contains(out, "warning") {
		t.Fatalf("import newer: code %d, stdout:\n%s", code, out)
	}
	out, _, code := storeCLI(t, env, "lists", "import", older)
	if code != 1 || !strings.Contains(out, "published 2023-01-02, before the current internal version") ||
		!strings.Contains(out, "published 2024-05-03") || !strings.Contains(out, "--allow-older") {
		t.Errorf("import older: code %d, stdout:\n%s\nwant a refusal naming both dates", code, out)
	}
	for _, args := range [][]string{{"--allow-older"}, {"--reason", "why"}} {
		if _, errOut, code := storeCLI(t, env, append([]string{"lists", "import", older}, args...)...); code != 2 {
			t.Errorf("import %v: code %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
	if out, _, _ := storeCLI(t, env, "lists", "versions", "--current"); !strings.Contains(out, "2024-05-03") || strings.Contains(out, "2023-01-02") {
		t.Errorf("current versions after the refusal:\n%s", out)
	}
	out, _, code = storeCLI(t, env, "lists", "import", older, "--allow-older", "--reason", "the 2024 list was issued in error")
	if want := "warning    published 2023-01-02, older than the internal version it replaces as current (published 2024-05-03), as allowed: the 2024 list was issued in error"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("import older allowed: code %d, stdout:\n%s\nwant %q", code, out, want)
	}
}

// TestListsImportOFACMovesForward imports the real OFAC files: 2021-07 after
// 2024-05-03 would have made the older list, about 6,000 entities shorter,
// current.
func TestListsImportOFACMovesForward(t *testing.T) {
	newer := testenv.DataFile(t, "lists/ofac/2024-05-03")
	older := testenv.DataFile(t, "lists/ofac/2021-07")
	env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
	if out, errOut, code := storeCLI(t, env, "lists", "import", newer); code != 0 {
		t.Fatalf("import 2024-05-03: code %d\n%s%s", code, out, errOut)
	}
	out, _, code := storeCLI(t, env, "lists", "import", "--json", older)
	var reps []listImportReport
	if err := json.Unmarshal([]byte(out), &reps); err != nil || code != 1 || len(reps) != 1 {
		t.Fatalf("import 2021-07: code %d, %v\n%s", code, err, out)
	}
	if e := reps[0].Error; reps[0].Version != nil || !strings.Contains(e, "2021-07-01") || !strings.Contains(e, "2024-05-03") {
		t.Errorf("import 2021-07: got %+v, want a refusal naming 2021-07-01 and 2024-05-03", reps[0])
	}
	out, _, code = storeCLI(t, env, "lists", "versions", "--current", "--json")
	var vs []*tollgate.ListVersion
	if err := json.Unmarshal([]byte(out), &vs); err != nil || code != 0 || len(vs) != 1 {
		t.Fatalf("versions --current: code %d, %v\n%s", code, err, out)
	}
	if got := vs[0].Published.Format(time.DateOnly); got != "2024-05-03" {
		t.Errorf("current OFAC version published %s, want 2024-05-03", got)
	}
}
