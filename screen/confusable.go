package screen

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./internal/ucdgen -ucd ${TOLLGATE_UCD} -out ucd_tables.go

// Before a name is read into words, what its characters hide is undone
// (unmask), as Unicode specifies it:
//
//   - a bidi override (UAX #9: RLO, LRO) makes letters display in another
//     order than they are stored; the name is read as it displays, and the
//     difference is noted;
//   - default-ignorable code points (DerivedCoreProperties: zero-width
//     spaces and joiners, soft hyphen, word joiner, bidi controls, variation
//     selectors, tags) are invisible and removed;
//   - a word that mixes Latin with letters of another script, or is written
//     wholly in a script the engine has no reading for (Cherokee), is read
//     through the UTS #39 confusable prototypes of its letters (Cyrillic
//     а → a, Cherokee Ꮋ → H), and noted as suspicious;
//   - three or more single letters spaced apart ("H u a w e i") are one
//     word.
//
// The tables are generated from Unicode's data (ucdgen, ucd_tables.go).
// The last two are readings, not facts: the name as written is read too
// (analyze), and the better score counts, so they never lower a score.

// unmasked is a name with its hidden characters undone.
type unmasked struct {
	// text is the name read as it displays, without invisible characters,
	// with look-alike letters and spaced letters read as Latin words.
	text string
	// plain is the name as it displays without invisible characters, its
	// letters as written; equal to text when no reading changed it.
	plain string
	// notes says what was found, for the hit's explanation.
	notes []string
}

// unmask undoes what s hides. It returns s unchanged, without allocating,
// when s is ASCII.
func unmask(s string) unmasked {
	var u unmasked
	if isASCII(s) {
		u.text, u.plain = s, s
		if spacedLetters(s) {
			u.text = joinSpaced(s, &u.notes)
		}
		return u
	}
	display := bidiDisplay(s)
	if display != s {
		u.notes = append(u.notes, fmt.Sprintf("bidi override: stored as %q, displays as %q", stripIgnorable(s), stripIgnorable(display)))
	}
	u.plain = stripIgnorable(display)
	if u.plain != display && display == s {
		u.notes = append(u.notes, "invisible characters removed")
	}
	u.text = deconfuse(u.plain, &u.notes)
	u.text = joinSpaced(u.text, &u.notes)
	return u
}

// bidiDisplay returns s in the order its letters display when it holds a
// directional override (U+202D LRO, U+202E RLO, closed by U+202C PDF or
// the end): inside a right-to-left override, a span without right-to-left
// letters displays reversed; inside a left-to-right override, a span of
// right-to-left letters does. Embeddings and isolates move whole runs, not
// letters within a word, and are left in place (they are removed as
// ignorable).
func bidiDisplay(s string) string {
	if !strings.ContainsAny(s, "\u202d\u202e") {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		if r != '\u202d' && r != '\u202e' {
			b.WriteRune(r)
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && rs[j] != '\u202c' {
			j++
		}
		span := slices.Clone(rs[i+1 : j])
		rtl := slices.ContainsFunc(span, isRTL)
		if (r == '\u202e') != rtl {
			slices.Reverse(span)
		}
		b.WriteString(string(span))
		i = j + 1
	}
	return b.String()
}

// isRTL reports whether r is a letter of a right-to-left script.
func isRTL(r rune) bool {
	return unicode.In(r, unicode.Hebrew, unicode.Arabic, unicode.Syriac, unicode.Thaana, unicode.Nko)
}

// isIgnorable reports whether r is a default-ignorable code point.
func isIgnorable(r rune) bool {
	i, ok := slices.BinarySearchFunc(defaultIgnorable[:], r, func(rg [2]rune, r rune) int {
		switch {
		case r < rg[0]:
			return 1
		case r > rg[1]:
			return -1
		}
		return 0
	})
	_ = i
	return ok
}

// stripIgnorable removes the default-ignorable code points of s.
func stripIgnorable(s string) string {
	if !strings.ContainsFunc(s, isIgnorable) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isIgnorable(r) {
			return -1
		}
		return r
	}, s)
}

