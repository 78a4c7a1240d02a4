package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tollgate"
	"tollgate/internal/testenv"
	"tollgate/shipping/shipload"
	"tollgate/store/storetest"
)

// BenchmarkEngagements measures what engagements add to a write about an
// exporter's units: EngagedOrgs, the lookup every import, duty payment
// and lab report makes, for an exporter with 50 engagements, and
// RecordImport as the engaged broker, which makes it in its transaction.
// Run:
//
//	go test -run XXX -bench Engagements ./store/
//
// (PostgreSQL with TOLLGATE_TEST_POSTGRES set).
func BenchmarkEngagements(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchEngagements(b, sqliteDSN) })
	b.Run("postgres", func(b *testing.B) {
		testenv.PostgresURL(b)
		benchEngagements(b, postgresDSN)
	})
}

func benchEngagements(b *testing.B, newDSN storetest.NewDSN) {
	ctx := context.Background()
	db := storetest.MustOpen(b, newDSN(b), time.Now)
	svc := mustShippingService(b, db)
	w, err := shipload.NewWorld(ctx, db, svc)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 48 {
		lab := &tollgate.Org{Kind: tollgate.OrgLab, Name: fmt.Sprintf("Bench Lab %d", i), Country: "US"}
		if err := db.CreateOrg(ctx, lab); err != nil {
			b.Fatal(err)
		}
		e := &tollgate.Engagement{ExporterOrgID: w.Exporter.ID, EngagedOrgID: lab.ID, Kind: tollgate.EngageTests,
			StartsOn: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Lots: []string{fmt.Sprintf("LOT-%d", i)}}
		if err := db.CreateEngagement(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("EngagedOrgs", func(b *testing.B) {
		scope := tollgate.EngagementScope{ExporterOrgID: w.Exporter.ID, Kind: tollgate.EngageImports, Day: time.Now(), Lot: "LOT-1"}
		for b.Loop() {
			orgs, err := db.EngagedOrgs(ctx, scope)
			if err != nil || len(orgs) != 1 {
				b.Fatalf("EngagedOrgs: %v, %v", orgs, err)
			}
		}
	})
	b.Run("RecordImport", func(b *testing.B) {
		bctx := tollgate.WithPrincipal(ctx, &tollgate.Principal{UserID: "bench", OrgID: w.Broker.ID, OrgKind: tollgate.OrgBroker})
		n := 0
		for b.Loop() {
			n++
			if _, err := w.Import(bctx, 1000+n, tollgate.Units{Lot: fmt.Sprintf("BENCH-%d", n), Count: 10}, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
