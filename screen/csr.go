package screen

import (
	"slices"
	"unicode/utf8"
)

// csr is a compressed multimap from dense keys 0..n-1 to int32 values.
type csr struct {
	start []int32 // values of key k are vals[start[k]:start[k+1]]
	vals  []int32
}

// newCSR builds a csr from pairs packed as key<<32 | value.
func newCSR(n int, pairs []uint64) csr {
	slices.Sort(pairs)
	c := csr{start: make([]int32, n+1), vals: make([]int32, len(pairs))}
	for i, p := range pairs {
		c.start[p>>32+1]++
		c.vals[i] = int32(uint32(p))
	}
	for k := 1; k <= n; k++ {
		c.start[k] += c.start[k-1]
	}
	return c
}

// get returns the values of key k.
func (c *csr) get(k int32) []int32 {
	return c.vals[c.start[k]:c.start[k+1]]
}

// keyVal is one entry of a hashCSR under construction.
type keyVal struct {
	key uint64
	val int32
}

// hashCSR is a compressed multimap from 64-bit hashes to int32 values,
// looked up in an open-addressing table. A hash collision only adds a
// candidate that the exact comparison then rejects.
type hashCSR struct {
	mask  uint64
	slots []hashSlot // power-of-two table, linear probing; key 0 is empty
	vals  []int32
}

// hashSlot locates the values of one key: vals[start:end].
type hashSlot struct {
	key        uint64
	start, end int32
}

// newHashCSR builds a hashCSR; duplicate entries are removed.
func newHashCSR(kv []keyVal) hashCSR {
	for i := range kv {
		if kv[i].key == 0 {
			kv[i].key = 1 // 0 marks an empty slot
		}
	}
	slices.SortFunc(kv, func(a, b keyVal) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.val - b.val)
	})
	kv = slices.Compact(kv)
	keys := 0
	for i := range kv {
		if i == 0 || kv[i].key != kv[i-1].key {
			keys++
		}
	}
	size := 1
	for size < 2*keys {
		size <<= 1
	}
	h := hashCSR{mask: uint64(size - 1), slots: make([]hashSlot, size), vals: make([]int32, len(kv))}
	for i := 0; i < len(kv); {
		j := i
		for j < len(kv) && kv[j].key == kv[i].key {
			h.vals[j] = kv[j].val
			j++
		}
		p := kv[i].key & h.mask
		for h.slots[p].key != 0 {
			p = (p + 1) & h.mask
		}
		h.slots[p] = hashSlot{key: kv[i].key, start: int32(i), end: int32(j)}
		i = j
	}
	return h
}

// get returns the values filed under key.
func (h *hashCSR) get(key uint64) []int32 {
	if len(h.slots) == 0 {
		return nil
	}
	if key == 0 {
		key = 1
	}
	for p := key & h.mask; ; p = (p + 1) & h.mask {
		sl := &h.slots[p]
		if sl.key == key {
			return h.vals[sl.start:sl.end]
		}
		if sl.key == 0 {
			return nil
		}
	}
}

// FNV-1a, 64 bits.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashString hashes s.
func hashString(s string) uint64 {
	return hashSkip(s, -1, 0)
}

// hashSkip hashes s without its bytes [skip, skip+n).
func hashSkip(s string, skip, n int) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		if i >= skip && i < skip+n {
			continue
		}
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// appendDeletionKeys files val under s and under every one-rune deletion of s.
func appendDeletionKeys(kv []keyVal, s string, val int32) []keyVal {
	kv = append(kv, keyVal{hashString(s), val})
	for i := 0; i < len(s); {
		_, n := utf8.DecodeRuneInString(s[i:])
		kv = append(kv, keyVal{hashSkip(s, i, n), val})
		i += n
	}
	return kv
}

// runeLen returns the number of runes in s.
func runeLen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// anagramKey hashes the sorted letters of a three-letter token, marked so
// that it cannot equal the hash of a token: tokens one swap apart share it.
func anagramKey(t string) uint64 {
	b := [4]byte{'#', t[0], t[1], t[2]}
	if b[1] > b[2] {
		b[1], b[2] = b[2], b[1]
	}
	if b[2] > b[3] {
		b[2], b[3] = b[3], b[2]
	}
	if b[1] > b[2] {
		b[1], b[2] = b[2], b[1]
	}
	return hashString(string(b[:]))
}
