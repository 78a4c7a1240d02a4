package audittest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"tollgate/auditlog"
)

// SampleRecord returns a deterministic, valid record numbered i, for tests
// and benchmarks. Its Seq is left zero: Append assigns it.
func SampleRecord(i int64) auditlog.Record {
	r := auditlog.Record{
		Time:       time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1500 * time.Millisecond),
		Actor:      auditlog.Actor{UserID: fmt.Sprintf("u-%04d", i%97), OrgID: fmt.Sprintf("org-%02d", i%7), TokenID: fmt.Sprintf("tok-%03d", i%13)},
		Action:     []string{"application.submit", "party.screen", "export.ship", "license.decide"}[i%4],
		ObjectType: []string{"application", "party", "export", "license"}[i%4],
		ObjectID:   fmt.Sprintf("0197a1b2-c3d4-7e5f-8a9b-%012x", i),
		After:      fmt.Sprintf("%064x", uint64(i)*0x9e3779b97f4a7c15),
	}
	if i%3 != 0 {
		r.Before = fmt.Sprintf("%064x", uint64(i+1)*0xc2b2ae3d27d4eb4f)
	}
	if i%5 == 0 {
		r.Details = []byte(fmt.Sprintf(`{"reason":"sample %d","units":%d}`, i, i%1000))
	}
	return r
}

// Run is the conformance suite of a log store: every store implementation
// runs it in one line, with newStore returning an empty log per subtest.
// Stores that lock (LockSize) and write (AppendEntries) correctly pass it;
// it checks appends in batches against an in-memory reference, that a
// rolled-back transaction leaves no record and no hash, that concurrent
// appenders serialise, and that an exported bundle verifies.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("Batches", func(t *testing.T) { testBatches(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, newStore(t)) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, newStore(t)) })
	t.Run("ExportVerify", func(t *testing.T) { testExportVerify(t, newStore(t)) })
}

// MustAppend appends recs to st in one transaction and returns the entries.
func MustAppend(tb testing.TB, st Store, recs ...auditlog.Record) []auditlog.Entry {
	tb.Helper()
	var entries []auditlog.Entry
	err := st.InTx(context.Background(), func(tx auditlog.TxStore) error {
		var err error
		entries, err = auditlog.Append(context.Background(), tx, recs...)
		return err
	})
	if err != nil {
		tb.Fatalf("append %d records: %v", len(recs), err)
	}
	return entries
}

func testBatches(t *testing.T, st Store) {
	ctx := context.Background()
	ref := NewMemStore()
	var next int64
	for _, batch := range []int64{1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 1, 128, 7} {
		recs := make([]auditlog.Record, batch)
		for i := range recs {
			recs[i] = SampleRecord(next + int64(i))
		}
		got := MustAppend(t, st, recs...)
		want := MustAppend(t, ref, recs...)
		for i := range got {
			if got[i].Record.Seq != next+int64(i) || string(got[i].Canonical) != string(want[i].Canonical) {
				t.Fatalf("entry %d: got seq %d %s, want seq %d %s", i, got[i].Record.Seq, got[i].Canonical, next+int64(i), want[i].Canonical)
			}
		}
		next += batch
		checkSameHashes(t, st, ref, next)
	}
	i := int64(0)
	for rec, err := range st.Records(ctx, 0) {
		if err != nil {
			t.Fatalf("Records: %v", err)
		}
		if want := auditlog.LeafHash(rec); want != mustHashes(t, ref, tlog.StoredHashIndex(0, i))[0] {
			t.Fatalf("Records: record %d = %s, not what was appended", i, rec)
		}
		i++
	}
	if i != next {
		t.Fatalf("Records yielded %d records, want %d", i, next)
	}
}

