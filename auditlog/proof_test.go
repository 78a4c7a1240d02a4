package auditlog_test

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
)

// proofLog is a log of 100 records appended in uneven batches, with the
// leaf hashes and the checkpoint of every size.
type proofLog struct {
	store  *audittest.MemStore
	leaves []tlog.Hash
	cps    []auditlog.Checkpoint // cps[n] is the checkpoint of size n
}

func mustProofLog(t *testing.T, size int64) *proofLog {
	t.Helper()
	ctx := context.Background()
	l := &proofLog{store: audittest.NewMemStore()}
	for lo, batch := int64(0), int64(1); lo < size; lo, batch = lo+batch, batch%5+1 {
		var recs []auditlog.Record
		for i := lo; i < min(lo+batch, size); i++ {
			recs = append(recs, audittest.SampleRecord(i))
		}
		for _, e := range audittest.MustAppend(t, l.store, recs...) {
			l.leaves = append(l.leaves, e.LeafHash)
		}
	}
	for n := range size + 1 {
		cp, err := auditlog.NewCheckpoint(ctx, l.store, "tollgate", n)
		if err != nil {
			t.Fatal(err)
		}
		l.cps = append(l.cps, cp)
	}
	return l
}

// TestInclusionProofs checks every inclusion proof in trees of every size
// from 1 to 100, and that flipping one bit of any proof hash breaks it.
func TestInclusionProofs(t *testing.T) {
	ctx := context.Background()
	l := mustProofLog(t, 100)
	for size := int64(1); size <= 100; size++ {
		cp := l.cps[size]
		for i := range size {
			p, err := auditlog.ProveRecord(ctx, l.store, size, i)
			if err != nil {
				t.Fatalf("ProveRecord(%d, %d): %v", size, i, err)
			}
			if err := auditlog.CheckRecord(p, cp, l.leaves[i]); err != nil {
				t.Fatalf("CheckRecord(%d, %d): %v", size, i, err)
			}
			if err := auditlog.CheckRecord(p, cp, l.leaves[(i+1)%100]); !errors.Is(err, auditlog.ErrProofFailed) {
				t.Fatalf("CheckRecord(%d, %d) with another leaf = %v, want ErrProofFailed", size, i, err)
			}
			for k := range p.Hashes {
				bit := (int(i) + k) % (8 * tlog.HashSize)
				p.Hashes[k][bit/8] ^= 1 << (bit % 8)
				if err := auditlog.CheckRecord(p, cp, l.leaves[i]); !errors.Is(err, auditlog.ErrProofFailed) {
					t.Fatalf("CheckRecord(%d, %d) with hash %d flipped = %v, want ErrProofFailed", size, i, k, err)
				}
				p.Hashes[k][bit/8] ^= 1 << (bit % 8)
			}
		}
	}
}

// TestConsistencyProofs checks every consistency proof between trees of
// sizes 1..100, and that flipping one bit of any proof hash breaks it.
func TestConsistencyProofs(t *testing.T) {
	ctx := context.Background()
	l := mustProofLog(t, 100)
	for size := int64(1); size <= 100; size++ {
		for old := int64(0); old <= size; old++ {
			p, err := auditlog.ProveTree(ctx, l.store, old, size)
			if err != nil {
				t.Fatalf("ProveTree(%d, %d): %v", old, size, err)
			}
			if err := auditlog.CheckTree(p, l.cps[old], l.cps[size]); err != nil {
				t.Fatalf("CheckTree(%d, %d): %v", old, size, err)
			}
			for k := range p.Hashes {
				bit := (int(old) + k) % (8 * tlog.HashSize)
				p.Hashes[k][bit/8] ^= 1 << (bit % 8)
				if err := auditlog.CheckTree(p, l.cps[old], l.cps[size]); !errors.Is(err, auditlog.ErrProofFailed) {
					t.Fatalf("CheckTree(%d, %d) with hash %d flipped = %v, want ErrProofFailed", old, size, k, err)
				}
				p.Hashes[k][bit/8] ^= 1 << (bit % 8)
			}
			if old > 0 && old < size {
				forked := l.cps[old]
				forked.Hash[0] ^= 1
				if err := auditlog.CheckTree(p, forked, l.cps[size]); !errors.Is(err, auditlog.ErrProofFailed) {
					t.Fatalf("CheckTree(%d, %d) against another old root = %v, want ErrProofFailed", old, size, err)
				}
			}
		}
	}
}

func TestProofInputErrors(t *testing.T) {
	ctx := context.Background()
	l := mustProofLog(t, 10)
	good, err := auditlog.ProveRecord(ctx, l.store, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"ProveIndexTooBig", second(auditlog.ProveRecord(ctx, l.store, 10, 10)), "index"},
		{"ProveNegativeIndex", second(auditlog.ProveRecord(ctx, l.store, 10, -1)), "index"},
		{"ProveEmptyTree", second(auditlog.ProveRecord(ctx, l.store, 0, 0)), "tree_size"},
		{"CheckOtherSize", auditlog.CheckRecord(good, l.cps[9], l.leaves[3]), "tree_size"},
		{"TreeShrinks", second(auditlog.ProveTree(ctx, l.store, 5, 4)), "new_size"},
		{"TreeNegative", second(auditlog.ProveTree(ctx, l.store, -1, 4)), "old_size"},
		{"CheckTreeOtherSizes", auditlog.CheckTree(&auditlog.ConsistencyProof{OldSize: 2, NewSize: 5}, l.cps[3], l.cps[5]), "size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ie *auditlog.InputError
			if !errors.As(tt.err, &ie) || ie.Field != tt.field {
				t.Fatalf("got %v, want an InputError for %s", tt.err, tt.field)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }
