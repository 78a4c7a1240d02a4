package auditlog_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
)

// BenchmarkAppend appends records in batches of 1,000 to an in-memory
// store: the cost auditlog adds to a store's own writes.
func BenchmarkAppend(b *testing.B) {
	const batch = 1000
	recs := make([]auditlog.Record, batch)
	for i := range recs {
		recs[i] = audittest.SampleRecord(int64(i))
	}
	st := audittest.NewMemStore()
	b.ResetTimer()
	for b.Loop() {
		audittest.MustAppend(b, st, recs...)
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkParseRecord decodes and checks one canonical record.
func BenchmarkParseRecord(b *testing.B) {
	r := audittest.SampleRecord(1)
	line, err := r.Canonical()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, err := auditlog.ParseRecord(line); err != nil {
			b.Fatal(err)
		}
	}
}

const millionRecords = 1_000_000

// TestMain removes the 1,000,000-record bundle the benchmarks share.
func TestMain(m *testing.M) {
	code := m.Run()
	if millionDir != "" {
		os.RemoveAll(filepath.Dir(millionDir))
	}
	os.Exit(code)
}

var (
	millionOnce sync.Once
	millionLog  *testLog
	millionDir  string
)

// million returns a log of 1,000,000 records and its exported bundle,
// built once per test binary run.
func million(b *testing.B) (*testLog, string) {
	millionOnce.Do(func() {
		millionLog = mustLog(b, millionRecords, 10_000)
		dir, err := os.MkdirTemp("", "auditlog-bench-")
		if err != nil {
			b.Fatal(err)
		}
		millionDir = filepath.Join(dir, "bundle")
		ctx := context.Background()
		if _, err := auditlog.Export(ctx, millionDir, millionLog.signed, millionLog.store.Records(ctx, 0), millionLog.store); err != nil {
			b.Fatal(err)
		}
	})
	if millionLog == nil {
		b.Fatal("building the 1,000,000-record log failed earlier")
	}
	return millionLog, millionDir
}

// BenchmarkProveRecord1M proves and checks the inclusion of a record in a
// 1,000,000-record log (target: ≤ 1 ms).
func BenchmarkProveRecord1M(b *testing.B) {
	l, _ := million(b)
	ctx := context.Background()
	var i int64
	for b.Loop() {
		i = (i + 7919) % millionRecords
		p, err := auditlog.ProveRecord(ctx, l.store, millionRecords, i)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Hashes) == 0 {
			b.Fatal("empty proof")
		}
	}
}

// BenchmarkVerify1M verifies an exported 1,000,000-record bundle offline
// (target: ≤ 10 s).
func BenchmarkVerify1M(b *testing.B) {
	l, dir := million(b)
	known := l.verifiers(b)
	for b.Loop() {
		rep, err := auditlog.Verify(context.Background(), os.DirFS(dir), known, nil)
		if err != nil || !rep.OK {
			b.Fatalf("Verify: %+v, %v", rep, err)
		}
	}
}

// BenchmarkDigest digests an export with its units, the kind of object
// use cases audit most: CanonicalJSON's fast path and SHA-256.
func BenchmarkDigest(b *testing.B) {
	at := time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)
	v := tollgate.Export{ID: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41b", ExporterOrgID: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41c",
		LicenseID: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41d", LicenseNumber: "D1234567", OrderID: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41e",
		Product: "H200", Units: tollgate.Units{Count: 4, Serials: []string{"H200-C00-000000", "H200-C00-000001", "H200-C00-000002", "H200-C00-000003"}},
		ValueCents: 12_000_000, Destination: "CN", State: tollgate.ExportReserved, ReservedBy: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41f",
		ReservedAt: at, ExpiresAt: at.Add(24 * time.Hour)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := auditlog.Digest(v); err != nil {
			b.Fatal(err)
		}
	}
}
