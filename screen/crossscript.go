package screen

import "strings"

// Comparing a name across scripts. A transliteration is not a spelling: an
// Arabic or Hebrew name does not write its short vowels (فرناندو is
// "frnandu" for Fernando), Arabic has no p and no e (بيريز for Pérez), Korean
// does not tell k from g nor l from r, a Chinese or Japanese transcription
// adds a vowel after every consonant (贝拉克 "beilake" for Barack), and
// Cyrillic й is y, i or j (Сергей: Sergey, Sergei, Sergej). Edit distance
// on the Latin letters counts each of these as a typo. So when one token
// was written in another script than its partner, both are compared as
// sounds: spelled as sound symbols (digraphs as one symbol), then aligned
// with a weighted edit distance in which the differences a transliteration
// makes cost little (a vowel the script does not write, two vowels of one
// family, a voiced and a voiceless consonant) and any other difference a
// full edit. The tolerances depend on the other script (crossProfile).
// Retrieval uses a coarser key: the consonant classes alone (crossKey).

// crossProfile holds the costs that depend on the script of the
// transliterated token.
type crossProfile struct {
	latinVowel float32 // a vowel written in the Latin token only
	otherVowel float32 // a vowel written in the transliterated token only
	vowelSub   float32 // two vowels of different families (a, e/i, o/u)
	glide      float32 // a y or w written on one side only
	// strictVowels: vowels of one family are different vowels, unless
	// pairs says otherwise (Korean: 송 Song is not 숭 Sung).
	strictVowels bool
	// pairs are the consonants the script writes with one letter, or a
	// romanization spells either way, at classCost: "bp" (Arabic has no p).
	pairs string
	// sub is the cost of aligning two symbols, filled from the rules of
	// subCost at start.
	sub [128][128]float32
}

var (
	// Abjads write consonants and long vowels only: a Latin vowel may be a
	// short vowel the script leaves out, but a long vowel is written.
	abjadProfile = crossProfile{latinVowel: 0.1, otherVowel: 0.6, vowelSub: 0.8, glide: 0.8,
		pairs: "bp bv pf fv vw kq kx xh tT dD Dz sS sc cz sz gj ij jy Zj"}
	// Korean: voiced and voiceless consonants and l and r are one letter
	// each; every vowel is written, the vowel digraphs of the
	// romanizations are read as one vowel (koreanVowel).
	hangulProfile = crossProfile{latinVowel: 0.7, otherVowel: 0.7, vowelSub: hardCost, glide: hardCost, strictVowels: true,
		pairs: "bp dt gk jC jZ sS Cc lr kx tT Oo Ou Uu"}
	// Chinese and Japanese transcriptions of foreign names add a vowel
	// after every consonant and have no l/r distinction.
	transcriptionProfile = crossProfile{latinVowel: 0.4, otherVowel: 0.15, vowelSub: 0.2, glide: 0.4,
		pairs: "bp dt gk bv fh fv uv jC jZ zj sS Cc cs cz lr nN mn kx tT dj tC tj dC jy"}
	// Scripts romanized by tables alone (Thai, Khmer, Lao, Myanmar, …).
	looseProfile = crossProfile{latinVowel: 0.2, otherVowel: 0.2, vowelSub: 0.3, glide: 0.4,
		pairs: "bp dt gk jC sS Cc cs lr nN kx tT pf"}
	// Abugidas have an inherent vowel that may or may not be spoken and
	// aspirated consonants that Latin spellings may leave plain.
	abugidaProfile = crossProfile{latinVowel: 0.2, otherVowel: 0.25, vowelSub: 0.4, glide: 0.4,
		pairs: "tT dD kx pf bv vw sS jZ Cc"}
	// Alphabets write every sound; their romanizations still vary (kh/h,
	// j/y, th/t, b/v).
	alphabetProfile = crossProfile{latinVowel: 0.35, otherVowel: 0.35, vowelSub: 0.4, glide: 0.4,
		pairs: "xh xk jy tT dD bv Gg kq cC sz"}
)

func init() {
	for _, p := range []*crossProfile{&abjadProfile, &hangulProfile, &transcriptionProfile, &looseProfile, &abugidaProfile, &alphabetProfile} {
		cheap := make(map[uint16]bool)
		for _, pair := range strings.Fields(p.pairs) {
			cheap[pairKey(pair[0], pair[1])] = true
		}
		for a := range 128 {
			for b := range 128 {
				p.sub[a][b] = subCost(byte(a), byte(b), p, cheap)
			}
		}
	}
}

// profileOf returns the profile for a token transliterated from s.
func profileOf(s script) *crossProfile {
	switch s {
	case scriptArabic, scriptHebrew:
		return &abjadProfile
	case scriptHangul:
		return &hangulProfile
	case scriptHan, scriptHanForeign, scriptKana:
		return &transcriptionProfile
	case scriptSoutheastAsian, scriptOther:
		return &looseProfile
	case scriptIndic, scriptEthiopic:
		return &abugidaProfile
	}
	return &alphabetProfile
}

