package screen

import (
	"slices"

	"tollgate"
)

// Screening one query: retrieve the vocabulary tokens similar to each query
// token (and to each pair of adjacent query tokens written together),
// accumulate per name the weight of query tokens found in it, score in full
// the names that could reach the threshold, and rescore the best name of
// each entity that passes with the direct comparison, so that a hit's score
// is exactly what Compare says of the two names.

const (
	maxUnits   = 40   // retrieval units (tokens and joined pairs) per query form
	rescoreGap = 0.15 // index scores this close below the threshold are rescored
	pruneGap   = 0.05 // margin of the coverage bound that prunes candidates
)

// unit is a query token, or two adjacent query tokens joined.
type unit struct {
	q0, q1 int8
	text   string
	key    string
	strict bool   // exact matches only
	script script // the script the query wrote it in
}

// split records a query token that is two adjacent listed tokens written
// together ("vladimirputin").
type split struct {
	i      int8
	v1, v2 int32
}

// retrieval is what a query form found in the vocabulary.
type hitRec struct {
	u   int8
	v   int32
	sim float32
}

// screen runs one query with scratch s.
func (ix *Index) screen(s *scratch, q Query, limit int) []Hit {
	minScore := q.MinScore
	if minScore <= 0 {
		minScore = ix.cfg.Threshold
	}
	s.newQuery()
	a := analyze(q.Name, q.Type)
	for fi, f := range a.forms {
		ix.screenForm(s, clip(f.toks), q, minScore, uint8(fi))
	}
	return ix.collect(s, a, q, minScore, limit)
}

// screenForm retrieves and scores candidates for one reading of the query,
// recording each entity's best name in s.
func (ix *Index) screenForm(s *scratch, qt []token, q Query, minScore float64, fi uint8) {
	s.newForm()
	s.wq = ix.weights.weights(qt, s.wq)
	s.qk = kindsOf(qt, s.qk)
	total := 0.0
	s.keyless = 0
	for i, t := range qt {
		if !retrievable(t.kind) {
			continue
		}
		if t.script != scriptLatin && !t.strict && len(crossKey(t.text, t.script)) < minCrossKey {
			s.keyless |= 1 << uint(i)
		}
		total += s.wq[i]
		s.addUnit(int8(i), int8(i), t.text, t.strict, t.script)
		if t.kind == kindWord {
			ix.findSplits(s, int8(i), t.text)
		}
		if t.alt != "" {
			s.addUnit(int8(i), int8(min(i+int(t.altSpan), len(qt))-1), t.alt, true, scriptLatin)
		}
	}
	for i := 0; i+1 < len(qt); i++ {
		if joined, ok := joinable(qt[i], qt[i+1]); ok && qt[i].kind == kindWord {
			s.addUnit(int8(i), int8(i+1), joined, qt[i].strict || qt[i+1].strict, qt[i].script)
		}
	}
	if total == 0 {
		return
	}
	for u := range s.units {
		ix.retrieve(s, int8(u))
	}
	// The most type and country can add; the index's own score may also
	// fall short of the direct comparison's by up to pruneGap.
	bonus := 0.0
	if q.Type != tollgate.EntityUnknown {
		bonus += max(ix.cfg.TypeBonus, 0)
	}
	if q.Country != "" {
		bonus += max(ix.cfg.CountryBonus, 0)
	}
	minAcc := float32(total * minCoverage(minScore-bonus-pruneGap))
	ix.accumulate(s, essentialTokens(s, float64(minAcc)))
	cands := s.candidates(minAcc, ix.cfg.MaxCandidates)
	for _, n := range cands {
		score := ix.scoreName(s, qt, n, q.Type == tollgate.EntityPerson)
		if score <= 0 {
			continue
		}
		if _, weak := ix.nameOf(n); weak {
			score -= weakAliasPenalty
		}
		s.offer(ix.names[n].entity, n, fi, float32(score))
	}
}

// retrievable reports whether tokens of kind k are looked up in the index;
// the others are too common to lead anywhere and are compared directly.
func retrievable(k tokKind) bool {
	switch k {
	case kindLegal, kindStop, kindParticle, kindHonorific, kindLineage:
		return false
	}
	return true
}

