package synth

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The US lists write almost every name in Latin letters, even those of
// Chinese and Russian parties. The generator's Chinese and Cyrillic names
// are therefore learned from two sources: the names the lists do write in
// those scripts, and the Latin names of parties from the countries that
// write them, transcribed back: pinyin read as syllables (written with
// characters of that reading, go-pinyin's dictionary inverted) and Russian
// romanization read back letter by letter (BGN/PCGN reversed).

// cyrillicCountries and chineseCountries are the countries whose parties'
// Latin names are transcribed.
var (
	cyrillicCountries = []string{"RU", "BY", "KZ", "KG", "TJ", "UA"}
	chineseCountries  = []string{"CN", "HK", "MO"}
)

// inScript reports whether every letter of w is of script s, and w has one.
func inScript(w string, s Script) bool {
	letters := 0
	for _, r := range w {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		var ok bool
		switch s {
		case Latin:
			ok = unicode.Is(unicode.Latin, r)
		case Cyrillic:
			ok = unicode.Is(unicode.Cyrillic, r)
		case Chinese:
			ok = unicode.Is(unicode.Han, r)
		}
		if !ok {
			return false
		}
	}
	return letters > 0
}

// bgnReverse reads BGN/PCGN romanization of Russian back into Cyrillic,
// longest spelling first.
var bgnReverse = []struct{ lat, cyr string }{
	{"shch", "щ"}, {"zh", "ж"}, {"kh", "х"}, {"ts", "ц"}, {"ch", "ч"}, {"sh", "ш"},
	{"yu", "ю"}, {"ya", "я"}, {"yo", "ё"}, {"ye", "е"}, {"iy", "ий"}, {"yy", "ый"},
	{"a", "а"}, {"b", "б"}, {"v", "в"}, {"g", "г"}, {"d", "д"}, {"e", "е"}, {"z", "з"},
	{"i", "и"}, {"y", "ы"}, {"k", "к"}, {"l", "л"}, {"m", "м"}, {"n", "н"}, {"o", "о"},
	{"p", "п"}, {"r", "р"}, {"s", "с"}, {"t", "т"}, {"u", "у"}, {"f", "ф"}, {"h", "х"},
	{"c", "к"}, {"w", "в"}, {"x", "кс"}, {"q", "к"}, {"j", "дж"}, {"'", "ь"},
}

// toCyrillic transcribes a Latin word into Cyrillic, keeping a capital
// first letter; it returns "" for a word with other letters.
func toCyrillic(w string) string {
	if !inScript(w, Latin) {
		return ""
	}
	low := strings.ToLower(w)
	var b strings.Builder
	for i := 0; i < len(low); {
		matched := false
		for _, p := range bgnReverse {
			if strings.HasPrefix(low[i:], p.lat) {
				b.WriteString(p.cyr)
				i += len(p.lat)
				matched = true
				break
			}
		}
		if !matched {
			if c := low[i]; c < 0x80 && !unicode.IsLetter(rune(c)) {
				b.WriteByte(c)
			}
			i++ // a Latin letter with a diacritic or a byte of one: dropped
		}
	}
	out := b.String()
	if r := []rune(out); len(r) > 0 && w != low && unicode.IsUpper([]rune(w)[0]) {
		r[0] = unicode.ToUpper(r[0])
		out = string(r)
	}
	return out
}

// hanReadings maps each toneless pinyin syllable to the characters of GB
// 2312's first level (its 3,755 most used characters, in the standard's
// order) that read so, so that generated names use common characters.
var hanReadings = sync.OnceValue(func() map[string][]rune {
	args := pinyin.NewArgs()
	m := make(map[string][]rune)
	for _, r := range gb2312Level1() {
		if p := pinyin.SinglePinyin(r, args); len(p) > 0 && p[0] != "" {
			m[p[0]] = append(m[p[0]], r)
		}
	}
	return m
})

// gb2312Level1 returns the characters of GB 2312 rows 16 to 55, decoded
// from their GBK encoding.
func gb2312Level1() []rune {
	var enc []byte
	for hi := byte(0xB0); hi <= 0xD7; hi++ {
		for lo := byte(0xA1); lo <= 0xFE; lo++ {
			if hi == 0xD7 && lo > 0xF9 {
				break // row 55 ends at its 89th cell
			}
			enc = append(enc, hi, lo)
		}
	}
	dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(enc)
	if err != nil {
		panic("synth: decode GB 2312: " + err.Error())
	}
	return slices.DeleteFunc([]rune(string(dec)), func(r rune) bool { return !unicode.Is(unicode.Han, r) })
}

// readingOf returns the toneless pinyin of one character.
func readingOf(r rune) string {
	if p := pinyin.SinglePinyin(r, pinyin.NewArgs()); len(p) > 0 {
		return p[0]
	}
	return ""
}

// syllables reads a Latin word as pinyin syllables ("Jinping," → jin ping),
// preferring the longest syllable first and ignoring punctuation; it
// returns nil when the word is not pinyin.
func syllables(w string) []string {
	low := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		if unicode.IsLetter(r) {
			return utf8.RuneError // not plain pinyin: fails below
		}
		return -1
	}, w)
	if low == "" {
		return nil
	}
	readings := hanReadings()
	var out []string
	failed := make([]bool, len(low)) // positions known not to segment
	var walk func(i int) bool
	walk = func(i int) bool {
		if i == len(low) {
			return true
		}
		if failed[i] {
			return false
		}
		for n := min(6, len(low)-i); n >= 1; n-- {
			if _, ok := readings[low[i:i+n]]; ok {
				out = append(out, low[i:i+n])
				if walk(i + n) {
					return true
				}
				out = out[:len(out)-1]
			}
		}
		failed[i] = true
		return false
	}
	if !walk(0) {
		return nil
	}
	return out
}

// hanSyllables returns the toneless pinyin of each Chinese character of s.
func hanSyllables(s string) []string {
	return slices.DeleteFunc(pinyin.LazyPinyin(s, pinyin.NewArgs()), func(p string) bool { return p == "" })
}
