package auditlog_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
)

func TestMemStoreConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audittest.Store { return audittest.NewMemStore() })
}

func TestAppend(t *testing.T) {
	ctx := context.Background()
	t.Run("Nothing", func(t *testing.T) {
		st := audittest.NewMemStore()
		err := st.InTx(ctx, func(tx auditlog.TxStore) error {
			entries, err := auditlog.Append(ctx, tx)
			if len(entries) != 0 {
				t.Errorf("got %d entries, want 0", len(entries))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrInvalidRecord", func(t *testing.T) {
		st := audittest.NewMemStore()
		bad := audittest.SampleRecord(1)
		bad.Action = ""
		err := st.InTx(ctx, func(tx auditlog.TxStore) error {
			_, err := auditlog.Append(ctx, tx, audittest.SampleRecord(0), bad)
			return err
		})
		var ie *auditlog.InputError
		if !errors.As(err, &ie) || ie.Field != "records[1].action" {
			t.Fatalf("got %v, want an InputError for records[1].action", err)
		}
		if st.Size() != 0 {
			t.Fatalf("got size %d after a failed append, want 0", st.Size())
		}
	})
	t.Run("SeqAssigned", func(t *testing.T) {
		st := audittest.NewMemStore()
		r := audittest.SampleRecord(0)
		r.Seq = 42 // ignored
		got := audittest.MustAppend(t, st, r, r)
		if got[0].Record.Seq != 0 || got[1].Record.Seq != 1 {
			t.Fatalf("got seqs %d, %d, want 0, 1", got[0].Record.Seq, got[1].Record.Seq)
		}
		if got[1].LeafHash != auditlog.LeafHash(got[1].Canonical) {
			t.Fatal("entry's leaf hash is not the hash of its canonical encoding")
		}
	})
}

// TestAppendBatchesMatchTlog checks that appending in batches of any size
// stores exactly the hashes that tlog.StoredHashes gives record by record.
func TestAppendBatchesMatchTlog(t *testing.T) {
	const n = 300
	var want []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = want[x]
		}
		return out, nil
	})
	for i := range int64(n) {
		r := audittest.SampleRecord(i)
		r.Seq = i
		canon, err := r.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		hs, err := tlog.StoredHashes(i, canon, reader)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, hs...)
	}
	for _, batch := range []int64{1, 2, 3, 10, 64, 100, n} {
		t.Run(fmt.Sprint("Batch", batch), func(t *testing.T) {
			l := mustLog(t, n, batch)
			idx := make([]int64, len(want))
			for i := range idx {
				idx[i] = int64(i)
			}
			got, err := l.store.ReadHashes(context.Background(), idx)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("stored hash %d = %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}
