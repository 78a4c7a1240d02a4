package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tollgate/internal/testenv"
	"tollgate/screen"
)

// screenRun is the outcome of one in-process run of tollgate.
type screenRun struct {
	stdout, stderr string
	err            error
}

// runScreenCLI runs tollgate in process with stdin, a data directory of its
// own (so no default store outside the test is touched) and ctx.
func runScreenCLI(t *testing.T, ctx context.Context, stdin string, args ...string) screenRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	data := t.TempDir()
	getenv := func(k string) string {
		if k == "TOLLGATE_DATA" {
			return data
		}
		return ""
	}
	err := run(ctx, args, getenv, strings.NewReader(stdin), &stdout, &stderr)
	return screenRun{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// mustScreen runs tollgate and fails the test on an error.
func mustScreen(t *testing.T, stdin string, args ...string) screenRun {
	t.Helper()
	r := runScreenCLI(t, context.Background(), stdin, args...)
	if r.err != nil {
		t.Fatalf("tollgate %s: %v\nstderr: %s", strings.Join(args, " "), r.err, r.stderr)
	}
	return r
}

// screenTestList is a small internal list: an organization, a person listed
// in Latin script with a Cyrillic alias, and a vessel.
const screenTestList = `name,aliases,type,country,citation,id
Acme Rocket Works Ltd,Acme Rockets;ARW,organization,CN,89 FR 1234,A1
Ivan Petrov,Иван Петров,person,RU,,P1
Blue Whale Shipping,,vessel,PA,,V1
`

// writeScreenFile writes body to name in a new temporary directory.
func writeScreenFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// decodeScreenName decodes screen --json output.
func decodeScreenName(t *testing.T, out string) screenNameReport {
	t.Helper()
	var rep screenNameReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	return rep
}

func TestScreenHuaweiAcceptance(t *testing.T) {
	csl := testenv.DataFile(t, "lists/csl/consolidated-2022-04.csv.gz")
	r := mustScreen(t, "", "screen", "北京华为数字技术有限公司", "--list", csl, "--json")
	rep := decodeScreenName(t, r.stdout)
	if len(rep.Hits) == 0 {
		t.Fatalf("no hits; want the Entity List's Beijing Huawei Digital Technologies")
	}
	best := rep.Hits[0]
	if got, want := best.Name, "Beijing Huawei Digital Technologies Co., Ltd."; got != want || best.List != "EL" {
		t.Errorf("best hit %s %q, want EL %q", best.List, got, want)
	}
	if best.Score < rep.Threshold || best.Citation == "" || !slices.Contains(best.Countries, "CN") {
		t.Errorf("best hit %+v: want score ≥ %v, a citation and CN", best, rep.Threshold)
	}
	if len(rep.Lists) != 1 || rep.Lists[0].Entities != 14160 || rep.Lists[0].Format != "csl" || len(rep.Lists[0].Digest) != 64 {
		t.Errorf("lists %+v; want one CSL of 14,160 entities with its digest", rep.Lists)
	}
}

func TestScreenName(t *testing.T) {
	list := writeScreenFile(t, "internal.csv", screenTestList)
	t.Run("CyrillicJSON", func(t *testing.T) {
		r := mustScreen(t, "", "screen", "Иван", "Петров", "--list", list, "--type", "person", "--country", "ru", "--json")
		rep := decodeScreenName(t, r.stdout)
		if rep.Query != "Иван Петров" || rep.Type != "person" || rep.Country != "RU" || rep.Threshold != screen.DefaultThreshold {
			t.Errorf("query %q type %q country %q threshold %v; want the joined name, person, RU, the default", rep.Query, rep.Type, rep.Country, rep.Threshold)
		}
		if len(rep.Hits) != 1 || rep.Hits[0].SourceID != "P1" || rep.Hits[0].List != "INTERNAL" || rep.Hits[0].Explanation != nil {
			t.Fatalf("hits %+v; want only P1, without explanation", rep.Hits)
		}
	})
	t.Run("JSONShape", func(t *testing.T) {
		r := mustScreen(t, "", "screen", "Acme Rocket Works", "--list", list, "--json", "--explain")
		var raw struct {
			Hits  []map[string]json.RawMessage `json:"hits"`
			Lists []map[string]json.RawMessage `json:"lists"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || len(raw.Hits) == 0 || len(raw.Lists) != 1 {
			t.Fatalf("decode %q: %v", r.stdout, err)
		}
		got := slices.Sorted(maps.Keys(raw.Hits[0]))
		want := []string{"addresses", "citation", "countries", "explanation", "list", "listed_in", "matched_name", "name", "programs", "score", "source_id", "type"}
		if !slices.Equal(got, want) {
			t.Errorf("hit keys %v, want %v", got, want)
		}
		if got := slices.Sorted(maps.Keys(raw.Lists[0])); !slices.Equal(got, []string{"digest", "entities", "format", "path", "source"}) {
			t.Errorf("list keys %v", got)
		}
	})
	t.Run("Table", func(t *testing.T) {
		r := mustScreen(t, "", "screen", "acme rockets", "--list", list)
		for _, want := range []string{"1 hit at or above 0.86", "SCORE", "MATCHED ALIAS", "INTERNAL", "A1", "Acme Rocket Works Ltd", "organization", "CN",
			"#1 INTERNAL A1  (from " + list + ")"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, r.stdout)
			}
		}
	})
	t.Run("Explain", func(t *testing.T) {
		r := mustScreen(t, "", "screen", "Acme Rocket Works", "--list", list, "--explain")
		for _, want := range []string{"QUERY TOKEN", "LISTED TOKEN", "rocket", "exact", "name score"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, r.stdout)
			}
		}
	})
	t.Run("BidiWarning", func(t *testing.T) {
		// Stored reversed under a right-to-left override, displayed as
		// "Acme Rocket Works": screened as displayed, and flagged.
		r := mustScreen(t, "", "screen", "\u202eskroW tekcoR emcA\u202c", "--list", list)
		for _, want := range []string{"A1", "warning:   bidi override"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, r.stdout)
			}
		}
	})
	t.Run("NoHits", func(t *testing.T) {
		r := mustScreen(t, "", "screen", "Margaret Thornbury", "--list", list, "--threshold", "0.9")
		if !strings.Contains(r.stdout, "no hits at or above 0.90") {
			t.Errorf("output %q, want no hits at or above 0.90", r.stdout)
		}
		rep := decodeScreenName(t, mustScreen(t, "", "screen", "Margaret Thornbury", "--list", list, "--json").stdout)
		if rep.Hits == nil || len(rep.Hits) != 0 {
			t.Errorf("hits %#v, want an empty array", rep.Hits)
		}
	})
}

func TestScreenFromStore(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "tollgate.db")
	r := runScreenCLI(t, context.Background(), "", "screen", "Acme", "--db", dsn)
	if r.err == nil || exitCode(r.err) != 1 || !strings.Contains(errorLine(r.err), noListsMessage) {
		t.Fatalf("empty store: err %v; want exit 1 with %q", r.err, noListsMessage)
	}
	list := writeScreenFile(t, "internal.csv", screenTestList)
	mustScreen(t, "", "lists", "import", "--db", dsn, list)
	rep := decodeScreenName(t, mustScreen(t, "", "screen", "Blue Whale Shipping", "--db", dsn, "--json").stdout)
	if len(rep.Hits) != 1 || rep.Hits[0].SourceID != "V1" {
		t.Errorf("hits %+v, want V1", rep.Hits)
	}
	if len(rep.Lists) != 1 || rep.Lists[0].Version == "" || rep.Lists[0].Source != "internal" || rep.Lists[0].Entities != 3 {
		t.Errorf("lists %+v; want the stored internal version", rep.Lists)
	}
}

func TestScreenCompare(t *testing.T) {
	t.Run("JSON", func(t *testing.T) {
		r := mustScreen(t, "", "screen", "compare", "华为技术有限公司", "Huawei Technologies Co., Ltd.", "--type", "org", "--json")
		var rep screenCompareReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatal(err)
		}
		score, _ := screen.Compare("华为技术有限公司", "Huawei Technologies Co., Ltd.", "organization")
		if rep.Score != screenRound(score) || rep.Match != (score >= screen.DefaultThreshold) || rep.Type != "organization" || rep.Explanation != nil {
			t.Errorf("got %+v, want score %.4f", rep, score)
		}
	})
	t.Run("Explain", func(t *testing.T) {
		r := mustScreen(t, "", "screen", "compare", "Sergei Ivanov", "Sergey Ivanov", "--type", "person", "--explain", "--threshold", "0.5")
		for _, want := range []string{"score ", ": match (threshold 0.50)", "NAME1 TOKEN", "ivanov"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, r.stdout)
			}
		}
	})
	t.Run("Pairs", func(t *testing.T) {
		in := writeScreenFile(t, "pairs.csv", "\ufeffschema,name2,name1,notes\n"+
			"Person,Sergey Ivanov,Sergei Ivanov,\n"+
			"Alien,x,y,\n"+
			"Company,\"Huawei Technologies Co., Ltd.\",华为技术有限公司,\n"+
			",Acme Rockets,,\n")
		out := filepath.Join(t.TempDir(), "scores.csv")
		r := mustScreen(t, "", "screen", "compare", "--in", in, "--out", out)
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		s1, _ := screen.Compare("Sergei Ivanov", "Sergey Ivanov", "person")
		s2, _ := screen.Compare("华为技术有限公司", "Huawei Technologies Co., Ltd.", "organization")
		want := "name1,name2,score,match\n" + csvLine("Sergei Ivanov", "Sergey Ivanov", s1) + csvLine("华为技术有限公司", `"Huawei Technologies Co., Ltd."`, s2)
		if string(got) != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
		for _, want := range []string{"pairs.csv:3: schema", "pairs.csv:5: name1 and name2 are required", "4 rows, 2 scored, 2 skipped"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		}
	})
}

// csvLine is one line of compare --in output at the default threshold.
func csvLine(name1, name2 string, score float64) string {
	match := strconv.FormatBool(score >= screen.DefaultThreshold)
	return name1 + "," + name2 + "," + strconv.FormatFloat(screenRound(score), 'f', 4, 64) + "," + match + "\n"
}

func TestScreenUsage(t *testing.T) {
	list := writeScreenFile(t, "internal.csv", screenTestList)
	noName := writeScreenFile(t, "in.csv", "id,nom\n1,x\n")
	tests := []struct {
		args []string
		want string // the flag or argument the message names
	}{
		{[]string{"screen", "x", "--list", list, "--type", "bogus"}, "--type"},
		{[]string{"screen", "x", "--list", list, "--threshold", "1.5"}, "--threshold"},
		{[]string{"screen", "x", "--list", list, "--threshold", "-0.1"}, "--threshold"},
		{[]string{"screen", "x", "--list", list, "--threshold", "NaN"}, "--threshold"},
		{[]string{"screen", "x", "--list", list, "--country", "Narnia"}, "--country"},
		{[]string{"screen", "x", "--list", list, "--limit", "-1"}, "--limit"},
		{[]string{"screen", "x", "--list", list, "--out", "o.jsonl"}, "--out"},
		{[]string{"screen", "x", "--list", filepath.Join(t.TempDir(), "missing.csv")}, "--list"},
		{[]string{"screen", "x", "--list", list, "--db", "sqlite:x.db"}, "--db"},
		{[]string{"screen", "--list", list}, "NAME"},
		{[]string{"screen", "  ", "--list", list}, "NAME"},
		{[]string{"screen", "--in", noName, "--list", list}, "--in"},
		{[]string{"screen", "--in", noName, "x", "--list", list}, "--in"},
		{[]string{"screen", "--in", filepath.Join(t.TempDir(), "missing.csv"), "--list", list}, "--in"},
		{[]string{"screen", "--in", noName, "--list", list, "--workers", "-2"}, "--workers"},
		{[]string{"screen", "--in", noName, "--list", list, "--explain"}, "--explain"},
		{[]string{"screen", "compare", "a"}, "NAME1"},
		{[]string{"screen", "compare", "a", "b", "--type", "bogus"}, "--type"},
		{[]string{"screen", "compare", "a", "b", "--threshold", "2"}, "--threshold"},
		{[]string{"screen", "compare", "a", "b", "--out", "x.csv"}, "--out"},
		{[]string{"screen", "compare", "--in", noName}, "--in"},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%02d%s", i, tt.want), func(t *testing.T) {
			r := runScreenCLI(t, context.Background(), "", tt.args...)
			if r.err == nil || exitCode(r.err) != 2 {
				t.Fatalf("err %v (exit %d), want a usage error (exit 2)", r.err, exitCode(r.err))
			}
			if got := errorLine(r.err); !strings.Contains(got, tt.want) {
				t.Errorf("message %q does not name %s", got, tt.want)
			}
		})
	}
}
