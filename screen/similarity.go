package screen

import "unicode/utf8"

// Token similarity. Two tokens are similar when they are equal, one edit
// apart (a typo: substitution, insertion, deletion or transposition of
// adjacent letters) and long enough for one edit not to make another name,
// or when they sound alike by phoneticKey (transliteration variants:
// Mohammed/Muhammad, Aleksandr/Alexander). Anything further is no evidence
// at all: "Castillo" is not a misspelling of "Castro". Keeping the relation
// this narrow is what lets the index retrieve every similar token without
// scanning the vocabulary (see index.go).

// Similarity levels of a token pair.
const (
	simExact        = 1.0
	simPhoneticEdit = 0.93 // sounds alike and one edit apart
	simPhonetic     = 0.88 // sounds alike, spelled further apart
	simInitial      = 0.9  // an initial and a word it abbreviates
	simPlural       = 0.96 // singular and plural of one word
	simDoubled      = 0.95 // equal but for doubled letters (Hannibal/Hanniball)
	editPenalty     = 0.6  // per edit, divided by the shorter length
	minEditLen      = 4    // shorter tokens must match exactly or by sound
	minPhoneticLen  = 3    // phonetic keys shorter than this are no evidence
)

// tokenSim returns the similarity of two normalized tokens in [0,1] and how
// it was established.
func tokenSim(a, b string) (float64, string) {
	if a == b {
		return simExact, "exact"
	}
	return tokenSimKeys(a, b, phoneticKey(a), phoneticKey(b))
}

// tokenSimKeys is tokenSim with the phonetic keys of a and b given.
func tokenSimKeys(a, b, ka, kb string) (float64, string) {
	if a == b {
		return simExact, "exact"
	}
	if a == "" || b == "" || isDigits(a) || isDigits(b) {
		return 0, ""
	}
	if sa, sb := stemPlural(a), stemPlural(b); sa == sb && len(sa) >= minEditLen {
		return simPlural, "fuzzy"
	}
	if equalUndoubled(a, b) {
		return simDoubled, "fuzzy"
	}
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	short := min(la, lb)
	d := editDistance(a, b, 3)
	same := sameKey(ka, kb)
	// One edit: a typo, unless the tokens are short enough for one letter
	// to make another name (Wang/Yang, Chen/Chan): four letters need the
	// same sound as well, and three letters a swap of two adjacent ones
	// (Sok/Sko), which rarely makes another name.
	if d == 1 && (short > minEditLen || short == minEditLen && (same || ka == "" || kb == "") ||
		short >= 3 && la == lb && isSwap(a, b)) {
		s := 1 - editPenalty/float64(short)
		if same {
			s = max(s, simPhoneticEdit)
		}
		return s, "fuzzy"
	}
	// Sounding alike: the consonant skeletons agree. Two edits apart is a
	// transliteration variant (Mohammed/Muhammad); three only when the
	// vowels agree as well (Aleksandr/Alexander, not Montoya/Mennetta).
	if same && (d <= 2 && short >= 5 || d <= 3 && short >= 7 && sameVowels(a, b)) {
		return simPhonetic, "phonetic"
	}
	// Two edits in a long word are still a typo (Khurelchukh/Khurelsukh).
	if d == 2 && short >= 9 {
		return 1 - 2*editPenalty/float64(short), "fuzzy"
	}
	return 0, ""
}

// stemPlural removes an English plural ending from longer words
// ("technologies" → "technology", "systems" → "system"), leaving words
// ending in ss, us, is or os alone.
func stemPlural(s string) string {
	n := len(s)
	switch {
	case n > 5 && s[n-3:] == "ies":
		return s[:n-3] + "y"
	case n > 4 && (s[n-4:] == "sses" || s[n-4:] == "shes" || s[n-4:] == "ches" || s[n-3:] == "xes"):
		return s[:n-2]
	case n > 4 && s[n-1] == 's' && s[n-2] != 's' && s[n-2] != 'u' && s[n-2] != 'i' && s[n-2] != 'o':
		return s[:n-1]
	}
	return s
}

// sameVowels reports whether the vowels of a and b, doubled ones
// collapsed, agree, one sequence possibly ending early.
func sameVowels(a, b string) bool {
	va, vb := vowels(a), vowels(b)
	if len(va) > len(vb) {
		va, vb = vb, va
	}
	return vb[:len(va)] == va
}

// vowels returns the vowels of s in order, runs collapsed.
func vowels(s string) string {
	var buf [32]byte
	out := buf[:0]
	for i := 0; i < len(s); i++ {
		if c := s[i]; isVowelByte(c) && (len(out) == 0 || out[len(out)-1] != c) {
			out = append(out, c)
		}
	}
	return string(out)
}

// isSwap reports whether a and b differ only by two adjacent letters
// swapped.
func isSwap(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// equalUndoubled reports whether a and b are equal once runs of one letter
// are collapsed, without building either.
func equalUndoubled(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] != b[j] {
			return false
		}
		c := a[i]
		for i < len(a) && a[i] == c {
			i++
		}
		for j < len(b) && b[j] == c {
			j++
		}
	}
	return i == len(a) && j == len(b)
}

// undouble collapses runs of one letter: "joonng" → "jong".
func undouble(s string) string {
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			b := make([]byte, 0, len(s))
			b = append(b, s[:i]...)
			for j := i; j < len(s); j++ {
				if s[j] != b[len(b)-1] {
					b = append(b, s[j])
				}
			}
			return string(b)
		}
	}
	return s
}

// sameKey reports whether two phonetic keys are equal and long enough to
// mean something.
func sameKey(ka, kb string) bool {
	return len(ka) >= minPhoneticLen && ka == kb
}

// initialSim returns simInitial when one token is a single letter and the
// other starts with it.
func initialSim(a, b string) float64 {
	switch {
	case len(a) == 1 && len(b) > 1 && b[0] == a[0]:
		return simInitial
	case len(b) == 1 && len(a) > 1 && a[0] == b[0]:
		return simInitial
	}
	return 0
}

// editDistance returns the optimal-string-alignment distance of a and b
// (Levenshtein plus transposition of adjacent runes), or limit when it is
// at least limit. It does not allocate for tokens up to 48 runes.
func editDistance(a, b string, limit int) int {
	var ra, rb [48]rune
	sa, sb := toRunes(a, ra[:0]), toRunes(b, rb[:0])
	if len(sa) < len(sb) {
		sa, sb = sb, sa
	}
	if len(sa)-len(sb) >= limit {
		return limit
	}
	var buf [3][49]int
	var prev2, prev, cur []int
	if len(sb) < 49 {
		prev2, prev, cur = buf[0][:len(sb)+1], buf[1][:len(sb)+1], buf[2][:len(sb)+1]
	} else {
		prev2, prev, cur = make([]int, len(sb)+1), make([]int, len(sb)+1), make([]int, len(sb)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(sa); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(sb); j++ {
			cost := 1
			if sa[i-1] == sb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && sa[i-1] == sb[j-2] && sa[i-2] == sb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(sb)], limit)
}

// toRunes appends the runes of s to buf.
func toRunes(s string, buf []rune) []rune {
	if isASCII(s) {
		for i := 0; i < len(s); i++ {
			buf = append(buf, rune(s[i]))
		}
		return buf
	}
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}
