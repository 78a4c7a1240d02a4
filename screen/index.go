package screen

import (
	"slices"
	"sync"

	"tollgate"
)

// The index. Every listed name (primary names and aliases, in every reading)
// is analyzed once into tokens; distinct tokens form a vocabulary. Three
// lookups lead from a query token to the vocabulary tokens similar to it,
// without scanning the vocabulary:
//
//   - exact: a map from token to id;
//   - typos: a deletion neighbourhood. Every vocabulary token of four or
//     more letters is filed under itself and under each string obtained by
//     deleting one of its letters; a query token looks up itself and its own
//     one-letter deletions. Two tokens one edit apart (substitution,
//     insertion, deletion, transposition) always share a key;
//   - sound: the phonetic key.
//
// Postings lead from a vocabulary token to the names that contain it. A
// query accumulates, for each name it touches, the weight of its tokens
// found there; only names that could reach the threshold are scored in
// full. Keys of the two fuzzy lookups are 64-bit hashes in sorted arrays, so
// the index is a handful of flat slices rather than millions of small maps.

// Index is an immutable set of listed entities prepared for screening. Build
// it with NewIndex; it is safe for concurrent use.
type Index struct {
	cfg      Config
	entities []tollgate.Entity
	weights  *weightModel

	vocab       []string         // token id → token
	vocabKey    []string         // token id → phonetic key
	vocabScript []script         // token id → the script it was first seen in
	tokenID     map[string]int32 // token → id

	names     []nameRec
	nameToks  []int32   // token ids of all names, name after name
	nameKinds []tokKind // the kinds of those tokens
	nameW     []float32 // the weights of those tokens

	postings csr // token id → name ids
	deletes  hashCSR
	phonetic hashCSR
	stems    hashCSR // plural stems, undoubled spellings, 3-letter anagrams → token ids
	cross    hashCSR // consonant classes (crossKey) → token ids, for queries in other scripts

	cache *retrievalCache
	pool  sync.Pool

	noPrune bool // touch every posting (prune.go); tests compare both ways
}

// weakAliasPenalty is taken off the score of a match on an alias the list
// itself calls weak (OFAC's weak a.k.a., the UN's low-quality aliases).
const weakAliasPenalty = 0.08

// nameOf returns the listed spelling of name n and whether it is a weak
// alias.
func (ix *Index) nameOf(n int32) (string, bool) {
	e := ix.entityOf(n)
	a := int(ix.names[n].alias)
	switch {
	case a == 0:
		return e.Name, false
	case a <= len(e.AltNames):
		return e.AltNames[a-1], false
	case a-1-len(e.AltNames) < len(e.WeakAltNames):
		return e.WeakAltNames[a-1-len(e.AltNames)], true
	}
	return e.Name, false
}

// nameRec is one reading of one listed name.
type nameRec struct {
	entity int32
	start  int32 // first token in nameToks
	n      uint8 // number of tokens
	alias  int16 // index into Entity.Names(), then into Entity.WeakAltNames
}

// buildIndex analyzes every name of entities and builds the lookups.
func buildIndex(entities []tollgate.Entity, cfg Config) *Index {
	ix := &Index{cfg: cfg, entities: entities, tokenID: make(map[string]int32), cache: newRetrievalCache()}
	df := make(map[string]int32)
	ix.addEntities(entities, df) // index_build.go
	ix.weights = learnWeights(df, len(ix.names))
	ix.vocabKey = parallelMap(ix.vocab, phoneticKey) // index_build.go
	ix.nameW = make([]float32, len(ix.nameToks))
	for i, id := range ix.nameToks {
		ix.nameW[i] = float32(ix.weights.weight(token{text: ix.vocab[id], kind: ix.nameKinds[i]}))
	}
	var wg sync.WaitGroup
	wg.Go(ix.buildPostings) // names → postings and vocabulary → lookups are independent
	ix.buildFuzzy()
	wg.Wait()
	return ix
}

