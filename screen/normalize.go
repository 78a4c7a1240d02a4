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
	kindLineage                   // a forefather in an Arabic nasab: "bin Muhammad" inside a name
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
	// script is the writing system the token was written in; tokens of
	// two scripts are also compared as sounds (crossscript.go).
	script script
	// cont marks a syllable of a Korean word after its first: only such
	// syllables join the one before ("jae"+"myeong", not a given name
	// with the surname after it).
	cont bool
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
	// notes says what unmask found hidden in the name (a bidi override,
	// look-alike letters), for the explanation of a hit.
	notes []string
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
	text    string
	dotted  bool   // ended by a dot directly followed by a letter ("N.A.")
	comma   bool   // followed by a comma
	paren   bool   // inside parentheses or brackets
	orig    string // the word in its own script, when it was transliterated
	script  script // the script of the word
	alt     string // another spelling of the word (a Korean surname's usual one)
	altSpan int8
	cont    bool    // a syllable continuing the word of the piece before (Korean)
	han     []token // the tokens of a run of Chinese characters
}

// analyze normalizes name into its forms: folding, transliteration,
// tokenization, initials, numbers, legal forms, and OFAC's comma order.
// A name whose letters unmask reads differently (look-alike letters,
// letters spaced apart) has a second form in that reading, and one that
// reads as Mandarin syllables a form in Wade-Giles (wadegiles.go); the
// first stays the name as written, so that normalizing a normalized name
// changes nothing.
func analyze(name string, typ tollgate.EntityType) analysis {
	u := unmask(prepare(name))
	pieces, orgs := tokenize(u.plain, true)
	a := analysis{forms: []form{finish(pieces, typ)}, notes: u.notes}
	if orgs {
		// A Chinese organization's name from the dictionary ("北方工业"
		// Norinco) is also read word by word ("north industry").
		pieces, _ = tokenize(u.plain, false)
		a.forms = append(a.forms, finish(pieces, typ))
	}
	if u.plain != u.text {
		pieces, _ = tokenize(u.text, true)
		a.forms = append(a.forms, finish(pieces, typ))
	}
	if typ != tollgate.EntityOrganization {
		if f, ok := wadeForm(a.forms[0].toks); ok {
			a.forms = append(a.forms, form{toks: f})
		}
	}
	return a
}

// tokenize splits s into pieces by rune class.
// orgNames allows the dictionary's names of organizations in runs of
// Chinese characters; usedOrg reports whether one was read.
func tokenize(s string, orgNames bool) (pieces []piece, usedOrg bool) {
	var (
		cur      strings.Builder
		orig     strings.Builder // the token in its own script, when transliterated
		translit bool
		complex  bool   // cur holds letters romanized a word at a time
		scr      script // the script of the token's first letter outside Latin
		depth    int
	)
	track := !isASCII(s)
	foreign := track && isTranscription(s)
	givenOnly := track && hasSurnameWord(s)
	flush := func() {
		if cur.Len() > 0 {
			p := piece{text: cur.String(), paren: depth > 0, script: scr}
			if complex {
				p.text = romanize(p.text)
			}
			if translit {
				p.orig = orig.String()
			}
			if scr == scriptHangul {
				pieces = appendHangul(pieces, p, givenOnly)
			} else if art, rest, ok := arabicArticle(p); ok {
				pieces = append(pieces, art, rest)
			} else if p.text != "" {
				pieces = append(pieces, p)
			}
			cur.Reset()
		}
		orig.Reset()
		translit, complex, scr = false, false, scriptLatin
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
		case classLetter, classOther, classComplex:
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
				if r >= 0x370 && class != classOther {
					translit = true
					orig.WriteRune(unicode.ToLower(r))
					if scr == scriptLatin {
						scr = scriptOf(r)
					}
				} else {
					orig.WriteString(folded)
				}
				complex = complex || class == classComplex
			}
		case classApostrophe:
		case classDot:
			wasOpen := cur.Len() > 0
			flush()
			if wasOpen && i+size < len(s) && len(pieces) > 0 {
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
			if foreign {
				pieces = append(pieces, piece{han: readTranscription(s[i:j])})
			} else {
				toks, org := readHan(s[i:j], orgNames)
				usedOrg = usedOrg || org
				pieces = append(pieces, piece{han: toks})
			}
			i = j
			continue
		default:
			flush()
		}
		i += size
	}
	flush()
	return pieces, usedOrg
}

// finish turns pieces into a form.
func finish(pieces []piece, typ tollgate.EntityType) form {
	toks := make([]token, 0, len(pieces)+2)
	commas := 0
	skippedAcronym := false // the piece before was a parenthesized acronym, skipped
	for i := 0; i < len(pieces); i++ {
		p := pieces[i]
		if skippedAcronym && p.paren && p.han == nil && (len(p.text) <= 3 || isDigits(p.text)) {
			continue // the acronym's qualifier: "(NSCC-CS)", "(CETC 38)"
		}
		skippedAcronym = false
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
				skippedAcronym = true
				continue // "(NUDT)" after the words it abbreviates says nothing more
			}
			toks = append(toks, token{text: unLeet(p.text), orig: p.orig, script: p.script, alt: p.alt, altSpan: p.altSpan, cont: p.cont})
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
		if t.kind == kindLegal || t.strict || syllabic(t.script) {
			// The word lists are of Latin words: a Korean syllable "do" or
			// "i" is neither the Portuguese "do" nor a Roman numeral.
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
	// An Arabic nasab names a father and forefathers, each after bin or
	// bint ("Usama bin Muhammad bin Awad bin Ladin"). Names give the chain
	// or leave it out, like a patronymic, so its links inside the name
	// count little; the last "bin X" is often the family name and keeps
	// its weight.
	for i := 1; i+2 < len(toks); i++ {
		if toks[i].kind == kindParticle && (toks[i].text == "bin" || toks[i].text == "bint") && toks[i+1].kind == kindWord {
			toks[i].kind, toks[i+1].kind = kindLineage, kindLineage
		}
	}
}
