package screen

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
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

func TestSelectByAcc(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 500 {
		n := 1 + r.IntN(300)
		acc := make([]nameAcc, n)
		for i := range acc {
			acc[i].acc = float32(r.IntN(1 + trial%20)) // many ties on some trials
		}
		names := make([]int32, n)
		for i := range names {
			names[i] = int32(i)
		}
		r.Shuffle(n, func(i, j int) { names[i], names[j] = names[j], names[i] })
		k := 1 + r.IntN(n)
		got := slices.Clone(names)
		selectByAcc(got, acc, k)
		want := slices.Clone(names)
		sortByAcc(want, acc)
		if !slices.Equal(got[:k], want[:k]) {
			t.Fatalf("n=%d k=%d: selectByAcc %v, sortByAcc %v", n, k, got[:k], want[:k])
		}
	}
}
