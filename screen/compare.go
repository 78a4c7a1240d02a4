package screen

import (
	"fmt"
	"slices"
	"strings"

	"tollgate"
)

// compareWith scores name1 against name2 with the given token weights: the
// best alignment over every reading of each name.
func compareWith(wm *weightModel, name1, name2 string, typ tollgate.EntityType) (float64, Explanation) {
	a1, a2 := analyze(name1, typ), analyze(name2, typ)
	best := Explanation{Query: a1.String(), Matched: name2, Listed: a2.String(), Warnings: append(slices.Clip(a1.notes), a2.notes...)}
	bestScore := -1.0
	var cands []pairCand
	for _, f1 := range a1.forms {
		q := clip(f1.toks)
		wq := wm.weights(q, nil)
		for _, f2 := range a2.forms {
			l := clip(f2.toks)
			wl := wm.weights(l, nil)
			cands = directCands(q, l, cands[:0], typ != tollgate.EntityPerson)
			al := align(cands, wq, wl, contMask(q), contMask(l), nil)
			score, bare := withBareName(al, kindsOf(q, nil), wq, kindsOf(l, nil), wl, typ == tollgate.EntityPerson)
			if score > bestScore {
				bestScore = score
				best.Query, best.Listed = f1.String(), f2.String()
				best.NameScore = round3(score)
				best.BareName = bare
				best.Tokens = explain(al, q, l, wq, wl)
			}
		}
	}
	return max(bestScore, 0), best
}

// clip bounds a form to the tokens the alignment can track.
func clip(toks []token) []token {
	if len(toks) > maxAlignToks {
		return toks[:maxAlignToks]
	}
	return toks
}

// directCands computes every candidate pair of q and l by comparing tokens
// directly (the index computes the same pairs from its retrieval instead).
// acronyms allows an acronym to match the words it abbreviates, which
// organizations use and people do not ("N.N." is no one's initials).
func directCands(q, l []token, cands []pairCand, acronyms bool) []pairCand {
	var qk, lk [maxAlignToks]string
	for i, t := range q {
		qk[i] = phoneticKey(t.text)
	}
	for j, t := range l {
		lk[j] = phoneticKey(t.text)
	}
	for i, a := range q {
		for j, b := range l {
			if p, ok := pairOfKeys(a, b, qk[i], lk[j]); ok {
				p.q0, p.q1, p.l0, p.l1 = int8(i), int8(i), int8(j), int8(j)
				cands = append(cands, p)
			}
		}
	}
	cands = altCands(q, l, cands, false)
	cands = altCands(l, q, cands, true)
	if acronyms {
		cands = acronymCands(q, l, cands, false)
		cands = acronymCands(l, q, cands, true)
	}
	for i := 0; i+1 < len(q); i++ {
		jq, ok := joinable(q[i], q[i+1])
		if !ok {
			continue
		}
		for j := 0; j+1 < len(l); j++ {
			if jl, ok := joinable(l[j], l[j+1]); ok && jq == jl && (q[i].text != l[j].text || q[i+1].text != l[j+1].text) {
				cands = append(cands, pairCand{q0: int8(i), q1: int8(i + 1), l0: int8(j), l1: int8(j + 1), sim: simJoinedBoth, how: howJoined})
			}
		}
	}
	for i := 0; i+1 < len(q); i++ {
		joined, ok := joinable(q[i], q[i+1])
		if !ok {
			continue
		}
		strict := q[i].strict || q[i+1].strict
		for j, b := range l {
			if s := joinSim(joined, q[i].script, b, strict); s > 0 {
				cands = append(cands, pairCand{q0: int8(i), q1: int8(i + 1), l0: int8(j), l1: int8(j), sim: float32(s), how: howJoined})
			}
		}
	}
	for j := 0; j+1 < len(l); j++ {
		joined, ok := joinable(l[j], l[j+1])
		if !ok {
			continue
		}
		strict := l[j].strict || l[j+1].strict
		for i, a := range q {
			if s := joinSim(joined, l[j].script, a, strict); s > 0 {
				cands = append(cands, pairCand{q0: int8(i), q1: int8(i), l0: int8(j), l1: int8(j + 1), sim: float32(s), how: howJoined})
			}
		}
	}
	return cands
}

