package screen

import (
	"strings"
	"sync"
	"testing"

	"tollgate"
)

// The misses reported in issue 19, as regression tests on the real lists
// (skipped when ../shared/data is absent) with an internal-list entry for
// Moore Threads, which joined the Entity List after the CSL snapshot.

var (
	issue19Once sync.Once
	issue19Ix   *Index
)

func issue19Index(t *testing.T) *Index {
	t.Helper()
	entities := realLists(t)
	issue19Once.Do(func() {
		entities = append(entities, tollgate.Entity{List: "INTERNAL", SourceID: "M1", Type: tollgate.EntityOrganization,
			Name:     "Moore Threads Intelligent Technology (Beijing) Co., Ltd.",
			AltNames: []string{"Moore Threads", "摩尔线程智能科技（北京）有限责任公司"}, Countries: []string{"CN"}})
		issue19Ix = NewIndex(entities, DefaultConfig())
	})
	return issue19Ix
}

// TestIssue19Misses: each query must hit an entity with a name containing
// want, among the first three hits.
func TestIssue19Misses(t *testing.T) {
	ix := issue19Index(t)
	tests := []struct {
		query   string
		typ     tollgate.EntityType
		country string
		want    string // a lower-case piece of a listed name
		warning string // a piece of a warning the hit must carry
	}{
		// A bare brand, in Latin and Chinese.
		{"Huawei", tollgate.EntityOrganization, "CN", "huawei", ""},
		{"华为", tollgate.EntityOrganization, "CN", "huawei", ""},
		// Look-alike letters: Cherokee, Cyrillic and Armenian mixed.
		{"Ꮋuawei Technologies Co., Ltd.", tollgate.EntityUnknown, "", "huawei", "look-alike"},
		{"Нսаwеi Technologies", tollgate.EntityUnknown, "", "huawei", "look-alike"},
		{"Moore Ꭲhreads", tollgate.EntityUnknown, "", "moore threads", "look-alike"},
		// A right-to-left override; letters spaced apart.
		{"\u202eseigolonhceT iewauH\u202c", tollgate.EntityUnknown, "", "huawei", "bidi override"},
		{"H u a w e i Technologies", tollgate.EntityUnknown, "", "huawei", "spaced"},
		// Moore Threads' usual short name.
		{"摩尔线程", tollgate.EntityUnknown, "", "moore threads", ""},
		// Rosneft's formal Russian name.
		{"ПАО «НК «Роснефть»", tollgate.EntityUnknown, "", "rosneft", ""},
		{"НК Роснефть", tollgate.EntityUnknown, "", "rosneft", ""},
		// Chinese names that translate; an ordinal; word order.
		{"中国电子科技集团公司第十四研究所", tollgate.EntityUnknown, "", "14th research institute", ""},
		{"国家超级计算无锡中心", tollgate.EntityUnknown, "", "national supercomputing center wuxi", ""},
		{"國家超級計算無錫中心", tollgate.EntityUnknown, "", "national supercomputing center wuxi", ""},
		{"商汤科技", tollgate.EntityUnknown, "", "sensetime", ""},
	}
	for _, tt := range tests {
		hits := ix.Screen(Query{Name: tt.query, Type: tt.typ, Country: tt.country}, 3)
		var found *Hit
		for i := range hits {
			for _, n := range hits[i].Entity.Names() {
				if strings.Contains(strings.ToLower(n), tt.want) {
					found = &hits[i]
				}
			}
			if found != nil {
				break
			}
		}
		if found == nil {
			top := ""
			if len(hits) > 0 {
				top = hits[0].MatchedName
			}
			t.Errorf("Screen(%q): no hit naming %q in the first three (top %q)", tt.query, tt.want, top)
			continue
		}
		if tt.warning != "" && !strings.Contains(strings.Join(found.Explanation.Warnings, "; "), tt.warning) {
			t.Errorf("Screen(%q): warnings %q, want one about %q", tt.query, found.Explanation.Warnings, tt.warning)
		}
	}
}

// TestIssue19Translations: Chinese words of organization names read as
// their English (from CC-CEDICT and the hand-kept words).
func TestIssue19Translations(t *testing.T) {
	for in, want := range map[string]string{
		"终端": "terminal", "机器": "machine", "海洋": "ocean", "工程物理": "engineering physics",
		"研究院": "research institute", "工业大学": "technical university", "集成电路": "integrated circuit",
		"装备": "equipment", "航空工业": "aviation industry", "第十四研究所": "14 research institute",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
