package apiload

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"

	"tollgate"
	"tollgate/screening"
)

var (
	syllables = []string{"an", "bel", "cor", "dan", "el", "fa", "gor", "hal", "is", "jun", "kel", "lor", "mar",
		"nov", "or", "pel", "quin", "ros", "sal", "tor", "ul", "var", "wen", "xan", "yor", "zel"}
	givenNames = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
		"Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Wei", "Li",
		"Olga", "Dmitri", "Ahmed", "Fatima", "Carlos", "Lucia", "Kenji", "Yuki", "Priya", "Arjun"}
	companyWords = []string{"Global", "Advanced", "Pacific", "Northern", "Digital", "Precision", "United", "Summit",
		"Harbor", "Vertex", "Crescent", "Granite", "Horizon", "Meridian", "Silverline", "Bluewater"}
	companyKinds = []string{"Trading", "Logistics", "Systems", "Computing", "Electronics", "Holdings", "Industries",
		"Data Services", "Components", "Networks"}
	legalForms = []string{"Co., Ltd.", "LLC", "Inc.", "GmbH", "Pte. Ltd.", "S.A.", "Limited", "Corp."}
)

// word returns a made-up capitalized word of two or three syllables.
func word(r *rand.Rand) string {
	n := 2 + r.IntN(2)
	var b strings.Builder
	for range n {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// companyName returns an ordinary-looking company name.
func companyName(r *rand.Rand) string {
	return fmt.Sprintf("%s %s %s %s", word(r), pick(r, companyWords), pick(r, companyKinds), pick(r, legalForms))
}

// personName returns an ordinary-looking personal name.
func personName(r *rand.Rand) string {
	return pick(r, givenNames) + " " + word(r)
}

// namePool returns n queries: 5% listed names as listed, 5% listed names
// with one letter dropped, the rest generated names that should match
// nothing. Without entities, all are generated.
func namePool(entities []tollgate.Entity, n int, seed uint64) []screening.NameQuery {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]screening.NameQuery, n)
	for i := range out {
		roll := r.IntN(100)
		switch {
		case len(entities) > 0 && roll < 10:
			e := &entities[r.IntN(len(entities))]
			name := e.Name
			if roll >= 5 {
				name = dropLetter(r, name)
			}
			out[i] = screening.NameQuery{Name: name, Type: e.Type}
		case roll%2 == 0:
			out[i] = screening.NameQuery{Name: companyName(r), Type: tollgate.EntityOrganization, Country: "SG"}
		default:
			out[i] = screening.NameQuery{Name: personName(r), Type: tollgate.EntityPerson}
		}
	}
	return out
}

// dropLetter removes one letter from the longest word of name: a typo.
func dropLetter(r *rand.Rand, name string) string {
	words := strings.Fields(name)
	if len(words) == 0 {
		return name
	}
	longest := 0
	for i, w := range words {
		if len(w) > len(words[longest]) {
			longest = i
		}
	}
	w := []rune(words[longest])
	if len(w) < 4 {
		return name
	}
	i := 1 + r.IntN(len(w)-2)
	words[longest] = string(append(w[:i:i], w[i+1:]...))
	return strings.Join(words, " ")
}

// SyntheticList returns a list import of n generated entities (a mix of
// organizations and people), for benchmarks run without the real lists.
func SyntheticList(n int, seed uint64) *tollgate.ListImport {
	r := rand.New(rand.NewPCG(seed, ^seed))
	li := &tollgate.ListImport{Source: "synthetic", Format: "custom", FileName: "synthetic.csv"}
	h := sha256.New()
	for i := range n {
		e := tollgate.Entity{List: "INTERNAL", SourceID: fmt.Sprintf("SYN-%d", i), Type: tollgate.EntityOrganization}
		if i%3 == 0 {
			e.Type, e.Name = tollgate.EntityPerson, strings.ToUpper(word(r))+", "+pick(r, givenNames)
		} else {
			e.Name = companyName(r)
			e.AltNames = []string{word(r) + " " + pick(r, companyKinds)}
		}
		e.Countries = []string{pick(r, []string{"CN", "RU", "IR", "KP", "SY", "HK", "AE"})}
		li.Entities = append(li.Entities, e)
		h.Write([]byte(e.Name + "\n"))
	}
	li.Digest = hex.EncodeToString(h.Sum(nil))
	return li
}
