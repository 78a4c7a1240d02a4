// Package synth generates realistic synthetic listed entities, for measuring
// the screening engine at the scale of the largest sanctions datasets
// (about a million entities) that the US lists alone do not reach.
//
// Nothing about the output is hand-written: Learn reads the statistics of
// real list entries (entity types, countries, the number of aliases, the
// number of words in a name, and which words stand first, in the middle and
// last, separately for Latin, Chinese and Cyrillic script), and a Generator
// draws entities from them. Words the lists never used appear as often as
// the lists' own rate of words seen only once predicts (the Good–Turing
// estimate of unseen words), spelled by a letter-trigram model of the
// lists' words, so that the vocabulary grows with the number of entities as
// a real one does. Generation is deterministic under a seed.
package synth

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"

	"tollgate"
)

// Script is a writing system the generator writes names in.
type Script int

// The scripts of generated names.
const (
	Latin Script = iota
	Chinese
	Cyrillic
	numScripts
)

func (s Script) String() string {
	switch s {
	case Latin:
		return "latin"
	case Chinese:
		return "chinese"
	case Cyrillic:
		return "cyrillic"
	}
	return "unknown"
}

// ScriptOf returns the script of name's first letter, and false when it is
// none of the generator's scripts.
func ScriptOf(name string) (Script, bool) {
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
			return Chinese, true
		case unicode.Is(unicode.Cyrillic, r):
			return Cyrillic, true
		case unicode.Is(unicode.Latin, r):
			return Latin, true
		case unicode.IsLetter(r):
			return 0, false
		}
	}
	return 0, false
}

// Stats are the statistics of a set of listed entities that generation
// draws from. Build them with Learn; they hold no list entry whole, only
// frequencies of types, countries, counts and words.
type Stats struct {
	types  table[tollgate.EntityType]
	byType map[tollgate.EntityType]*typeStats
	// pooled holds each script's words over all entity types, for a type
	// whose own names in that script are too few to learn from.
	pooled [numScripts]*scriptStats
}

// typeStats are the statistics of one entity type.
type typeStats struct {
	countries table[string] // "" when the entry names no country
	aliases   table[int]    // the number of aliases (capped at maxAliases)
	scripts   [numScripts]*scriptStats
}

// scriptStats are the statistics of the names written in one script. For
// Chinese, which does not separate words, a "word" is one syllable, written
// as a character of that reading when generated.
type scriptStats struct {
	names  int
	length table[int] // words per name
	first  table[string]
	middle table[string]
	last   table[string]
	// pNew is the share of word occurrences that were the only occurrence
	// of their word: the Good–Turing probability that the next word is one
	// the lists never used.
	pNew  float64
	spell *trigrams
}

const (
	maxAliases    = 8
	maxWords      = 12
	minNamesLearn = 50 // fewer names of a type in a script: use the pooled words
)

// Learn returns the statistics of entities.
func Learn(entities []tollgate.Entity) *Stats {
	st := &Stats{byType: make(map[tollgate.EntityType]*typeStats)}
	types := make(map[tollgate.EntityType]int)
	type counters struct {
		countries map[string]int
		aliases   map[int]int
		scripts   [numScripts]*scriptCounter
	}
	byType := make(map[tollgate.EntityType]*counters)
	var pooled [numScripts]*scriptCounter
	for s := range pooled {
		pooled[s] = newScriptCounter(Script(s))
	}
	for i := range entities {
		e := &entities[i]
		types[e.Type]++
		c := byType[e.Type]
		if c == nil {
			c = &counters{countries: make(map[string]int), aliases: make(map[int]int)}
			for s := range c.scripts {
				c.scripts[s] = newScriptCounter(Script(s))
			}
			byType[e.Type] = c
		}
		country := ""
		if len(e.Countries) > 0 {
			country = e.Countries[0]
		}
		c.countries[country]++
		c.aliases[min(len(e.AltNames), maxAliases)]++
		for _, name := range e.Names() {
			for sc, words := range scriptWords(name, e.Countries) {
				c.scripts[sc].add(words)
				pooled[sc].add(words)
			}
		}
	}
	st.types = tableOf(types)
	for s := range pooled {
		st.pooled[s] = pooled[s].stats()
	}
	for t, c := range byType {
		ts := &typeStats{countries: tableOf(c.countries), aliases: tableOf(c.aliases)}
		for s := range c.scripts {
			if c.scripts[s].names >= minNamesLearn {
				ts.scripts[s] = c.scripts[s].stats()
			}
		}
		st.byType[t] = ts
	}
	return st
}