func checkSameHashes(t *testing.T, st, ref auditlog.HashReader, size int64) {
	t.Helper()
	n := tlog.StoredHashCount(size)
	idx := make([]int64, n)
	for i := range idx {
		idx[i] = int64(i)
	}
	got, want := mustHashes(t, st, idx...), mustHashes(t, ref, idx...)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("size %d: stored hash %d = %v, want %v", size, i, got[i], want[i])
		}
	}
	ctx := context.Background()
	for _, k := range []int64{0, size / 2, size - 1} {
		p, err := auditlog.ProveRecord(ctx, st, size, k)
		if err != nil {
			t.Fatalf("ProveRecord(%d, %d): %v", size, k, err)
		}
		cp, err := auditlog.NewCheckpoint(ctx, st, "test", size)
		if err != nil {
			t.Fatal(err)
		}
		if err := auditlog.CheckRecord(p, cp, want[tlog.StoredHashIndex(0, k)]); err != nil {
			t.Fatalf("CheckRecord(%d, %d): %v", size, k, err)
		}
	}
}

func mustHashes(t *testing.T, r auditlog.HashReader, idx ...int64) []tlog.Hash {
	t.Helper()
	hs, err := r.ReadHashes(context.Background(), idx)
	if err != nil {
		t.Fatalf("ReadHashes(%d indexes): %v", len(idx), err)
	}
	if len(hs) != len(idx) {
		t.Fatalf("ReadHashes(%d indexes) = %d hashes", len(idx), len(hs))
	}
	return hs
}

var errRollback = errors.New("use case failed")

func testRollback(t *testing.T, st Store) {
	ctx := context.Background()
	MustAppend(t, st, SampleRecord(0), SampleRecord(1))
	err := st.InTx(ctx, func(tx auditlog.TxStore) error {
		if _, err := auditlog.Append(ctx, tx, SampleRecord(2), SampleRecord(3)); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want %v", err, errRollback)
	}
	got := MustAppend(t, st, SampleRecord(4))
	if got[0].Record.Seq != 2 {
		t.Fatalf("after a rollback the next record got seq %d, want 2", got[0].Record.Seq)
	}
	ref := NewMemStore()
	MustAppend(t, ref, SampleRecord(0), SampleRecord(1), SampleRecord(4))
	checkSameHashes(t, st, ref, 3)
}

func testConcurrent(t *testing.T, st Store) {
	const workers, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				recs := []auditlog.Record{SampleRecord(int64(w*1000 + i))}
				if i%3 == 0 {
					recs = append(recs, SampleRecord(int64(w*1000+i+500)))
				}
				errs <- st.InTx(context.Background(), func(tx auditlog.TxStore) error {
					_, err := auditlog.Append(context.Background(), tx, recs...)
					return err
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent append: %v", err)
		}
	}
	// Rebuild the log from the stored records alone; it must be the same tree.
	ref := NewMemStore()
	var n int64
	for rec, err := range st.Records(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		r, err := auditlog.ParseRecord(rec)
		if err != nil || r.Seq != n {
			t.Fatalf("record %d: seq %d, err %v", n, r.Seq, err)
		}
		MustAppend(t, ref, r)
		n++
	}
	if want := int64(workers * (each + (each+2)/3)); n != want {
		t.Fatalf("log has %d records, want %d", n, want)
	}
	checkSameHashes(t, st, ref, n)
}

func testExportVerify(t *testing.T, st Store) {
	ctx := context.Background()
	for i := range int64(40) {
		MustAppend(t, st, SampleRecord(i))
	}
	key, err := auditlog.GenerateKey(nil, "conformance.test/log")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := auditlog.NewCheckpoint(ctx, st, key.Name(), 40)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := key.Sign(cp)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := auditlog.Export(ctx, dir, signed, st.Records(ctx, 0), st); err != nil {
		t.Fatalf("Export: %v", err)
	}
	known, err := auditlog.ParseVerifierKeys(key.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := auditlog.Verify(ctx, os.DirFS(dir), known, nil)
	if err != nil || !rep.OK || rep.Records != 40 || rep.LeafHashes != auditlog.LeafHashesVerified {
		t.Fatalf("Verify = %+v, %v; want OK with 40 records and verified leaf hashes", rep, err)
	}
}
