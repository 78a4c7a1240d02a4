package screen

import "strings"

// The word lists of normalization and their helpers: Roman numerals,
// patronymic endings, nicknames, abbreviations, function words, name
// particles, titles and number words.

// isRoman reports whether s is a Roman numeral up to 39 ("ii", "xiv").
func isRoman(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	i := 0
	for i < len(s) && s[i] == 'x' {
		i++
	}
	if i > 3 {
		return false
	}
	rest := s[i:]
	switch rest {
	case "", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix":
		return rest != "" || i > 0
	}
	return false
}

// isPatronymic reports whether s has the ending of a Slavic or Turkic
// patronymic.
func isPatronymic(s string) bool {
	if len(s) < 7 {
		return false
	}
	for _, suffix := range patronymicSuffixes {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

var patronymicSuffixes = []string{"ovich", "evich", "ovitch", "evitch", "ovych", "evych", "ovna", "evna", "ichna", "oglu", "ogly", "kyzy", "qizi"}

// nicknames maps common short forms of given names to the full name,
// offered as an alternative spelling ("Ben" also reads "Benjamin").
var nicknames = map[string]string{
	"ben": "benjamin", "bibi": "benjamin", "benny": "benjamin", "ted": "theodore", "teddy": "theodore",
	"ed": "edward", "eddie": "edward", "bill": "william", "billy": "william", "will": "william",
	"willy": "william", "bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert",
	"dick": "richard", "rick": "richard", "rich": "richard", "jim": "james", "jimmy": "james",
	"mike": "michael", "mick": "michael", "tom": "thomas", "tommy": "thomas", "tony": "anthony",
	"joe": "joseph", "joey": "joseph", "jack": "john", "johnny": "john", "dan": "daniel",
	"danny": "daniel", "dave": "david", "davy": "david", "chris": "christopher", "nick": "nicholas",
	"alex": "alexander", "sam": "samuel", "steve": "stephen", "matt": "matthew", "pat": "patrick",
	"pete": "peter", "fred": "frederick", "andy": "andrew", "tim": "timothy", "greg": "gregory",
	"jeff": "jeffrey", "jerry": "gerald", "larry": "lawrence", "ron": "ronald", "don": "donald",
	"doug": "douglas", "ken": "kenneth", "liz": "elizabeth", "beth": "elizabeth", "kate": "katherine",
	"kathy": "katherine", "sue": "susan", "peggy": "margaret", "maggie": "margaret", "jenny": "jennifer",
	"vova": "vladimir", "volodya": "vladimir", "misha": "mikhail", "kolya": "nikolai", "sasha": "aleksandr",
	"seryozha": "sergei", "dima": "dmitry", "yura": "yuri", "zhenya": "evgeny", "pasha": "pavel",
	"lyosha": "aleksei", "tolya": "anatoly", "vanya": "ivan", "kostya": "konstantin", "slava": "vyacheslav",
}

// abbreviations expands the abbreviations of common words of names.
var abbreviations = map[string]string{
	"intl": "international", "int'l": "international", "natl": "national", "mfg": "manufacturing",
	"univ": "university", "inst": "institute", "assn": "association", "assoc": "association",
	"dept": "department", "govt": "government", "bros": "brothers", "ind": "industries",
	"indus": "industries", "corpn": "corporation", "mgmt": "management", "svcs": "services",
	"tech": "technology", "st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort",
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// stopWords are function words of names in the languages of the lists; they
// count very little.
var stopWords = setOf("the", "of", "and", "for", "de", "del", "della", "di", "da", "do", "dos", "das",
	"du", "des", "la", "le", "les", "los", "las", "von", "van", "der", "den", "y", "et", "und", "in", "on",
	"at", "to", "an", "en", "im", "fur")

// particles are name particles of Arabic and other names: part of the name,
// but too common to identify anyone. Spelling variants of one particle map
// to one spelling (el-Assad, al-Assad).
var particles = map[string]string{
	"al": "al", "el": "al", "bin": "bin", "ibn": "bin", "ben": "bin", "bn": "bin", "bint": "bint",
	"binti": "bint", "bte": "bint", "ul": "ul", "ur": "ul", "ud": "ul", "uddin": "uddin", "oglu": "oglu",
}

// honorifics are titles that precede names; they are ignored unless the name
// has nothing else.
var honorifics = setOf("mr", "mrs", "ms", "miss", "dr", "prof", "sir", "sheikh", "shaikh", "shaykh",
	"haji", "hajji", "alhaji", "mullah", "mulla", "maulvi", "mawlawi", "maulana", "mufti", "imam", "hafiz")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// numberWords maps English number words to digits, so that "Three
// Percenters" meets "3 Percenters" and "First" meets "1st".
var numberWords = map[string]string{
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
	"seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	"thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
	"eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
	"fourty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
	"first": "1", "second": "2", "third": "3", "1st": "1", "2nd": "2", "3rd": "3", "fourth": "4",
	"fifth": "5",
}

// ordinalDigits reads "14th", "21st", "2nd" as "14", "21", "2".
func ordinalDigits(s string) (string, bool) {
	if len(s) < 3 {
		return "", false
	}
	n := len(s) - 2
	switch s[n:] {
	case "st", "nd", "rd", "th":
		if isDigits(s[:n]) {
			return s[:n], true
		}
	}
	return "", false
}

// joinNumbers rewrites number words as digits and joins "forty four" into 44.
func joinNumbers(toks []token) []token {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		if d, ok := ordinalDigits(toks[i].text); ok {
			toks[i].text = d
		}
		d, ok := numberWords[toks[i].text]
		if !ok {
			out = append(out, toks[i])
			continue
		}
		if len(d) == 2 && d[1] == '0' && i+1 < len(toks) {
			if u, ok := numberWords[toks[i+1].text]; ok && len(u) == 1 && u != "0" {
				d = d[:1] + u
				i++
			}
		}
		out = append(out, token{text: d})
	}
	return out
}

// unLeet reads digits inside a word as the letters they imitate ("Ig0r
// Sech1n"); a token of digits only, or with more digits than letters, is
// left alone.
func unLeet(s string) string {
	letters, digits := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'z':
			letters++
		}
	}
	if digits == 0 || digits >= letters {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if r, ok := leet[c]; ok {
			b[i] = r
		}
	}
	return string(b)
}

var leet = map[byte]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b'}

// isAcronymOf reports whether s (two or more letters) is made of the
// initials of words among toks, in order: "nudt" of "national university of
// defense technology".
func isAcronymOf(s string, toks []token) bool {
	if len(s) < 2 || len(s) > len(toks) || !isASCII(s) {
		return false
	}
	k := 0
	for _, t := range toks {
		if k < len(s) && t.text != "" && t.text[0] == s[k] && t.kind != kindLegal {
			k++
		}
	}
	return k == len(s)
}
