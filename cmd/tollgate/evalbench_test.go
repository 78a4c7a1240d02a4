package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"tollgate/internal/testenv"
)

// runEvalCLI runs tollgate in process with args and returns stdout and the error.
func runEvalCLI(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return out.String(), err
}

func TestEvalBenchUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		flag string
	}{
		{"ThresholdTooHigh", []string{"eval", "screen", "--threshold", "1.5", "--data", t.TempDir()}, "--threshold"},
		{"ThresholdNotNumber", []string{"eval", "screen", "--threshold", "high"}, "threshold"},
		{"DataMissing", []string{"eval", "screen", "--data", "/nonexistent/tollgate-data"}, "--data"},
		{"ExtraArg", []string{"eval", "screen", "extra"}, "extra"},
		{"BenchNZero", []string{"bench", "screen", "--n", "0"}, "--n"},
		{"BenchWorkersNegative", []string{"bench", "screen", "--workers", "-1"}, "--workers"},
		{"BenchNoLists", []string{"bench", "screen", "--lists", t.TempDir()}, "--lists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runEvalCLI(t, nil, tt.args...)
			if err == nil {
				t.Fatalf("tollgate %v: no error", tt.args)
			}
			if got := exitCode(err); got != 2 {
				t.Errorf("tollgate %v: exit %d (%v), want 2", tt.args, got, err)
			}
			if !strings.Contains(err.Error(), tt.flag) {
				t.Errorf("tollgate %v: error %q does not name %q", tt.args, err, tt.flag)
			}
		})
	}
}

func TestEvalScreen(t *testing.T) {
	if testing.Short() {
		t.Skip("the evaluation screens 50,000 names")
	}
	dir := testenv.DataDir(t)
	testenv.DataFile(t, "eval/namebench-dev.csv")
	out, err := runEvalCLI(t, map[string]string{"TOLLGATE_TESTDATA": dir}, "eval", "screen", "--json")
	if err != nil {
		t.Fatalf("eval screen: %v", err)
	}
	var rep struct {
		Threshold float64 `json:"threshold"`
		Targets   []struct {
			Name string `json:"name"`
			Pass bool   `json:"pass"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval screen --json: %v\n%s", err, out)
	}
	if len(rep.Targets) < 7 || rep.Threshold <= 0 {
		t.Errorf("eval screen --json: %d targets, threshold %v", len(rep.Targets), rep.Threshold)
	}
	text, err := runEvalCLI(t, nil, "eval", "screen", "--data", dir)
	if err != nil {
		t.Fatalf("eval screen: %v", err)
	}
	for _, want := range []string{"namebench-dev.csv", "cross-script-dev.csv", "rank-1 correct", "names with a hit", "targets:", "PASS"} {
		if !strings.Contains(text, want) {
			t.Errorf("eval screen output lacks %q:\n%s", want, text)
		}
	}
}

func TestBenchScreen(t *testing.T) {
	dir := testenv.DataDir(t)
	testenv.DataFile(t, "lists/csl/consolidated-2022-04.csv.gz")
	out, err := runEvalCLI(t, map[string]string{"TOLLGATE_TESTDATA": dir}, "bench", "screen", "--n", "500", "--json")
	if err != nil {
		t.Fatalf("bench screen: %v", err)
	}
	var rep benchReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bench screen --json: %v\n%s", err, out)
	}
	if rep.Entities == 0 || rep.Queries != 500 || rep.NamesPerSec <= 0 || rep.P50Micros <= 0 || rep.HeapMB <= 0 {
		t.Errorf("bench screen report incomplete: %+v", rep)
	}
}
