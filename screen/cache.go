package screen

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

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
