package screen

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Rune classes of the tokenizer.
const (
	classSep        uint8 = iota // whitespace, hyphen and other punctuation: ends a token
	classLetter                  // a letter or digit, folded to foldTab[r]
	classApostrophe              // dropped without ending the token (O'Brien, Ch'ol)
	classDot                     // ends a token; "N.A." joins into "na"
	classAmp                     // "&": the token "and"
	classComma                   // ends a token; marks OFAC's "SURNAME, Given"
	classHan                     // a Chinese character
	classOther                   // a letter of a script without a folding rule: kept lowercased
	classComplex                 // a letter or sign of a script romanized a word at a time (romanize)
)

// foldLimit bounds the precomputed folding table; runes above it (except Han)
// are classified on the fly.
const foldLimit = 0x2000

var (
	foldClass [foldLimit]uint8
	foldTab   [foldLimit]string
)

func init() {
	for r := rune(0); r < foldLimit; r++ {
		foldClass[r], foldTab[r] = classify(r)
	}
}

// classify computes a rune's class and, for letters, its folded Latin
// spelling: lower case, diacritics removed, other scripts transliterated.
func classify(r rune) (uint8, string) {
	switch r {
	case '\'', '`', '\u2018', '\u2019', '\u02bc', '\u02bb', '\u00b4', '\u02b9', '\u02be', '\u02bf', '\u201b', '\u05f3', '\u05f4':
		return classApostrophe, ""
	case '.', '\u3002':
		return classDot, ""
	case '&':
		return classAmp, ""
	case ',', '\uff0c', '\u3001', ';':
		return classComma, ""
	}
	if s, ok := cyrillic[r]; ok {
		return classLetter, s
	}
	if s, ok := greek[r]; ok {
		return classLetter, s
	}
	if s, ok := arabic[r]; ok {
		if s == "" {
			return classApostrophe, ""
		}
		return classLetter, s
	}
	if s, ok := latinSpecial[r]; ok {
		return classLetter, s
	}
	if s, ok := armenian[r]; ok {
		return classLetter, s
	}
	if sc := scriptOf(r); r >= 0x590 && wordRomanized(sc) {
		mark := unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
		switch {
		case mark && (sc == scriptHebrew || sc == scriptArabic):
			return classApostrophe, "" // vowel points: not written in names
		case mark || unicode.IsLetter(r) || unicode.IsDigit(r):
			// Vowel signs and viramas belong to their word; the word is
			// romanized whole (script.go).
			return classComplex, string(r)
		}
	}
	if unicode.Is(unicode.Mc, r) {
		return classOther, string(unicode.ToLower(r))
	}
	if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == '\u0640' || r == '\u200c' || r == '\u200d' {
		return classApostrophe, "" // combining marks, tatweel, joiners: drop silently
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return classSep, ""
	}
	if unicode.Is(unicode.Han, r) {
		return classHan, ""
	}
	lower := unicode.ToLower(r)
	var b strings.Builder
	// Compatibility decomposition also splits digraphs and ligatures
	// (ǆ → dž → dz); the marks it leaves are dropped.
	for _, d := range norm.NFKD.String(string(lower)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		b.WriteRune(d)
	}
	s := b.String()
	if s == "" {
		return classApostrophe, ""
	}
	if isASCII(s) {
		return classLetter, s
	}
	if rs := []rune(s); len(rs) == 1 && rs[0] != r {
		// A decomposed letter takes the rules of its base letter (ۀ → ە).
		return classify(rs[0])
	}
	return classOther, s
}

// runeClass returns the class and folded spelling of any rune.
func runeClass(r rune) (uint8, string) {
	if r >= 0 && r < foldLimit {
		return foldClass[r], foldTab[r]
	}
	if unicode.Is(unicode.Han, r) {
		return classHan, ""
	}
	return classify(r)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// prepare applies Unicode NFKC (full-width forms, ligatures, compatibility
// characters) unless s is plain ASCII, which NFKC leaves unchanged.
func prepare(s string) string {
	if isASCII(s) {
		return s
	}
	return norm.NFKC.String(strings.ToValidUTF8(s, " "))
}

// latinSpecial folds Latin letters that Unicode does not decompose.
var latinSpecial = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o", 'œ': "oe", 'Œ': "oe",
	'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ł': "l", 'Ł': "l",
	'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'ŋ': "ng", 'ĸ': "k", 'ſ': "s",
	'ə': "a", 'Ə': "a",
}

