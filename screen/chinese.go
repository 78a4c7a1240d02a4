package screen

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// Chinese names appear on the lists translated ("Beijing Huawei Digital
// Technologies Co., Ltd."), romanized in pinyin ("Guofang Keji Daxue"), or
// mixed ("Hunan Guofang Keji University"). A run of Chinese characters is
// segmented by forward maximum matching against a dictionary of the common
// words of company and institution names, place names and legal forms;
// dictionary words are translated and keep their pinyin as an alternative
// spelling; characters outside the dictionary form joined pinyin words, the
// way brand names are romanized ("华为" → "huawei"). A short run that starts
// with a surname and has no dictionary word is read as a person's name:
// surname, then given name joined ("习近平" → "xi jinping"), with the surname
// reading of characters that read differently as surnames (单 Shan, 曾 Zeng,
// 解 Xie).

//go:generate go run ./internal/cedictgen -cedict ${TOLLGATE_CEDICT} -list ${TOLLGATE_TESTDATA}/lists/csl/consolidated-2022-04.csv.gz -list ${TOLLGATE_TESTDATA}/lists/ofac/2024-05-03 -list ${TOLLGATE_TESTDATA}/lists/un/consolidated-2026-02-27.xml -out cedict_table.go

// maxWordRunes is the longest dictionary word, in characters.
const maxWordRunes = 10

// The dictionary has two parts: the hand-kept words of chinese_dict.go
// (legal forms, places, the spellings the lists use for common words),
// which win, and the words generated from CC-CEDICT (cedict_table.go,
// cedictgen): names of organizations ("北方工业" Norinco, "大疆" DJI,
// "北京理工大学") and the vocabulary of organization names ("量子" quantum,
// "重工" heavy industry, "终端" terminal), selected by rule.
var cedictDict = map[string]hanWord{}

func init() {
	for line := range strings.SplitSeq(cedictWords, "\n") {
		zh, rest, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		kind, en, _ := strings.Cut(rest, "\t")
		cedictDict[zh] = hanWord{english: en, org: kind == "o"}
	}
	rs := []rune(cedictTrad)
	for i := 0; i+1 < len(rs); i += 2 {
		if _, ok := tradToSimp[rs[i]]; !ok {
			tradToSimp[rs[i]] = rs[i+1]
		}
	}
}

var pinyinArgs = pinyin.NewArgs()

// readHan reads a run of Chinese characters (simplified or traditional)
// into tokens. A dictionary word becomes its English tokens, the first of
// which carries the word's pinyin as an alternative spelling for the whole
// group ("国防" → "national defense", alternatively "guofang"), because the
// lists write such words either way, even mixed within one name ("Hunan
// Guofang Keji University").
//
// orgNames allows the dictionary's names of organizations; usedOrg
// reports whether one was read.
func readHan(run string, orgNames bool) (toks []token, usedOrg bool) {
	orig := []rune(run)
	simp := make([]rune, len(orig))
	for i, r := range orig {
		if s, ok := tradToSimp[r]; ok {
			simp[i] = s
		} else {
			simp[i] = r
		}
	}
	if t, ok := readPersonName(orig, simp); ok {
		return t, false
	}
	var out []token
	unknownStart := -1
	flushUnknown := func(end int) {
		if unknownStart >= 0 {
			out = append(out, token{text: pinyinOf(orig[unknownStart:end], false), strict: true})
			unknownStart = -1
		}
	}
	for i := 0; i < len(simp); {
		if n, num := chineseNumber(simp[i:]); n > 0 {
			flushUnknown(i)
			out = append(out, token{text: num})
			i += n
			continue
		}
		n, e := longestWord(simp[i:], orgNames)
		usedOrg = usedOrg || e.org
		if n == 0 {
			if unknownStart < 0 {
				unknownStart = i
			}
			i++
			continue
		}
		flushUnknown(i)
		kind := kindWord
		if e.legal {
			kind = kindLegal
		}
		words := strings.Fields(e.english)
		first := len(out)
		for _, w := range words {
			out = append(out, token{text: w, kind: kind})
		}
		if py := pinyinOf(orig[i:i+n], false); !e.legal && !e.place && py != strings.Join(words, "") {
			out[first].alt, out[first].altSpan = py, int8(len(words))
		}
		i += n
	}
	flushUnknown(len(simp))
	return out, usedOrg
}

// chineseNumber reads an ordinal (第十四) or a number of two or more
// Chinese numerals (十四) at the start of s, up to 99, as digits, and
// returns how many characters it took; 0 when there is none.
func chineseNumber(s []rune) (int, string) {
	i := 0
	if len(s) > 0 && s[0] == '第' {
		i = 1
	}
	start := i
	for i < len(s) && i-start < 3 && (hanDigit(s[i]) >= 0 || s[i] == '十') {
		i++
	}
	digits := s[start:i]
	if len(digits) == 0 || start == 0 && len(digits) < 2 {
		return 0, ""
	}
	v, ok := hanValue(digits)
	if !ok {
		return 0, ""
	}
	return i, strconv.Itoa(v)
}

