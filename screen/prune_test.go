package screen

import (
	"fmt"
	"reflect"
	"testing"

	"tollgate/screen/synth"
)

// TestPruneLossless screens synthetic and listed names with and without
// pruning the accumulation and expects the same hits.
func TestPruneLossless(t *testing.T) {
	listed := realLists(t)
	gen, err := synth.New(synth.Learn(listed), 1, synth.DefaultMix())
	if err != nil {
		t.Fatal(err)
	}
	entities := append(listed[:len(listed):len(listed)], gen.Entities(30000)...)
	ix := NewIndex(entities, DefaultConfig())

	queries := make([]Query, 0, 3000)
	for i := range 1000 {
		e := &entities[(i*7919)%len(entities)]
		queries = append(queries, Query{Name: gen.Perturb(e.Name), Type: e.Type})
		name, typ := gen.Name()
		queries = append(queries, Query{Name: name, Type: typ}, Query{Name: e.Name, Country: "CN"})
	}
	for _, q := range queries {
		ix.noPrune = false
		got := ix.Screen(q, 10)
		ix.noPrune = true
		want := ix.Screen(q, 10)
		if !reflect.DeepEqual(hitIDs(got), hitIDs(want)) {
			t.Errorf("%q: pruned %v, full %v", q.Name, hitIDs(got), hitIDs(want))
		}
	}
}

// hitIDs returns the entity ids, matched names and scores of hits.
func hitIDs(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s %q %.6f", h.Entity.SourceID, h.MatchedName, h.Score)
	}
	return out
}
