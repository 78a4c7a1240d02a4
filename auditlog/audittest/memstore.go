// Package audittest holds test support for package auditlog: an in-memory
// store and the conformance suite that every store implementation runs
// (see Run). Production code never imports it.
package audittest

import (
	"context"
	"fmt"
	"iter"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"tollgate/auditlog"
)

// A Store is a log store as the conformance suite drives it.
type Store interface {
	// InTx runs fn in a new transaction, committing when fn returns nil
	// and rolling back otherwise, and returns fn's error (or the commit's).
	InTx(ctx context.Context, fn func(auditlog.TxStore) error) error
	// ReadHashes reads committed hashes, outside any transaction.
	auditlog.HashReader
	// Records yields the committed canonical records from sequence number
	// from on, in order.
	Records(ctx context.Context, from int64) iter.Seq2[[]byte, error]
}

// MemStore is an in-memory Store. Transactions take a lock in LockSize and
// hold it until they end, as a database's row lock would, so concurrent
// appends serialise; writes are staged and applied at commit.
type MemStore struct {
	lock sync.Mutex // the appenders' lock, held from LockSize to the end of the transaction

	mu      sync.RWMutex // guards records and hashes
	records [][]byte
	hashes  []tlog.Hash
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty log.
func NewMemStore() *MemStore { return &MemStore{} }

// Size returns the number of committed records.
func (m *MemStore) Size() int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int64(len(m.records))
}

// InTx implements Store.
func (m *MemStore) InTx(ctx context.Context, fn func(auditlog.TxStore) error) error {
	tx := &memTx{m: m}
	defer func() {
		if tx.locked {
			m.lock.Unlock()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, tx.records...)
	m.hashes = append(m.hashes, tx.hashes...)
	return nil
}

// ReadHashes implements auditlog.HashReader over committed hashes.
func (m *MemStore) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return readHashes(indexes, m.hashes, nil)
}

// Records implements Store.
func (m *MemStore) Records(ctx context.Context, from int64) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for i := from; ; i++ {
			m.mu.RLock()
			var rec []byte
			if i < int64(len(m.records)) {
				rec = m.records[i]
			}
			m.mu.RUnlock()
			if rec == nil || !yield(rec, nil) {
				return
			}
		}
	}
}

// Tamper replaces the canonical bytes of committed record seq, as an
// operator with database access could: for tests that the log notices.
func (m *MemStore) Tamper(seq int64, canonical []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records[seq] = canonical
}

func readHashes(indexes []int64, committed, staged []tlog.Hash) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		switch {
		case x >= 0 && x < int64(len(committed)):
			out[i] = committed[x]
		case x >= int64(len(committed)) && x-int64(len(committed)) < int64(len(staged)):
			out[i] = staged[x-int64(len(committed))]
		default:
			return nil, fmt.Errorf("audittest: no hash at index %d", x)
		}
	}
	return out, nil
}

// memTx is one transaction of a MemStore.
type memTx struct {
	m       *MemStore
	locked  bool
	records [][]byte
	hashes  []tlog.Hash
}

var _ auditlog.TxStore = (*memTx)(nil)

// LockSize implements auditlog.TxStore: it takes the appenders' lock,
// which the transaction holds until it ends.
func (tx *memTx) LockSize(ctx context.Context) (int64, error) {
	if !tx.locked {
		tx.m.lock.Lock()
		tx.locked = true
	}
	return tx.m.Size() + int64(len(tx.records)), nil
}

// ReadHashes implements auditlog.TxStore: it reads committed hashes and
// those this transaction wrote.
func (tx *memTx) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	tx.m.mu.RLock()
	defer tx.m.mu.RUnlock()
	return readHashes(indexes, tx.m.hashes, tx.hashes)
}

// AppendEntries implements auditlog.TxStore, checking the contract: the
// lock is held, sequence numbers and hash indexes follow on.
func (tx *memTx) AppendEntries(ctx context.Context, entries []auditlog.Entry, start int64, hashes []tlog.Hash) error {
	if !tx.locked {
		return fmt.Errorf("audittest: AppendEntries without LockSize")
	}
	size := tx.m.Size() + int64(len(tx.records))
	if len(entries) == 0 || entries[0].Record.Seq != size {
		return fmt.Errorf("audittest: entries do not start at size %d", size)
	}
	tx.m.mu.RLock()
	next := int64(len(tx.m.hashes) + len(tx.hashes))
	tx.m.mu.RUnlock()
	if start != next {
		return fmt.Errorf("audittest: hashes start at %d, want %d", start, next)
	}
	for i, e := range entries {
		if e.Record.Seq != size+int64(i) {
			return fmt.Errorf("audittest: entry %d has seq %d, want %d", i, e.Record.Seq, size+int64(i))
		}
		tx.records = append(tx.records, e.Canonical)
	}
	tx.hashes = append(tx.hashes, hashes...)
	return nil
}