// confusable returns the ASCII prototype of r, or "".
func confusable(r rune) string {
	if r < 0x80 {
		return ""
	}
	if i, ok := slices.BinarySearch(confusableRunes[:], r); ok {
		return confusableLatin[i]
	}
	return ""
}

// deconfuse reads each word of s that mixes Latin letters with letters of
// another script, or that is written in a script without a reading of its
// own, through the confusable prototypes of its letters.
func deconfuse(s string, notes *[]string) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) {
				break
			}
			j += n
		}
		if j == i {
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		word := s[i:j]
		if w, ok := deconfuseWord(word); ok {
			*notes = append(*notes, fmt.Sprintf("mixed or look-alike scripts: %q read as %q", word, w))
			word, changed = w, true
		}
		b.WriteString(word)
		i = j
	}
	if !changed {
		return s
	}
	return b.String()
}

// deconfuseWord returns word read through its letters' prototypes when it
// mixes Latin with another script or is wholly in a script without a
// reading, and at least one letter has a prototype.
func deconfuseWord(word string) (string, bool) {
	latin, other, unread := false, false, true
	for _, r := range word {
		if !unicode.IsLetter(r) {
			continue
		}
		switch sc := scriptOf(r); {
		case sc == scriptLatin:
			latin = true
			unread = false
		case sc == scriptHan || sc == scriptHanForeign:
			return "", false
		default:
			other = true
			unread = unread && sc == scriptOther
		}
	}
	if !other || !latin && !unread {
		return "", false
	}
	var b strings.Builder
	mapped := false
	for _, r := range word {
		if p := confusable(r); p != "" && scriptOf(r) != scriptLatin {
			b.WriteString(p)
			mapped = true
		} else {
			b.WriteRune(r)
		}
	}
	return b.String(), mapped
}

// spacedLetters reports whether the ASCII string s may hold three single
// letters spaced apart, cheaply, so that most names skip joinSpaced.
func spacedLetters(s string) bool {
	letter := func(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
	run := 0
	for i := 0; i < len(s); i++ {
		single := letter(s[i]) && (i == 0 || !letter(s[i-1])) && (i+1 == len(s) || !letter(s[i+1]))
		switch {
		case single:
			run++
			if run >= 3 {
				return true
			}
		case s[i] == ' ' && run > 0 && i > 0 && letter(s[i-1]):
		default:
			run = 0
		}
	}
	return false
}

// joinSpaced joins runs of three or more single letters separated by
// single spaces ("H u a w e i" → "Huawei") into one word.
func joinSpaced(s string, notes *[]string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	rs := []rune(s)
	single := func(i int) bool {
		return i < len(rs) && unicode.IsLetter(rs[i]) && (i == 0 || !unicode.IsLetter(rs[i-1]) && !unicode.IsDigit(rs[i-1])) &&
			(i+1 == len(rs) || !unicode.IsLetter(rs[i+1]) && !unicode.IsDigit(rs[i+1]) && !unicode.IsMark(rs[i+1]))
	}
	var out []rune
	changed := false
	for i := 0; i < len(rs); {
		if !single(i) {
			out = append(out, rs[i])
			i++
			continue
		}
		j := i
		for j+2 < len(rs)+1 && single(j) && j+1 < len(rs) && rs[j+1] == ' ' && single(j+2) {
			j += 2
		}
		if (j-i)/2+1 >= 3 {
			for k := i; k <= j; k += 2 {
				out = append(out, rs[k])
			}
			changed = true
		} else {
			out = append(out, rs[i:j+1]...)
		}
		i = j + 1
	}
	if !changed {
		return s
	}
	if notes != nil {
		*notes = append(*notes, fmt.Sprintf("letters spaced apart read as one word: %q", string(out)))
	}
	return string(out)
}
