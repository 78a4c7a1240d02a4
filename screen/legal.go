package screen

import "strings"

// A legal form says what kind of company a name belongs to, not which one:
// "Huawei Technologies Co., Ltd." and "Huawei Technologies" are the same
// party. Legal forms are recognised in many languages and spellings,
// rewritten to one canonical token per family (so that "OAO", "OJSC" and
// "Joint Stock Company" agree), and weighted very low.

// legalPhrase is one spelling of a legal form: its words after folding and
// the canonical tokens it becomes.
type legalPhrase struct {
	words     []string
	canonical []string
	// edgeOnly forms are also ordinary words or initials ("sa", "as", "ag"):
	// they count as legal forms only as the first or last token of a name
	// with other tokens.
	edgeOnly bool
	// cyrillic forms are abbreviations of Russian legal forms ("АО", "НК",
	// "ФГУП") that are legal forms only when written in Cyrillic; there
	// they are unambiguous anywhere in the name ("ПАО «НК «Роснефть»").
	cyrillic bool
}

// legalForms indexes the phrases by their first word, longest first.
var legalForms = map[string][]legalPhrase{}

func init() {
	add := func(canonical string, edgeOnly bool, spellings ...string) {
		for _, s := range spellings {
			p := legalPhrase{words: strings.Fields(s), canonical: strings.Fields(canonical), edgeOnly: edgeOnly}
			legalForms[p.words[0]] = append(legalForms[p.words[0]], p)
		}
	}
	add("co ltd", false, "company limited", "co ltd", "coltd", "co limited", "company ltd",
		"private limited company", "public company limited", "pte ltd", "pvt ltd", "private limited",
		"sdn bhd", "sendirian berhad")
	add("co", false, "company", "co", "compania", "compagnie", "cie", "cia", "companhia", "kompaniya", "kompania")
	add("ltd", false, "limited", "ltd", "ltda", "limitada", "ltee", "bhd", "berhad", "pte", "pvt")
	add("inc", false, "incorporated", "inc")
	add("corp", false, "corporation", "corp", "korporatsiya", "korporatsia")
	add("llc", false, "limited liability company", "llc", "l l c", "ooo", "obshchestvo s ogranichennoy otvetstvennostyu",
		"obshchestvo s ogranichennoi otvetstvennostyu", "obshchestvo s ogranichennoy otvetstvennostiu",
		"tov", "too", "sp z oo", "sp z o o", "spzoo", "srl", "sarl", "societatea cu raspundere limitata",
		"sociedad de responsabilidad limitada", "societe a responsabilite limitee", "fz llc", "fzllc",
		"limited liability partnership", "llp")
	add("gmbh", false, "gmbh", "gesellschaft mit beschrankter haftung", "ges m b h", "gesmbh")
	add("jsc", false, "jsc", "ojsc", "cjsc", "pjsc", "oao", "zao", "pao", "jsco", "joint stock company",
		"joint stock co", "joint-stock company", "open joint stock company", "closed joint stock company",
		"public joint stock company", "joint stock", "aktsionernoe obshchestvo", "aktsionernoye obshchestvo",
		"otkrytoe aktsionernoe obshchestvo", "otkrytoye aktsionernoye obshchestvo",
		"zakrytoe aktsionernoe obshchestvo", "publichnoe aktsionernoe obshchestvo",
		"aktiengesellschaft", "akciova spolecnost", "spolka akcyjna", "societe anonyme", "sociedad anonima",
		"sociedade anonima", "societa per azioni", "naamloze vennootschap", "anonim sirketi",
		"public limited company", "plc")
	add("jsc", true, "ao", "ag", "sa", "spa", "nv", "as", "asa", "ab", "oy", "oyj", "se", "kk", "akg")
	add("bv", false, "bv", "besloten vennootschap")
	add("lp", false, "limited partnership", "lp", "kg", "ohg", "kommanditgesellschaft", "gmbh co kg")
	add("fze", false, "fze", "fzco", "fzc", "fzc llc", "free zone establishment", "free zone company")
	add("co", true, "pt", "tbk", "na", "national association")
	add("npo", true, "ano", "nko", "npo")
	add("gup", true, "fgup", "gup", "mup", "fkp")
	add("kk", false, "kabushiki kaisha", "kabushikigaisha", "yugen kaisha")
	// Russian forms written in Cyrillic, as the tokenizer transliterates
	// them: joint-stock companies (АО, НАО, АООТ, АОЗТ), LLCs (ОДО),
	// a state corporation (Госкорпорация, ГК), federal and municipal
	// unitary enterprises and institutions (ФГУП, ГУП, МУП, ФКП, ФГБУ,
	// ФГАУ, ФГБОУ), "НК" (oil company) and "ПК" (production company).
	cyr := func(canonical string, spellings ...string) {
		for _, s := range spellings {
			p := legalPhrase{words: strings.Fields(s), canonical: strings.Fields(canonical), cyrillic: true}
			legalForms[p.words[0]] = append(legalForms[p.words[0]], p)
		}
	}
	cyr("jsc", "ao", "nao", "aoot", "aozt", "pao", "oao", "zao")
	cyr("llc", "odo", "ooo")
	cyr("corp", "goskorporatsiya", "gosudarstvennaya korporatsiya", "gk")
	cyr("gup", "fgup", "gup", "mup", "fkp", "fgbu", "fgau", "fgbou", "gbu", "mbu")
	cyr("co", "nk", "pk", "neftyanaya kompaniya")
	for w, ps := range legalForms {
		// Longest phrases first, so that "joint stock company" wins over "joint stock".
		for i := 1; i < len(ps); i++ {
			for j := i; j > 0 && len(ps[j].words) > len(ps[j-1].words); j-- {
				ps[j], ps[j-1] = ps[j-1], ps[j]
			}
		}
		legalForms[w] = ps
	}
}