// minCoverage is the least share of the query's weight a name must hold for
// its score to reach t: with the rest of the query unmatched,
// M/(M+extraCost·U) ≥ t bounds U/(M+U); the bound is loosened by half again
// because pair weights mix both names' weights.
func minCoverage(t float64) float64 {
	if t <= 0 {
		return 0
	}
	x := (1 - t) / ((1 - t) + t*extraCost)
	return max(0, 1-1.5*x)
}

// findSplits records the ways a query token splits into two vocabulary
// tokens.
func (ix *Index) findSplits(s *scratch, i int8, t string) {
	if len(t) < 7 || !isASCII(t) {
		return
	}
	if _, ok := ix.tokenID[t]; ok {
		return
	}
	for k := 3; k <= len(t)-3; k++ {
		v1, ok1 := ix.tokenID[t[:k]]
		if !ok1 {
			continue
		}
		if v2, ok2 := ix.tokenID[t[k:]]; ok2 {
			s.splits = append(s.splits, split{i: i, v1: v1, v2: v2})
		}
	}
}

// retrieve finds the vocabulary tokens similar to unit u, from the cache
// when the word was seen before.
func (ix *Index) retrieve(s *scratch, u int8) {
	un := &s.units[u]
	key := un.text
	switch {
	case un.strict:
		key = "\x00" + key
	case un.script != scriptLatin:
		key = "\x01" + string(rune('a'+un.script)) + key
	}
	if hits, ok := ix.cache.get(key); ok {
		for _, h := range hits {
			s.record(u, h.v, h.sim)
		}
		return
	}
	start := len(s.hits)
	ix.lookup(s, u)
	var hits []tokenHit
	for _, h := range s.hits[start:] {
		if h.u == u {
			hits = append(hits, tokenHit{v: h.v, sim: h.sim})
		}
	}
	ix.cache.put(key, hits)
}

// lookup finds the vocabulary tokens similar to unit u in the index.
func (ix *Index) lookup(s *scratch, u int8) {
	un := &s.units[u]
	if id, ok := ix.tokenID[un.text]; ok {
		s.record(u, id, 1)
	}
	if un.strict || isDigits(un.text) {
		return
	}
	if runeLen(un.text) >= minEditLen {
		ix.consider(s, u, ix.deletes.get(hashString(un.text)))
		for i := 0; i < len(un.text); {
			n := 1
			if un.text[i] >= 0x80 {
				_, n = decodeRune(un.text[i:])
			}
			ix.consider(s, u, ix.deletes.get(hashSkip(un.text, i, n)))
			i += n
		}
	}
	if len(un.key) >= minPhoneticLen {
		ix.consider(s, u, ix.phonetic.get(hashString(un.key)))
	}
	if un.script != scriptLatin {
		if k := crossKey(un.text, un.script); len(k) >= minCrossKey {
			ix.consider(s, u, ix.cross.get(hashString(k)))
		}
	}
	// Plurals: the query's stem may be a listed word, or the stem of one.
	st := stemPlural(un.text)
	if st != un.text {
		if id, ok := ix.tokenID[st]; ok {
			ix.consider(s, u, []int32{id})
		}
	}
	ix.consider(s, u, ix.stems.get(hashString(st)))
	if len(un.text) == 3 && isASCII(un.text) {
		ix.consider(s, u, ix.stems.get(anagramKey(un.text)))
	}
	if ud := undouble(un.text); ud != un.text {
		if id, ok := ix.tokenID[ud]; ok {
			ix.consider(s, u, []int32{id})
		}
		ix.consider(s, u, ix.stems.get(hashString(ud)))
	}
}

// consider compares unit u with each vocabulary token in ids.
func (ix *Index) consider(s *scratch, u int8, ids []int32) {
	un := &s.units[u]
	for _, v := range ids {
		if s.tried(u, v) {
			continue
		}
		sim, how := scriptSim(un.text, un.script, ix.vocab[v], ix.vocabScript[v], un.key, ix.vocabKey[v])
		if un.q1 > un.q0 && how == "phonetic" {
			sim = 0 // see joinedSim
		}
		s.record(u, v, float32(sim))
	}
}

