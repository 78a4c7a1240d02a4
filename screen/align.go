package screen

import (
	"math"
	"slices"
)

// Alignment and the name score.
//
// Candidate pairs link a query token (or two adjacent query tokens written
// together elsewhere: "Alisher Usmanov" / "AlisherUsmanov") with a listed
// token (or two adjacent ones), with a similarity. The alignment takes the
// pairs greedily, most similar first, each token at most once. Then
//
//	matched  M = Σ sim · w        (w: mean weight of the pair's two sides)
//	partial  P = Σ (1−sim) · w
//	conflict C = min(Uq, Ul)
//	extra    E = |Uq − Ul|
//	score      = M / (M + partialCost·P + conflictCost·C + extraCost·E)
//
// where Uq and Ul are the weights of the query's and the listed name's
// unmatched tokens. Unmatched tokens on both sides are a conflict (a
// different surname, a different company word) and cost more than tokens
// present on one side only (a middle name or a legal form left out). Two
// contradicting legal forms (GmbH and AG) add legalConflictCost to C.

const (
	conflictCost = 1.6  // per unit of weight of unmatched tokens on both sides
	partialCost  = 1.2  // per unit of weight a fuzzy pair falls short of exact
	extraCost    = 0.45 // per unit of weight of tokens on one side only
)

const maxAlignToks = 32 // tokens per side taken into the alignment

// pairCand is a candidate pair: query tokens [q0,q1] with listed tokens
// [l0,l1] (inclusive ranges of one or two tokens).
type pairCand struct {
	q0, q1, l0, l1 int8
	sim            float32
	how            uint8
}

// How a pair was established, for explanations.
const (
	howExact uint8 = iota + 1
	howFuzzy
	howPhonetic
	howInitial
	howJoined
	howLegal
	howAlt
	howAcronym
	howTranslit
)

var howNames = [...]string{"", "exact", "fuzzy", "phonetic", "initial", "joined", "legal-form", "translation", "acronym", "transliteration"}

func howOf(s string) uint8 {
	switch s {
	case "exact":
		return howExact
	case "fuzzy":
		return howFuzzy
	case "phonetic":
		return howPhonetic
	case "translit":
		return howTranslit
	}
	return 0
}

// alignment is the result of aligning two token sequences.
type alignment struct {
	score  float64
	chosen []pairCand
	usedQ  uint64
	usedL  uint64
}

// align chooses pairs from cands greedily and scores the alignment. cands
// is reordered. chosen is appended to buf to let callers reuse memory.
// contQ and contL mark the tokens that continue the word of the token
// before them (Korean syllables): such a token aligns after its
// predecessor's partner, or not at all.
func align(cands []pairCand, wq, wl []float64, contQ, contL uint64, buf []pairCand) alignment {
	slices.SortFunc(cands, func(a, b pairCand) int {
		if a.sim != b.sim {
			if a.sim > b.sim {
				return -1
			}
			return 1
		}
		// Prefer the pair with more tokens, then the heavier one (the
		// query's "bin" with the listed name's last "bin", not with a
		// forefather's), then the earlier one.
		na, nb := int(a.q1-a.q0)+int(a.l1-a.l0), int(b.q1-b.q0)+int(b.l1-b.l0)
		if na != nb {
			return nb - na
		}
		if wa, wb := sumRange(wq, a.q0, a.q1)+sumRange(wl, a.l0, a.l1), sumRange(wq, b.q0, b.q1)+sumRange(wl, b.l0, b.l1); wa != wb {
			if wa > wb {
				return -1
			}
			return 1
		}
		return int(a.q0) - int(b.q0)
	})
	al := alignment{chosen: buf[:0]}
	var m, c, pc float64
	ordered := contQ|contL != 0
	for _, p := range cands {
		mq, ml := rangeMask(p.q0, p.q1), rangeMask(p.l0, p.l1)
		if al.usedQ&mq != 0 || al.usedL&ml != 0 {
			continue
		}
		if ordered && crosses(al.chosen, p, contQ, contL) {
			continue
		}
		al.usedQ |= mq
		al.usedL |= ml
		al.chosen = append(al.chosen, p)
		if p.how == howLegal && p.sim == 0 {
			c += legalConflictCost
			continue
		}
		w := (sumRange(wq, p.q0, p.q1) + sumRange(wl, p.l0, p.l1)) / 2
		m += float64(p.sim) * w
		pc += (1 - float64(p.sim)) * w
	}
	uq, ul := unmatched(wq, al.usedQ), unmatched(wl, al.usedL)
	c += math.Min(uq, ul)
	e := math.Abs(uq - ul)
	if m > 0 {
		al.score = m / (m + partialCost*pc + conflictCost*c + extraCost*e)
	}
	return al
}

// crosses reports whether pair p would put a word's syllables out of
// order against a chosen pair: p's first query (or listed) token continues
// the word of the token before it, which is aligned at or after p, or the
// token after p continues p's word and is aligned at or before it.
func crosses(chosen []pairCand, p pairCand, contQ, contL uint64) bool {
	for _, o := range chosen {
		switch {
		case o.q1 == p.q0-1 && contQ&(1<<uint(p.q0)) != 0 && o.l1 >= p.l0,
			o.q0 == p.q1+1 && contQ&(1<<uint(o.q0)) != 0 && o.l0 <= p.l1,
			o.l1 == p.l0-1 && contL&(1<<uint(p.l0)) != 0 && o.q1 >= p.q0,
			o.l0 == p.l1+1 && contL&(1<<uint(o.l0)) != 0 && o.q0 <= p.q1:
			return true
		}
	}
	return false
}

// contMask returns the mask of the tokens of toks that continue the word
// of the token before them.
func contMask(toks []token) uint64 {
	var m uint64
	for i, t := range toks {
		if t.cont && i < 64 {
			m |= 1 << uint(i)
		}
	}
	return m
}

func rangeMask(a, b int8) uint64 {
	return (uint64(1)<<(uint(b-a)+1) - 1) << uint(a)
}

func sumRange(w []float64, a, b int8) float64 {
	s := 0.0
	for i := a; i <= b; i++ {
		s += w[i]
	}
	return s
}

func unmatched(w []float64, used uint64) float64 {
	s := 0.0
	for i, x := range w {
		if used&(1<<uint(i)) == 0 {
			s += x
		}
	}
	return s
}

// explain renders an alignment of query form q and listed form l.
func explain(al alignment, q, l []token, wq, wl []float64) []TokenMatch {
	out := make([]TokenMatch, 0, len(q)+len(l))
	for _, p := range al.chosen {
		out = append(out, TokenMatch{
			Query:      joinRange(q, p.q0, p.q1),
			Listed:     joinRange(l, p.l0, p.l1),
			Similarity: round3(float64(p.sim)),
			Weight:     round3((sumRange(wq, p.q0, p.q1) + sumRange(wl, p.l0, p.l1)) / 2),
			How:        howNames[p.how],
		})
	}
	for i, t := range q {
		if i < len(wq) && al.usedQ&(1<<uint(i)) == 0 {
			out = append(out, TokenMatch{Query: t.text, Weight: round3(wq[i]), How: "unmatched"})
		}
	}
	for j, t := range l {
		if j < len(wl) && al.usedL&(1<<uint(j)) == 0 {
			out = append(out, TokenMatch{Listed: t.text, Weight: round3(wl[j]), How: "unmatched"})
		}
	}
	return out
}

func joinRange(toks []token, a, b int8) string {
	s := toks[a].text
	for i := a + 1; i <= b; i++ {
		s += " " + toks[i].text
	}
	return s
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
