package screen

import (
	"fmt"
	"sync"
	"testing"

	"tollgate"
)

// testEntities is a small list of handmade entities in the shapes the real
// lists use.
func testEntities() []tollgate.Entity {
	return []tollgate.Entity{
		{List: "EL", SourceID: "el-1", Name: "Beijing Huawei Digital Technologies Co., Ltd.", Type: tollgate.EntityOrganization, Countries: []string{"CN"}},
		{List: "EL", SourceID: "el-2", Name: "Huawei Technologies Co., Ltd.", AltNames: []string{"Huawei"}, Type: tollgate.EntityOrganization, Countries: []string{"CN"}},
		{List: "EL", SourceID: "el-3", Name: "Sugon", AltNames: []string{"Dawning Information Industry", "Shuguang Information Industry"}, Type: tollgate.EntityOrganization, Countries: []string{"CN"}},
		{List: "SDN", SourceID: "35233", Name: "LAVROV, Sergei Viktorovich", AltNames: []string{"LAVROV, Sergey"}, Type: tollgate.EntityPerson, Countries: []string{"RU"}},
		{List: "SDN", SourceID: "16911", Name: "KALASHNIKOV CONCERN", AltNames: []string{"CONCERN KALASHNIKOV"}, Type: tollgate.EntityOrganization, Countries: []string{"RU"}},
		{List: "UN", SourceID: "QDi.074", Name: "TAREK BEN HABIB BEN AL-TOUMI AL-MAAROUFI", Type: tollgate.EntityPerson, Countries: []string{"TN"}},
		{List: "UN", SourceID: "KPi.036", Name: "KIM SOK CHOL", Type: tollgate.EntityPerson, Countries: []string{"KP"}},
		{List: "SDN", SourceID: "9999", Name: "OMAR, Mullah Mohammed", WeakAltNames: []string{"MULLAH OMAR"}, Type: tollgate.EntityPerson},
		{List: "DPL", SourceID: "dpl-1", Name: "JOHN SMITH", Type: tollgate.EntityPerson, Countries: []string{"US"}},
		{List: "SDN", SourceID: "20157", Name: "KIM, Jong Un", Type: tollgate.EntityPerson, Countries: []string{"KP"}},
		{List: "SDN", SourceID: "12735", Name: "AL-ASSAD, Bashar", Type: tollgate.EntityPerson, Countries: []string{"SY"}},
		{List: "SDN", SourceID: "6365", Name: "BIN LADIN, Usama", AltNames: []string{"BIN LADEN, Osama"}, Type: tollgate.EntityPerson},
	}
}

func TestScreen(t *testing.T) {
	ix := NewIndex(testEntities(), DefaultConfig())
	tests := []struct {
		name    string
		q       Query
		wantID  string // best hit; "" for no hit
		wantHow string // how the query's first token aligned, when checked
	}{
		{"ChineseToTranslated", Query{Name: "北京华为数字技术有限公司"}, "el-1", ""},
		{"TraditionalChinese", Query{Name: "華為技術有限公司"}, "el-2", ""},
		{"PinyinAlias", Query{Name: "曙光信息产业股份有限公司"}, "el-3", "exact"},
		{"Cyrillic", Query{Name: "Сергей Викторович Лавров", Type: tollgate.EntityPerson}, "35233", ""},
		{"OFACOrderAndVariant", Query{Name: "Sergey Lavrov"}, "35233", ""},
		{"CyrillicCompany", Query{Name: "Концерн Калашников"}, "16911", ""},
		{"Particles", Query{Name: "Tarek ben Habib ben al Toumi al Maaroufi"}, "QDi.074", "exact"},
		{"SwappedLetters", Query{Name: "KIM SKO CHOL"}, "KPi.036", ""},
		{"WeakAlias", Query{Name: "Mullah Omar"}, "9999", ""},
		{"NoHit", Query{Name: "Anna Karenina"}, "", ""},
		{"Hangul", Query{Name: "김정은"}, "20157", "translation"},
		{"ArabicArticle", Query{Name: "بشار الأسد"}, "12735", ""},
		{"ChineseTranscription", Query{Name: "奥萨马·本·拉登"}, "6365", ""},
		{"HangulOtherName", Query{Name: "김정일"}, "", ""},
		{"NoHitCommonWords", Query{Name: "Technologies Co., Ltd."}, "", ""},
		{"EmptyQuery", Query{Name: ""}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := ix.Screen(tt.q, 5)
			if tt.wantID == "" {
				if len(hits) > 0 {
					t.Fatalf("Screen(%q) = %d hits, best %q %.3f; want none", tt.q.Name, len(hits), hits[0].MatchedName, hits[0].Score)
				}
				return
			}
			if len(hits) == 0 {
				t.Fatalf("Screen(%q) found nothing, want %s", tt.q.Name, tt.wantID)
			}
			h := hits[0]
			if h.Entity.SourceID != tt.wantID {
				t.Errorf("Screen(%q) best = %s %q, want %s", tt.q.Name, h.Entity.SourceID, h.MatchedName, tt.wantID)
			}
			if h.Score < DefaultThreshold || h.Score > 1 {
				t.Errorf("Screen(%q) score = %v, want in [%v, 1]", tt.q.Name, h.Score, DefaultThreshold)
			}
			if h.MatchedName == "" || h.Explanation.Matched != h.MatchedName || len(h.Explanation.Tokens) == 0 {
				t.Errorf("Screen(%q) hit lacks an explanation: %+v", tt.q.Name, h.Explanation)
			}
			if tt.wantHow != "" && h.Explanation.Tokens[0].How != tt.wantHow {
				t.Errorf("Screen(%q) first alignment %+v, want how %q", tt.q.Name, h.Explanation.Tokens[0], tt.wantHow)
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Score > hits[i-1].Score {
					t.Errorf("hits not sorted by score: %v then %v", hits[i-1].Score, hits[i].Score)
				}
			}
		})
	}
}