// accumulate adds, for every name containing a retrieved token, the weight
// of the query tokens it covers, best similarities first. Only names that
// hold one of the essential query tokens can reach the candidates' least
// weight (prune.go): the others are never touched, and the postings of a
// hit on inessential tokens only credit names already touched.
func (ix *Index) accumulate(s *scratch, essential uint64) {
	slices.SortFunc(s.hits, func(a, b hitRec) int {
		if a.sim != b.sim {
			if a.sim > b.sim {
				return -1
			}
			return 1
		}
		return int(a.u) - int(b.u)
	})
	pruned := ix.touchEssential(s, essential)
	for _, h := range s.hits {
		if h.sim <= 0 {
			continue
		}
		un := s.units[h.u]
		mask := rangeMask(un.q0, un.q1)
		if pruned && mask&essential == 0 {
			ix.creditTouched(s, ix.postings.get(h.v), un, h.sim)
			continue
		}
		for _, n := range ix.postings.get(h.v) {
			s.touch(n)
			s.credit(n, un, h.sim)
		}
	}
	for _, sp := range s.splits {
		w := float32(s.wq[sp.i])
		bit := uint32(1) << uint(sp.i)
		for _, n := range ix.postings.get(sp.v1) {
			s.touch(n)
			if na := &s.names[n]; na.covered&bit == 0 {
				na.covered |= bit
				na.acc += w
			}
		}
	}
}

// scoreName scores name n against query tokens qt from the retrieval cache.
func (ix *Index) scoreName(s *scratch, qt []token, n int32, person bool) float64 {
	ids, kinds := ix.nameTokens(n)
	s.wl = ix.listedWeights(n, s.wl)
	c := s.cands[:0]
	for j, v := range ids {
		lt := token{text: ix.vocab[v], kind: kinds[j]}
		// Tokens the retrieval skips (legal forms, particles, titles,
		// function words) are compared directly: legal forms by family,
		// the others, short and common, by spelling.
		for i, qtok := range qt {
			switch {
			case lt.kind == kindLegal || qtok.kind == kindLegal:
				if p, ok := pairOf(qtok, lt); ok {
					p.q0, p.q1, p.l0, p.l1 = int8(i), int8(i), int8(j), int8(j)
					c = append(c, p)
				}
			case !retrievable(qtok.kind) && qtok.text == lt.text:
				c = append(c, pairCand{q0: int8(i), q1: int8(i), l0: int8(j), l1: int8(j), sim: 1, how: howExact})
			case s.keyless&(1<<uint(i)) != 0:
				// A word of another script may be too short for a
				// retrieval key (여 "yeo"): it is compared with the names
				// its neighbours found.
				if p, ok := pairOf(qtok, lt); ok {
					p.q0, p.q1, p.l0, p.l1 = int8(i), int8(i), int8(j), int8(j)
					c = append(c, p)
				}
			}
		}
		if lt.kind == kindLegal {
			continue
		}
		if sims := s.simsOf(v); sims != nil {
			for u := range s.units {
				if sims[u] > 0 {
					un := &s.units[u]
					c = append(c, pairCand{q0: un.q0, q1: un.q1, l0: int8(j), l1: int8(j), sim: sims[u]})
				}
			}
		}
		for i, qtok := range qt {
			if qtok.kind == kindWord && lt.kind == kindWord {
				if sim := initialSim(qtok.text, lt.text); sim > 0 {
					c = append(c, pairCand{q0: int8(i), q1: int8(i), l0: int8(j), l1: int8(j), sim: float32(sim)})
				}
			}
		}
	}
	// Two words on each side that spell the same joined, the boundary
	// moved ("Arefullaha Ref" / "Arefullah Aref").
	for i := 0; i+1 < len(qt); i++ {
		qa, qb := qt[i].text, qt[i+1].text
		for j := 0; j+1 < len(ids); j++ {
			la, lb := ix.vocab[ids[j]], ix.vocab[ids[j+1]]
			if len(qa)+len(qb) == len(la)+len(lb) && qa != la && concatEqual(qa, qb, la, lb) {
				c = append(c, pairCand{q0: int8(i), q1: int8(i + 1), l0: int8(j), l1: int8(j + 1), sim: simJoinedBoth})
			}
		}
	}
	for _, sp := range s.splits {
		for j := 0; j+1 < len(ids); j++ {
			if ids[j] == sp.v1 && ids[j+1] == sp.v2 {
				c = append(c, pairCand{q0: sp.i, q1: sp.i, l0: int8(j), l1: int8(j + 1), sim: 1})
			}
		}
	}
	s.cands = c
	al := align(c, s.wq, s.wl, contMask(qt), 0, s.chosen)
	s.chosen = al.chosen
	score, _ := withBareName(al, s.qk, s.wq, kinds, s.wl, person || ix.entityOf(n).Type == tollgate.EntityPerson)
	return score
}
