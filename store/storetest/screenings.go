package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// hitOn returns a hit on e as an engine would report it.
func hitOn(e *tollgate.Entity, score float64) tollgate.Hit {
	expl, _ := json.Marshal(map[string]any{"aligned": []string{e.Name}, "score": score})
	return tollgate.Hit{List: e.List, SourceID: e.SourceID, EntityDigest: e.Digest(), Name: e.Name,
		MatchedName: e.Name, Score: score, Explanation: expl}
}

// hitKeys returns the listing keys of hits, in order.
func hitKeys(hits []tollgate.Hit) []tollgate.HitKey {
	keys := make([]tollgate.HitKey, len(hits))
	for i := range hits {
		keys[i] = hits[i].Key()
	}
	return keys
}

func testScreenings(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	exporter := mustOrg(t, db, tollgate.OrgExporter, "Exporter")
	party := mustParty(t, db, exporter.ID, "Huawei Technologies")
	es := sampleEntities("EL", 3)
	v1 := mustImport(t, db, "csl", "v1", es)
	screen := func(t *testing.T, versionID string, hits ...tollgate.Hit) *tollgate.ScreeningDiff {
		t.Helper()
		clock.Advance(time.Hour)
		diff, err := db.RecordScreening(ctx, &tollgate.Screening{PartyID: party.ID, ListVersionIDs: []string{versionID},
			Threshold: 0.85, Hits: hits})
		mustNoErr(t, err)
		return diff
	}
	decide := func(t *testing.T, h tollgate.Hit, kind tollgate.HitDecisionKind, reason string) tollgate.ScreeningStatus {
		t.Helper()
		status, err := db.DecideHit(ctx, &tollgate.HitDecision{PartyID: party.ID, List: h.List, SourceID: h.SourceID,
			EntityDigest: h.EntityDigest, Kind: kind, Reason: reason, DecidedBy: "analyst@example.com"})
		mustNoErr(t, err)
		return status
	}
	h0, h1 := hitOn(&es[0], 0.95), hitOn(&es[1], 0.88)

	t.Run("NeverScreened", func(t *testing.T) {
		_, err := db.LatestScreening(ctx, party.ID)
		wantCode(t, err, tollgate.ENOTFOUND)
	})
	var first *tollgate.ScreeningDiff
	t.Run("FirstScreening", func(t *testing.T) {
		// The engine reports es[1] twice (under two of the party's names)
		// and worst first; the store keeps the best of each, best first.
		dup := h1
		dup.Score = 0.86
		first = screen(t, v1.ID, dup, h0, h1)
		if got, want := hitKeys(first.New), hitKeys([]tollgate.Hit{h0, h1}); !reflect.DeepEqual(got, want) {
			t.Errorf("New: got %v, want %v", got, want)
		}
		if first.PreviousID != "" || len(first.Gone) != 0 || len(first.Changed) != 0 {
			t.Errorf("first diff: got %+v", first)
		}
		if first.StatusBefore != tollgate.ScreeningUnscreened || first.StatusAfter != tollgate.ScreeningPendingReview {
			t.Errorf("status: got %s -> %s, want unscreened -> pending_review", first.StatusBefore, first.StatusAfter)
		}
		if first.Screening.ID == "" || !first.Screening.ScreenedAt.Equal(clock.stamp()) {
			t.Errorf("screening: got id %q at %v", first.Screening.ID, first.Screening.ScreenedAt)
		}
		got, err := db.LatestScreening(ctx, party.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(got, first.Screening) {
			t.Errorf("LatestScreening:\n got %+v\nwant %+v", got, first.Screening)
		}
		if p, _ := db.FindPartyByID(ctx, party.ID); p.Status != tollgate.ScreeningPendingReview {
			t.Errorf("party status: got %s, want pending_review", p.Status)
		}
	})
	t.Run("Decisions", func(t *testing.T) {
		if got := decide(t, h0, tollgate.HitFalsePositive, "different company: address and registration differ"); got != tollgate.ScreeningPendingReview {
			t.Errorf("after one false positive: got %s, want pending_review", got)
		}
		if got := decide(t, h1, tollgate.HitFalsePositive, "name only"); got != tollgate.ScreeningClear {
			t.Errorf("after both false positives: got %s, want clear", got)
		}
		s, err := db.FindScreeningByID(ctx, first.Screening.ID)
		mustNoErr(t, err)
		for _, h := range s.Hits {
			if h.Decision == nil || h.Decision.Kind != tollgate.HitFalsePositive || h.Decision.DecidedBy != "analyst@example.com" {
				t.Errorf("hit %v: decision %+v, want a false positive", h.Key(), h.Decision)
			}
		}
		_, err = db.DecideHit(ctx, &tollgate.HitDecision{PartyID: party.ID, List: "EL", SourceID: es[2].SourceID,
			EntityDigest: es[2].Digest(), Kind: tollgate.HitTrueMatch, DecidedBy: "a"})
		wantCode(t, err, tollgate.ENOTFOUND) // es[2] was never a hit
		_, err = db.DecideHit(ctx, &tollgate.HitDecision{PartyID: party.ID, List: h0.List, SourceID: h0.SourceID,
			EntityDigest: h0.EntityDigest, Kind: tollgate.HitFalsePositive, DecidedBy: "a"})
		wantField(t, err, "reason")
	})
	t.Run("RescreenSameListKeepsDecisions", func(t *testing.T) {
		diff := screen(t, v1.ID, h0, h1)
		if !diff.Empty() || diff.PreviousID != first.Screening.ID || diff.StatusAfter != tollgate.ScreeningClear {
			t.Errorf("rescreen: got %+v, want an empty diff, still clear", diff)
		}
	})
	t.Run("ChangedEntryReopensReview", func(t *testing.T) {
		changed := append([]tollgate.Entity(nil), es...)
		changed[0].AltNames = append(slices.Clone(changed[0].AltNames), "Huawei Tech")
		v2 := mustImport(t, db, "csl", "v2", changed)
		h0v2 := hitOn(&changed[0], 0.95)
		diff := screen(t, v2.ID, h0v2, h1)
		if len(diff.Changed) != 1 || diff.Changed[0].Before.EntityDigest != h0.EntityDigest || diff.Changed[0].After.EntityDigest != h0v2.EntityDigest {
			t.Fatalf("Changed: got %+v, want h0's listing", diff.Changed)
		}
		if diff.Changed[0].After.Decision != nil || diff.Changed[0].Before.Decision == nil {
			t.Errorf("decision: before %+v after %+v; want it on the old entry only", diff.Changed[0].Before.Decision, diff.Changed[0].After.Decision)
		}
		if len(diff.New) != 0 || len(diff.Gone) != 0 || diff.StatusAfter != tollgate.ScreeningPendingReview {
			t.Errorf("diff: got %+v, want only a change, back to pending_review", diff)
		}
		if got := decide(t, h0v2, tollgate.HitTrueMatch, "confirmed by registration number"); got != tollgate.ScreeningBlocked {
			t.Errorf("after true match: got %s, want blocked", got)
		}
		gone := screen(t, v2.ID)
		if got, want := hitKeys(gone.Gone), hitKeys([]tollgate.Hit{h0v2, h1}); !reflect.DeepEqual(got, want) || gone.StatusAfter != tollgate.ScreeningClear {
			t.Errorf("delisted: got gone %v status %s, want %v clear", got, gone.StatusAfter, want)
		}
	})
	t.Run("HistoryPages", func(t *testing.T) {
		var n int
		cursor, last := "", ""
		for range 10 {
			ss, next, err := db.FindScreenings(ctx, tollgate.ScreeningFilter{PartyID: party.ID, Cursor: cursor, Limit: 2})
			mustNoErr(t, err)
			for _, s := range ss {
				if last != "" && s.ID >= last {
					t.Errorf("FindScreenings not newest first: %s after %s", s.ID, last)
				}
				last = s.ID
				n++
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		if n != 4 {
			t.Errorf("FindScreenings: got %d screenings, want 4", n)
		}
		ds, _, err := db.FindHitDecisions(ctx, tollgate.HitDecisionFilter{PartyID: party.ID})
		mustNoErr(t, err)
		if len(ds) != 3 || ds[0].Kind != tollgate.HitTrueMatch {
			t.Errorf("FindHitDecisions: got %d, want 3 with the true match first", len(ds))
		}
	})
	t.Run("PartyChangeNeedsRescreen", func(t *testing.T) {
		p := mustParty(t, db, exporter.ID, "Renamed Later Ltd")
		hit := hitOn(&es[2], 0.9)
		_, err := db.RecordScreening(ctx, &tollgate.Screening{PartyID: p.ID, ListVersionIDs: []string{v1.ID}, Threshold: 0.85, Hits: []tollgate.Hit{hit}})
		mustNoErr(t, err)
		name := "Renamed Ltd"
		_, err = db.UpdateParty(ctx, p.ID, tollgate.PartyUpdate{LegalName: &name})
		mustNoErr(t, err)
		status, err := db.DecideHit(ctx, &tollgate.HitDecision{PartyID: p.ID, List: hit.List, SourceID: hit.SourceID,
			EntityDigest: hit.EntityDigest, Kind: tollgate.HitFalsePositive, Reason: "other firm", DecidedBy: "a"})
		mustNoErr(t, err)
		if status != tollgate.ScreeningUnscreened {
			t.Errorf("decision on a changed party: got %s, want unscreened", status)
		}
	})
	testScreeningErrors(t, db, party.ID, v1.ID)
}

func testScreeningErrors(t *testing.T, db *store.DB, partyID, versionID string) {
	ctx := context.Background()
	missing := "01900000-0000-7000-8000-00000000abcd"
	for _, tc := range []struct {
		name string
		s    tollgate.Screening
		code string
	}{
		{"UnknownParty", tollgate.Screening{PartyID: missing, ListVersionIDs: []string{versionID}}, tollgate.ENOTFOUND},
		{"UnknownVersion", tollgate.Screening{PartyID: partyID, ListVersionIDs: []string{missing}}, tollgate.ENOTFOUND},
		{"NoVersion", tollgate.Screening{PartyID: partyID}, tollgate.EINVALID},
		{"TwiceSameVersion", tollgate.Screening{PartyID: partyID, ListVersionIDs: []string{versionID, versionID}}, tollgate.EINVALID},
		{"BadThreshold", tollgate.Screening{PartyID: partyID, ListVersionIDs: []string{versionID}, Threshold: 1.5}, tollgate.EINVALID},
		{"BadHit", tollgate.Screening{PartyID: partyID, ListVersionIDs: []string{versionID}, Hits: []tollgate.Hit{{List: "EL", SourceID: "1", EntityDigest: "x"}}}, tollgate.EINVALID},
	} {
		t.Run("Err"+tc.name, func(t *testing.T) {
			_, err := db.RecordScreening(ctx, &tc.s)
			wantCode(t, err, tc.code)
		})
	}
	_, err := db.FindScreeningByID(ctx, missing)
	wantCode(t, err, tollgate.ENOTFOUND)
	_, _, err = db.FindScreenings(ctx, tollgate.ScreeningFilter{PartyID: missing})
	wantCode(t, err, tollgate.ENOTFOUND)
}
