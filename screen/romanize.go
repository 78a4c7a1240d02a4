package screen

import "strings"

// The romanization of syllabic scripts, whose letters' sounds depend on
// their neighbours: the Brahmic scripts of South Asia (an inherent vowel
// unless a vowel sign or a virama follows), Japanese kana (small kana
// modifying the syllable before), and Ethiopic (one character per
// consonant and vowel).

// Kinds of Brahmic characters.
const (
	bSkip      = iota // unknown or silent: nukta, avagraha, accents
	bConsonant        // takes the inherent vowel unless a sign follows
	bVowel            // an independent vowel
	bSign             // a vowel sign, replacing the inherent vowel
	bVirama           // no vowel after the consonant
	bNasal            // anusvara, candrabindu, visarga: a sound after the vowel
	bDigit
)

type brahmicChar struct {
	text string
	kind uint8
}

// brahmic maps the offset of a character within its block (Devanagari,
// Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada and Malayalam
// share one layout) to its romanization, long vowels written short as the
// lists write them.
var brahmic [0x80]brahmicChar

func init() {
	set := func(kind uint8, from int, texts string) {
		for i, t := range strings.Fields(texts) {
			if t == "-" {
				continue
			}
			brahmic[from+i] = brahmicChar{text: t, kind: kind}
		}
	}
	set(bNasal, 0x01, "n n h")
	set(bVowel, 0x04, "a a a i i u u ri li e e e ai o o o au")
	set(bConsonant, 0x15, "k kh g gh n ch chh j jh n t th d dh n t th d dh n n p ph b bh m y r r l l l v sh sh s h")
	set(bSign, 0x3e, "a i i u u ri ri e e e ai o o o au")
	set(bVirama, 0x4d, "-")
	brahmic[0x4d].kind = bVirama
	set(bConsonant, 0x58, "q kh gh z r rh f y")
	set(bVowel, 0x60, "ri li")
	set(bSign, 0x62, "li li")
	set(bDigit, 0x66, "0 1 2 3 4 5 6 7 8 9")
}

// romanizeBrahmic writes a run of a Brahmic script. The inherent vowel of
// a word's last consonant is dropped, as Hindi and the lists do (राम is
// "Ram"), unless the consonant ends a cluster (नरेन्द्र is "Narendra").
func romanizeBrahmic(b *strings.Builder, run []rune) {
	start := b.Len()
	inherentAt := -1 // the position of a trailing inherent vowel in b
	clustered := false
	for i, r := range run {
		off := int(r) & 0x7f
		if r >= 0xd80 {
			continue
		}
		c := brahmic[off]
		switch c.kind {
		case bConsonant:
			b.WriteString(c.text)
			clustered = i > 0 && brahmic[int(run[i-1])&0x7f].kind == bVirama
			next := uint8(bSkip)
			for k := i + 1; k < len(run); k++ {
				if nk := brahmic[int(run[k])&0x7f].kind; nk != bSkip || run[k] >= 0xd80 {
					next = nk
					break
				}
			}
			if next != bSign && next != bVirama {
				inherentAt = b.Len()
				b.WriteByte('a')
			} else {
				inherentAt = -1
			}
		case bVowel, bSign, bNasal, bDigit:
			b.WriteString(c.text)
			inherentAt = -1
		}
	}
	if inherentAt == b.Len()-1 && inherentAt > start+1 && !clustered {
		s := b.String()[:inherentAt]
		b.Reset()
		b.WriteString(s)
	}
}

// kana is the Hepburn romanization of the hiragana from U+3041 (katakana
// are the same letters 0x60 higher); "-" marks the small kana that modify
// the syllable before.
var kana = strings.Fields(`-a a -i i -u u -e e -o o ka ga ki gi ku gu ke ge ko go sa za shi ji su zu se ze so zo
	ta da chi ji -tsu tsu zu te de to do na ni nu ne no ha ba pa hi bi pi fu bu pu he be pe ho bo po
	ma mi mu me mo -ya ya -yu yu -yo yo ra ri ru re ro -wa wa i e o n vu ka ke`)

// romanizeKana writes a run of hiragana or katakana.
func romanizeKana(b *strings.Builder, run []rune) {
	for _, r := range run {
		off := int(r) - 0x3041
		if r >= 0x30a1 && r <= 0x30f6 {
			off = int(r) - 0x30a1
		}
		if off < 0 || off >= len(kana) {
			continue // the long-vowel mark, iteration marks
		}
		k := kana[off]
		if k[0] != '-' {
			b.WriteString(k)
			continue
		}
		small := k[1:]
		s := b.String()
		switch {
		case small == "tsu":
			// A geminate: the next consonant is doubled, which the
			// comparison ignores.
		case small[0] == 'y' && strings.HasSuffix(s, "i") && len(s) > 1:
			s = s[:len(s)-1]
			if strings.HasSuffix(s, "sh") || strings.HasSuffix(s, "ch") || strings.HasSuffix(s, "j") {
				small = small[1:]
			}
			b.Reset()
			b.WriteString(s + small)
		case len(small) == 1 && len(s) > 1 && isVowelByte(s[len(s)-1]):
			// ファ, ティ: the small vowel replaces the syllable's vowel.
			b.Reset()
			b.WriteString(s[:len(s)-1] + small)
		default:
			b.WriteString(small)
		}
	}
}

// ethiopicRows gives the consonant of each row of eight characters of the
// Ethiopic block from U+1200; orders 0–6 add the vowels of ethiopicOrders,
// order 7 (and the labialized rows) a w.
var ethiopicRows = strings.Fields(`h l h m s r s sh q qw q qw b v t ch h hw n ny ' k kw kh khw w ' z zh y d d j g gw g t ch p ts ts f p`)

// ethiopicOrders are the vowels of the seven orders; the sixth has none.
var ethiopicOrders = [8]string{"e", "u", "i", "a", "e", "", "o", "wa"}

// romanizeEthiopic writes a run of Ethiopic syllables.
func romanizeEthiopic(b *strings.Builder, run []rune) {
	for _, r := range run {
		off := int(r) - 0x1200
		if off < 0 || off/8 >= len(ethiopicRows) {
			b.WriteString(unidecodeRune(r))
			continue
		}
		cons, order := ethiopicRows[off/8], off%8
		vowel := ethiopicOrders[order]
		if cons == "'" {
			// The glottal and pharyngeal rows are vowels at the start of
			// a syllable; their first order is an a.
			cons = ""
			if order == 0 {
				vowel = "a"
			}
		}
		b.WriteString(cons + vowel)
	}
}
