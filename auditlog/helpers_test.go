package auditlog_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
)

// testLog is a log of sample records with a key and a signed checkpoint.
type testLog struct {
	store  *audittest.MemStore
	key    *auditlog.Key
	cp     auditlog.Checkpoint
	signed []byte
}

// mustLog returns a log of n sample records, appended in batches of batch.
func mustLog(tb testing.TB, n, batch int64) *testLog {
	tb.Helper()
	st := audittest.NewMemStore()
	for lo := int64(0); lo < n; lo += batch {
		recs := make([]auditlog.Record, 0, batch)
		for i := lo; i < min(lo+batch, n); i++ {
			recs = append(recs, audittest.SampleRecord(i))
		}
		audittest.MustAppend(tb, st, recs...)
	}
	key := mustKey(tb, "tollgate.test/audit")
	l := &testLog{store: st, key: key}
	l.checkpoint(tb, n)
	return l
}

// checkpoint signs the checkpoint of the first n records.
func (l *testLog) checkpoint(tb testing.TB, n int64) []byte {
	tb.Helper()
	cp, err := auditlog.NewCheckpoint(context.Background(), l.store, l.key.Name(), n)
	if err != nil {
		tb.Fatal(err)
	}
	signed, err := l.key.Sign(cp)
	if err != nil {
		tb.Fatal(err)
	}
	l.cp, l.signed = cp, signed
	return signed
}

// export writes the bundle of the current checkpoint into a new directory.
func (l *testLog) export(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	dir := filepath.Join(tb.TempDir(), "bundle")
	if _, err := auditlog.Export(ctx, dir, l.signed, l.store.Records(ctx, 0), l.store); err != nil {
		tb.Fatalf("Export: %v", err)
	}
	return dir
}

func (l *testLog) verifiers(tb testing.TB) note.Verifiers {
	tb.Helper()
	known, err := auditlog.ParseVerifierKeys(l.key.VerifierKey())
	if err != nil {
		tb.Fatal(err)
	}
	return known
}

func mustKey(tb testing.TB, name string) *auditlog.Key {
	tb.Helper()
	k, err := auditlog.GenerateKey(nil, name)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustWrite(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}
