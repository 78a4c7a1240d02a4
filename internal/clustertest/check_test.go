package clustertest

import (
	"context"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// checkStored reads the store back and checks the load's writes: each
// acknowledged party creation is stored exactly once under the id it was
// answered with, each acknowledged screening is stored, and nothing is
// stored twice: an op that never got a 2xx answer is stored at most once.
// Each stored write has its one audit record.
func checkStored(t *testing.T, f *fixture, ops []*op) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, f.dsn, time.Now)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	defer db.Close()

	byName := map[string][]string{}
	filter := tollgate.PartyFilter{OrgID: f.orgID, Limit: tollgate.MaxPageLimit}
	for {
		page, next, err := db.FindParties(ctx, filter)
		if err != nil {
			t.Fatalf("FindParties: %v", err)
		}
		for _, p := range page {
			byName[p.LegalName] = append(byName[p.LegalName], p.ID)
		}
		if next == "" {
			break
		}
		filter.Cursor = next
	}

	type screened struct{ acked, unanswered int }
	perParty := map[string]*screened{}
	ackedScreenings := map[string]string{} // screening id → party id
	var applied int
	for _, o := range ops {
		switch o.kind {
		case opCreateParty:
			ids := byName[o.name]
			switch {
			case o.acked && (len(ids) != 1 || ids[0] != o.id):
				t.Errorf("party %q (key %s) acknowledged as %s: stored as %v, want exactly [%s]", o.name, o.key, o.id, ids, o.id)
			case !o.acked && len(ids) > 1:
				t.Errorf("party %q (key %s, never acknowledged): stored %d times, want at most once", o.name, o.key, len(ids))
			case !o.acked && len(ids) == 1:
				applied++
			}
			for _, id := range ids {
				checkAudited(t, db, "party.create", "party", id)
			}
		case opScreenParty:
			s := perParty[o.partyID]
			if s == nil {
				s = &screened{}
				perParty[o.partyID] = s
			}
			if o.acked {
				s.acked++
				ackedScreenings[o.id] = o.partyID
			} else {
				s.unanswered++
			}
		}
	}
	if applied > 0 {
		t.Logf("%d party creations got no 2xx answer but were stored (once each)", applied)
	}
	for party, s := range perParty {
		stored := map[string]bool{}
		filter := tollgate.ScreeningFilter{PartyID: party, Limit: tollgate.MaxPageLimit}
		for {
			page, next, err := db.FindScreenings(ctx, filter)
			if err != nil {
				t.Fatalf("FindScreenings(%s): %v", party, err)
			}
			for _, sc := range page {
				stored[sc.ID] = true
				checkAudited(t, db, "party.screen", "screening", sc.ID)
			}
			if next == "" {
				break
			}
			filter.Cursor = next
		}
		if n := len(stored); n < s.acked || n > s.acked+s.unanswered {
			t.Errorf("party %s: %d screenings stored, want %d acknowledged (+ at most %d unanswered)", party, n, s.acked, s.unanswered)
		}
		for id, p := range ackedScreenings {
			if p == party && !stored[id] {
				t.Errorf("screening %s of party %s acknowledged but not stored", id, party)
			}
		}
	}
}

// checkAudited checks that the write of object (typ, id) by action has
// exactly one audit record: the write and its record commit together.
func checkAudited(t *testing.T, db *store.DB, action, typ, id string) {
	t.Helper()
	recs, _, err := db.FindAuditRecords(context.Background(),
		tollgate.AuditFilter{Action: action, ObjectType: typ, ObjectID: id, Limit: 10})
	if err != nil {
		t.Fatalf("FindAuditRecords(%s %s): %v", typ, id, err)
	}
	if len(recs) != 1 {
		t.Errorf("%s %s: %d %s audit records, want 1", typ, id, len(recs), action)
	}
}

// checkReplays sends every acknowledged mutating op again, with its
// Idempotency-Key, to a replica of the pool and checks that the answer is
// the original one: same status and id, marked as replayed.
func checkReplays(t *testing.T, c *client, ops []*op) {
	t.Helper()
	ctx := context.Background()
	var n int
	for i, o := range ops {
		if !o.acked || o.key == "" {
			continue
		}
		n++
		addr := c.pool.pick(i)
		if addr == "" {
			addr = c.pool.pick(i + 1)
		}
		a, err := c.send(ctx, addr, o)
		if err != nil {
			t.Errorf("replay %s %s (key %s): %v", o.method, o.path, o.key, err)
			continue
		}
		id, err := answerID(o.kind, a.body)
		if a.status != o.status || !a.replayed || err != nil || id != o.id {
			t.Errorf("replay %s %s (key %s): status %d, replayed %v, id %q (%v); want status %d, replayed, id %q",
				o.method, o.path, o.key, a.status, a.replayed, id, err, o.status, o.id)
		}
	}
	t.Logf("%d acknowledged writes replayed", n)
}

// checkJobs checks the ledger of the audit checkpoint job: it ran, each of
// its slots has one row (the table's key makes a second impossible), and
// every run finished without error but at most one per replica killed
// (whose holder died mid-run) and one still running.
func checkJobs(t *testing.T, f *fixture, killed int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, f.dsn, time.Now)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	defer db.Close()
	// The job runs every second on the lease holder; a short load may end
	// before its first slot, so wait for one (up to 20 s).
	var runs []store.JobRun
	for wait := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if runs, err = db.JobRuns(ctx, "audit.checkpoint", tollgate.MaxPageLimit); err != nil {
			t.Fatalf("JobRuns: %v", err)
		}
		if len(runs) > 0 || time.Now().After(wait) {
			break
		}
	}
	if len(runs) == 0 {
		t.Fatalf("audit.checkpoint ran 0 times in 20 s, want at least once")
	}
	slots := map[int64]int{}
	var unfinished int
	for _, r := range runs {
		slots[r.Slot]++
		if slots[r.Slot] > 1 {
			t.Errorf("audit.checkpoint slot %d ran %d times, want once", r.Slot, slots[r.Slot])
		}
		switch {
		case r.FinishedAt.IsZero():
			unfinished++
		case r.Error != "":
			t.Errorf("audit.checkpoint slot %d on %s failed: %s", r.Slot, r.Holder, r.Error)
		}
	}
	if unfinished > killed+1 {
		t.Errorf("%d audit.checkpoint runs never finished, want at most %d (one per replica killed, one running)", unfinished, killed+1)
	}
	holders := map[string]bool{}
	for _, r := range runs {
		holders[r.Holder] = true
	}
	t.Logf("audit.checkpoint: %d slots run once each by %d holder(s)", len(runs), len(holders))
}
