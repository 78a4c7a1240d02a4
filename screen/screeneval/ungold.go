package screeneval

import (
	"slices"
	"strings"

	"tollgate"
)

// The ground truth of the UN files. A row gives a listed individual's name
// (as listed, or deliberately misspelled, reordered or truncated), date of
// birth and nationality, but not the list's reference number. The
// evaluation identifies the individual without the engine:
//
//  1. an entity listed under exactly the row's name (case, punctuation and
//     word order aside) is the answer, narrowed by date of birth and
//     nationality when several are;
//  2. otherwise, among the entities whose date of birth and nationality
//     agree with the row's, the one whose name shares the most character
//     bigrams with the row's (Dice coefficient at least minGoldDice, and
//     clearly ahead of the runner-up) is the answer;
//  3. otherwise the row is unresolved and left out of the accuracy.

const (
	minGoldDice = 0.6
	goldMargin  = 0.05
)

// unGold resolves rows to UN entities.
type unGold struct {
	byName map[string][]*tollgate.Entity
	all    []*tollgate.Entity
}

func newUNGold(un []tollgate.Entity) *unGold {
	g := &unGold{byName: make(map[string][]*tollgate.Entity)}
	for i := range un {
		e := &un[i]
		g.all = append(g.all, e)
		for _, n := range allNames(e) {
			k := orderFreeKey(n)
			if !slices.Contains(g.byName[k], e) {
				g.byName[k] = append(g.byName[k], e)
			}
		}
	}
	return g
}

// resolve returns the gold entities of a row, or nil when unresolved.
func (g *unGold) resolve(name, dob, country string) []*tollgate.Entity {
	if exact := g.byName[orderFreeKey(name)]; len(exact) > 0 {
		if len(exact) == 1 {
			return exact
		}
		var agree []*tollgate.Entity
		for _, e := range exact {
			if consistent(e, dob, country) {
				agree = append(agree, e)
			}
		}
		if len(agree) > 0 {
			return agree
		}
		return exact
	}
	q := bigrams(orderFreeKey(name))
	var best, second float64
	var bestE *tollgate.Entity
	for _, e := range g.all {
		if !consistent(e, dob, country) {
			continue
		}
		d := 0.0
		for _, n := range allNames(e) {
			d = max(d, dice(q, bigrams(orderFreeKey(n))))
		}
		switch {
		case d > best:
			best, second, bestE = d, best, e
		case d > second:
			second = d
		}
	}
	if bestE == nil || best < minGoldDice || best-second < goldMargin {
		return nil
	}
	return []*tollgate.Entity{bestE}
}

// consistent reports whether e's dates of birth and countries agree with a
// row's (an attribute missing on either side agrees).
func consistent(e *tollgate.Entity, dob, country string) bool {
	if dob = strings.TrimSpace(dob); dob != "" && len(e.BirthDates) > 0 {
		ok := false
		for _, b := range e.BirthDates {
			if strings.HasPrefix(b, dob) || strings.HasPrefix(dob, b) || yearInRange(dob, b) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if country != "" && len(e.Countries) > 0 && !slices.Contains(e.Countries, country) {
		return false
	}
	return true
}

// yearInRange reports whether dob's year lies in a range "YYYY to YYYY".
func yearInRange(dob, r string) bool {
	from, to, ok := strings.Cut(r, " to ")
	if !ok || len(dob) < 4 {
		return false
	}
	y := dob[:4]
	return y >= strings.TrimSpace(from) && y <= strings.TrimSpace(to)
}

func allNames(e *tollgate.Entity) []string {
	return append(e.Names(), e.WeakAltNames...)
}

// orderFreeKey lowercases s, keeps letters and digits, and sorts its words.
func orderFreeKey(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f && r != '\u2019' && r != '\u2018')
	})
	slices.Sort(words)
	return strings.Join(words, " ")
}

// bigrams returns the character bigrams of s.
func bigrams(s string) map[string]int {
	m := make(map[string]int)
	rs := []rune(s)
	for i := 0; i+1 < len(rs); i++ {
		m[string(rs[i:i+2])]++
	}
	return m
}

// dice returns the Dice coefficient of two bigram multisets.
func dice(a, b map[string]int) float64 {
	na, nb, common := 0, 0, 0
	for _, c := range a {
		na += c
	}
	for k, c := range b {
		nb += c
		common += min(c, a[k])
	}
	if na+nb == 0 {
		return 0
	}
	return 2 * float64(common) / float64(na+nb)
}
