package screen

import (
	"math"
)

// Token weights. A token's weight is how much it identifies a party. Without
// lists, ordinary words weigh 1 and the generic words of company names 0.5;
// with lists, the weight is also capped by an inverse document frequency
// learned from the listed names, so that "huawei" weighs 1 while
// "mohammad" or "international" weigh far less. Either way the kind of a
// token caps its weight: legal forms, titles and function words barely
// count.

// kindWeight caps the weight of each kind of token.
var kindWeight = [...]float64{
	kindWord:       1.0,
	kindStop:       0.15,
	kindParticle:   0.3,
	kindHonorific:  0.1,
	kindLegal:      0.1,
	kindNumber:     0.2,
	kindPatronymic: 0.3,
	kindQualifier:  0.2,
	kindLineage:    0.05,
}

const (
	genericWeight = 0.5 // built-in weight of generic company words
	minWeight     = 0.1 // no learned weight goes below this
	rareDF        = 3   // tokens in at most this many names weigh 1
)

// weightModel maps tokens to weights.
type weightModel struct {
	// learned holds IDF weights from the lists; nil means built-in weights.
	learned map[string]float32
}

// defaultWeights are the built-in weights Compare uses.
var defaultWeights = &weightModel{}

// weight returns the weight of t.
func (m *weightModel) weight(t token) float64 {
	k := kindWeight[t.kind]
	if t.kind == kindWord && genericWords[t.text] {
		k = genericWeight
	}
	if m.learned == nil {
		return k
	}
	w, ok := m.learned[t.text]
	if !ok {
		return k
	}
	return math.Min(k, float64(w))
}

// weights returns the weights of toks, appended to buf.
func (m *weightModel) weights(toks []token, buf []float64) []float64 {
	buf = buf[:0]
	for _, t := range toks {
		buf = append(buf, m.weight(t))
	}
	return buf
}

// learnWeights computes IDF weights from document frequencies: df[t] is the
// number of names containing t among n names.
func learnWeights(df map[string]int32, n int) *weightModel {
	m := &weightModel{learned: make(map[string]float32, len(df))}
	top := math.Log(float64(n+1) / rareDF)
	for t, d := range df {
		w := 1.0
		if top > 0 {
			// Too few names to tell common from rare: every token is rare.
			w = math.Log(float64(n+1)/float64(max(d, rareDF))) / top
		}
		m.learned[t] = float32(math.Max(minWeight, math.Min(1, w)))
	}
	return m
}

// genericWords are words of company and institution names that say what a
// party does or where it is rather than who it is (the place names of the
// Chinese dictionary are added to them).
var genericWords = setOf("technology", "technologies", "tech", "international", "intl", "trading", "trade",
	"group", "holding", "holdings", "industry", "industries", "industrial", "science", "sciences",
	"engineering", "research", "institute", "university", "electronics", "electronic", "information",
	"development", "investment", "investments", "services", "service", "systems", "system", "solutions",
	"enterprise", "enterprises", "global", "general", "national", "manufacturing", "equipment",
	"machinery", "import", "export", "logistics", "shipping", "digital", "network", "networks",
	"communication", "communications", "software", "semiconductor", "bank", "center", "centre",
	"management", "consulting", "energy", "materials", "products", "partners", "capital", "fund",
	"trust", "securities", "finance", "financial", "resources", "associates", "ventures", "agency",
	"organization", "organisation", "foundation", "association", "society", "office", "department",
	"ministry", "academy", "laboratory", "factory", "plant", "works", "concern", "center", "commercial", "economic",
	"new", "first", "united", "state", "public", "private", "joint", "stock",
	"intelligent", "intelligence", "smart", "innovation", "innovative", "advanced")
