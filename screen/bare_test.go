package screen

import (
	"testing"

	"tollgate"
)

// TestBareName: a distinctive word alone hits the full listed name, below a
// full-name match; generic words alone, a name with another distinctive
// word, and persons do not (issue 19, 2).
func TestBareName(t *testing.T) {
	ix := NewIndex(testEntities(), DefaultConfig())
	tests := []struct {
		query string
		typ   tollgate.EntityType
		want  string // the source id of the first hit, "" for none
		bare  bool
	}{
		{"Huawei", tollgate.EntityOrganization, "el-2", false}, // an alias, a full match
		{"Kalashnikov", tollgate.EntityOrganization, "16911", true},
		{"Kalashnikov", tollgate.EntityUnknown, "16911", true},
		{"Sugon", tollgate.EntityUnknown, "el-3", false},
		{"Dawning", tollgate.EntityUnknown, "el-3", true},
		{"Concern", tollgate.EntityUnknown, "", false},
		{"Technologies", tollgate.EntityUnknown, "", false},
		{"Information Industry", tollgate.EntityUnknown, "", false},
		{"Lavrov", tollgate.EntityUnknown, "", false}, // a person's surname alone
		{"Kalashnikov", tollgate.EntityPerson, "", false},
	}
	for _, tt := range tests {
		hits := ix.Screen(Query{Name: tt.query, Type: tt.typ}, 1)
		got := ""
		if len(hits) > 0 {
			got = hits[0].Entity.SourceID
		}
		if got != tt.want {
			t.Errorf("Screen(%q, %v) first hit = %q, want %q", tt.query, tt.typ, got, tt.want)
			continue
		}
		if len(hits) > 0 {
			h := hits[0]
			if h.Explanation.BareName != tt.bare {
				t.Errorf("Screen(%q): bare = %v, want %v", tt.query, h.Explanation.BareName, tt.bare)
			}
			if tt.bare && (h.Explanation.NameScore >= 1 || h.Score < DefaultThreshold) {
				t.Errorf("Screen(%q): bare-name score %.3f (name %.3f), want in [threshold, 1)", tt.query, h.Score, h.Explanation.NameScore)
			}
			if s, _ := ix.Compare(tt.query, h.MatchedName, tt.typ); s != h.Explanation.NameScore {
				t.Errorf("Screen(%q) name score %.3f, Compare says %.3f", tt.query, h.Explanation.NameScore, s)
			}
		}
	}
}

// TestBareNameLonger: a query that adds one generic word to a listed brand
// is the brand; one that builds a longer name around it is another
// company's name and is not lifted.
func TestBareNameLonger(t *testing.T) {
	ix := NewIndex(testEntities(), DefaultConfig())
	for _, tt := range []struct {
		query string
		bare  bool
	}{
		{"Huawei Group", true},
		{"Shenzhen Huawei Digital Group", false},
	} {
		got := false
		for _, h := range ix.Screen(Query{Name: tt.query}, 0) {
			if h.Entity.SourceID == "el-2" { // alias "Huawei"
				got = h.Explanation.BareName
			}
		}
		if got != tt.bare {
			t.Errorf("Screen(%q): bare-name hit on the alias Huawei = %v, want %v", tt.query, got, tt.bare)
		}
	}
}

// TestBareNameReal checks the rule on the real lists: brands alone hit,
// the lists' most common words alone do not.
func TestBareNameReal(t *testing.T) {
	ix := realIdx(t)
	for _, q := range []string{"Huawei", "Hisilicon", "Rosneft", "VTB", "Kalashnikov", "SMIC"} {
		if hits := ix.Screen(Query{Name: q, Type: tollgate.EntityOrganization}, 1); len(hits) == 0 {
			t.Errorf("Screen(%q): no hit", q)
		}
	}
	for _, q := range []string{"Group", "Technology", "China", "Company", "Bank", "International Trading", "Shanghai"} {
		if hits := ix.Screen(Query{Name: q, Type: tollgate.EntityOrganization}, 1); len(hits) > 0 {
			t.Errorf("Screen(%q): hit %q %.3f", q, hits[0].MatchedName, hits[0].Score)
		}
	}
}
