package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tollgate"
	"tollgate/screen"
	"tollgate/screen/lists"
)

// screenTestIndex indexes screenTestList the way screen --list does.
func screenTestIndex(tb testing.TB) *screen.Index {
	tb.Helper()
	res, err := lists.ParseCustom(strings.NewReader(screenTestList))
	if err != nil {
		tb.Fatal(err)
	}
	return screen.NewIndex(res.Entities, screen.DefaultConfig())
}

// wantBatchLine is the JSON line screen --in must write for one row: the
// hits the engine gives for the query, in the documented shape.
func wantBatchLine(t *testing.T, ix *screen.Index, id string, q screen.Query) (line string, hit bool) {
	t.Helper()
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `{"id":%s,"query":%s,"hits":[`, js(id), js(q.Name))
	hits := ix.Screen(q, 10)
	for i, h := range hits {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"score":%s,"list":%s,"source_id":%s,"name":%s,"matched_name":%s,"type":%s}`,
			js(screenRound(h.Score)), js(h.Entity.List), js(h.Entity.SourceID), js(h.Entity.Name), js(h.MatchedName), js(h.Entity.Type))
	}
	b.WriteString("]}\n")
	return b.String(), len(hits) > 0
}

func TestScreenBatch(t *testing.T) {
	list := writeScreenFile(t, "internal.csv", screenTestList)
	ix := screenTestIndex(t)
	in := writeScreenFile(t, "in.csv", "\ufeffcountry,Name,id,type,notes\n"+
		"CN,Acme Rocket Works,c1,org,x\n"+ // line 2
		",,c2,,x\n"+ // 3: no name
		"RU,Иван Петров,,person,x\n"+ // 4: no id, so "4"
		",Margaret Thornbury,c5,,x\n"+ // 5: no hit
		",Nobody Special,c6,alien,x\n"+ // 6: bad type
		",too,many,cols,x,y\n"+ // 7: wrong column count
		"Narnia,Blue Whale Shipping,c8,vessel,x\n"+ // 8: bad country
		"PA,\"Blue Whale\nShipping\",c9,vessel,x\n"+ // 9-10: a quoted line break
		",Acme Rockets,,,x\n") // 11
	rows := []struct {
		id string
		q  screen.Query
	}{
		{"c1", screen.Query{Name: "Acme Rocket Works", Type: tollgate.EntityOrganization, Country: "CN"}},
		{"4", screen.Query{Name: "Иван Петров", Type: tollgate.EntityPerson, Country: "RU"}},
		{"c5", screen.Query{Name: "Margaret Thornbury"}},
		{"c9", screen.Query{Name: "Blue Whale\nShipping", Type: tollgate.EntityVessel, Country: "PA"}},
		{"11", screen.Query{Name: "Acme Rockets"}},
	}
	var want strings.Builder
	withHits := 0
	for _, r := range rows {
		line, hit := wantBatchLine(t, ix, r.id, r.q)
		want.WriteString(line)
		if hit {
			withHits++
		}
	}
	if withHits < 3 {
		t.Fatalf("only %d of the test rows hit the test list; the test needs hits to check", withHits)
	}
	t.Run("Stdout", func(t *testing.T) {
		r := mustScreen(t, "", "screen", "--in", in, "--list", list)
		if r.stdout != want.String() {
			t.Errorf("got\n%s\nwant\n%s", r.stdout, want.String())
		}
		for _, msg := range []string{
			`ignoring column(s) "notes"`,
			"in.csv:3: name: required; row skipped",
			"in.csv:6: type: \"alien\"",
			"in.csv:7: 6 columns, but the header has 5; row skipped",
			"in.csv:8: country: \"Narnia\"",
			fmt.Sprintf("9 rows, 5 screened, 4 skipped, %d with hits; ", withHits),
		} {
			if !strings.Contains(r.stderr, msg) {
				t.Errorf("stderr lacks %q:\n%s", msg, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "\r") {
			t.Errorf("stderr has a progress line though it is not a terminal: %q", r.stderr)
		}
	})
	t.Run("OutFile", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "hits.jsonl")
		r := mustScreen(t, "", "screen", "--in", in, "--list", list, "--out", out, "--workers", "2")
		got, err := os.ReadFile(out)
		if err != nil || string(got) != want.String() || r.stdout != "" {
			t.Errorf("file %q (%v), stdout %q; want the JSON lines in the file only", got, err, r.stdout)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%d files in the output directory, want only hits.jsonl", len(entries))
		}
	})
	t.Run("Stdin", func(t *testing.T) {
		body, _ := os.ReadFile(in)
		r := mustScreen(t, string(body), "screen", "--in", "-", "--list", list)
		if r.stdout != want.String() || !strings.Contains(r.stderr, "<stdin>:3: name: required") {
			t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
		}
	})
	t.Run("DefaultsFromFlags", func(t *testing.T) {
		r := mustScreen(t, "name,type\nIvan Petrov,\n", "screen", "--in", "-", "--list", list, "--type", "vessel")
		line, _ := wantBatchLine(t, ix, "2", screen.Query{Name: "Ivan Petrov", Type: tollgate.EntityVessel})
		if r.stdout != line {
			t.Errorf("got %q, want %q (the --type default applied)", r.stdout, line)
		}
	})
}

// TestScreenBatchNothingScreened checks that a batch in which no row could
// be screened fails (exit 1), with the count of skipped rows, and writes no
// --out file.
func TestScreenBatchNothingScreened(t *testing.T) {
	list := writeScreenFile(t, "internal.csv", screenTestList)
	tests := []struct {
		name, in, want string
	}{
		{"HeaderOnly", "name\n", "the file has no rows to screen"},
		{"AllSkipped", "name,type\n,\nNobody,alien\n", "no row could be screened: all 2 were skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "hits.jsonl")
			r := runScreenCLI(t, context.Background(), tt.in, "screen", "--in", "-", "--list", list, "--out", out)
			if r.err == nil || exitCode(r.err) != 1 || !strings.Contains(errorLine(r.err), tt.want) {
				t.Errorf("err %v, want exit 1 with %q", r.err, tt.want)
			}
			if !strings.Contains(r.stderr, " screened, ") || !strings.Contains(r.stderr, " skipped, ") {
				t.Errorf("stderr lacks the counts:\n%s", r.stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("--out %s was written", out)
			}
		})
	}
}

func TestScreenBatchOrderAcrossChunks(t *testing.T) {
	list := writeScreenFile(t, "internal.csv", screenTestList)
	names := []string{"Acme Rocket Works", "Margaret Thornbury", "Иван Петров", "Blue Whale Shipping"}
	n := 2*screenBatchChunk + 7
	var in strings.Builder
	in.WriteString("id,name\n")
	for i := range n {
		fmt.Fprintf(&in, "r%d,%s\n", i, names[i%len(names)])
	}
	r := mustScreen(t, in.String(), "screen", "--in", "-", "--list", list, "--workers", "3", "--limit", "1")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	for i, l := range lines {
		var got screenBatchLine
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if want := fmt.Sprintf("r%d", i); got.ID != want || got.Query != names[i%len(names)] || len(got.Hits) > 1 {
			t.Fatalf("line %d: id %q query %q hits %d; want %s, %q, at most 1", i+1, got.ID, got.Query, len(got.Hits), want, names[i%len(names)])
		}
	}
}

func TestScreenBatchNothingHalfWritten(t *testing.T) {
	list := writeScreenFile(t, "internal.csv", screenTestList)
	in := writeScreenFile(t, "in.csv", "name\nAcme Rocket Works\n")
	dir := t.TempDir()
	out := filepath.Join(dir, "hits.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := runScreenCLI(t, ctx, "", "screen", "--in", in, "--list", list, "--out", out)
	if r.err == nil {
		t.Fatal("a cancelled run succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d files left in the output directory, want none", len(entries))
	}
	r = runScreenCLI(t, context.Background(), "", "screen", "--in", in, "--list", list, "--out", filepath.Join(dir, "no", "such", "x.jsonl"))
	if r.err == nil || exitCode(r.err) != 2 || !strings.Contains(errorLine(r.err), "--out") {
		t.Errorf("missing output directory: err %v, want a usage error naming --out", r.err)
	}
}

var screenBatchSeeds = []string{
	"",
	"name\n",
	"\ufeffname,id,type,country\nAcme Rocket Works,1,org,CN\n,2,,\nx,3,alien,\ny,4,,Narnia\n",
	"id,name\n1,\"Blue Whale\nShipping\"\n2,Иван Петров\n3,a,b\n",
	"name\n\"unterminated\n",
	"name,name\nx,y\n",
	"Name;ID\nx;1\n",
}

func FuzzScreenBatchCSV(f *testing.F) {
	for _, s := range screenBatchSeeds {
		f.Add(s)
	}
	ix := screenTestIndex(f)
	f.Fuzz(func(t *testing.T, data string) {
		tab, err := openScreenTable(strings.NewReader(data), "fuzz", screenBatchColumns, []string{"name"})
		if err != nil {
			if exitCode(err) != 2 {
				t.Fatalf("header error %v is not a usage error", err)
			}
			return
		}
		var out bytes.Buffer
		problems := 0
		opts := screenBatchOptions{limit: 3, workers: 2, problem: func(line int, msg string) {
			problems++
			if line < 2 || msg == "" {
				t.Errorf("problem at line %d: %q", line, msg)
			}
		}}
		st, err := screenBatchStream(context.Background(), tab, ix, &out, opts)
		if err != nil {
			t.Fatal(err)
		}
		if st.Rows != st.Screened+st.Skipped || problems != st.Skipped {
			t.Errorf("stats %+v with %d problems reported", st, problems)
		}
		dec := json.NewDecoder(&out)
		dec.DisallowUnknownFields()
		for i := range st.Screened {
			var l screenBatchLine
			if err := dec.Decode(&l); err != nil || l.ID == "" || strings.TrimSpace(l.Query) == "" {
				t.Fatalf("line %d: %+v, %v", i+1, l, err)
			}
		}
		if dec.More() {
			t.Errorf("more lines than the %d screened", st.Screened)
		}
	})
}

func FuzzScreenComparePairs(f *testing.F) {
	f.Add("name1,name2,schema\nXi Jinping,Hsi Chin-ping,Person\na,,\nb,c,Alien\n")
	f.Add("\ufeffNAME2,name1\n\"a\nb\",c\n1,2,3\n")
	f.Add("name1\nx\n")
	f.Fuzz(func(t *testing.T, data string) {
		tab, err := openScreenTable(strings.NewReader(data), "fuzz", []string{"name1", "name2", "schema"}, []string{"name1", "name2"})
		if err != nil {
			if exitCode(err) != 2 {
				t.Fatalf("header error %v is not a usage error", err)
			}
			return
		}
		var out bytes.Buffer
		problems := 0
		st, err := screenComparePairs(context.Background(), tab, &out, screen.Compare, tollgate.EntityUnknown, screen.DefaultThreshold,
			func(int, string) { problems++ })
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil || len(recs) != st.Scored+1 || st.Rows != st.Scored+st.Skipped || problems != st.Skipped {
			t.Fatalf("stats %+v, %d problems, %d output records, %v", st, problems, len(recs), err)
		}
	})
}