// Names returns how many names of each script the statistics were learned
// from.
func (st *Stats) Names() map[Script]int {
	out := make(map[Script]int)
	for s, ss := range st.pooled {
		if ss != nil && ss.names > 0 {
			out[Script(s)] = ss.names
		}
	}
	return out
}

// scriptCounter accumulates the words of one script's names.
type scriptCounter struct {
	script              Script
	names               int
	length              map[int]int
	first, middle, last map[string]int
	all                 map[string]int
}

func newScriptCounter(s Script) *scriptCounter {
	return &scriptCounter{script: s, length: make(map[int]int), first: make(map[string]int),
		middle: make(map[string]int), last: make(map[string]int), all: make(map[string]int)}
}

// add counts the words of one name.
func (c *scriptCounter) add(words []string) {
	if len(words) == 0 {
		return
	}
	if len(words) > maxWords {
		words = words[:maxWords]
	}
	c.names++
	c.length[len(words)]++
	for i, w := range words {
		switch {
		case i == 0:
			c.first[w]++
		case i == len(words)-1:
			c.last[w]++
		default:
			c.middle[w]++
		}
		c.all[w]++
	}
}

// stats freezes the counts into tables.
func (c *scriptCounter) stats() *scriptStats {
	if c.names == 0 {
		return nil
	}
	ss := &scriptStats{names: c.names, length: tableOf(c.length), first: tableOf(c.first),
		middle: tableOf(c.middle), last: tableOf(c.last)}
	once, total := 0, 0
	for _, n := range c.all {
		total += n
		if n == 1 {
			once++
		}
	}
	if total > 0 {
		ss.pNew = float64(once) / float64(total)
	}
	if c.script != Chinese {
		ss.spell = learnTrigrams(slices.Sorted(maps.Keys(c.all)))
	}
	return ss
}

// scriptWords returns the words name contributes to each script: its own
// words in its own script, and for a Latin name of a party from a country
// that writes Chinese or Cyrillic, its transcription (transcribe.go). A
// Chinese name's words are its syllables.
func scriptWords(name string, countries []string) map[Script][]string {
	sc, ok := ScriptOf(name)
	if !ok {
		return nil
	}
	out := make(map[Script][]string)
	if sc == Chinese {
		out[Chinese] = hanSyllables(name)
		return out
	}
	words := slices.DeleteFunc(strings.Fields(name), func(w string) bool { return !inScript(w, sc) })
	out[sc] = words
	if sc != Latin {
		return out
	}
	if slices.ContainsFunc(countries, func(c string) bool { return slices.Contains(cyrillicCountries, c) }) {
		var cyr []string
		for _, w := range words {
			if t := toCyrillic(w); t != "" {
				cyr = append(cyr, t)
			}
		}
		out[Cyrillic] = cyr
	}
	if slices.ContainsFunc(countries, func(c string) bool { return slices.Contains(chineseCountries, c) }) {
		var syl []string
		for _, w := range words {
			syl = append(syl, syllables(w)...)
		}
		out[Chinese] = syl
	}
	return out
}

// table is a frequency table to draw from: items in a fixed order (most
// frequent first, ties by value) with cumulative counts.
type table[T cmp.Ordered] struct {
	items []T
	cum   []uint64
}

// tableOf builds a table from counts.
func tableOf[T cmp.Ordered](counts map[T]int) table[T] {
	items := slices.Collect(maps.Keys(counts))
	slices.SortFunc(items, func(a, b T) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	t := table[T]{items: items, cum: make([]uint64, len(items))}
	var sum uint64
	for i, it := range items {
		sum += uint64(counts[it])
		t.cum[i] = sum
	}
	return t
}

// empty reports whether the table has nothing to draw.
func (t *table[T]) empty() bool { return len(t.items) == 0 }

// draw returns an item with probability proportional to its count.
func (t *table[T]) draw(r *rand.Rand) T {
	x := r.Uint64N(t.cum[len(t.cum)-1])
	i, _ := slices.BinarySearch(t.cum, x+1)
	return t.items[i]
}
