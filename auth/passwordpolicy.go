package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"tollgate"
)

// PasswordPolicy is what a new password must satisfy. It follows NIST SP
// 800-63B: a minimum length, no composition rules, and a check against
// passwords that are very common or derived from the user's own details.
type PasswordPolicy struct {
	MinLength int // in characters (runes)
	MaxLength int // in bytes; bounds the work of hashing
}

// DefaultPasswordPolicy returns 12 to 1024.
func DefaultPasswordPolicy() PasswordPolicy { return PasswordPolicy{MinLength: 12, MaxLength: 1024} }

// Check returns an EINVALID error naming the field "password" when password
// is too short or too long, not UTF-8, very common (a common word or a
// keyboard or alphabet run, however decorated with digits, symbols or
// look-alike characters; a repetition; a sequence of digits), or contains
// one of personal (the user's email, its local part, the words of the name)
// when that is at least 4 characters long. Messages never quote the password.
func (pp PasswordPolicy) Check(password string, personal ...string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return tollgate.FieldErrorf("password", "must be valid UTF-8")
	case n < pp.MinLength:
		return tollgate.FieldErrorf("password", "must be at least %d characters; got %d", pp.MinLength, n)
	case pp.MaxLength > 0 && len(password) > pp.MaxLength:
		return tollgate.FieldErrorf("password", "must be at most %d bytes", pp.MaxLength)
	case distinctRunes(password) < 5:
		return tollgate.FieldErrorf("password", "repeats too few characters; choose a longer phrase")
	case isCommonPassword(password):
		return tollgate.FieldErrorf("password", "is too common or too easy to guess; choose a phrase of unrelated words")
	}
	lower := strings.ToLower(password)
	for _, p := range personalWords(personal) {
		if strings.Contains(lower, p) {
			return tollgate.FieldErrorf("password", "must not contain your name or email address")
		}
	}
	return nil
}

// personalWords splits the user's details into lower-case words of at
// least 4 characters: whole emails, their local parts, and name words.
func personalWords(details []string) []string {
	var words []string
	for _, d := range details {
		d = strings.ToLower(strings.TrimSpace(d))
		if local, _, ok := strings.Cut(d, "@"); ok {
			words = append(words, d, local)
		}
		words = append(words, strings.FieldsFunc(d, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})...)
	}
	out := words[:0]
	for _, w := range words {
		if utf8.RuneCountInString(w) >= 4 {
			out = append(out, w)
		}
	}
	return out
}

func distinctRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// leet undoes the look-alike substitutions people make to common words.
var leet = strings.NewReplacer("0", "o", "1", "i", "!", "i", "3", "e", "4", "a", "@", "a", "5", "s", "$", "s", "7", "t", "+", "t", "8", "b", "9", "g")

// isCommonPassword reports whether password is, once lower-cased and
// stripped of everything but letters (before or after undoing look-alike
// substitutions, with or without the digits and symbols at its ends), a
// common word, two of them, a repetition of one, or a
// keyboard or alphabet run; or whether, having no letters, its digits
// are a run or a repetition.
func isCommonPassword(password string) bool {
	lower := strings.ToLower(password)
	letters := keepOnly(lower, unicode.IsLetter)
	if letters == "" {
		digits := keepOnly(lower, unicode.IsDigit)
		if isRun(digits, digitRuns) || isRepetition(digits) {
			return true
		}
	}
	// The core is the password without the digits and symbols people hang
	// on either end ("P@ssw0rd" of "P@ssw0rd2024!!"), undone from leet.
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	variants := []string{
		letters,
		keepOnly(leet.Replace(lower), unicode.IsLetter),
		keepOnly(leet.Replace(core), unicode.IsLetter),
	}
	for _, w := range variants {
		if w != "" && (isRun(w, alphabetRuns) || isCommonWords(w)) {
			return true
		}
	}
	return false
}

func keepOnly(s string, keep func(rune) bool) string {
	return strings.Map(func(r rune) rune {
		if keep(r) {
			return r
		}
		return -1
	}, s)
}

// digitRuns are the digit sequences people type, twice over so that a run
// may wrap: counting up, and along the columns and rows of a keypad.
const digitRuns = "12345678901234567890 147258369147258369 789456123789456123"

// alphabetRuns are the sequences a lazy password walks along: the alphabet
// and the rows of a QWERTY keyboard.
const alphabetRuns = "abcdefghijklmnopqrstuvwxyz qwertyuiop asdfghjkl zxcvbnm"

// isRun reports whether s is a run of at least 4 characters along runs,
// forwards or backwards.
func isRun(s, runs string) bool {
	return len(s) >= 4 && (strings.Contains(runs, s) || strings.Contains(runs, reverse(s)))
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// isRepetition reports whether s is one shorter string repeated, the last
// time perhaps in part ("1234512345123").
func isRepetition(s string) bool {
	for n := 1; n <= len(s)/2; n++ {
		if strings.HasPrefix(strings.Repeat(s[:n], len(s)/n+1), s) {
			return true
		}
	}
	return false
}

// isCommonWords reports whether w is a common word, a repetition of one, or
// two of them joined.
func isCommonWords(w string) bool {
	if commonWords[w] {
		return true
	}
	for n := 1; n < len(w); n++ {
		if commonWords[w[:n]] && (commonWords[w[n:]] || strings.Repeat(w[:n], len(w)/n) == w) {
			return true
		}
	}
	return false
}

// commonWords are the stems of the most common passwords in published
// breach corpora, and words this installation's users would reach for.
var commonWords = setOf(`
password passwd pass secret letmein welcome login admin administrator root
qwerty qwertz azerty asdf asdfgh zxcv iloveyou love lover monkey dragon master
shadow sunshine princess football baseball basketball soccer hockey golf
superman batman spiderman starwars pokemon trustno trustnoone whatever freedom
michael jennifer jordan hunter ranger charlie daniel thomas jessica ashley
computer internet changeme default guest test testing hello helloworld abc
access mustang cheese summer winter spring autumn flower purple orange
january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday
tollgate export exporter license chip chips nvidia company security
correcthorsebatterystaple iloveu loveme god jesus angel baby killer
`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