const (
	hardCost     = 1.0  // a difference no transliteration explains
	hCost        = 0.7  // an h written on one side only
	classCost    = 0.25 // two consonants one script writes alike
	maxCrossRate = 0.15 // cost per symbol above which tokens differ
	maxCrossSim  = 0.97 // the similarity of a perfect correspondence
	crossPenalty = 0.8  // similarity lost per unit of cost per symbol
	maxCrossLen  = 32   // symbols compared; longer tokens are cut
	minCrossKey  = 1    // a retrieval key has at least one consonant class
)

// crossSim returns the similarity of token a (in script sa) and token b (in
// script sb), two different scripts, compared as sounds; 0 when they
// differ by more than a transliteration explains. A difference no
// transliteration explains is tolerated only against an alphabet, whose
// romanization is as exact as a spelling: across an abjad or a syllabary a
// typo cannot be told from another name.
func crossSim(a string, sa script, b string, sb script) float64 {
	if la, lb := profileOf(sa).latinVowel, profileOf(sb).latinVowel; sa != scriptLatin &&
		(sb == scriptLatin || la < lb || la == lb && sa < sb) {
		a, sa, b, sb = b, sb, a, sa
	}
	// b is the transliterated side (or the more defective script of two).
	var bufA, bufB [maxCrossLen]byte
	korean := sa == scriptHangul || sb == scriptHangul
	x, y := crossSymbols(a, sa, korean, bufA[:0]), crossSymbols(b, sb, korean, bufB[:0])
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	p := profileOf(sb)
	cost := crossDistance(x, y, p)
	n := float64(max(len(x), len(y)))
	if p == &alphabetProfile && cost >= hardCost && cost < 2*hardCost && min(len(x), len(y)) >= 5 {
		// An alphabet's romanization is as exact as a Latin spelling: one
		// typo on top of its variants is tolerated as it is in Latin
		// (Serej, Сергей).
		return min(maxCrossSim, 1-editPenalty*cost/n)
	}
	if cost >= hardCost || cost > maxCrossRate*n || consonants(x) == 0 && cost > 0.101 {
		// Vowels and glides alone ("yo", 여 "yeo") must agree but for
		// one variant of a vowel.
		return 0
	}
	return maxCrossSim - crossPenalty*cost/n
}

// consonants counts the consonant symbols of s.
func consonants(s []byte) int {
	n := 0
	for _, c := range s {
		if symClass(c) == clsConsonant {
			n++
		}
	}
	return n
}

// Symbol classes.
const (
	clsVowel = iota
	clsGlide
	clsConsonant
)

func symClass(c byte) int {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'A', 'O', 'U', 'E':
		return clsVowel
	case 'y', 'w', 'h':
		return clsGlide
	}
	return clsConsonant
}

// crossDistance aligns x (Latin) and y (transliterated) and returns the
// cost, at least hardCost when a difference is not a transliteration's.
func crossDistance(x, y []byte, p *crossProfile) float64 {
	var rows [2][maxCrossLen + 1]float32
	prev, cur := &rows[0], &rows[1]
	for j := 1; j <= len(y); j++ {
		prev[j] = prev[j-1] + delCost(y[j-1], p.otherVowel, p.glide)
	}
	for i := 1; i <= len(x); i++ {
		dx := delCost(x[i-1], p.latinVowel, p.glide)
		cur[0] = prev[0] + dx
		for j := 1; j <= len(y); j++ {
			c := prev[j-1] + p.sub[x[i-1]&0x7f][y[j-1]&0x7f]
			c = min(c, prev[j]+dx, cur[j-1]+delCost(y[j-1], p.otherVowel, p.glide))
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(y)])
}

// delCost is the cost of a symbol with no partner; vowel is the profile's
// cost for a vowel on that side.
func delCost(c byte, vowel, glide float32) float32 {
	switch symClass(c) {
	case clsVowel:
		return vowel
	case clsGlide:
		if c == 'h' {
			return hCost
		}
		return glide
	}
	return hardCost
}

// subCost is the cost of aligning symbols a and b under profile p, whose
// cheap pairs are given.
func subCost(a, b byte, p *crossProfile, cheap map[uint16]bool) float32 {
	if a == b {
		return 0
	}
	k := pairKey(a, b)
	if symClass(a) == clsVowel && symClass(b) == clsVowel {
		if a == 'A' || b == 'A' || cheap[k] || !p.strictVowels && vowelFamily(a) == vowelFamily(b) {
			return 0.1
		}
		return p.vowelSub
	}
	switch k {
	case pairKey('i', 'y'), pairKey('u', 'w'):
		return 0.05 // a glide and its vowel
	case pairKey('o', 'w'):
		return 0.1
	}
	if cheap[k] {
		return classCost
	}
	return hardCost
}

func vowelFamily(c byte) byte {
	switch c {
	case 'e', 'i':
		return 'i'
	case 'o', 'u':
		return 'u'
	}
	return c
}

func pairKey(a, b byte) uint16 {
	if a > b {
		a, b = b, a
	}
	return uint16(a)<<8 | uint16(b)
}