// hanDigit returns the value of a Chinese digit (〇 to 九), or -1.
func hanDigit(r rune) int {
	for i, c := range hanDigits {
		if c == r {
			return i
		}
	}
	return -1
}

var hanDigits = []rune("〇一二三四五六七八九")

// hanValue evaluates one to three numerals: 四 4, 十四 14, 四十 40, 四十四 44.
func hanValue(d []rune) (int, bool) {
	switch {
	case len(d) == 1 && hanDigit(d[0]) >= 0:
		return hanDigit(d[0]), true
	case len(d) == 1 && d[0] == '十':
		return 10, true
	case len(d) == 2 && d[0] == '十' && hanDigit(d[1]) > 0:
		return 10 + hanDigit(d[1]), true
	case len(d) == 2 && hanDigit(d[0]) > 0 && d[1] == '十':
		return 10 * hanDigit(d[0]), true
	case len(d) == 3 && hanDigit(d[0]) > 0 && d[1] == '十' && hanDigit(d[2]) > 0:
		return 10*hanDigit(d[0]) + hanDigit(d[2]), true
	}
	return 0, false
}

// longestWord returns the length and entry of the longest dictionary word
// at the start of s, or 0; names of organizations only with orgNames.
func longestWord(s []rune, orgNames bool) (int, hanWord) {
	for n := min(maxWordRunes, len(s)); n >= 2; n-- {
		w := string(s[:n])
		if e, ok := hanDict[w]; ok {
			return n, e
		}
		if e, ok := cedictDict[w]; ok && (orgNames || !e.org) {
			return n, e
		}
	}
	return 0, hanWord{}
}

// handWord reports whether a word of the hand-kept dictionary starts s.
func handWord(s []rune) bool {
	for n := min(maxWordRunes, len(s)); n >= 2; n-- {
		if _, ok := hanDict[string(s[:n])]; ok {
			return true
		}
	}
	return false
}

// readPersonName reads a run of two to four characters that starts with a
// surname and contains no dictionary word as surname + given name.
func readPersonName(orig, simp []rune) ([]token, bool) {
	if len(simp) < 2 || len(simp) > 4 {
		return nil, false
	}
	for i := 0; i+1 < len(simp); i++ {
		// Only the hand-kept words: the generated vocabulary holds many
		// given names' characters as words (建国, 志强).
		if handWord(simp[i:]) {
			return nil, false
		}
	}
	surname := 0
	if len(simp) >= 3 && compoundSurnames[string(simp[:2])] != "" {
		surname = 2
	} else if _, ok := surnames[simp[0]]; ok && len(simp) <= 3 {
		surname = 1
	}
	if surname == 0 {
		return nil, false
	}
	return []token{
		{text: pinyinOf(orig[:surname], true), strict: true},
		{text: pinyinOf(orig[surname:], false), strict: true},
	}, true
}

// pinyinOf romanizes chars as one word, without tones. asSurname applies
// the surname readings of characters that read differently as surnames.
func pinyinOf(chars []rune, asSurname bool) string {
	if asSurname {
		if s := compoundSurnames[string(chars)]; s != "" {
			return s
		}
		if len(chars) == 1 {
			if s := surnames[chars[0]]; s != "" {
				return s
			}
		}
	}
	var b strings.Builder
	for _, r := range chars {
		py := pinyin.SinglePinyin(r, pinyinArgs)
		if len(py) == 0 {
			if r < utf8.RuneSelf {
				b.WriteRune(r)
			}
			continue
		}
		// Pinyin writes ü as v; the lists write u (Lü → Lu).
		b.WriteString(strings.ReplaceAll(py[0], "v", "u"))
	}
	return b.String()
}

// isTranscription reports whether a name with Chinese characters separates
// its parts with a middle dot, the mark of a foreign name transcribed
// syllable by syllable (贝拉克·奥巴马, 买买提·艾力).
func isTranscription(s string) bool {
	dot, han := false, false
	for _, r := range s {
		switch {
		case r == '·' || r == '・' || r == '‧' || r == '•' || r == '∙' || r == '⋅':
			dot = true
		case unicode.Is(unicode.Han, r):
			han = true
		}
	}
	return dot && han
}

// readTranscription reads a run of a transcribed foreign name as one word:
// the pinyin of its characters joined, to be compared by sound with the
// original spelling (crossscript.go), not read as Chinese words.
func readTranscription(run string) []token {
	py := pinyinOf([]rune(run), false)
	if py == "" {
		return nil
	}
	return []token{{text: py, orig: run, script: scriptHanForeign}}
}
