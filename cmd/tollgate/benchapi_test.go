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
)

// benchAPIListsDir writes a handmade OFAC sdn.csv where bench api looks for
// lists, so the command runs without the shared data.
func benchAPIListsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ofac := filepath.Join(dir, "ofac", "2024-01-01")
	if err := os.MkdirAll(ofac, 0o755); err != nil {
		t.Fatal(err)
	}
	rows := `36,"AEROCARIBBEAN AIRLINES",-0-,"CUBA",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-
173,"ANGLO-CARIBBEAN CO., LTD.",-0-,"CUBA",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-
306,"BANCO NACIONAL DE CUBA",-0-,"CUBA",-0-,-0-,-0-,-0-,-0-,-0-,-0-,"a.k.a. 'BNC'."
2674,"PETROV, Ivan Sergeyevich","individual","UKRAINE-EO13660",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-
`
	if err := os.WriteFile(filepath.Join(ofac, "sdn.csv"), []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runBenchAPI runs "bench api" on its own (newBenchCmd adds it to "bench").
func runBenchAPI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{ctx: context.Background(), getenv: func(string) string { return "" }, stdout: &out, stderr: &errb, now: time.Now}
	cmd := newBenchAPICmd(c)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestBenchAPI(t *testing.T) {
	dir := benchAPIListsDir(t)
	out, err := runBenchAPI(t, "--lists", dir, "--requests", "20", "--concurrency", "2", "--batch", "10", "--parties", "5", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep benchAPIReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.Store != "sqlite" || rep.Entities != 4 || len(rep.Results) != 2 {
		t.Fatalf("report: %+v", rep)
	}
	for _, r := range rep.Results {
		if r.Requests != 20 || r.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors (%s)", r.Name, r.Requests, r.Errors, r.FirstError)
		}
	}
	if rep.Results[0].Items != 200 {
		t.Errorf("screened %d names, want 200", rep.Results[0].Items)
	}
	text, err := runBenchAPI(t, "--lists", dir, "--requests", "5", "--concurrency", "1", "--parties", "2")
	if err != nil || !strings.Contains(text, "screen/100") || !strings.Contains(text, "target ≥ 3000/s") {
		t.Errorf("text output: %v\n%s", err, text)
	}
}

func TestBenchAPIUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--requests", "0"}, {"--concurrency", "-1"}, {"--batch", "1001"}, {"--parties", "0"},
		{"--lists", t.TempDir()},
	} {
		if _, err := runBenchAPI(t, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
}
