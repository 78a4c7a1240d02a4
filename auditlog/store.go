package auditlog

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// A HashReader reads the stored hashes of the tree. It is tlog.HashReader
// with a context, so that a SQL store can read inside its transaction.
type HashReader interface {
	// ReadHashes returns the hashes at the given stored hash indexes (see
	// tlog.StoredHashIndex), in the order asked. It must return exactly
	// len(indexes) hashes or a non-nil error. Indexes come sorted in
	// increasing order when tlog asks for them, and a store may rely on it
	// for speed but not for correctness.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
}

// A TxStore is the audit log's storage seen from inside one database
// transaction: the transaction of the use case whose change is being
// logged. Append calls it; the caller begins and commits the transaction,
// so a change and its record commit together or not at all.
//
// Appends must be serialised: two transactions must never both read the
// same tree size and append after it. LockSize is where a store does this.
// SQLite serialises writers when the transaction starts with BEGIN
// IMMEDIATE; PostgreSQL can keep the size in a single-row table read with
// SELECT … FOR UPDATE (or take a transaction-scoped advisory lock first).
// The size read and the writes that follow must happen in the same
// transaction, and the lock must be held until it ends.
type TxStore interface {
	HashReader

	// LockSize returns the number of records in the log (the next
	// record's sequence number) and locks the log against other appenders
	// until the transaction ends.
	LockSize(ctx context.Context) (int64, error)

	// AppendEntries stores entries, whose sequence numbers run from the
	// locked size without gaps, and the tree hashes they add, which go at
	// stored hash indexes start, start+1, … (start is
	// tlog.StoredHashIndex(0, entries[0].Record.Seq)). It also advances the
	// size that the next LockSize returns. A store keeps each entry's
	// Canonical bytes exactly: they are what the tree hashes, and what an
	// export writes. Records and hashes are never updated or deleted.
	AppendEntries(ctx context.Context, entries []Entry, start int64, hashes []tlog.Hash) error
}

// An Entry is a record as appended: the record with its sequence number set,
// its canonical encoding and the leaf hash of that encoding.
type Entry struct {
	Record    Record
	Canonical []byte
	LeafHash  tlog.Hash
}

// Append appends recs to the log through st and returns them as entries,
// with sequence numbers assigned from the current size (the Seq of each
// record passed in is ignored). It writes all records and their hashes in
// one AppendEntries call, reading at most one batch of earlier hashes, so
// that appending many records at once costs little more than writing them.
// Append never commits; if it returns an error the caller must roll the
// transaction back. An invalid record returns an *InputError naming it.
func Append(ctx context.Context, st TxStore, recs ...Record) ([]Entry, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	size, err := st.LockSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("auditlog.Append: lock: %w", err)
	}
	if size < 0 {
		return nil, fmt.Errorf("auditlog.Append: store reports negative size %d", size)
	}
	entries := make([]Entry, len(recs))
	for i, r := range recs {
		r.Seq = size + int64(i)
		canon, err := r.Canonical()
		if err != nil {
			if ie, ok := err.(*InputError); ok {
				ie.Field = fmt.Sprintf("records[%d].%s", i, ie.Field)
			}
			return nil, fmt.Errorf("auditlog.Append: %w", err)
		}
		entries[i] = Entry{Record: r, Canonical: canon, LeafHash: LeafHash(canon)}
	}
	ov, err := newOverlay(ctx, st, size)
	if err != nil {
		return nil, fmt.Errorf("auditlog.Append: %w", err)
	}
	for i := range entries {
		hs, err := tlog.StoredHashesForRecordHash(size+int64(i), entries[i].LeafHash, ov)
		if err != nil {
			return nil, fmt.Errorf("auditlog.Append: %w", err)
		}
		ov.pending = append(ov.pending, hs...)
	}
	if err := st.AppendEntries(ctx, entries, ov.base, ov.pending); err != nil {
		return nil, fmt.Errorf("auditlog.Append: write: %w", err)
	}
	return entries, nil
}

// overlay serves tlog the hashes of a tree being extended in memory: the
// new hashes from pending, and the earlier ones from the frontier, read
// from the store once. The frontier (the roots of the perfect subtrees that
// make up the tree of the old size) holds every earlier hash an append can
// need: a new hash combines a new subtree with its left sibling, and a left
// sibling that lies wholly before the old size is one of those roots.
type overlay struct {
	base     int64 // stored hash index of the first new hash
	pending  []tlog.Hash
	frontier map[int64]tlog.Hash
}

func newOverlay(ctx context.Context, r HashReader, size int64) (*overlay, error) {
	ov := &overlay{base: tlog.StoredHashIndex(0, size)}
	idx := FrontierIndexes(size)
	if len(idx) == 0 {
		return ov, nil
	}
	hs, err := r.ReadHashes(ctx, idx)
	if err != nil {
		return nil, fmt.Errorf("read frontier: %w", err)
	}
	if len(hs) != len(idx) {
		return nil, fmt.Errorf("read frontier: ReadHashes(%d indexes) = %d hashes", len(idx), len(hs))
	}
	ov.frontier = make(map[int64]tlog.Hash, len(idx))
	for i, x := range idx {
		ov.frontier[x] = hs[i]
	}
	return ov, nil
}

// ReadHashes implements tlog.HashReader.
func (ov *overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= ov.base {
			if x-ov.base >= int64(len(ov.pending)) {
				panic("auditlog: append reads a hash not yet computed")
			}
			out[i] = ov.pending[x-ov.base]
			continue
		}
		h, ok := ov.frontier[x]
		if !ok {
			panic("auditlog: append reads an earlier hash outside the frontier")
		}
		out[i] = h
	}
	return out, nil
}

// FrontierIndexes returns the stored hash indexes of the roots of the
// perfect subtrees that make up a tree of n records, left to right: the
// indexes tlog.TreeHash(n) reads.
func FrontierIndexes(n int64) []int64 {
	var idx []int64
	for lo := int64(0); lo < n; {
		level := 0
		for int64(1)<<(level+1) <= n-lo {
			level++
		}
		idx = append(idx, tlog.StoredHashIndex(level, lo>>level))
		lo += int64(1) << level
	}
	return idx
}

// tlogReader adapts r to tlog.HashReader for the duration of one call.
func tlogReader(ctx context.Context, r HashReader) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return r.ReadHashes(ctx, indexes)
	})
}

// TreeHash returns the root hash of the first n records of the log that r
// reads, with one ReadHashes call of at most 1+log₂ n hashes.
func TreeHash(ctx context.Context, r HashReader, n int64) (tlog.Hash, error) {
	if n < 0 {
		return tlog.Hash{}, fmt.Errorf("auditlog.TreeHash: %w", inputErrorf("size", "must not be negative"))
	}
	h, err := tlog.TreeHash(n, tlogReader(ctx, r))
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("auditlog.TreeHash: %w", err)
	}
	return h, nil
}
