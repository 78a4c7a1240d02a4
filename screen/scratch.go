package screen

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// nameAcc is what a query form accumulates for one listed name: the
// weight of the query tokens found in it and which tokens those are, valid
// when mark is the form's stamp.
type nameAcc struct {
	mark    uint32
	covered uint32
	acc     float32
}

// scratch holds the per-query working memory of a search: dense arrays over
// names, vocabulary and entities, reset in O(touched) with generation
// stamps, so a query allocates almost nothing once a scratch is warm.
// Scratches are pooled per Index.
type scratch struct {
	stamp uint32 // generation of the current query form

	// Per name, in one array so that a posting costs one cache line.
	names   []nameAcc
	touched []int32

	// Per vocabulary token: the similarities to each unit.
	slotMark []uint32
	slotOf   []int32
	slots    [][maxUnits]float32

	// Per entity: the best name so far for the current query.
	entMark  []uint32
	entScore []float32
	entName  []int32
	entForm  []uint8
	entities []int32
	qstamp   uint32

	units  []unit
	splits []split
	// keyless marks the query tokens of another script too short for a
	// retrieval key (scoreName compares them directly).
	keyless uint64
	hits    []hitRec
	wq, wl  []float64
	qk      []tokKind // the kinds of the query form's tokens
	cands   []pairCand
	chosen  []pairCand
	sel     []int32
}

func (ix *Index) getScratch() *scratch {
	if s, ok := ix.pool.Get().(*scratch); ok {
		return s
	}
	return &scratch{
		names:    make([]nameAcc, len(ix.names)),
		slotMark: make([]uint32, len(ix.vocab)),
		slotOf:   make([]int32, len(ix.vocab)),
		entMark:  make([]uint32, len(ix.entities)),
		entScore: make([]float32, len(ix.entities)),
		entName:  make([]int32, len(ix.entities)),
		entForm:  make([]uint8, len(ix.entities)),
	}
}

func (ix *Index) putScratch(s *scratch) { ix.pool.Put(s) }

// newQuery starts a query: entity bests are forgotten.
func (s *scratch) newQuery() {
	s.qstamp++
	if s.qstamp == 0 {
		clear(s.entMark)
		s.qstamp = 1
	}
	s.entities = s.entities[:0]
}

// newForm starts one reading of the query: names and vocabulary are
// forgotten.
func (s *scratch) newForm() {
	s.stamp++
	if s.stamp == 0 {
		clear(s.names)
		clear(s.slotMark)
		s.stamp = 1
	}
	s.touched = s.touched[:0]
	s.units = s.units[:0]
	s.splits = s.splits[:0]
	s.hits = s.hits[:0]
	s.slots = s.slots[:0]
}

// addUnit adds a retrieval unit, if there is room.
func (s *scratch) addUnit(q0, q1 int8, text string, strict bool, sc script) {
	if len(s.units) < maxUnits && q1 < 32 {
		u := unit{q0: q0, q1: q1, text: text, strict: strict, script: sc}
		if !strict {
			u.key = phoneticKey(text)
		}
		s.units = append(s.units, u)
	}
}

// slot returns the similarity row of vocabulary token v, creating it.
func (s *scratch) slot(v int32) *[maxUnits]float32 {
	if s.slotMark[v] != s.stamp {
		s.slotMark[v] = s.stamp
		s.slotOf[v] = int32(len(s.slots))
		s.slots = append(s.slots, [maxUnits]float32{})
	}
	return &s.slots[s.slotOf[v]]
}

// tried reports whether unit u was already compared with token v.
func (s *scratch) tried(u int8, v int32) bool {
	return s.slotMark[v] == s.stamp && s.slots[s.slotOf[v]][u] != 0
}

// record stores the similarity of unit u and token v; a dissimilar pair is
// stored as -1 so that it is not compared again.
func (s *scratch) record(u int8, v int32, sim float32) {
	row := s.slot(v)
	if row[u] != 0 {
		return
	}
	if sim <= 0 {
		row[u] = -1
		return
	}
	row[u] = sim
	s.hits = append(s.hits, hitRec{u: u, v: v, sim: sim})
}

// simsOf returns the similarity row of token v, or nil.
func (s *scratch) simsOf(v int32) *[maxUnits]float32 {
	if s.slotMark[v] != s.stamp {
		return nil
	}
	return &s.slots[s.slotOf[v]]
}

// touch makes name n part of the current form's candidates.
func (s *scratch) touch(n int32) {
	if s.names[n].mark != s.stamp {
		s.names[n] = nameAcc{mark: s.stamp}
		s.touched = append(s.touched, n)
	}
}

// candidates returns the touched names with acc >= minAcc, at most limit of
// them, highest acc first when there are more.
func (s *scratch) candidates(minAcc float32, limit int) []int32 {
	sel := s.sel[:0]
	for _, n := range s.touched {
		if s.names[n].acc >= minAcc {
			sel = append(sel, n)
		}
	}
	if limit > 0 && len(sel) > limit {
		selectByAcc(sel, s.names, limit) // prune.go
		sel = sel[:limit]
	}
	s.sel = sel
	return sel
}

// offer records name n's score for its entity if it beats the entity's best.
func (s *scratch) offer(entity, n int32, form uint8, score float32) {
	if s.entMark[entity] != s.qstamp {
		s.entMark[entity] = s.qstamp
		s.entScore[entity] = score
		s.entName[entity] = n
		s.entForm[entity] = form
		s.entities = append(s.entities, entity)
		return
	}
	if score > s.entScore[entity] {
		s.entScore[entity] = score
		s.entName[entity] = n
		s.entForm[entity] = form
	}
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// retrievalCache remembers, per query word, the vocabulary tokens similar
// to it. Screening a population repeats words endlessly (given names,
// common surnames), and a word's similar tokens depend only on the word and
// the index, so a word is looked up in the fuzzy structures once. The
// cache is bounded; once full it stops growing and only serves hits.
type retrievalCache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
	size   atomic.Int64
	limit  int64
}

const (
	cacheShards = 32
	cacheLimit  = 200_000 // words
)

type cacheShard struct {
	mu sync.RWMutex
	m  map[string][]tokenHit
}

// tokenHit is a vocabulary token and its similarity to a cached word.
type tokenHit struct {
	v   int32
	sim float32
}

func newRetrievalCache() *retrievalCache {
	c := &retrievalCache{seed: maphash.MakeSeed(), limit: cacheLimit}
	for i := range c.shards {
		c.shards[i].m = make(map[string][]tokenHit)
	}
	return c
}

func (c *retrievalCache) shard(key string) *cacheShard {
	return &c.shards[maphash.String(c.seed, key)%cacheShards]
}

// get returns the cached hits of key.
func (c *retrievalCache) get(key string) ([]tokenHit, bool) {
	sh := c.shard(key)
	sh.mu.RLock()
	hits, ok := sh.m[key]
	sh.mu.RUnlock()
	return hits, ok
}

// put caches the hits of key, unless the cache is full.
func (c *retrievalCache) put(key string, hits []tokenHit) {
	if c.size.Load() >= c.limit {
		return
	}
	sh := c.shard(key)
	sh.mu.Lock()
	if _, ok := sh.m[key]; !ok {
		sh.m[key] = hits
		c.size.Add(1)
	}
	sh.mu.Unlock()
}