// cyrillic transliterates Russian, Ukrainian, Belarusian, Serbian, Macedonian
// and Bulgarian letters to Latin in the spelling OFAC and the UN use most
// (BGN/PCGN without diacritics). Variants such as Sergei/Sergey or
// Aleksandr/Alexander are left to the fuzzy and phonetic comparison.
var cyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "u", 'ђ': "dj", 'ј': "j",
	'љ': "lj", 'њ': "nj", 'ћ': "c", 'џ': "dz", 'ѓ': "gj", 'ќ': "kj", 'ѕ': "dz",
	'А': "a", 'Б': "b", 'В': "v", 'Г': "g", 'Д': "d", 'Е': "e", 'Ё': "e", 'Ж': "zh",
	'З': "z", 'И': "i", 'Й': "y", 'К': "k", 'Л': "l", 'М': "m", 'Н': "n", 'О': "o",
	'П': "p", 'Р': "r", 'С': "s", 'Т': "t", 'У': "u", 'Ф': "f", 'Х': "kh", 'Ц': "ts",
	'Ч': "ch", 'Ш': "sh", 'Щ': "shch", 'Ъ': "", 'Ы': "y", 'Ь': "", 'Э': "e", 'Ю': "yu",
	'Я': "ya", 'І': "i", 'Ї': "yi", 'Є': "ye", 'Ґ': "g", 'Ў': "u", 'Ђ': "dj", 'Ј': "j",
	'Љ': "lj", 'Њ': "nj", 'Ћ': "c", 'Џ': "dz", 'Ѓ': "gj", 'Ќ': "kj", 'Ѕ': "dz",
}

// greek transliterates the Greek alphabet (accents are removed by the
// Unicode decomposition of the accented forms before this table applies).
var greek = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps",
	'ω': "o", 'ά': "a", 'έ': "e", 'ή': "i", 'ί': "i", 'ό': "o", 'ύ': "y", 'ώ': "o",
	'Α': "a", 'Β': "v", 'Γ': "g", 'Δ': "d", 'Ε': "e", 'Ζ': "z", 'Η': "i", 'Θ': "th",
	'Ι': "i", 'Κ': "k", 'Λ': "l", 'Μ': "m", 'Ν': "n", 'Ξ': "x", 'Ο': "o", 'Π': "p",
	'Ρ': "r", 'Σ': "s", 'Τ': "t", 'Υ': "y", 'Φ': "f", 'Χ': "ch", 'Ψ': "ps", 'Ω': "o",
}

// armenian transliterates the Armenian alphabet.
var armenian = map[rune]string{
	'ա': "a", 'բ': "b", 'գ': "g", 'դ': "d", 'ե': "e", 'զ': "z", 'է': "e", 'ը': "e", 'թ': "t",
	'ժ': "zh", 'ի': "i", 'լ': "l", 'խ': "kh", 'ծ': "ts", 'կ': "k", 'հ': "h", 'ձ': "dz", 'ղ': "gh",
	'ճ': "ch", 'մ': "m", 'յ': "y", 'ն': "n", 'շ': "sh", 'ո': "o", 'չ': "ch", 'պ': "p", 'ջ': "j",
	'ռ': "r", 'ս': "s", 'վ': "v", 'տ': "t", 'ր': "r", 'ց': "ts", 'ւ': "u", 'փ': "p", 'ք': "k",
	'օ': "o", 'ֆ': "f", 'և': "ev",
	'Ա': "a", 'Բ': "b", 'Գ': "g", 'Դ': "d", 'Ե': "e", 'Զ': "z", 'Է': "e", 'Ը': "e", 'Թ': "t",
	'Ժ': "zh", 'Ի': "i", 'Լ': "l", 'Խ': "kh", 'Ծ': "ts", 'Կ': "k", 'Հ': "h", 'Ձ': "dz", 'Ղ': "gh",
	'Ճ': "ch", 'Մ': "m", 'Յ': "y", 'Ն': "n", 'Շ': "sh", 'Ո': "o", 'Չ': "ch", 'Պ': "p", 'Ջ': "j",
	'Ռ': "r", 'Ս': "s", 'Վ': "v", 'Տ': "t", 'Ր': "r", 'Ց': "ts", 'Ւ': "u", 'Փ': "p", 'Ք': "k",
	'Օ': "o", 'Ֆ': "f",
}

// arabic transliterates Arabic and Persian letters to a Latin consonant
// skeleton with the long vowels written (waw and ya as u and i; at the start
// of a word tokenize writes them w and y); short vowels are not written in
// the script, so the comparison of such tokens relies on phonetic keys. An
// empty value drops the letter (hamza, ain) without ending the token.
var arabic = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ٱ': "a", 'ب': "b", 'ت': "t", 'ث': "th",
	'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s",
	'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "", 'غ': "gh", 'ف': "f",
	'ق': "q", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'و': "u", 'ي': "i",
	'ى': "a", 'ة': "a", 'ء': "", 'ؤ': "u", 'ئ': "i", 'پ': "p", 'چ': "ch", 'ژ': "zh",
	'گ': "g", 'ک': "k", 'ی': "i", 'ە': "e", 'ۆ': "o", 'ێ': "e",
}
