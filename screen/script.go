package screen

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-unidecode"
)

// Scripts. Every token remembers the writing system it was written in, so
// that two names in one script are compared letter by letter in that script
// and a name in one script is compared with a name in another by sound
// (crossscript.go). Cyrillic, Greek, Armenian and Arabic letters are folded
// to Latin one by one (fold.go); the scripts whose romanization depends on
// the letters around (an inherent vowel, a syllable block, a vowel written
// before its consonant) are romanized a word at a time here. Scripts
// without rules of their own fall back on Unidecode's tables.

// script is the writing system of a token.
type script uint8

const (
	scriptLatin script = iota
	scriptCyrillic
	scriptGreek
	scriptArmenian
	scriptGeorgian
	scriptArabic
	scriptHebrew
	scriptHan        // Chinese characters read as pinyin
	scriptHanForeign // a Chinese transcription of a foreign name (贝拉克·奥巴马)
	scriptHangul
	scriptKana
	scriptIndic // Devanagari and the other Brahmic scripts of South Asia
	scriptEthiopic
	scriptSoutheastAsian // Thai, Lao, Khmer, Myanmar
	scriptOther
)

// scriptOf returns the script of a letter or mark.
func scriptOf(r rune) script {
	switch {
	case r < 0x370:
		return scriptLatin
	case r < 0x400:
		return scriptGreek
	case r < 0x530:
		return scriptCyrillic
	case r < 0x590:
		return scriptArmenian
	case r < 0x600:
		return scriptHebrew
	case r < 0x900:
		if r >= 0x700 && r < 0x750 || r >= 0x780 && r < 0x8a0 {
			return scriptOther // Syriac, Thaana, N'Ko, Samaritan, Mandaic
		}
		return scriptArabic
	case r < 0xe00:
		return scriptIndic
	case r < 0xf00:
		return scriptSoutheastAsian
	case r < 0x1000:
		return scriptOther // Tibetan
	case r < 0x10a0:
		return scriptSoutheastAsian
	case r < 0x1100:
		return scriptGeorgian
	case r < 0x1200:
		return scriptHangul
	case r < 0x13a0:
		return scriptEthiopic
	case r >= 0x1780 && r < 0x1800:
		return scriptSoutheastAsian
	case r >= 0x1c80 && r < 0x1c90:
		return scriptCyrillic
	case r >= 0x1c90 && r < 0x1cc0:
		return scriptGeorgian
	case r >= 0x1e00 && r < 0x1f00:
		return scriptLatin
	case r >= 0x1f00 && r < 0x2000:
		return scriptGreek
	case r >= 0x2d80 && r < 0x2de0:
		return scriptEthiopic
	case r >= 0x3040 && r < 0x3100, r >= 0x31f0 && r < 0x3200:
		return scriptKana
	case r >= 0x3130 && r < 0x3190, r >= 0xac00 && r < 0xd7b0:
		return scriptHangul
	case r >= 0xfb1d && r < 0xfb50:
		return scriptHebrew
	case r >= 0xfb50 && r < 0xfe00, r >= 0xfe70 && r < 0xff00:
		return scriptArabic
	case unicode.Is(unicode.Han, r):
		return scriptHan
	case unicode.Is(unicode.Latin, r):
		return scriptLatin
	}
	return scriptOther
}

// wordRomanized reports whether letters of script s are romanized a word
// at a time (romanize) rather than one by one.
func wordRomanized(s script) bool {
	switch s {
	case scriptLatin, scriptCyrillic, scriptGreek, scriptArmenian, scriptHan, scriptHanForeign:
		return false
	}
	return true
}

// syllabic reports whether one character of script s is a syllable, so that
// a one-character difference is a different syllable, not a typo: words in
// such a script are compared with each other in the script itself only.
func syllabic(s script) bool {
	switch s {
	case scriptHangul, scriptKana, scriptEthiopic, scriptHan, scriptHanForeign:
		return true
	}
	return false
}

