package store_test

import (
	"context"
	"testing"
	"time"

	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/internal/testenv"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
	"tollgate/store"
	"tollgate/store/storetest"
)

// BenchmarkShip is the shipping concurrency benchmark: 32 clients reserve
// and ship against one license and one 50% cap until the cap is full, then
// every counter and limit is checked (zero violations required). Each
// iteration is one reserve+ship pair; the figure to read is pairs/s.
// Targets: 2,000 pairs/s on SQLite, 1,000 on PostgreSQL. Run:
//
//	go test -run XXX -bench Ship -benchtime 2000x ./store/
//
// (PostgreSQL with TOLLGATE_TEST_POSTGRES set).
func BenchmarkShip(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchShip(b, sqliteDSN) })
	b.Run("postgres", func(b *testing.B) {
		testenv.PostgresURL(b)
		benchShip(b, postgresDSN)
	})
}

func benchShip(b *testing.B, newDSN storetest.NewDSN) {
	ctx := context.Background()
	db := storetest.MustOpen(b, newDSN(b), time.Now)
	svc := mustShippingService(b, db)
	// The cap has room for b.N pairs; the clients attempt a tenth more,
	// which must all be refused.
	attempts := b.N + max(1, b.N/10)
	sc, err := shipload.Setup(ctx, db, svc, shipload.Options{Clients: 32, Attempts: attempts, CapUnits: int64(4 * b.N)})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	res := shipload.Run(ctx, svc, sc)
	b.StopTimer()
	b.ReportMetric(res.PairsPerSec, "pairs/s")
	b.ReportMetric(float64(res.Refused), "refused")
	violations, err := shipload.Check(ctx, db, svc, sc, res)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(violations)), "violations")
	for _, v := range violations {
		b.Error(v)
	}
}

func mustShippingService(tb testing.TB, db *store.DB) *shipping.Service {
	tb.Helper()
	cat := catalog.Default()
	svc, err := shipping.NewService(db, classify.Default(), cat.Lookup, shipping.DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}
