package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"tollgate"
	"tollgate/store"
)

// testConcurrency runs writers on two handles of one database, as two
// processes or replicas would: every write must succeed (after retries),
// and use cases that read then write must behave as if run one at a time.
func testConcurrency(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	clock := NewClock()
	dbs := []*store.DB{MustOpen(t, dsn, clock.Now), MustOpen(t, dsn, clock.Now)}

	t.Run("Writers", func(t *testing.T) {
		const workers, each = 8, 10
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		for w := range workers {
			db := dbs[w%2]
			wg.Go(func() {
				for i := range each {
					org := &tollgate.Org{Kind: tollgate.OrgBroker, Name: fmt.Sprintf("Broker %d-%d", w, i), Country: "US"}
					if err := db.CreateOrg(ctx, org); err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d concurrent writes failed; first: %v", len(errs), errs[0])
		}
		orgs, _, err := dbs[0].FindOrgs(ctx, tollgate.OrgFilter{Kind: tollgate.OrgBroker, Limit: tollgate.MaxPageLimit})
		mustNoErr(t, err)
		if len(orgs) != workers*each {
			t.Errorf("FindOrgs: got %d orgs, want %d", len(orgs), workers*each)
		}
	})
	t.Run("ScreeningsSerialize", func(t *testing.T) {
		exporter := mustOrg(t, dbs[0], tollgate.OrgExporter, "Exporter")
		party := mustParty(t, dbs[0], exporter.ID, "Contended Party Ltd")
		es := sampleEntities("EL", 1)
		v := mustImport(t, dbs[0], "csl", "contended", es)
		const n = 8
		diffs := make([]*tollgate.ScreeningDiff, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				diffs[i], errs[i] = dbs[i%2].RecordScreening(ctx, &tollgate.Screening{PartyID: party.ID,
					ListVersionIDs: []string{v.ID}, Threshold: 0.9, Hits: []tollgate.Hit{hitOn(&es[0], 0.95)}})
			})
		}
		wg.Wait()
		// Run one at a time, the screenings form a chain: one first (no
		// previous, one new hit), every other names a different previous
		// and finds nothing new.
		firsts, prevs := 0, map[string]bool{}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("RecordScreening %d: %v", i, errs[i])
			}
			d := diffs[i]
			if d.PreviousID == "" {
				firsts++
				if len(d.New) != 1 {
					t.Errorf("first screening: %d new hits, want 1", len(d.New))
				}
				continue
			}
			if prevs[d.PreviousID] || len(d.New) != 0 {
				t.Errorf("screening %s: previous %s seen twice or new hits %d: not serializable", d.Screening.ID, d.PreviousID, len(d.New))
			}
			prevs[d.PreviousID] = true
		}
		if firsts != 1 {
			t.Errorf("%d screenings saw no previous one, want 1", firsts)
		}
	})
}