// romanize writes the letters of a word in Latin: ASCII is kept, runs of a
// script with rules of its own are romanized by them, anything else by
// Unidecode. The result has lower-case ASCII letters and digits only.
func romanize(word string) string {
	rs := []rune(word)
	var b strings.Builder
	for i := 0; i < len(rs); {
		sc := scriptOf(rs[i])
		j := i + 1
		for j < len(rs) && scriptOf(rs[j]) == sc {
			j++
		}
		run := rs[i:j]
		switch {
		case sc == scriptLatin:
			for _, r := range run {
				if r < 0x80 {
					b.WriteRune(unicode.ToLower(r))
				} else {
					b.WriteString(unidecodeRune(r))
				}
			}
		case sc == scriptHebrew:
			romanizeHebrew(&b, run)
		case sc == scriptIndic && rs[i] < 0xd80:
			romanizeBrahmic(&b, run)
		case sc == scriptHangul:
			for _, r := range run {
				b.WriteString(hangulSyllable(r))
			}
		case sc == scriptKana:
			romanizeKana(&b, run)
		case sc == scriptEthiopic:
			romanizeEthiopic(&b, run)
		case sc == scriptGeorgian:
			for _, r := range run {
				if s, ok := georgian[r]; ok {
					b.WriteString(s)
				} else {
					b.WriteString(unidecodeRune(r))
				}
			}
		default:
			for _, r := range run {
				b.WriteString(unidecodeRune(r))
			}
		}
		i = j
	}
	return b.String()
}

// unidecodeRune romanizes one rune with Unidecode's tables, keeping
// lower-case letters and digits only.
func unidecodeRune(r rune) string {
	s := unidecode.Unidecode(string(r))
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		}
	}
	return b.String()
}

// hangulSyllable romanizes a Hangul syllable block in the Revised
// Romanization, without the rules that join syllables; a jamo outside a
// block goes to Unidecode.
func hangulSyllable(r rune) string {
	if r < 0xac00 || r > 0xd7a3 {
		return unidecodeRune(r)
	}
	s := int(r - 0xac00)
	return hangulInitial[s/588] + hangulVowel[s%588/28] + hangulFinal[s%28]
}

var (
	hangulInitial = strings.Split("g kk n d tt r m b pp s ss  j jj ch k t p h", " ")
	hangulVowel   = strings.Split("a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i", " ")
	hangulFinal   = strings.Split(" k k k n n n t l k m l l l p l m p p t t ng t t k t p t", " ")
)

// hangulSurnames gives the conventional romanization of the common Korean
// surnames where it differs from the Revised Romanization by more than the
// comparison of sounds tolerates (이 is "Lee", not "I").
var hangulSurnames = map[rune]string{
	'김': "kim", '이': "lee", '박': "park", '임': "lim", '류': "ryu", '노': "roh", '오': "oh", '우': "woo",
	'유': "yoo", '윤': "yoon", '문': "moon", '신': "shin", '심': "shim", '안': "ahn", '엄': "um",
	'여': "yeo", '최': "choi", '전': "jeon", '주': "joo", '구': "koo", '추': "choo", '부': "boo",
	'두': "doo", '육': "yook", '국': "kook", '변': "byun", '현': "hyun",
}

// romanizeHebrew writes a run of Hebrew letters. Hebrew, like Arabic,
// writes consonants and some long vowels: vav and yod are vowels inside a
// word and consonants at its start or doubled; a final he is a vowel.
// Letters that read two ways (bet b/v, kaf k/kh, pe p/f) take one reading;
// the comparison of sounds treats both alike.
func romanizeHebrew(b *strings.Builder, run []rune) {
	for i, r := range run {
		next := rune(0)
		if i+1 < len(run) {
			next = run[i+1]
		}
		prev := rune(0)
		if i > 0 {
			prev = run[i-1]
		}
		switch r {
		case 'ו':
			switch {
			case prev == 'ו':
			case i == 0 || next == 'ו':
				b.WriteByte('v')
			default:
				b.WriteByte('o')
			}
		case 'י':
			switch {
			case prev == 'י':
			case i == 0 && next != 0 || next == 'י':
				b.WriteByte('y')
			default:
				b.WriteByte('i')
			}
		case 'ה':
			switch {
			case i == len(run)-1 && i > 0:
				b.WriteByte('a')
			case i > 0 && strings.ContainsRune("כסשתזפגדצ", prev):
				// Not a Latin digraph: כהן is "kohen", not "khn".
				b.WriteString("eh")
			default:
				b.WriteByte('h')
			}
		case 'א', 'ע':
			// Alef and ayin carry a vowel at the start of a word; inside
			// it alef writes a long a (עאמר "Amer").
			if i == 0 || r == 'א' {
				b.WriteByte('a')
			}
		default:
			b.WriteString(hebrew[r])
		}
	}
}

