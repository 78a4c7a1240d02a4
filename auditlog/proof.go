package auditlog

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// An InclusionProof proves that the tree of size TreeSize holds the record
// with sequence number Index: the RFC 6962 audit path, leaf to root. In
// JSON the hashes are base64 strings.
type InclusionProof struct {
	Index    int64       `json:"index"`
	TreeSize int64       `json:"tree_size"`
	Hashes   []tlog.Hash `json:"hashes"`
}

// A ConsistencyProof proves that the tree of size NewSize holds the tree
// of size OldSize as its prefix: the RFC 6962 consistency proof. In JSON
// the hashes are base64 strings.
type ConsistencyProof struct {
	OldSize int64       `json:"old_size"`
	NewSize int64       `json:"new_size"`
	Hashes  []tlog.Hash `json:"hashes"`
}

// ProveRecord returns the proof that the tree of size treeSize holds the
// record with sequence number index, reading at most 2·log₂ treeSize
// hashes in one ReadHashes call.
func ProveRecord(ctx context.Context, r HashReader, treeSize, index int64) (*InclusionProof, error) {
	if err := checkIndex(treeSize, index); err != nil {
		return nil, fmt.Errorf("auditlog.ProveRecord: %w", err)
	}
	p, err := tlog.ProveRecord(treeSize, index, tlogReader(ctx, r))
	if err != nil {
		return nil, fmt.Errorf("auditlog.ProveRecord: %w", err)
	}
	return &InclusionProof{Index: index, TreeSize: treeSize, Hashes: nonNil(p)}, nil
}

// CheckRecord verifies that p proves that the tree of checkpoint cp holds
// a record with the given leaf hash (see LeafHash) at p.Index. It returns
// an error wrapping ErrProofFailed when the proof does not verify, and an
// *InputError when p does not fit cp.
func CheckRecord(p *InclusionProof, cp Checkpoint, leaf tlog.Hash) error {
	if p.TreeSize != cp.Size {
		return fmt.Errorf("auditlog.CheckRecord: %w",
			inputErrorf("tree_size", "proof is for size %d, checkpoint has size %d", p.TreeSize, cp.Size))
	}
	if err := checkIndex(p.TreeSize, p.Index); err != nil {
		return fmt.Errorf("auditlog.CheckRecord: %w", err)
	}
	if err := tlog.CheckRecord(p.Hashes, cp.Size, cp.Hash, p.Index, leaf); err != nil {
		return fmt.Errorf("auditlog.CheckRecord: record %d in tree of size %d: %w", p.Index, cp.Size, ErrProofFailed)
	}
	return nil
}

func checkIndex(treeSize, index int64) error {
	switch {
	case treeSize < 1:
		return inputErrorf("tree_size", "must be at least 1, got %d", treeSize)
	case index < 0 || index >= treeSize:
		return inputErrorf("index", "%d is outside the tree of size %d", index, treeSize)
	}
	return nil
}

// ProveTree returns the proof that the tree of size newSize holds the tree
// of size oldSize as its prefix. The empty tree is a prefix of every tree,
// with an empty proof.
func ProveTree(ctx context.Context, r HashReader, oldSize, newSize int64) (*ConsistencyProof, error) {
	if err := checkSizes(oldSize, newSize); err != nil {
		return nil, fmt.Errorf("auditlog.ProveTree: %w", err)
	}
	p := &ConsistencyProof{OldSize: oldSize, NewSize: newSize, Hashes: []tlog.Hash{}}
	if oldSize == 0 {
		return p, nil
	}
	hs, err := tlog.ProveTree(newSize, oldSize, tlogReader(ctx, r))
	if err != nil {
		return nil, fmt.Errorf("auditlog.ProveTree: %w", err)
	}
	p.Hashes = nonNil(hs)
	return p, nil
}

// CheckTree verifies that p proves that the tree of checkpoint newer holds
// the tree of checkpoint older as its prefix: that the log only grew
// between them. It returns an error wrapping ErrProofFailed when the proof
// does not verify, and an *InputError when p does not fit the checkpoints.
func CheckTree(p *ConsistencyProof, older, newer Checkpoint) error {
	if p.OldSize != older.Size || p.NewSize != newer.Size {
		return fmt.Errorf("auditlog.CheckTree: %w", inputErrorf("size",
			"proof is for sizes %d→%d, checkpoints have %d→%d", p.OldSize, p.NewSize, older.Size, newer.Size))
	}
	if older.Origin != newer.Origin {
		return fmt.Errorf("auditlog.CheckTree: %w", inputErrorf("origin",
			"checkpoints are of different logs %q and %q", older.Origin, newer.Origin))
	}
	if err := checkSizes(p.OldSize, p.NewSize); err != nil {
		return fmt.Errorf("auditlog.CheckTree: %w", err)
	}
	if older.Size == 0 {
		if len(p.Hashes) != 0 || older.Hash != rootOfLeaves(nil) {
			return fmt.Errorf("auditlog.CheckTree: empty tree: %w", ErrProofFailed)
		}
		return nil
	}
	if err := tlog.CheckTree(p.Hashes, newer.Size, newer.Hash, older.Size, older.Hash); err != nil {
		return fmt.Errorf("auditlog.CheckTree: sizes %d→%d: %w", older.Size, newer.Size, ErrProofFailed)
	}
	return nil
}

func checkSizes(oldSize, newSize int64) error {
	switch {
	case oldSize < 0:
		return inputErrorf("old_size", "must not be negative, got %d", oldSize)
	case newSize < oldSize:
		return inputErrorf("new_size", "%d is smaller than the old size %d", newSize, oldSize)
	case newSize < 1:
		return inputErrorf("new_size", "must be at least 1, got %d", newSize)
	}
	return nil
}

func nonNil(hs []tlog.Hash) []tlog.Hash {
	if hs == nil {
		return []tlog.Hash{}
	}
	return hs
}

// rootOfLeaves returns the root hash of the tree with the given leaf
// hashes, keeping only the tree's right edge (log₂ n hashes) in memory:
// how Verify recomputes roots from a bundle without a hash store.
func rootOfLeaves(leaves []tlog.Hash) tlog.Hash {
	if len(leaves) == 0 {
		h, _ := tlog.TreeHash(0, nil) // the empty tree's hash; reads nothing
		return h
	}
	// stack holds the roots of perfect subtrees, largest first.
	var stack []tlog.Hash
	for i, h := range leaves {
		stack = append(stack, h)
		for n := i; n&1 == 1; n >>= 1 {
			l, r := stack[len(stack)-2], stack[len(stack)-1]
			stack = append(stack[:len(stack)-2], tlog.NodeHash(l, r))
		}
	}
	h := stack[len(stack)-1]
	for i := len(stack) - 2; i >= 0; i-- {
		h = tlog.NodeHash(stack[i], h)
	}
	return h
}
