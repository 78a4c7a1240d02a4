package screen

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"tollgate"
)

// tokKind says what role a token plays in a name; it sets the token's
// weight floor and how it may align.
type tokKind uint8

const (
	kindWord       tokKind = iota // an ordinary name word
	kindStop                      // a function word: the, of, and, de, von …
	kindParticle                  // a name particle: al, el, bin, ibn, ben …
	kindHonorific                 // a title: mr, dr, sheikh, haji …
	kindLegal                     // a legal form: co, ltd, llc, jsc, gmbh …
	kindNumber                    // digits, or a Roman numeral after the first word
	kindPatronymic                // a patronymic: Viktorovich, Ivanovna, Aliyevich, Oglu
	kindQualifier                 // a location or description after a company's legal form
)

// token is one normalized word of a name.
type token struct {
	text string
	kind tokKind
	// alt is another spelling of this token and the altSpan-1 tokens after
	// it, taken together (the pinyin of a translated Chinese word).
	alt     string
	altSpan int8
	// strict tokens come from a script whose romanization is exact
	// (pinyin): a one-letter difference is another syllable, so they match
	// only exactly.
	strict bool
	// orig is the token in its own script when it was transliterated
	// (Cyrillic, Greek, Arabic, Armenian): two names in one script are also
	// compared letter by letter there, where a typo is one letter, not the
	// two of its transliteration (Вукић/Вучић).
	orig string
	// comma records a comma after the token in the raw name.
	comma bool
}

// form is one reading of a name as a sequence of tokens. A name has several
// forms when it can be read several ways (a Chinese name translated, or
// romanized in pinyin).
type form struct {
	toks []token
}

// analysis is a name as the engine sees it.
type analysis struct {
	forms []form
}

// String returns the primary form with tokens separated by spaces.
func (a analysis) String() string {
	if len(a.forms) == 0 {
		return ""
	}
	return a.forms[0].String()
}

// String returns the form's tokens separated by spaces.
func (f form) String() string {
	var b strings.Builder
	for i, t := range f.toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// piece is a token of the raw token stream, or a run of Chinese characters
// whose tokens depend on the form.
type piece struct {
	text   string
	dotted bool    // ended by a dot directly followed by a letter ("N.A.")
	comma  bool    // followed by a comma
	paren  bool    // inside parentheses or brackets
	orig   string  // the word in its own script, when it was transliterated
	han    []token // the tokens of a run of Chinese characters
}

// analyze normalizes name into its forms: folding, transliteration,
// tokenization, initials, numbers, legal forms, and OFAC's comma order.
func analyze(name string, typ tollgate.EntityType) analysis {
	return analysis{forms: []form{finish(tokenize(prepare(name)), typ)}}
}

// tokenize splits s into pieces by rune class.
func tokenize(s string) []piece {
	var (
		pieces   []piece
		cur      strings.Builder
		orig     strings.Builder // the token in its own script, when transliterated
		translit bool
		depth    int
	)
	track := !isASCII(s)
	flush := func() {
		if cur.Len() > 0 {
			p := piece{text: cur.String(), paren: depth > 0}
			if translit {
				p.orig = orig.String()
			}
			pieces = append(pieces, p)
			cur.Reset()
		}
		orig.Reset()
		translit = false
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '(', '[', '\uff08':
			flush()
			depth++
		case ')', ']', '\uff09':
			flush()
			depth = max(depth-1, 0)
		}
		class, folded := runeClass(r)
		switch class {
		case classLetter, classOther:
			if cur.Len() == 0 {
				switch r {
				case 'و':
					folded = "w"
				case 'ي', 'ی':
					folded = "y"
				}
			}
			cur.WriteString(folded)
			if track {
				if r >= 0x370 && class == classLetter {
					translit = true
					orig.WriteRune(unicode.ToLower(r))
				} else {
					orig.WriteString(folded)
				}
			}
		case classApostrophe:
		case classDot:
			wasOpen := cur.Len() > 0
			flush()
			if wasOpen && i+size < len(s) {
				next, _ := utf8.DecodeRuneInString(s[i+size:])
				if c, _ := runeClass(next); c == classLetter {
					pieces[len(pieces)-1].dotted = true
				}
			}
		case classAmp:
			flush()
			pieces = append(pieces, piece{text: "and"})
		case classComma:
			flush()
			if len(pieces) > 0 {
				pieces[len(pieces)-1].comma = true
			}
		case classHan:
			flush()
			j := i
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if c, _ := runeClass(r2); c != classHan {
					break
				}
				j += n
			}
			pieces = append(pieces, piece{han: readHan(s[i:j])})
			i = j
			continue
		default:
			flush()
		}
		i += size
	}
	flush()
	return pieces
}

// finish turns pieces into a form.
func finish(pieces []piece, typ tollgate.EntityType) form {
	toks := make([]token, 0, len(pieces)+2)
	commas := 0
	for i := 0; i < len(pieces); i++ {
		p := pieces[i]
		if p.han != nil {
			toks = append(toks, p.han...)
		} else if p.dotted && len(p.text) <= 2 && i+1 < len(pieces) && pieces[i+1].han == nil && len(pieces[i+1].text) <= 2 {
			// Dotted abbreviations: "N.A." → "na", "S.A.R.L." → "sarl".
			text := p.text
			for p.dotted && i+1 < len(pieces) && pieces[i+1].han == nil && len(pieces[i+1].text) <= 2 {
				i++
				p = pieces[i]
				text += p.text
			}
			toks = append(toks, token{text: unLeet(text)})
		} else {
			if p.paren && isAcronymOf(p.text, toks) {
				continue // "(NUDT)" after the words it abbreviates says nothing more
			}
			toks = append(toks, token{text: unLeet(p.text), orig: p.orig})
		}
		if p.comma && len(toks) > 0 {
			commas++
			toks[len(toks)-1].comma = true
		}
	}
	toks = slices.DeleteFunc(toks, func(t token) bool { return t.text == "" })
	toks = joinNumbers(toks)
	person := typ == tollgate.EntityPerson
	marked := markLegalForms(toks, person)
	if commas == 1 && typ != tollgate.EntityOrganization && !hasLegal(marked) {
		// OFAC's order; legal forms are looked for again in the new order,
		// so that normalizing the result gives the result.
		if re, ok := surnameFirst(toks); ok {
			marked = markLegalForms(re, person)
		}
	}
	toks = marked
	markKinds(toks)
	if !person {
		markQualifiers(toks)
	}
	return form{toks: toks}
}

func hasLegal(toks []token) bool {
	for _, t := range toks {
		if t.kind == kindLegal {
			return true
		}
	}
	return false
}

// markQualifiers lowers what follows a company name closed by a legal form
// and a comma ("… Co., Ltd., Chengdu, Sichuan"): a location or a
// description, not part of the name.
func markQualifiers(toks []token) {
	for i, t := range toks {
		if t.kind != kindLegal || !t.comma || i+1 >= len(toks) {
			continue
		}
		named := false
		for _, u := range toks[:i] {
			named = named || u.kind == kindWord
		}
		if !named {
			return
		}
		for j := i + 1; j < len(toks); j++ {
			if toks[j].kind == kindWord {
				toks[j].kind = kindQualifier
			}
		}
		return
	}
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

// surnameFirst rewrites OFAC's "SURNAME, Given names" as "Given names
// SURNAME" when the name reads like a person's: a short part before the
// comma and something after it.
func surnameFirst(toks []token) ([]token, bool) {
	commaAt := 0
	for commaAt < len(toks) && !toks[commaAt].comma {
		commaAt++
	}
	commaAt++
	if commaAt > 4 || commaAt >= len(toks) {
		return toks, false
	}
	out := make([]token, 0, len(toks))
	out = append(out, toks[commaAt:]...)
	out = append(out, toks[:commaAt]...)
	for i := range out {
		out[i].comma = false
	}
	return out, true
}

// markKinds assigns the kind of every token not already a legal form.
func markKinds(toks []token) {
	for i := range toks {
		t := &toks[i]
		if t.kind == kindLegal || t.strict {
			continue
		}
		if full, ok := abbreviations[t.text]; ok {
			t.text = full
		}
		if full, ok := nicknames[t.text]; ok && t.alt == "" {
			t.alt, t.altSpan = full, 1
		}
		if t.alt == "" && len(t.text) >= 3 {
			if en := russianAlt(t.text); en != "" {
				t.alt, t.altSpan = en, 1
			}
		}
		switch {
		case isDigits(t.text) || i > 0 && len(toks) >= 3 && t.text != "xi" && isRoman(t.text):
			t.kind = kindNumber
		case stopWords[t.text]:
			t.kind = kindStop
		case particles[t.text] != "" && i > 0:
			t.kind = kindParticle
			t.text = particles[t.text]
		case honorifics[t.text] && len(toks) > 2:
			t.kind = kindHonorific
		case i > 0 && isPatronymic(t.text):
			t.kind = kindPatronymic
		}
	}
}

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

// joinNumbers rewrites number words as digits and joins "forty four" into 44.
func joinNumbers(toks []token) []token {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
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