var hebrew = map[rune]string{
	'ב': "b", 'ג': "g", 'ד': "d", 'ז': "z", 'ח': "kh", 'ט': "t", 'כ': "k", 'ך': "kh", 'ל': "l",
	'מ': "m", 'ם': "m", 'נ': "n", 'ן': "n", 'ס': "s", 'פ': "p", 'ף': "f", 'צ': "ts",
	'ץ': "ts", 'ק': "k", 'ר': "r", 'ש': "sh", 'ת': "t",
}

// georgian transliterates the Mkhedruli alphabet (national system).
var georgian = map[rune]string{
	'ა': "a", 'ბ': "b", 'გ': "g", 'დ': "d", 'ე': "e", 'ვ': "v", 'ზ': "z", 'თ': "t", 'ი': "i",
	'კ': "k", 'ლ': "l", 'მ': "m", 'ნ': "n", 'ო': "o", 'პ': "p", 'ჟ': "zh", 'რ': "r", 'ს': "s",
	'ტ': "t", 'უ': "u", 'ფ': "p", 'ქ': "k", 'ღ': "gh", 'ყ': "q", 'შ': "sh", 'ჩ': "ch", 'ც': "ts",
	'ძ': "dz", 'წ': "ts", 'ჭ': "ch", 'ხ': "kh", 'ჯ': "j", 'ჰ': "h",
}

// appendHangul appends a Korean word. A word of two to four syllables is
// a person's name or part of one, which Latin writes a syllable at a time
// ("Kim Jong Un", "Lee Jae-myung"): each syllable becomes a token, the
// first with its surname spelling as an alternative. The syllables of a
// given name keep their order (cont); when the name writes its surname as
// a word of its own (givenOnly: "정은 김"), every syllable of a longer word
// belongs to the given name, else the word starts with the surname (one
// syllable, two in a word of four). Longer words stay whole.
func appendHangul(pieces []piece, p piece, givenOnly bool) []piece {
	rs := []rune(p.orig)
	if len(rs) > 4 {
		return append(pieces, p)
	}
	for _, r := range rs {
		if r < 0xac00 || r > 0xd7a3 {
			return append(pieces, p)
		}
	}
	surname := 1
	switch {
	case givenOnly:
		surname = 0
	case len(rs) == 4:
		surname = 2
	}
	for i, r := range rs {
		q := piece{text: hangulSyllable(r), orig: string(r), script: scriptHangul, paren: p.paren, cont: i > surname}
		if i == 0 {
			if s, ok := hangulSurnames[r]; ok {
				q.alt, q.altSpan = s, 1
			}
		}
		pieces = append(pieces, q)
	}
	pieces[len(pieces)-1].comma = p.comma
	return pieces
}

// arabicArticle splits the definite article that Arabic writes joined to
// its word (الأسد) from a word of three letters or more, as Latin writes it
// apart ("al-Assad"); الله (Allah) is one word.
func arabicArticle(p piece) (piece, piece, bool) {
	if p.script != scriptArabic || !strings.HasPrefix(p.orig, "ال") || !strings.HasPrefix(p.text, "al") ||
		utf8.RuneCountInString(p.orig) < 5 || len(p.text) < 4 {
		return piece{}, piece{}, false
	}
	art := piece{text: "al", orig: "ال", script: scriptArabic, paren: p.paren}
	rest := p
	rest.text, rest.orig = p.text[2:], strings.TrimPrefix(p.orig, "ال")
	return art, rest, true
}

// hasSurnameWord reports whether name has a word of one Hangul syllable:
// a surname written apart from the given name.
func hasSurnameWord(name string) bool {
	for _, w := range strings.Fields(name) {
		if r, n := utf8.DecodeRuneInString(w); n == len(w) && r >= 0xac00 && r <= 0xd7a3 {
			return true
		}
	}
	return false
}
