package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tollgate"
	"tollgate/internal/testenv"
	"tollgate/store"
	"tollgate/store/storetest"
)

// BenchmarkParties measures the party paths the API serves: creating a
// party (one write transaction) and reading one by id (the GET path), on
// each backend. Run: go test -bench Parties -benchtime 2000x ./store/
// (PostgreSQL with TOLLGATE_TEST_POSTGRES set).
func BenchmarkParties(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		benchParties(b, sqliteDSN)
	})
	b.Run("postgres", func(b *testing.B) {
		testenv.PostgresURL(b)
		benchParties(b, postgresDSN)
	})
}

func benchParties(b *testing.B, newDSN storetest.NewDSN) {
	dsn := newDSN(b)
	ctx := context.Background()
	db := storetest.MustOpen(b, dsn, time.Now)
	org := &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Bench Exporter", Country: "US"}
	if err := db.CreateOrg(ctx, org); err != nil {
		b.Fatal(err)
	}
	newParty := func(i int) *tollgate.Party {
		return &tollgate.Party{OrgID: org.ID, Role: tollgate.RoleEndUser, Type: tollgate.EntityOrganization,
			LegalName: fmt.Sprintf("Bench Party %d Co., Ltd.", i), OtherNames: []string{"基准测试有限公司"},
			Addresses: []tollgate.Address{{Street: "1 Road", City: "Shenzhen", Country: "CN"}}, Country: "CN",
			Identifiers: []tollgate.Identifier{{Type: "uscc", Value: "91440300000000000X"}}}
	}
	b.Run("Create", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := db.CreateParty(ctx, newParty(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	ids := seedParties(b, db, newParty, 1000)
	b.Run("FindByID", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := db.FindPartyByID(ctx, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("FindByIDParallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := db.FindPartyByID(ctx, ids[i%len(ids)]); err != nil {
					b.Error(err)
					return
				}
				i += 7
			}
		})
	})
}

func seedParties(b *testing.B, db *store.DB, newParty func(int) *tollgate.Party, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		p := newParty(i)
		if err := db.CreateParty(context.Background(), p); err != nil {
			b.Fatal(err)
		}
		ids[i] = p.ID
	}
	return ids
}