// altCands adds the pairs of the alternative spellings of a's tokens with
// b's tokens; swapped says a is the listed side.
func altCands(a, b []token, cands []pairCand, swapped bool) []pairCand {
	for i, t := range a {
		if t.alt == "" {
			continue
		}
		end := min(i+int(t.altSpan), len(a)) - 1
		for j, u := range b {
			if u.kind == kindLegal {
				continue
			}
			k := j
			if t.alt != u.text {
				// A compound: the alternative spelling is two words joined.
				if j+1 >= len(b) || !strings.HasPrefix(t.alt, u.text) || t.alt != u.text+b[j+1].text {
					continue
				}
				k = j + 1
			}
			p := pairCand{q0: int8(i), q1: int8(end), l0: int8(j), l1: int8(k), sim: 1, how: howAlt}
			if swapped {
				p.q0, p.q1, p.l0, p.l1 = p.l0, p.l1, p.q0, p.q1
			}
			cands = append(cands, p)
		}
	}
	return cands
}

// simJoinedBoth is the similarity of two adjacent tokens on each side that
// spell the same once joined, the boundary moved ("Arefullaha Ref" /
// "Arefullah Aref").
const simJoinedBoth = 0.95

// simAcronym is the similarity of an acronym and the words it abbreviates.
const simAcronym = 0.95

// acronymCands adds the pair of a name that is one short word (besides
// legal forms) with the run of b's words whose initials spell it ("PLA" /
// "People's Liberation Army"); swapped says a is the listed side.
func acronymCands(a, b []token, cands []pairCand, swapped bool) []pairCand {
	i, ok := soleWord(a)
	if !ok {
		return cands
	}
	first, last, ok := acronymRun(a[i].text, b)
	if !ok {
		return cands
	}
	p := pairCand{q0: int8(i), q1: int8(i), l0: int8(first), l1: int8(last), sim: simAcronym, how: howAcronym}
	if swapped {
		p.q0, p.q1, p.l0, p.l1 = p.l0, p.l1, p.q0, p.q1
	}
	return append(cands, p)
}

// soleWord returns the index of the only ordinary word of toks when there
// is one and it is short enough to be an acronym.
func soleWord(toks []token) (int, bool) {
	at := -1
	for i, t := range toks {
		switch t.kind {
		case kindLegal, kindStop:
			continue
		case kindWord:
			if at >= 0 {
				return 0, false
			}
			at = i
		default:
			return 0, false
		}
	}
	if at < 0 || len(toks[at].text) < 2 || len(toks[at].text) > 8 || toks[at].strict || !isASCII(toks[at].text) {
		return 0, false
	}
	return at, true
}

// acronymRun finds the first and last of the words of toks (legal forms
// aside; function words inside the run skipped) whose initials spell acr.
func acronymRun(acr string, toks []token) (int, int, bool) {
	first, k := -1, 0
	for j, t := range toks {
		if t.kind == kindLegal || t.text == "" {
			continue
		}
		if t.kind == kindStop {
			continue
		}
		if k < len(acr) && t.text[0] == acr[k] {
			if first < 0 {
				first = j
			}
			k++
			if k == len(acr) {
				// The run must cover every word: an acronym of part of a
				// name is not the name.
				for _, u := range toks[j+1:] {
					if u.kind == kindWord || u.kind == kindNumber {
						return 0, 0, false
					}
				}
				return first, j, k >= 2
			}
			continue
		}
		return 0, 0, false
	}
	return 0, 0, false
}

// joinSim compares two joined tokens of script js with a single one.
func joinSim(joined string, js script, t token, strict bool) float64 {
	if t.kind == kindLegal {
		return 0
	}
	if strict || t.strict {
		if joined == t.text {
			return 1
		}
		return 0
	}
	s := joinedSim(joined, t.text)
	if js != t.script {
		s = max(s, crossSim(joined, js, t.text, t.script))
	}
	return s
}

// scriptSim compares two tokens written in scripts sa and sb by their
// romanizations (with phonetic keys ka and kb): by spelling and, across
// scripts, by sound. Two tokens of one syllabic script are compared in that
// script only (pairOfKeys), where a syllable is one character.
func scriptSim(a string, sa script, b string, sb script, ka, kb string) (float64, string) {
	if sa == sb && syllabic(sa) && sa != scriptHan {
		if a == b {
			return simExact, "exact"
		}
		return 0, ""
	}
	if sa == sb {
		return tokenSimKeys(a, b, ka, kb)
	}
	if a == b {
		return simExact, "exact"
	}
	// Spelling tolerance (typos, phonetic keys) is for Latin and the
	// alphabets whose romanization spells every sound; a consonant
	// skeleton or a syllable's romanization one letter off is another name.
	s, how := 0.0, ""
	if spelled(sa) && spelled(sb) {
		s, how = tokenSimKeys(a, b, ka, kb)
	}
	if s < maxCrossSim {
		if s2 := crossSim(a, sa, b, sb); s2 > s {
			s, how = s2, "translit"
		}
	}
	return s, how
}

