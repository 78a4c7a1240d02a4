package screen

import (
	"runtime"
	"sync"

	"tollgate"
)

// Analyzing every listed name is most of the work of building an index,
// and each name's analysis depends on nothing else, so it runs on all CPUs:
// a chunk of entities at a time is analyzed in parallel, then its names are
// added to the index in entity order, so that the index is the same
// whatever the number of CPUs.

// buildChunk is how many entities are analyzed before their names are
// added; it bounds the memory the analyses in flight hold.
const buildChunk = 1 << 13

// analyzedName is one distinct reading of one name of an entity.
type analyzedName struct {
	alias int16
	toks  []token
}

// analyzeEntity returns the distinct readings of every name of e, in the
// order addName files them. seen is scratch space.
func analyzeEntity(e *tollgate.Entity, seen map[string]bool, out []analyzedName) []analyzedName {
	clear(seen)
	for ai, raw := range append(e.Names(), e.WeakAltNames...) {
		if raw == "" {
			continue
		}
		for _, f := range analyze(raw, e.Type).forms {
			toks := clip(f.toks)
			if len(toks) == 0 {
				continue
			}
			key := f.String()
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, analyzedName{alias: int16(min(ai, 1<<15-1)), toks: toks})
		}
	}
	return out
}

// addEntities analyzes every entity's names on all CPUs and adds them to
// the index in order, counting document frequencies in df.
func (ix *Index) addEntities(entities []tollgate.Entity, df map[string]int32) {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(entities)/64))
	results := make([][]analyzedName, min(buildChunk, len(entities)))
	for lo := 0; lo < len(entities); lo += buildChunk {
		hi := min(lo+buildChunk, len(entities))
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				seen := make(map[string]bool)
				for i := lo + w; i < hi; i += workers {
					results[i-lo] = analyzeEntity(&entities[i], seen, results[i-lo][:0])
				}
			})
		}
		wg.Wait()
		for i := lo; i < hi; i++ {
			for _, a := range results[i-lo] {
				ix.addName(int32(i), a.alias, a.toks, df)
			}
		}
	}
}

// parallelMap returns f of every element of in, computed on all CPUs.
func parallelMap[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(in)/4096))
	var wg sync.WaitGroup
	per := (len(in) + workers - 1) / max(workers, 1)
	for lo := 0; lo < len(in); lo += per {
		hi := min(lo+per, len(in))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				out[i] = f(in[i])
			}
		})
	}
	wg.Wait()
	return out
}
