package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
	"tollgate/internal/testenv"
	"tollgate/store"
	"tollgate/store/storetest"
)

// BenchmarkAuditAppend appends records to the audit log in batches of
// 1,000 per transaction, as a bulk use case would (target on SQLite:
// ≥ 20,000 records/s). Run: go test -run '^$' -bench AuditAppend -benchtime 20x ./store/
func BenchmarkAuditAppend(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchAuditAppend(b, sqliteDSN) })
	b.Run("postgres", func(b *testing.B) {
		testenv.PostgresURL(b)
		benchAuditAppend(b, postgresDSN)
	})
}

func benchAuditAppend(b *testing.B, newDSN storetest.NewDSN) {
	const batch = 1000
	db := storetest.MustOpen(b, newDSN(b), time.Now)
	ctx := context.Background()
	var next int64
	recs := make([]auditlog.Record, batch)
	for b.Loop() {
		for i := range recs {
			recs[i] = audittest.SampleRecord(next)
			next++
		}
		if _, err := db.AppendAudit(ctx, recs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "records/s")
}

// millionAudit is a SQLite store holding a 1,000,000-record audit log and
// its exported bundle, built once per test binary run for the benchmarks
// below and removed by TestMain.
var millionAudit struct {
	once   sync.Once
	db     *store.DB
	key    *auditlog.Key
	dir    string // the temporary directory holding the database and the bundle
	bundle string
}

// millionAuditRecords is the size of the log of the 1M benchmarks.
const millionAuditRecords = 1_000_000

// millionLog builds (once) a SQLite audit log of 1,000,000 records, in
// transactions of 10,000, signs a checkpoint and exports the bundle.
func millionLog(b *testing.B) (*store.DB, *auditlog.Key, string) {
	m := &millionAudit
	m.once.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "tollgate-audit-bench-")
		if err != nil {
			b.Fatal(err)
		}
		m.dir = dir
		db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "tollgate.db"), time.Now)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		const batch = 10_000
		recs := make([]auditlog.Record, batch)
		for n := int64(0); n < millionAuditRecords; n += batch {
			for i := range recs {
				recs[i] = audittest.SampleRecord(n + int64(i))
			}
			if _, err := db.AppendAudit(ctx, recs...); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("appended %d records in %v", millionAuditRecords, time.Since(start).Round(time.Millisecond))
		if m.key, err = auditlog.GenerateKey(nil, "bench.tollgate.example"); err != nil {
			b.Fatal(err)
		}
		cp, err := db.AuditCheckpoint(ctx, m.key)
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		m.bundle = filepath.Join(dir, "bundle")
		if _, err := auditlog.Export(ctx, m.bundle, []byte(cp.Note), db.AuditRecords(ctx, 0), db); err != nil {
			b.Fatal(err)
		}
		b.Logf("exported the bundle in %v", time.Since(start).Round(time.Millisecond))
		m.db = db
	})
	if m.db == nil {
		b.Fatal("building the 1,000,000-record audit log failed earlier")
	}
	return m.db, m.key, m.bundle
}

// TestMain removes the 1,000,000-record log the benchmarks share.
func TestMain(m *testing.M) {
	code := m.Run()
	if millionAudit.db != nil {
		millionAudit.db.Close()
	}
	if millionAudit.dir != "" {
		os.RemoveAll(millionAudit.dir)
	}
	os.Exit(code)
}

// BenchmarkAuditProve1M proves the inclusion of a record in a
// 1,000,000-record SQLite log, reading the hashes from the database
// (target: ≤ 1 ms). Run: go test -run '^$' -bench Audit.*1M -benchtime 200x ./store/
func BenchmarkAuditProve1M(b *testing.B) {
	db, _, _ := millionLog(b)
	ctx := context.Background()
	var i int64
	for b.Loop() {
		i = (i + 7919) % millionAuditRecords
		p, err := auditlog.ProveRecord(ctx, db, millionAuditRecords, i)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Hashes) == 0 {
			b.Fatal("empty proof")
		}
	}
}

// BenchmarkAuditVerify1M verifies, offline, the bundle exported from a
// 1,000,000-record SQLite log (target: ≤ 10 s).
func BenchmarkAuditVerify1M(b *testing.B) {
	_, key, bundle := millionLog(b)
	known, err := auditlog.ParseVerifierKeys(key.VerifierKey())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := auditlog.Verify(context.Background(), os.DirFS(bundle), known, nil)
		if err != nil || !rep.OK || rep.Records != millionAuditRecords {
			b.Fatalf("Verify: %+v, %v", rep, err)
		}
	}
}