// spelled reports whether the romanization of script s spells a word letter
// for letter, so that Latin spelling tolerance applies to it.
func spelled(s script) bool {
	return s == scriptLatin || profileOf(s) == &alphabetProfile
}

// joinedSim compares two words written together with one word: exactly or
// by a typo, not by sound, which two words joined match too easily
// ("Susan Hall" / "Sanaullah").
func joinedSim(joined, word string) float64 {
	s, how := tokenSim(joined, word)
	if how == "phonetic" {
		return 0
	}
	return s
}

// pairOf compares two single tokens.
func pairOf(a, b token) (pairCand, bool) {
	return pairOfKeys(a, b, phoneticKey(a.text), phoneticKey(b.text))
}

// pairOfKeys is pairOf with the tokens' phonetic keys given.
func pairOfKeys(a, b token, ka, kb string) (pairCand, bool) {
	if a.kind == kindLegal || b.kind == kindLegal {
		if a.kind != b.kind {
			return pairCand{}, false
		}
		switch {
		case a.text == b.text:
			return pairCand{sim: 1, how: howLegal}, true
		case legalConflict(a.text, b.text):
			return pairCand{sim: 0, how: howLegal}, true
		}
		return pairCand{sim: legalMismatchSim, how: howLegal}, true
	}
	if a.strict || b.strict {
		if a.text == b.text {
			return pairCand{sim: 1, how: howExact}, true
		}
		return pairCand{}, false
	}
	s, how := scriptSim(a.text, a.script, b.text, b.script, ka, kb)
	if a.orig != "" && b.orig != "" && a.script == b.script {
		if s2, how2 := tokenSim(a.orig, b.orig); s2 > s {
			s, how = s2, how2
		}
	}
	if s > 0 {
		return pairCand{sim: float32(s), how: howOf(how)}, true
	}
	if a.kind == kindWord && b.kind == kindWord {
		if s := initialSim(a.text, b.text); s > 0 {
			return pairCand{sim: float32(s), how: howInitial}, true
		}
	}
	return pairCand{}, false
}

// legalMismatchSim is the similarity of two different legal forms that do
// not contradict each other (co and ltd): both say "a company".
const legalMismatchSim = 0.6

// legalConflictCost is what two contradicting legal forms (GmbH and AG)
// add to the conflict: more than their weight as tokens, because the
// disagreement is specific evidence of two different companies.
const legalConflictCost = 0.3

// joinable returns the concatenation of two adjacent tokens when both are
// words that may have been written together.
func joinable(a, b token) (string, bool) {
	if a.kind == kindLegal || b.kind == kindLegal || a.kind == kindNumber || b.kind == kindNumber {
		return "", false
	}
	if b.script == scriptHangul && !b.cont {
		return "", false
	}
	return a.text + b.text, true
}

// String renders an explanation for people: the score, the two readings,
// and one line per token pair.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "name score %.3f", e.NameScore)
	if e.TypeAdjust != 0 {
		fmt.Fprintf(&b, ", type %+.3f", e.TypeAdjust)
	}
	if e.CountryAdjust != 0 {
		fmt.Fprintf(&b, ", country %+.3f", e.CountryAdjust)
	}
	if e.AliasAdjust != 0 {
		fmt.Fprintf(&b, ", weak alias %+.3f", e.AliasAdjust)
	}
	fmt.Fprintf(&b, "\n  query:  %s\n  listed: %s\n", e.Query, e.Listed)
	for _, t := range e.Tokens {
		q, l := t.Query, t.Listed
		if q == "" {
			q = "-"
		}
		if l == "" {
			l = "-"
		}
		fmt.Fprintf(&b, "  %-20s %-20s %-10s sim %.2f  weight %.2f\n", q, l, t.How, t.Similarity, t.Weight)
	}
	return b.String()
}
