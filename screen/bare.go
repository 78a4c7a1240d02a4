package screen

import "math"

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
// Conversely, a name that matches only generic words of another that has
// more to it ("Group" / "Group 77", "Management Company" / "Management
// Company 23") is capped below the threshold.
//
// Such a pair scores bareNameScore when the alignment scored less: at or
// above the default threshold, below a full-name match. Either name may be
// the bare one, but a query that adds to a listed brand may add one generic
// word at most ("China Norinco" for the alias "NORINCO"): a longer name
// around a brand ("Beijing Huawei Digital Technologies") names another
// company, a subsidiary at most, and is scored as a full name. Names of persons are
// never read this way: a surname alone is not a person.

// bareNameScore is the name score of a bare distinctive name.
const bareNameScore = 0.92

// bareMinSim is the least similarity of a pair in a bare-name match.
const bareMinSim = 0.95

// bareName reports whether side a of alignment al (token kinds ak,
// weights wa, matched tokens usedA) is a bare distinctive name of side b,
// whose unmatched ordinary words may weigh maxExtra in all.
func bareName(al alignment, ak []tokKind, wa []float64, usedA uint64, bk []tokKind, wb []float64, usedB uint64, maxExtra float64) bool {
	if al.score <= 0 || al.score >= bareNameScore {
		return false
	}
	for _, p := range al.chosen {
		if p.sim < bareMinSim {
			return false
		}
	}
	distinctive := false
	for i, k := range ak {
		used := usedA&(1<<uint(i)) != 0
		switch {
		case k == kindLegal:
			return false
		case used && k == kindWord && wa[i] > genericWeight:
			distinctive = true
		case !used && wa[i] > kindWeight[kindStop]:
			return false
		}
	}
	if !distinctive {
		return false
	}
	extra := 0.0
	for j, w := range wb {
		if usedB&(1<<uint(j)) != 0 {
			continue
		}
		switch bk[j] {
		case kindLegal, kindStop, kindQualifier:
		case kindWord:
			if extra += w; w > genericWeight || extra > maxExtra {
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

// genericOnly reports whether al matched none of side a's distinctive
// words or numbers (kinds ak, weights wa, matched tokens usedA) while
// leaving a token of side b (weights wb) unmatched.
func genericOnly(al alignment, ak []tokKind, wa []float64, usedA uint64, wb []float64, usedB uint64) bool {
	if al.score <= genericCap {
		return false
	}
	for i, k := range ak {
		if usedA&(1<<uint(i)) != 0 && (k == kindWord && wa[i] > genericWeight || k == kindNumber) {
			return false // a distinctive word, or a number ("14th Research Institute")
		}
	}
	for j, w := range wb {
		if usedB&(1<<uint(j)) == 0 && w > 0 {
			return true
		}
	}
	return false
}

// withBareName returns al's score, raised to bareNameScore when either name
// is a bare distinctive name of the other (and whether one was), or capped
// at genericCap when one name matched only generic words of the other,
// which has more to it. qk and lk are
// the kinds of the query's and the listed name's tokens. Names of persons
// take al's score as it is.
func withBareName(al alignment, qk []tokKind, wq []float64, lk []tokKind, wl []float64, person bool) (float64, bool) {
	switch {
	case person:
	case bareName(al, qk, wq, al.usedQ, lk, wl, al.usedL, math.Inf(1)), bareName(al, lk, wl, al.usedL, qk, wq, al.usedQ, genericWeight):
		return bareNameScore, true
	case genericOnly(al, qk, wq, al.usedQ, wl, al.usedL), genericOnly(al, lk, wl, al.usedL, wq, al.usedQ):
		return genericCap, false
	}
	return al.score, false
}

// kindsOf returns the kinds of toks, appended to buf.
func kindsOf(toks []token, buf []tokKind) []tokKind {
	buf = buf[:0]
	for _, t := range toks {
		buf = append(buf, t.kind)
	}
	return buf
}
