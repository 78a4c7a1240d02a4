package auditlog_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

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

// BenchmarkDigest digests a record-sized struct with a nested object and
// array, the shape of the objects use cases audit (an export with its
// units): CanonicalJSON's fast path and SHA-256.
func BenchmarkDigest(b *testing.B) {
	type units struct {
		Count   int64    `json:"count"`
		Lot     string   `json:"lot,omitempty"`
		Serials []string `json:"serials,omitempty"`
	}
	v := struct {
		ID            string    `json:"id"`
		ExporterOrgID string    `json:"exporter_org_id"`
		LicenseID     string    `json:"license_id"`
		LicenseNumber string    `json:"license_number"`
		OrderID       string    `json:"order_id"`
		Product       string    `json:"product"`
		Units         units     `json:"units"`
		ValueCents    int64     `json:"value_cents"`
		Destination   string    `json:"destination"`
		State         string    `json:"state"`
		ReservedBy    string    `json:"reserved_by"`
		ReservedAt    time.Time `json:"reserved_at"`
		ExpiresAt     time.Time `json:"expires_at"`
		ShippedBy     string    `json:"shipped_by,omitempty"`
	}{ID: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41b", ExporterOrgID: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41c",
		LicenseID: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41d", LicenseNumber: "D1234567", OrderID: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41e",
		Product: "H200", Units: units{Count: 4, Serials: []string{"H200-C00-000000", "H200-C00-000001", "H200-C00-000002", "H200-C00-000003"}},
		ValueCents: 12_000_000, Destination: "CN", State: "reserved", ReservedBy: "019ad1f0-7fdf-7cfd-aaf9-cc4b27d2e41f",
		ReservedAt: time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := auditlog.Digest(v); err != nil {
			b.Fatal(err)
		}
	}
}