func TestScreenScoreIsCompare(t *testing.T) {
	ix := NewIndex(testEntities(), DefaultConfig())
	q := Query{Name: "Huawei Technology Company Limited"}
	hits := ix.Screen(q, 1)
	if len(hits) == 0 {
		t.Fatalf("Screen(%q) found nothing", q.Name)
	}
	want, _ := ix.Compare(q.Name, hits[0].MatchedName, tollgate.EntityUnknown)
	if got := hits[0].Explanation.NameScore; got != round3(want) {
		t.Errorf("hit name score = %v, want ix.Compare = %v", got, round3(want))
	}
}

func TestScreenEvidence(t *testing.T) {
	ix := NewIndex(testEntities(), DefaultConfig())
	base := ix.Screen(Query{Name: "John Smith"}, 1)
	if len(base) == 0 {
		t.Fatal("John Smith: no hit")
	}
	tests := []struct {
		name        string
		q           Query
		typ, cntry  float64
		higherScore bool
	}{
		{"TypeAndCountryAgree", Query{Name: "John Smith", Type: tollgate.EntityPerson, Country: "US", MinScore: 0.5}, 0.05, 0.05, true},
		{"TypeAndCountryDisagree", Query{Name: "John Smith", Type: tollgate.EntityOrganization, Country: "FR", MinScore: 0.5}, -0.05, -0.05, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := ix.Screen(tt.q, 1)
			if len(hits) == 0 {
				t.Fatal("no hit")
			}
			e := hits[0].Explanation
			if e.TypeAdjust != tt.typ || e.CountryAdjust != tt.cntry {
				t.Errorf("adjustments = %v, %v; want %v, %v", e.TypeAdjust, e.CountryAdjust, tt.typ, tt.cntry)
			}
			if (hits[0].Score > base[0].Score) != tt.higherScore && hits[0].Score != 1 {
				t.Errorf("score %v vs %v without evidence", hits[0].Score, base[0].Score)
			}
		})
	}
}

func TestScreenLimitAndMinScore(t *testing.T) {
	ix := NewIndex(testEntities(), DefaultConfig())
	if got := ix.Screen(Query{Name: "Huawei", MinScore: 0.3}, 1); len(got) != 1 {
		t.Errorf("limit 1: %d hits, want 1", len(got))
	}
	low := ix.Screen(Query{Name: "Huawei Technologies", MinScore: 0.3}, 0)
	high := ix.Screen(Query{Name: "Huawei Technologies"}, 0)
	if len(low) < len(high) || len(low) < 2 {
		t.Errorf("MinScore 0.3: %d hits, default: %d; want more hits at the lower score", len(low), len(high))
	}
	for _, h := range high {
		if h.Score < DefaultThreshold {
			t.Errorf("hit %q below the threshold: %v", h.MatchedName, h.Score)
		}
	}
}

func TestScreenBatchMatchesScreen(t *testing.T) {
	ix := NewIndex(testEntities(), DefaultConfig())
	var qs []Query
	for _, n := range []string{"Huawei", "Sergey Lavrov", "Kim Sok Chol", "Nobody Atall", "北京华为数字技术有限公司", "Mullah Omar"} {
		for range 20 {
			qs = append(qs, Query{Name: n})
		}
	}
	got := ix.ScreenBatch(qs, 3, 4)
	if len(got) != len(qs) {
		t.Fatalf("ScreenBatch returned %d results, want %d", len(got), len(qs))
	}
	for i, q := range qs {
		want := ix.Screen(q, 3)
		if len(got[i]) != len(want) {
			t.Fatalf("query %d %q: batch %d hits, single %d", i, q.Name, len(got[i]), len(want))
		}
		for k := range want {
			if got[i][k].Entity != want[k].Entity || got[i][k].Score != want[k].Score {
				t.Errorf("query %q hit %d: batch %s %v, single %s %v", q.Name, k, got[i][k].Entity.SourceID, got[i][k].Score, want[k].Entity.SourceID, want[k].Score)
			}
		}
	}
}

func TestScreenConcurrent(t *testing.T) {
	ix := NewIndex(testEntities(), DefaultConfig())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				name := []string{"Huawei", "Sergei Lavrov", "Kalashnikov Concern", "Sugon"}[(g+i)%4]
				if hits := ix.Screen(Query{Name: name}, 1); len(hits) == 0 {
					t.Errorf("Screen(%q) found nothing", name)
				}
			}
		}()
	}
	wg.Wait()
}

func TestIndexEmpty(t *testing.T) {
	ix := NewIndex(nil, DefaultConfig())
	if hits := ix.Screen(Query{Name: "Huawei"}, 5); len(hits) != 0 {
		t.Errorf("empty index: %d hits", len(hits))
	}
	if ix.Len() != 0 || ix.Names() != 0 {
		t.Errorf("empty index: Len %d Names %d", ix.Len(), ix.Names())
	}
}

func ExampleIndex_Screen() {
	ix := NewIndex([]tollgate.Entity{
		{List: "EL", SourceID: "1", Name: "Beijing Huawei Digital Technologies Co., Ltd."},
		{List: "SDN", SourceID: "2", Name: "LAVROV, Sergei Viktorovich", Type: tollgate.EntityPerson},
	}, DefaultConfig())
	for _, h := range ix.Screen(Query{Name: "北京华为数字技术有限公司"}, 10) {
		fmt.Printf("%s %s %.2f\n", h.Entity.List, h.MatchedName, h.Score)
	}
	// Output:
	// EL Beijing Huawei Digital Technologies Co., Ltd. 0.99
}
