package auditlog_test

import (
	"context"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"

	"tollgate/auditlog"
)

// TestInteropTransparencyDev checks the log against an independent RFC 6962
// implementation, github.com/transparency-dev/merkle: the same leaf hashes
// and roots for every tree size, and proofs that its verifiers accept.
func TestInteropTransparencyDev(t *testing.T) {
	ctx := context.Background()
	const size = 300
	l := mustProofLog(t, size)
	h := rfc6962.DefaultHasher
	rf := compact.RangeFactory{Hash: h.HashChildren}
	cr := rf.NewEmptyRange(0)
	i := int64(0)
	for rec, err := range l.store.Records(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if got, want := l.leaves[i], h.HashLeaf(rec); string(got[:]) != string(want) {
			t.Fatalf("leaf %d: got %x, transparency-dev %x", i, got, want)
		}
		if err := cr.Append(h.HashLeaf(rec), nil); err != nil {
			t.Fatal(err)
		}
		i++
		root, err := cr.GetRootHash(nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.cps[i].Hash; string(got[:]) != string(root) {
			t.Fatalf("size %d: root %x, transparency-dev %x", i, got, root)
		}
	}
	if empty := l.cps[0].Hash; string(empty[:]) != string(h.EmptyRoot()) {
		t.Fatalf("empty root %x, transparency-dev %x", empty, h.EmptyRoot())
	}
	for _, n := range []int64{1, 2, 3, 7, 8, 9, 63, 64, 65, 127, 128, 129, 255, 256, 257, size} {
		root := l.cps[n].Hash
		for k := range n {
			p, err := auditlog.ProveRecord(ctx, l.store, n, k)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyInclusion(h, uint64(k), uint64(n), l.leaves[k][:], raw(p.Hashes), root[:]); err != nil {
				t.Fatalf("transparency-dev rejects inclusion of %d in %d: %v", k, n, err)
			}
		}
		for old := int64(1); old <= n; old++ {
			p, err := auditlog.ProveTree(ctx, l.store, old, n)
			if err != nil {
				t.Fatal(err)
			}
			oldRoot := l.cps[old].Hash
			if err := proof.VerifyConsistency(h, uint64(old), uint64(n), raw(p.Hashes), oldRoot[:], root[:]); err != nil {
				t.Fatalf("transparency-dev rejects consistency %d→%d: %v", old, n, err)
			}
		}
	}
}

func raw(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}
