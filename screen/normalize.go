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
