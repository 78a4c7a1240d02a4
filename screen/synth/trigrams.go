package synth

import "math/rand/v2"

// trigrams is a letter-trigram model of words: the distribution of each
// letter given the two before it. It spells new words that read like the
// words it learned from ("Zhukovenko", "Almarani").
type trigrams struct {
	next map[[2]rune]table[rune]
}

// Word boundaries in the model.
const (
	wordStart rune = -1
	wordEnd   rune = -2
	maxSpell       = 16 // letters of a spelled word at most
)

// learnTrigrams learns from words, which must be in a fixed order for the
// model to be deterministic.
func learnTrigrams(words []string) *trigrams {
	counts := make(map[[2]rune]map[rune]int)
	for _, w := range words {
		ctx := [2]rune{wordStart, wordStart}
		for _, r := range append([]rune(w), wordEnd) {
			m := counts[ctx]
			if m == nil {
				m = make(map[rune]int)
				counts[ctx] = m
			}
			m[r]++
			ctx = [2]rune{ctx[1], r}
		}
	}
	t := &trigrams{next: make(map[[2]rune]table[rune], len(counts))}
	for ctx, m := range counts {
		t.next[ctx] = tableOf(m)
	}
	return t
}

// word spells a new word, or returns "" when the attempt ran too long or
// came out shorter than two letters.
func (t *trigrams) word(r *rand.Rand) string {
	var out []rune
	ctx := [2]rune{wordStart, wordStart}
	for len(out) <= maxSpell {
		tab, ok := t.next[ctx]
		if !ok {
			break
		}
		c := tab.draw(r)
		if c == wordEnd {
			if len(out) < 2 {
				return ""
			}
			return string(out)
		}
		out = append(out, c)
		ctx = [2]rune{ctx[1], c}
	}
	return ""
}
