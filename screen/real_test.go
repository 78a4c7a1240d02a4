package screen

import (
	"encoding/csv"
	"os"
	"sync"
	"testing"

	"tollgate"
	"tollgate/internal/testenv"
	"tollgate/screen/lists"
)

// realLists loads the CSL, the 2024 OFAC SDN file and the UN list from the
// shared data (issue 3 §5's setting), skipping tb when they are absent.
func realLists(tb testing.TB) []tollgate.Entity {
	tb.Helper()
	var all []tollgate.Entity
	for _, rel := range []string{"lists/csl/consolidated-2022-04.csv.gz", "lists/ofac/2024-05-03", "lists/un/consolidated-2026-02-27.xml"} {
		res, err := lists.Load(testenv.DataFile(tb, rel))
		if err != nil {
			tb.Fatalf("lists.Load(%s): %v", rel, err)
		}
		all = append(all, res.Entities...)
	}
	return all
}

var (
	realOnce  sync.Once
	realIndex *Index
)

// realIdx returns one index over the real lists, shared by the tests.
func realIdx(tb testing.TB) *Index {
	tb.Helper()
	entities := realLists(tb)
	realOnce.Do(func() { realIndex = NewIndex(entities, DefaultConfig()) })
	return realIndex
}

// realQueries returns up to n ordinary names and n listed names, interleaved.
func realQueries(tb testing.TB, ix *Index, n int) []Query {
	tb.Helper()
	f, err := os.Open(testenv.DataFile(tb, "eval/negatives-us-dev.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var qs []Query
	for i := 1; i < len(rows) && len(qs) < 2*n; i++ {
		qs = append(qs, Query{Name: rows[i][0]})
		qs = append(qs, Query{Name: ix.entities[(i*7919)%len(ix.entities)].Name})
	}
	return qs
}

func TestRealHuaweiChinese(t *testing.T) {
	ix := realIdx(t)
	hits := ix.Screen(Query{Name: "北京华为数字技术有限公司"}, 5)
	if len(hits) == 0 {
		t.Fatal("北京华为数字技术有限公司: no hit on the real lists")
	}
	if got, want := hits[0].MatchedName, "Beijing Huawei Digital Technologies Co., Ltd."; got != want || hits[0].Entity.List != "EL" {
		t.Errorf("best hit = %s %q, want EL %q", hits[0].Entity.List, got, want)
	}
}

func TestRealBatchMatchesScreen(t *testing.T) {
	ix := realIdx(t)
	qs := realQueries(t, ix, 300)
	batch := ix.ScreenBatch(qs, 3, 2)
	for i, q := range qs {
		single := ix.Screen(q, 3)
		if len(single) != len(batch[i]) {
			t.Fatalf("%q: batch %d hits, single %d", q.Name, len(batch[i]), len(single))
		}
		for k := range single {
			if single[k].Entity != batch[i][k].Entity {
				t.Errorf("%q hit %d differs: %s / %s", q.Name, k, single[k].Entity.SourceID, batch[i][k].Entity.SourceID)
			}
		}
	}
}

func BenchmarkNewIndex(b *testing.B) {
	entities := realLists(b)
	b.ResetTimer()
	for b.Loop() {
		NewIndex(entities, DefaultConfig())
	}
}

func BenchmarkScreen(b *testing.B) {
	ix := realIdx(b)
	qs := realQueries(b, ix, 5000)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		ix.Screen(qs[i%len(qs)], 10)
		i++
	}
}

func BenchmarkScreenBatch(b *testing.B) {
	ix := realIdx(b)
	qs := realQueries(b, ix, 10000)
	b.ResetTimer()
	for b.Loop() {
		ix.ScreenBatch(qs, 10, 0)
	}
	b.ReportMetric(float64(len(qs)*b.N)/b.Elapsed().Seconds(), "names/s")
}

func BenchmarkCompare(b *testing.B) {
	for b.Loop() {
		Compare("Beijing Huawei Digital Technology Co Ltd", "Beijing Huawei Digital Technologies Co., Ltd.", tollgate.EntityOrganization)
	}
}
