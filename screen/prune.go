package screen

import (
	"cmp"
	"slices"
)

// Pruning the accumulation. A name's accumulated weight is at most the sum
// of the weights of the query tokens it covers, so a name that holds none
// but the lightest query tokens, whose weights together stay below the
// least weight a candidate needs, can never become a candidate. Those
// tokens are inessential; they are usually the common ones ("mohammad",
// "trading"), whose postings grow with the lists. Names are touched only
// through the essential tokens' postings, and an inessential token's
// postings only add to names already touched, by a merge or by binary
// search, whichever reads less. The candidates and their weights are
// exactly those of touching every posting (the MaxScore idea of text
// retrieval).

// pruneSlack keeps float32 rounding of accumulated weights from making a
// name that holds only inessential tokens look like a candidate.
const pruneSlack = 1e-4

// essentialTokens returns the mask of the query form's tokens that are
// essential for a candidate to reach minAcc: all but the lightest tokens
// whose weights sum below minAcc. Tokens without a retrieval unit never add
// weight and are left out of the sum.
func essentialTokens(s *scratch, minAcc float64) uint64 {
	var retrieved uint64
	for _, u := range s.units {
		retrieved |= rangeMask(u.q0, u.q1)
	}
	var buf [64]int8
	order := buf[:0]
	for i := range min(len(s.wq), 64) {
		if retrieved&(1<<uint(i)) != 0 {
			order = append(order, int8(i))
		}
	}
	slices.SortStableFunc(order, func(a, b int8) int { return cmp.Compare(s.wq[a], s.wq[b]) })
	essential := retrieved
	sum := 0.0
	for _, i := range order {
		if sum+s.wq[i] >= minAcc-pruneSlack {
			break
		}
		sum += s.wq[i]
		essential &^= 1 << uint(i)
	}
	return essential
}

// touchEssential touches the names in the postings of every hit on an
// essential token, and reports whether any hit is on inessential tokens
// only (when none is, there is nothing to prune and touching is left to
// the accumulation as before).
func (ix *Index) touchEssential(s *scratch, essential uint64) bool {
	if ix.noPrune {
		return false
	}
	pruned := false
	for _, h := range s.hits {
		if h.sim > 0 {
			un := &s.units[h.u]
			pruned = pruned || rangeMask(un.q0, un.q1)&essential == 0
		}
	}
	if !pruned {
		return false
	}
	for _, h := range s.hits {
		un := &s.units[h.u]
		if h.sim > 0 && rangeMask(un.q0, un.q1)&essential != 0 {
			for _, n := range ix.postings.get(h.v) {
				s.touch(n)
			}
		}
	}
	return true
}

// creditTouched credits unit un's similarity sim to the names of postings
// that are already touched. postings is sorted by name.
func (ix *Index) creditTouched(s *scratch, postings []int32, un unit, sim float32) {
	if len(s.touched) == 0 {
		return
	}
	// Binary search costs about log2(len(postings)) reads per touched name.
	if len(s.touched)*bitsLen(len(postings)) < len(postings) {
		for _, n := range s.touched {
			if _, ok := slices.BinarySearch(postings, n); ok {
				s.credit(n, un, sim)
			}
		}
		return
	}
	for _, n := range postings {
		if s.names[n].mark == s.stamp {
			s.credit(n, un, sim)
		}
	}
}

// bitsLen returns the number of bits of n.
func bitsLen(n int) int {
	b := 0
	for ; n > 0; n >>= 1 {
		b++
	}
	return b
}

// credit adds to touched name n the weight of the query tokens of unit un
// it does not cover yet, times sim.
func (s *scratch) credit(n int32, un unit, sim float32) {
	na := &s.names[n]
	add := uint32(rangeMask(un.q0, un.q1)) &^ na.covered
	if add == 0 {
		return
	}
	na.covered |= add
	w := 0.0
	for i := un.q0; i <= un.q1; i++ {
		if add&(1<<uint(i)) != 0 {
			w += s.wq[i]
		}
	}
	na.acc += float32(w) * sim
}

// selectByAcc moves the k names of highest accumulated weight (ties by
// lower name id, as sortByAcc orders them) to names[:k], in sortByAcc's
// order, in time linear in len(names) plus k log k: the same candidates as
// sorting all the names, which a common query token makes many.
func selectByAcc(names []int32, acc []nameAcc, k int) {
	before := func(a, b int32) bool {
		if acc[a].acc != acc[b].acc {
			return acc[a].acc > acc[b].acc
		}
		return a < b
	}
	lo, hi := 0, len(names)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if before(names[mid], names[lo]) {
			names[mid], names[lo] = names[lo], names[mid]
		}
		if before(names[hi], names[lo]) {
			names[hi], names[lo] = names[lo], names[hi]
		}
		if before(names[hi], names[mid]) {
			names[hi], names[mid] = names[mid], names[hi]
		}
		p := names[mid]
		i, j := lo, hi
		for i <= j {
			for before(names[i], p) {
				i++
			}
			for before(p, names[j]) {
				j--
			}
			if i <= j {
				names[i], names[j] = names[j], names[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			lo = hi
		}
	}
	sortByAcc(names[:k], acc)
}