// legalFamilies groups the canonical legal forms whose disagreement is
// evidence of different companies: a limited-liability company (LLC, GmbH,
// B.V.) is not a joint-stock company (JSC, AG, S.A., PLC), a non-profit or
// a state enterprise. Generic forms (co, ltd, inc, corp) agree with all.
var legalFamilies = map[string]string{
	"llc": "llc", "gmbh": "llc", "bv": "llc", "jsc": "jsc", "lp": "lp", "npo": "npo", "gup": "gup",
}

// legalConflict reports whether two canonical legal forms contradict.
func legalConflict(a, b string) bool {
	fa, fb := legalFamilies[a], legalFamilies[b]
	return fa != "" && fb != "" && fa != fb
}

// markLegalForms replaces every legal-form phrase in toks by its canonical
// tokens of kind kindLegal. A name made only of legal-form words keeps them
// as ordinary words (there is nothing else to match on). In a person's name
// only unambiguous legal forms count ("Sá" is a surname, not an S.A.).
func markLegalForms(toks []token, person bool) []token {
	if len(toks) < 2 {
		return toks
	}
	var out []token
	changed := false
	for i := 0; i < len(toks); {
		p, ok := matchLegal(toks, i)
		if ok && person && p.edgeOnly {
			ok = false
		}
		if !ok {
			if changed {
				out = append(out, toks[i])
			}
			i++
			continue
		}
		if !changed {
			out = append(make([]token, 0, len(toks)), toks[:i]...)
			changed = true
		}
		for _, c := range p.canonical {
			out = append(out, token{text: c, kind: kindLegal})
		}
		out[len(out)-1].comma = toks[i+len(p.words)-1].comma
		i += len(p.words)
	}
	if !changed {
		return toks
	}
	for _, t := range out {
		if t.kind != kindLegal {
			return out
		}
	}
	return toks
}

// legalWords are the single-word legal forms of eight letters or more;
// a token one edit away from one of them, or the last token of a name cut
// short inside one of them ("JOINT STOCK COMPAN"), is that legal form.
var legalWords []legalPhrase

func init() {
	for _, ps := range legalForms {
		for _, p := range ps {
			if len(p.words) == 1 && len(p.words[0]) >= 7 && !p.edgeOnly && !p.cyrillic {
				legalWords = append(legalWords, p)
			}
		}
	}
}

// matchLegalWord finds a legal word that toks[i] misspells or truncates.
func matchLegalWord(toks []token, i int) (legalPhrase, bool) {
	t := toks[i].text
	last := i == len(toks)-1
	for _, p := range legalWords {
		w := p.words[0]
		if last && len(t) >= 4 && len(t) < len(w) && w[:len(t)] == t {
			return p, true
		}
		if len(t) >= 8 && editDistance(t, w, 2) == 1 {
			return p, true
		}
	}
	return legalPhrase{}, false
}

// matchLegal returns the longest legal phrase starting at toks[i].
func matchLegal(toks []token, i int) (legalPhrase, bool) {
	if p, ok := matchLegalPhrase(toks, i); ok {
		return p, ok
	}
	if len(toks[i].text) >= 4 {
		return matchLegalWord(toks, i)
	}
	return legalPhrase{}, false
}

// matchLegalPhrase returns the longest legal phrase spelled exactly at toks[i].
func matchLegalPhrase(toks []token, i int) (legalPhrase, bool) {
	for _, p := range legalForms[toks[i].text] {
		if i+len(p.words) > len(toks) {
			continue
		}
		ok := true
		for k, w := range p.words {
			if toks[i+k].text != w {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if p.cyrillic && toks[i].script != scriptCyrillic {
			continue
		}
		if p.edgeOnly && i != 0 && i+len(p.words) != len(toks) {
			continue
		}
		return p, true
	}
	return legalPhrase{}, false
}
