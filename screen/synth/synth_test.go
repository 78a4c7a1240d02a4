package synth

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"tollgate"
	"tollgate/internal/testenv"
	"tollgate/screen/lists"
)

// sample returns a small set of listed entities in the three scripts, enough
// for every table to be learned.
func sample() []tollgate.Entity {
	given := []string{"Ivan", "Li", "Ahmad", "Maria", "Sergei", "Wei", "Omar", "Anna"}
	family := []string{"Petrov", "Zhang", "Karimi", "Ivanova", "Sokolov", "Chen", "Haddad", "Volkova"}
	orgs := []string{"Petrov Trading", "Zhang Electronics", "Karimi Shipping", "Volkova Holding"}
	han := []string{"华为技术有限公司", "中芯国际", "海康威视数字技术", "摩尔线程智能科技"}
	cyr := []string{"Иван Петров", "Сергей Соколов", "Анна Волкова", "ПАО Роснефть"}
	var out []tollgate.Entity
	for i := range 240 {
		e := tollgate.Entity{List: "TEST", SourceID: fmt.Sprint(i), Countries: []string{[]string{"CN", "RU", "IR"}[i%3]}}
		if i%2 == 0 {
			e.Type = tollgate.EntityPerson
			e.Name = given[i%len(given)] + " " + family[(i/3)%len(family)]
			e.AltNames = []string{cyr[i%len(cyr)]}
		} else {
			e.Type = tollgate.EntityOrganization
			e.Name = orgs[i%len(orgs)]
			e.AltNames = []string{han[i%len(han)], fmt.Sprintf("%s %d", orgs[(i/5)%len(orgs)], i)}
		}
		out = append(out, e)
	}
	return out
}

func TestGeneratorDeterministic(t *testing.T) {
	st := Learn(sample())
	gen := func(seed uint64) []tollgate.Entity {
		g, err := New(st, seed, DefaultMix())
		if err != nil {
			t.Fatal(err)
		}
		return g.Entities(500)
	}
	a, b := gen(7), gen(7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two generators with seed 7 gave different entities")
	}
	if c := gen(8); reflect.DeepEqual(a, c) {
		t.Fatal("seeds 7 and 8 gave the same entities")
	}
	// Learning again gives the same statistics, hence the same entities.
	g, _ := New(Learn(sample()), 7, DefaultMix())
	if got := g.Entities(500); !reflect.DeepEqual(got, a) {
		t.Fatal("statistics learned twice gave different entities")
	}
}

func TestGeneratorScriptMix(t *testing.T) {
	tests := []struct {
		name string
		mix  Mix
	}{
		{"default", DefaultMix()},
		{"even", Mix{Latin: 1, Chinese: 1, Cyrillic: 1}},
		{"latin only", Mix{Latin: 1}},
		{"chinese only", Mix{Chinese: 1}},
	}
	st := Learn(sample())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMix(t, st, tt.mix, 4000)
		})
	}
}

// checkMix generates n entities and checks that their primary names follow
// mix within three percentage points, and that every entity is well formed.
func checkMix(t *testing.T, st *Stats, mix Mix, n int) {
	t.Helper()
	g, err := New(st, 1, mix)
	if err != nil {
		t.Fatal(err)
	}
	var count [numScripts]int
	for _, e := range g.Entities(n) {
		if e.Name == "" || e.List != List || e.SourceID == "" || !e.Type.Valid() {
			t.Fatalf("malformed entity %+v", e)
		}
		s, ok := ScriptOf(e.Name)
		if !ok {
			t.Fatalf("name %q is in none of the scripts", e.Name)
		}
		count[s]++
	}
	sum := mix.Latin + mix.Chinese + mix.Cyrillic
	for s, w := range [numScripts]float64{mix.Latin, mix.Chinese, mix.Cyrillic} {
		got, want := float64(count[s])/float64(n), w/sum
		if got < want-0.03 || got > want+0.03 {
			t.Errorf("%s share = %.3f, want %.3f", Script(s), got, want)
		}
	}
}

func TestNewRejectsEmpty(t *testing.T) {
	if _, err := New(Learn(nil), 1, DefaultMix()); err == nil {
		t.Error("New over no names: no error")
	}
	if _, err := New(Learn(sample()), 1, Mix{}); err == nil {
		t.Error("New with an empty mix: no error")
	}
}

func TestPerturbChangesName(t *testing.T) {
	g, _ := New(Learn(sample()), 3, DefaultMix())
	changed := 0
	for range 200 {
		name, _ := g.Name()
		if p := g.Perturb(name); p != name {
			changed++
		}
	}
	if changed < 150 {
		t.Errorf("Perturb changed %d of 200 names, want most", changed)
	}
}

// TestLearnRealLists learns from the real lists and checks that each
// script has names to draw from and the vocabulary keeps growing.
func TestLearnRealLists(t *testing.T) {
	var all []tollgate.Entity
	for _, rel := range []string{"lists/csl/consolidated-2022-04.csv.gz", "lists/un/consolidated-2026-02-27.xml"} {
		res, err := lists.Load(testenv.DataFile(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, res.Entities...)
	}
	st := Learn(all)
	t.Logf("names learned per script: %v", st.Names())
	checkMix(t, st, DefaultMix(), 5000)
	g, _ := New(st, 1, DefaultMix())
	words := make(map[string]bool)
	for _, e := range g.Entities(20000) {
		for _, n := range e.Names() {
			for _, w := range strings.Fields(n) {
				words[w] = true
			}
		}
	}
	if len(words) < 5000 {
		t.Errorf("20,000 entities use %d distinct words; want a growing vocabulary", len(words))
	}
}
