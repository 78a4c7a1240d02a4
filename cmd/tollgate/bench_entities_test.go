package main

import (
	"encoding/json"
	"strings"
	"testing"

	"tollgate/internal/testenv"
)

func TestBenchScreenEntities(t *testing.T) {
	dir := testenv.DataDir(t)
	testenv.DataFile(t, "lists/csl/consolidated-2022-04.csv.gz")
	env := map[string]string{"TOLLGATE_TESTDATA": dir}
	args := []string{"bench", "screen", "--entities", "3000", "--n", "300", "--index-dir", t.TempDir()}

	t.Run("JSON", func(t *testing.T) {
		out, err := runEvalCLI(t, env, append(args, "--json")...)
		if err != nil {
			t.Fatalf("bench screen --entities: %v", err)
		}
		var rep entitiesReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("bench screen --entities --json: %v\n%s", err, out)
		}
		if rep.Synthetic != 3000 || rep.Entities < 3000+1000 || rep.Queries != 300 || rep.NamesPerSec <= 0 ||
			rep.BuildSeconds <= 0 || rep.P99Micros <= 0 || rep.SavedMB <= 0 || rep.LoadSeconds <= 0 {
			t.Errorf("report incomplete: %+v", rep)
		}
		if !rep.LoadIdentical {
			t.Error("the loaded index gave other hits than the built one")
		}
		if rep.HitRate <= 0 || rep.HitRate >= 1 {
			t.Errorf("hit rate %.2f: the query mix should have both hits and misses", rep.HitRate)
		}
	})
	t.Run("Table", func(t *testing.T) {
		out, err := runEvalCLI(t, env, args...)
		if err != nil {
			t.Fatalf("bench screen --entities: %v", err)
		}
		for _, want := range []string{"3000 synthetic", "index build", "peak resident", "names/s", "p99", "identical hits"} {
			if !strings.Contains(out, want) {
				t.Errorf("table lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("Usage", func(t *testing.T) {
		if _, err := runEvalCLI(t, env, "bench", "screen", "--entities", "-1"); err == nil || !strings.Contains(err.Error(), "--entities") {
			t.Errorf("--entities -1: %v, want a usage error", err)
		}
	})
}