// addName appends one reading of a listed name.
func (ix *Index) addName(entity int32, alias int16, toks []token, df map[string]int32) {
	rec := nameRec{entity: entity, start: int32(len(ix.nameToks)), n: uint8(len(toks)), alias: alias}
	for i, t := range toks {
		id, ok := ix.tokenID[t.text]
		if !ok {
			id = int32(len(ix.vocab))
			ix.tokenID[t.text] = id
			ix.vocab = append(ix.vocab, t.text)
			ix.vocabScript = append(ix.vocabScript, t.script)
		}
		ix.nameToks = append(ix.nameToks, id)
		ix.nameKinds = append(ix.nameKinds, t.kind)
		if !slices.ContainsFunc(toks[:i], func(u token) bool { return u.text == t.text }) {
			df[t.text]++
		}
	}
	ix.names = append(ix.names, rec)
}

// buildPostings files every name under each of its distinct tokens.
func (ix *Index) buildPostings() {
	pairs := make([]uint64, 0, len(ix.nameToks))
	for n, rec := range ix.names {
		toks := ix.nameToks[rec.start : rec.start+int32(rec.n)]
		for i, id := range toks {
			if slices.Index(toks[:i], id) >= 0 {
				continue
			}
			pairs = append(pairs, uint64(id)<<32|uint64(n))
		}
	}
	ix.postings = newCSR(len(ix.vocab), pairs)
}

// buildFuzzy builds the deletion-neighbourhood and phonetic lookups.
func (ix *Index) buildFuzzy() {
	var dels, phon, stems, cross []keyVal
	for id, t := range ix.vocab {
		if isDigits(t) {
			continue
		}
		if k := crossKey(t, ix.vocabScript[id]); len(k) >= minCrossKey {
			cross = append(cross, keyVal{hashString(k), int32(id)})
		}
		if runeLen(t) >= minEditLen {
			dels = appendDeletionKeys(dels, t, int32(id))
		}
		if st := stemPlural(t); st != t {
			stems = append(stems, keyVal{hashString(st), int32(id)})
		}
		if u := undouble(t); u != t {
			stems = append(stems, keyVal{hashString(u), int32(id)})
		}
		if len(t) == 3 && isASCII(t) {
			stems = append(stems, keyVal{anagramKey(t), int32(id)})
		}
		if k := ix.vocabKey[id]; len(k) >= minPhoneticLen {
			phon = append(phon, keyVal{hashString(k), int32(id)})
		}
	}
	var wg sync.WaitGroup
	for _, b := range []struct {
		h  *hashCSR
		kv []keyVal
	}{{&ix.deletes, dels}, {&ix.phonetic, phon}, {&ix.stems, stems}, {&ix.cross, cross}} {
		wg.Go(func() { *b.h = newHashCSR(b.kv) })
	}
	wg.Wait()
}

// entityOf returns the entity of name n.
func (ix *Index) entityOf(n int32) *tollgate.Entity {
	return &ix.entities[ix.names[n].entity]
}

// nameTokens returns the token ids and kinds of name n.
func (ix *Index) nameTokens(n int32) ([]int32, []tokKind) {
	rec := ix.names[n]
	return ix.nameToks[rec.start : rec.start+int32(rec.n)], ix.nameKinds[rec.start : rec.start+int32(rec.n)]
}

// listedTokens rebuilds the tokens of name n for explanations.
func (ix *Index) listedTokens(n int32) []token {
	ids, kinds := ix.nameTokens(n)
	out := make([]token, len(ids))
	for i, id := range ids {
		out[i] = token{text: ix.vocab[id], kind: kinds[i], script: ix.vocabScript[id]}
	}
	return out
}

// listedWeights returns the weights of name n's tokens, appended to buf.
func (ix *Index) listedWeights(n int32, buf []float64) []float64 {
	rec := ix.names[n]
	buf = buf[:0]
	for _, w := range ix.nameW[rec.start : rec.start+int32(rec.n)] {
		buf = append(buf, float64(w))
	}
	return buf
}
