package screen

//go:generate go run ./internal/wadegen -in ${TOLLGATE_CJKLIB}/cjklib/data/wadegilespinyinmapping.csv -out wadegiles_table.go

// Chinese names reach the lists in Hanyu Pinyin ("Xi Jinping", "Deng
// Xiaoping") and in Wade-Giles, with or without its apostrophes and hyphens
// ("Hsi Chin-p'ing", "Teng Hsiao-ping", "Mao Tse-tung"), the spelling of
// Taiwan and of older documents. The two systems spell the same syllables
// differently (j/ch, x/hs, z/ts, zh/ch, d/t, b/p, g/k, -ong/-ung), so a
// name that reads as Mandarin syllables gets a second form in which every
// such word is written in Wade-Giles without apostrophes: the pinyin words
// converted syllable by syllable (wadegiles_table.go, generated from a
// published conversion table), the Wade-Giles words as they are. Both names
// meet in that form. Without its apostrophes Wade-Giles does not tell
// aspirated from plain initials (p'ing is ping, ping is bing), so neither
// does the form: that is what the spelling says.

// maxSyllable is the longest syllable, in letters, of either system.
const maxSyllable = 7

// syllables splits word into syllables of one system (valid reports
// whether a string is one), preferring long syllables; nil when it cannot.
func syllables(word string, valid func(string) bool) []string {
	n := len(word)
	if n == 0 || n > 24 || !isASCII(word) {
		return nil
	}
	// best[i] is the number of syllables of the best split of word[i:]
	// (fewest syllables), -1 when none.
	var best [25]int8
	var next [25]int8
	best[n] = 0
	for i := n - 1; i >= 0; i-- {
		best[i] = -1
		for l := min(maxSyllable, n-i); l >= 1; l-- {
			if best[i+l] >= 0 && valid(word[i:i+l]) && (best[i] < 0 || best[i+l]+1 < best[i]) {
				best[i], next[i] = best[i+l]+1, int8(i+l)
			}
		}
	}
	if best[0] < 0 {
		return nil
	}
	out := make([]string, 0, best[0])
	for i := 0; i < n; i = int(next[i]) {
		out = append(out, word[i:next[i]])
	}
	return out
}

func isPinyin(s string) bool { _, ok := pinyinWade[s]; return ok }
func isWade(s string) bool   { return wadeSyllables[s] }

// wadeForm returns toks with every word written in Wade-Giles without
// apostrophes, when the name reads as Mandarin syllables: more than half
// its words, at most four, split into syllables, all written in Latin
// letters (not read from Chinese characters). A name all of whose words
// are pinyin is read as pinyin; otherwise a word that is Wade-Giles is kept
// and a word that is only pinyin is converted. ok is false when the name
// does not read so or its form would not differ.
func wadeForm(toks []token) ([]token, bool) {
	if len(toks) > 8 {
		return nil, false
	}
	// The syllables of each word in each system, computed once; a name
	// stops being read as soon as too few of its words can parse.
	var py, wg [8][]string
	words, failed := 0, 0
	for _, t := range toks {
		if t.kind != kindLegal && t.kind != kindStop {
			words++
		}
	}
	if words == 0 || words > 4 {
		return nil, false
	}
	allPinyin := true
	for i, t := range toks {
		if t.kind == kindLegal || t.kind == kindStop {
			continue
		}
		if t.script != scriptLatin || t.strict {
			// A name read from Chinese characters is exact pinyin; its
			// Wade-Giles form would only lose the aspiration it knows.
			return nil, false
		}
		py[i] = syllables(t.text, isPinyin)
		if py[i] == nil {
			allPinyin = false
			wg[i] = syllables(t.text, isWade)
		}
		if py[i] == nil && wg[i] == nil {
			if failed++; failed*2 >= words {
				return nil, false
			}
		}
	}
	out := make([]token, len(toks))
	changed := false
	for i, t := range toks {
		out[i] = t
		if py[i] == nil || !allPinyin && syllables(t.text, isWade) != nil {
			continue // not pinyin, or Wade-Giles already in a name that is not all pinyin
		}
		text := ""
		for _, s := range py[i] {
			text += pinyinWade[s]
		}
		if text != t.text {
			out[i].text, out[i].alt, out[i].altSpan, out[i].orig = text, "", 0, ""
			changed = true
		}
	}
	return out, changed
}
