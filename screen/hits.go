package screen

import (
	"cmp"

	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"tollgate"
)

// collect turns the entities' best names into hits: each is rescored with
// the direct comparison (the score Compare gives the two names), adjusted
// for type and country, and kept at or above minScore.
func (ix *Index) collect(s *scratch, a analysis, q Query, minScore float64, limit int) []Hit {
	var hits []Hit
	for _, e := range s.entities {
		ent := &ix.entities[e]
		ta, ca := ix.adjust(q, ent)
		n := s.entName[e]
		matched, weak := ix.nameOf(n)
		wa := 0.0
		if weak {
			wa = -weakAliasPenalty
		}
		if float64(s.entScore[e])+ta+ca+wa < minScore-rescoreGap {
			continue
		}
		f := a.forms[s.entForm[e]]
		qt, lt := clip(f.toks), ix.listedTokens(n)
		wq, wl := ix.weights.weights(qt, nil), ix.listedWeights(n, nil)
		al := align(directCands(qt, lt, nil, q.Type != tollgate.EntityPerson && ent.Type != tollgate.EntityPerson), wq, wl, contMask(qt), 0, nil)
		if al.score <= 0 {
			continue
		}
		nameScore, bare := withBareName(al, kindsOf(qt, nil), wq, kindsOf(lt, nil), wl, q.Type == tollgate.EntityPerson || ent.Type == tollgate.EntityPerson)
		total := min(1, max(0, nameScore+ta+ca+wa))
		if total < minScore {
			continue
		}
		hits = append(hits, Hit{
			Entity:      ent,
			Score:       total,
			MatchedName: matched,
			Explanation: Explanation{
				Query:         f.String(),
				Matched:       matched,
				Listed:        form{toks: lt}.String(),
				NameScore:     round3(nameScore),
				BareName:      bare,
				TypeAdjust:    ta,
				CountryAdjust: ca,
				AliasAdjust:   wa,
				Tokens:        explain(al, qt, lt, wq, wl),
				Warnings:      a.notes,
			},
		})
	}
	slices.SortFunc(hits, func(x, y Hit) int {
		if x.Score != y.Score {
			return cmp.Compare(y.Score, x.Score)
		}
		// Scores clamped at 1 are ordered by the names alone.
		if x.Explanation.NameScore != y.Explanation.NameScore {
			return cmp.Compare(y.Explanation.NameScore, x.Explanation.NameScore)
		}
		if c := strings.Compare(x.Entity.List, y.Entity.List); c != 0 {
			return c
		}
		return strings.Compare(x.Entity.SourceID, y.Entity.SourceID)
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

// sortByAcc orders names by accumulated weight, highest first.
func sortByAcc(names []int32, acc []nameAcc) {
	slices.SortFunc(names, func(a, b int32) int {
		if acc[a].acc != acc[b].acc {
			return cmp.Compare(acc[b].acc, acc[a].acc)
		}
		return int(a - b)
	})
}

// screenBatch screens queries on workers goroutines, each with its own
// scratch, handing out queries in small chunks.
func (ix *Index) screenBatch(queries []Query, limit, workers int) [][]Hit {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	out := make([][]Hit, len(queries))
	const chunk = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, (len(queries)+chunk-1)/chunk) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := ix.getScratch()
			defer ix.putScratch(s)
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= len(queries) {
					return
				}
				for i := start; i < min(start+chunk, len(queries)); i++ {
					out[i] = ix.screen(s, queries[i], limit)
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// concatEqual reports whether a+b == c+d without building either string.
func concatEqual(a, b, c, d string) bool {
	if len(a) > len(c) {
		a, b, c, d = c, d, a, b
	}
	// a is a prefix of c; the rest of c is a prefix of b; b ends with d.
	k := len(c) - len(a)
	return c[:len(a)] == a && b[:k] == c[len(a):] && b[k:] == d
}

// adjust returns the type and country evidence for entity e.
func (ix *Index) adjust(q Query, e *tollgate.Entity) (typ, country float64) {
	if q.Type != tollgate.EntityUnknown && e.Type != tollgate.EntityUnknown {
		if q.Type == e.Type {
			typ = ix.cfg.TypeBonus
		} else {
			typ = -ix.cfg.TypeBonus
		}
	}
	if q.Country != "" && len(e.Countries) > 0 {
		country = -ix.cfg.CountryBonus
		for _, c := range e.Countries {
			if equalFoldASCII(c, q.Country) {
				country = ix.cfg.CountryBonus
				break
			}
		}
	}
	return typ, country
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
