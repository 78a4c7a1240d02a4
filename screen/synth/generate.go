package synth

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"tollgate"
)

// List is the list code of generated entities, so that they can never be
// mistaken for entries of a real list.
const List = "SYNTHETIC"

// Mix is the share of generated names written in each script. The shares
// need not sum to one; they are weights.
type Mix struct {
	Latin, Chinese, Cyrillic float64
}

// DefaultMix is the script mix of generated names: mostly Latin, with a
// tenth each in Chinese and Cyrillic, the scripts besides Latin that the
// parties screened against the export regime's lists most often write.
// The US lists alone write very few names in them, which is why the mix is
// a setting rather than learned.
func DefaultMix() Mix { return Mix{Latin: 0.8, Chinese: 0.1, Cyrillic: 0.1} }

// Generator draws synthetic entities from Stats. It is deterministic: the
// same Stats, seed and mix give the same entities in the same order. It is
// not safe for concurrent use.
type Generator struct {
	st  *Stats
	r   *rand.Rand
	mix [numScripts]float64 // cumulative weights
	n   int                 // entities generated so far
}

// New returns a generator over st seeded with seed. It fails when st was
// learned from no names in any of the generator's scripts, or mix gives no
// script a positive weight.
func New(st *Stats, seed uint64, mix Mix) (*Generator, error) {
	if st == nil || st.types.empty() || st.pooled[Latin] == nil && st.pooled[Chinese] == nil && st.pooled[Cyrillic] == nil {
		return nil, errors.New("synth.New: the statistics hold no names in Latin, Chinese or Cyrillic script")
	}
	g := &Generator{st: st, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	sum := 0.0
	for s, w := range [numScripts]float64{mix.Latin, mix.Chinese, mix.Cyrillic} {
		if w < 0 {
			return nil, errors.New("synth.New: a script's share is negative")
		}
		sum += w
		g.mix[s] = sum
	}
	if sum <= 0 {
		return nil, errors.New("synth.New: the script mix is empty")
	}
	return g, nil
}

// Entities returns the next n entities.
func (g *Generator) Entities(n int) []tollgate.Entity {
	out := make([]tollgate.Entity, n)
	for i := range out {
		out[i] = g.Entity()
	}
	return out
}

// Entity returns the next entity: a type, a primary name, aliases (some
// spelling variants of the primary name, some in another script) and a
// country, each drawn from the statistics of that type. Its List is List
// and its SourceID numbers it in the generator's sequence.
func (g *Generator) Entity() tollgate.Entity {
	g.n++
	typ := g.st.types.draw(g.r)
	ts := g.st.byType[typ]
	e := tollgate.Entity{List: List, SourceID: "SYN-" + strconv.Itoa(g.n), Type: typ}
	e.Name = g.nameOf(ts, g.script())
	for range ts.aliases.draw(g.r) {
		alias := g.Perturb(e.Name)
		if g.r.IntN(2) == 0 {
			alias = g.nameOf(ts, g.script())
		}
		if alias != e.Name && !slices.Contains(e.AltNames, alias) {
			e.AltNames = append(e.AltNames, alias)
		}
	}
	if c := ts.countries.draw(g.r); c != "" {
		e.Countries = []string{c}
	}
	return e
}

// Name returns a fresh name of an entity type drawn from the statistics,
// in a script drawn from the mix, and that type.
func (g *Generator) Name() (string, tollgate.EntityType) {
	typ := g.st.types.draw(g.r)
	return g.nameOf(g.st.byType[typ], g.script()), typ
}

// script draws a script from the mix.
func (g *Generator) script() Script {
	x := g.r.Float64() * g.mix[numScripts-1]
	for s, c := range g.mix {
		if x < c {
			return Script(s)
		}
	}
	return Latin
}

// nameOf draws a name in script s from the statistics of a type, falling
// back to the script's statistics over all types, then to another script.
func (g *Generator) nameOf(ts *typeStats, s Script) string {
	ss := ts.scripts[s]
	if ss == nil {
		ss = g.st.pooled[s]
	}
	for alt := Latin; ss == nil; alt++ {
		s, ss = alt, g.st.pooled[alt]
	}
	n := ss.length.draw(g.r)
	words := make([]string, n)
	for i := range words {
		words[i] = g.word(ss, i, n)
	}
	if s == Chinese {
		readings := hanReadings()
		var b strings.Builder
		for _, syl := range words {
			if chars := readings[syl]; len(chars) > 0 {
				b.WriteRune(chars[g.r.IntN(len(chars))])
			}
		}
		return b.String()
	}
	return strings.Join(words, " ")
}

// word draws the word at position i of n: a new word as often as the lists
// used a word only once, else a listed word from that position's table.
func (g *Generator) word(ss *scriptStats, i, n int) string {
	if ss.spell != nil && g.r.Float64() < ss.pNew {
		if w := ss.spell.word(g.r); w != "" {
			return w
		}
	}
	t := &ss.middle
	switch {
	case i == 0:
		t = &ss.first
	case i == n-1:
		t = &ss.last
	}
	for _, alt := range []*table[string]{t, &ss.middle, &ss.first, &ss.last} {
		if !alt.empty() {
			return alt.draw(g.r)
		}
	}
	return ""
}

// Perturb returns name changed the way a name is misspelled, reordered or
// shortened: one letter changed, dropped, doubled or swapped with the next,
// two words swapped, or a word dropped from a name of three or more words;
// in a Chinese name, one character replaced by another of the same
// reading. A name too short to change is returned as is.
func (g *Generator) Perturb(name string) string {
	if sc, _ := ScriptOf(name); sc == Chinese {
		return g.homophone(name)
	}
	words := strings.Fields(name)
	switch k := g.r.IntN(4); {
	case k == 0 && len(words) >= 3:
		i := g.r.IntN(len(words))
		return strings.Join(append(words[:i:i], words[i+1:]...), " ")
	case k == 1 && len(words) >= 2:
		i := g.r.IntN(len(words) - 1)
		words[i], words[i+1] = words[i+1], words[i]
		return strings.Join(words, " ")
	}
	return g.typo(name)
}

// typo changes one letter of s.
func (g *Generator) typo(s string) string {
	rs := []rune(s)
	var letters []int
	for i, r := range rs {
		if r != ' ' {
			letters = append(letters, i)
		}
	}
	if len(letters) < 4 {
		return s
	}
	i := letters[g.r.IntN(len(letters))]
	switch g.r.IntN(4) {
	case 0: // dropped
		rs = append(rs[:i], rs[i+1:]...)
	case 1: // doubled
		rs = append(rs[:i+1], rs[i:]...)
	case 2: // swapped with the next
		if i+1 < len(rs) && rs[i+1] != ' ' {
			rs[i], rs[i+1] = rs[i+1], rs[i]
		} else {
			rs = append(rs[:i], rs[i+1:]...)
		}
	default: // replaced by another letter of the name
		rs[i] = rs[letters[g.r.IntN(len(letters))]]
	}
	return string(rs)
}

// homophone replaces one character of a Chinese name by another character
// of the same reading, when it has one.
func (g *Generator) homophone(s string) string {
	rs := []rune(s)
	if len(rs) == 0 {
		return s
	}
	i := g.r.IntN(len(rs))
	chars := hanReadings()[readingOf(rs[i])]
	if len(chars) < 2 {
		return s
	}
	for {
		if c := chars[g.r.IntN(len(chars))]; c != rs[i] {
			rs[i] = c
			return string(rs)
		}
	}
}
