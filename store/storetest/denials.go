package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// testDenials checks that refused requests are counted per principal,
// permission and window, from several callers at once, and that each
// window becomes exactly one audit record, with its count, once it is over.
func testDenials(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	clock := NewClock()
	db := MustOpen(t, dsn, clock.Now)
	// A second replica on the same database whose clock lags two minutes.
	lagging := MustOpen(t, dsn, func() time.Time { return clock.Now().Add(-2 * time.Minute) })
	flooder := store.Denial{Principal: "user:u1 token:t1", Permission: "party.write", UserID: "u1", OrgID: "o1",
		Credential: "t1", Kind: "forbidden", Method: "POST", Route: "/v1/parties", Reason: "no role may", Remote: "192.0.2.1"}
	other := flooder
	other.Permission = "user.write"
	login := store.Denial{Principal: "login:a@example.com", Permission: "login", Kind: "login_failed",
		Method: "POST", Route: "/v1/login", Email: "a@example.com"}

	const callers, each = 8, 25
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range each {
				if err := db.RecordDenial(ctx, flooder); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	mustNoErr(t, db.RecordDenial(ctx, other))
	mustNoErr(t, db.RecordDenial(ctx, login))

	t.Run("OpenWindowNotRecorded", func(t *testing.T) {
		n, err := db.CloseDenialWindows(ctx)
		mustNoErr(t, err)
		if n != 0 {
			t.Errorf("closed %d windows before they ended, want 0", n)
		}
	})
	t.Run("OneRecordPerWindow", func(t *testing.T) {
		clock.Advance(store.DenialWindow + store.DenialGrace)
		n, err := db.CloseDenialWindows(ctx)
		mustNoErr(t, err)
		if n != 3 {
			t.Fatalf("closed %d windows, want 3", n)
		}
		recs, _, err := db.FindAuditRecords(ctx, tollgate.AuditFilter{Action: "auth.forbidden", ObjectID: "party.write"})
		mustNoErr(t, err)
		if len(recs) != 1 {
			t.Fatalf("got %d records of the flood, want 1", len(recs))
		}
		rec := recs[0].Record
		var details struct {
			Count int    `json:"count"`
			Route string `json:"route"`
		}
		mustNoErr(t, json.Unmarshal(rec.Details, &details))
		if details.Count != callers*each || details.Route != "/v1/parties" {
			t.Errorf("details: got %+v, want count %d on /v1/parties", details, callers*each)
		}
		if rec.Actor.UserID != "u1" || rec.Actor.OrgID != "o1" || rec.Actor.TokenID != "t1" {
			t.Errorf("actor: got %+v, want the refused principal", rec.Actor)
		}
		logins, _, err := db.FindAuditRecords(ctx, tollgate.AuditFilter{Action: "auth.login_failed"})
		mustNoErr(t, err)
		if len(logins) != 1 {
			t.Errorf("got %d failed sign-in records, want 1", len(logins))
		}
	})
	t.Run("ClosedOnce", func(t *testing.T) {
		n, err := db.CloseDenialWindows(ctx)
		mustNoErr(t, err)
		if n != 0 {
			t.Errorf("closed %d windows again, want 0", n)
		}
	})
	t.Run("LateDenialDropped", func(t *testing.T) {
		// The lagging replica's clock still falls in the recorded window.
		wantCode(t, lagging.RecordDenial(ctx, flooder), tollgate.EUNAVAILABLE)
		clock.Advance(store.DenialWindow + store.DenialGrace)
		_, err := db.CloseDenialWindows(ctx)
		mustNoErr(t, err)
		recs, _, err := db.FindAuditRecords(ctx, tollgate.AuditFilter{Action: "auth.forbidden", ObjectID: "party.write"})
		mustNoErr(t, err)
		if len(recs) != 1 {
			t.Errorf("got %d records of the window, want 1", len(recs))
		}
	})
	t.Run("NextWindow", func(t *testing.T) {
		mustNoErr(t, db.RecordDenial(ctx, flooder))
		clock.Advance(store.DenialWindow + store.DenialGrace)
		n, err := db.CloseDenialWindows(ctx)
		mustNoErr(t, err)
		if n != 1 {
			t.Errorf("closed %d windows, want 1", n)
		}
	})
	t.Run("ManyWindows", func(t *testing.T) {
		// More windows than one transaction records: all of them are.
		const principals = 520
		for i := range principals {
			d := login
			d.Principal = fmt.Sprintf("login:u%d@example.com", i)
			mustNoErr(t, db.RecordDenial(ctx, d))
		}
		clock.Advance(store.DenialWindow + store.DenialGrace)
		n, err := db.CloseDenialWindows(ctx)
		mustNoErr(t, err)
		if n != principals {
			t.Errorf("closed %d windows, want %d", n, principals)
		}
	})
	t.Run("ConcurrentClose", func(t *testing.T) {
		// Two replicas closing windows at once record each window once.
		other := MustOpen(t, dsn, clock.Now)
		for i := range 3 {
			d := flooder
			d.Permission = fmt.Sprintf("perm%d.write", i)
			mustNoErr(t, db.RecordDenial(ctx, d))
		}
		clock.Advance(store.DenialWindow + store.DenialGrace)
		var total atomic.Int64
		var wg sync.WaitGroup
		for _, h := range []*store.DB{db, other, db, other} {
			wg.Go(func() {
				n, err := h.CloseDenialWindows(ctx)
				if err != nil {
					t.Error(err)
				}
				total.Add(int64(n))
			})
		}
		wg.Wait()
		if total.Load() != 3 {
			t.Errorf("closed %d windows in all, want 3", total.Load())
		}
		for i := range 3 {
			recs, _, err := db.FindAuditRecords(ctx, tollgate.AuditFilter{ObjectID: fmt.Sprintf("perm%d.write", i)})
			mustNoErr(t, err)
			if len(recs) != 1 {
				t.Errorf("perm%d.write: %d records, want 1", i, len(recs))
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		wantCode(t, db.RecordDenial(ctx, store.Denial{Principal: "x"}), tollgate.EINVALID)
	})
}
