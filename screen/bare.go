package screen

// A bare distinctive name. Users screen a brand or an acronym by itself
// ("Huawei", "Rosneft", "VTB") while the lists carry the full name
// ("Huawei Technologies Co., Ltd.", "VTB Bank PJSC"). The alignment score
// counts the listed name's extra words against the query, so a short query
// falls below the threshold when its word is also in many listed names (a
// brand with many listed subsidiaries weighs less). The rule below decides
// from the token weights alone, which the index learns from every list
// (weights.go), never from a list of brands:
//
//   - the query is words alone, without a legal form (a name with its legal
//     form is a full name, "Crystalord Ltd", and scores as one); each is
//     matched exactly (or by translation, acronym, joined spelling), but
//     for function words;
//   - at least one matched query word is distinctive: an ordinary word
//     weighing more than the generic words of company names, i.e. rarer
//     across the lists than they are ("Group", "Technology", "China" are
//     generic and never make a bare-name hit);
//   - every listed token left unmatched is a legal form, a function word, a
//     qualifier, or a word weighing no more than a generic word (generic
//     words, places, words common across the lists), never a number or a
//     part of a person's name (a patronymic),
//     so that "Gazprom" is a bare name of "Gazprom Bank" only if "Bank" is
//     common, and never of "Gazprom Neft".
//
// Conversely, a query that matches only generic words of a listed name that
// has more to it ("Group" / "Group 77") is capped below the threshold.
//
// Such a pair scores bareNameScore when the alignment scored less: at or
// above the default threshold, below a full-name match. Names of persons are
// never read this way: a surname alone is not a person.

// bareNameScore is the name score of a bare distinctive name.
const bareNameScore = 0.92

// bareMinSim is the least similarity of a pair in a bare-name match.
const bareMinSim = 0.95

// bareName reports whether alignment al of query q (weights wq) with a
// listed name (weights wl, token kinds lkinds) is a bare
// distinctive name.
func bareName(al alignment, q []token, wq, wl []float64, lkinds []tokKind) bool {
	if al.score <= 0 || al.score >= bareNameScore {
		return false
	}
	for _, p := range al.chosen {
		if p.sim < bareMinSim {
			return false
		}
	}
	distinctive := false
	for i, t := range q {
		used := al.usedQ&(1<<uint(i)) != 0
		switch {
		case t.kind == kindLegal:
			return false
		case used && t.kind == kindWord && wq[i] > genericWeight:
			distinctive = true
		case !used && wq[i] > kindWeight[kindStop]:
			return false
		}
	}
	if !distinctive {
		return false
	}
	for j, w := range wl {
		if al.usedL&(1<<uint(j)) != 0 {
			continue
		}
		switch lkinds[j] {
		case kindLegal, kindStop, kindQualifier:
		case kindWord:
			if w > genericWeight {
				return false
			}
		default:
			return false // a number, or a part of a person's name
		}
	}
	return true
}

// genericCap bounds the name score of a query whose matched words are all
// generic against a listed name with more to it ("Group" / "Group 77"):
// low enough that type and country evidence cannot lift it to the default
// threshold.
const genericCap = 0.75

// genericOnly reports whether al matched none of q's distinctive words or
// numbers while leaving a listed token unmatched.
func genericOnly(al alignment, q []token, wq, wl []float64) bool {
	if al.score <= genericCap {
		return false
	}
	for i, t := range q {
		if al.usedQ&(1<<uint(i)) != 0 && (t.kind == kindWord && wq[i] > genericWeight || t.kind == kindNumber) {
			return false // a distinctive word, or a number ("14th Research Institute")
		}
	}
	for j, w := range wl {
		if al.usedL&(1<<uint(j)) == 0 && w > 0 {
			return true
		}
	}
	return false
}

// withBareName returns al's score, raised to bareNameScore when the query
// is a bare distinctive name of the listed name (and whether it was), or
// capped at genericCap when the query matched generic words only. Names of
// persons take al's score as it is.
func withBareName(al alignment, q []token, wq, wl []float64, lkinds []tokKind, person bool) (float64, bool) {
	switch {
	case person:
	case bareName(al, q, wq, wl, lkinds):
		return bareNameScore, true
	case genericOnly(al, q, wq, wl):
		return genericCap, false
	}
	return al.score, false
}

// kindsOf returns the kinds of toks.
func kindsOf(toks []token) []tokKind {
	ks := make([]tokKind, len(toks))
	for i, t := range toks {
		ks[i] = t.kind
	}
	return ks
}
