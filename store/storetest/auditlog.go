package storetest

import (
	"context"
	"fmt"
	"iter"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
	"tollgate/store"
)

// auditStore drives a store's audit log as audittest.Run expects.
type auditStore struct{ db *store.DB }

func (s auditStore) InTx(ctx context.Context, fn func(auditlog.TxStore) error) error {
	return s.db.Update(ctx, func(tx *store.Tx) error { return fn(tx.AuditStore()) })
}

func (s auditStore) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return s.db.ReadHashes(ctx, indexes)
}

func (s auditStore) Records(ctx context.Context, from int64) iter.Seq2[[]byte, error] {
	return s.db.AuditRecords(ctx, from)
}

func testAuditConformance(t *testing.T, newDSN NewDSN) {
	audittest.Run(t, func(t *testing.T) audittest.Store {
		db, _ := open(t, newDSN)
		return auditStore{db}
	})
}

func testAuditFind(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	start := clock.stamp()
	alice := tollgate.WithPrincipal(ctx, &tollgate.Principal{UserID: "alice", OrgID: "org-a"})
	bob := tollgate.WithPrincipal(ctx, &tollgate.Principal{UserID: "bob", OrgID: "org-b"})
	var orgs []*tollgate.Org
	for i := range 9 {
		clock.Advance(time.Hour)
		c := alice
		if i%3 == 0 {
			c = bob
		}
		org := &tollgate.Org{Kind: tollgate.OrgBroker, Name: fmt.Sprintf("Broker %d", i), Country: "US"}
		mustNoErr(t, db.CreateOrg(c, org))
		orgs = append(orgs, org)
	}
	name := "Renamed"
	_, err := db.UpdateOrg(alice, orgs[4].ID, tollgate.OrgUpdate{Name: &name})
	mustNoErr(t, err)
	seqs := func(f tollgate.AuditFilter) []int64 {
		t.Helper()
		var out []int64
		for {
			es, next, err := db.FindAuditRecords(ctx, f)
			mustNoErr(t, err)
			for _, e := range es {
				if e.LeafHash != auditlog.LeafHash(e.Canonical) {
					t.Errorf("record %d: leaf hash does not match its canonical bytes", e.Record.Seq)
				}
				out = append(out, e.Record.Seq)
			}
			if next == "" {
				return out
			}
			f.Cursor = next
		}
	}
	for _, tc := range []struct {
		name   string
		filter tollgate.AuditFilter
		want   []int64
	}{
		{"All", tollgate.AuditFilter{}, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"Paged", tollgate.AuditFilter{Limit: 3}, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"Action", tollgate.AuditFilter{Action: "org.update"}, []int64{9}},
		{"Object", tollgate.AuditFilter{ObjectType: "org", ObjectID: orgs[4].ID}, []int64{4, 9}},
		{"User", tollgate.AuditFilter{UserID: "bob", Limit: 1}, []int64{0, 3, 6}},
		{"Org", tollgate.AuditFilter{OrgID: "org-a", Action: "org.create"}, []int64{1, 2, 4, 5, 7, 8}},
		{"Since", tollgate.AuditFilter{Since: start.Add(8 * time.Hour)}, []int64{7, 8, 9}},
		{"Until", tollgate.AuditFilter{Until: start.Add(2*time.Hour + time.Second)}, []int64{0, 1}},
		{"None", tollgate.AuditFilter{UserID: "carol"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := seqs(tc.filter); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		_, _, err := db.FindAuditRecords(ctx, tollgate.AuditFilter{Cursor: "bm90LWEtc2Vx"})
		wantField(t, err, "cursor")
		_, _, err = db.FindAuditRecords(ctx, tollgate.AuditFilter{Since: start, Until: start})
		wantField(t, err, "until")
		_, _, err = db.FindAuditRecords(ctx, tollgate.AuditFilter{Limit: tollgate.MaxPageLimit + 1})
		wantField(t, err, "limit")
	})
	t.Run("BySeq", func(t *testing.T) {
		e, err := db.FindAuditRecord(ctx, 9)
		mustNoErr(t, err)
		if e.Record.Seq != 9 || e.Record.Action != "org.update" || e.Record.Actor.UserID != "alice" {
			t.Errorf("FindAuditRecord(9): got %+v", e.Record)
		}
		_, err = db.FindAuditRecord(ctx, 10)
		wantCode(t, err, tollgate.ENOTFOUND)
	})
}

func testAuditCheckpoints(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	_, err := db.LatestAuditCheckpoint(ctx)
	wantCode(t, err, tollgate.ENOTFOUND)
	key, err := auditlog.GenerateKey(nil, "storetest.example/log")
	mustNoErr(t, err)
	known, err := auditlog.ParseVerifierKeys(key.VerifierKey())
	mustNoErr(t, err)
	check := func(t *testing.T, cp *store.SignedCheckpoint, size int64) {
		t.Helper()
		c, _, err := auditlog.OpenCheckpoint([]byte(cp.Note), known)
		mustNoErr(t, err)
		want, err := auditlog.NewCheckpoint(ctx, db, key.Name(), size)
		mustNoErr(t, err)
		if c != want || cp.Checkpoint != want || cp.KeyHash != fmt.Sprintf("%08x", key.Hash()) {
			t.Errorf("checkpoint: got %+v (note %+v), want %+v", cp.Checkpoint, c, want)
		}
	}
	mustOrg(t, db, tollgate.OrgLab, "Lab 1")
	cp1, err := db.AuditCheckpoint(ctx, key)
	mustNoErr(t, err)
	check(t, cp1, 1)
	clock.Advance(time.Minute)
	again, err := db.AuditCheckpoint(ctx, key)
	mustNoErr(t, err)
	if again.Note != cp1.Note || !again.CreatedAt.Equal(cp1.CreatedAt) {
		t.Errorf("a checkpoint of an unchanged log was made again: %+v, first %+v", again, cp1)
	}
	mustOrg(t, db, tollgate.OrgLab, "Lab 2")
	mustOrg(t, db, tollgate.OrgLab, "Lab 3")
	cp3, err := db.AuditCheckpoint(ctx, key)
	mustNoErr(t, err)
	check(t, cp3, 3)
	latest, err := db.LatestAuditCheckpoint(ctx)
	mustNoErr(t, err)
	if latest.Note != cp3.Note {
		t.Errorf("LatestAuditCheckpoint: got size %d, want 3", latest.Checkpoint.Size)
	}
	p, err := auditlog.ProveTree(ctx, db, 1, 3)
	mustNoErr(t, err)
	mustNoErr(t, auditlog.CheckTree(p, cp1.Checkpoint, cp3.Checkpoint))
	e, err := db.FindAuditRecord(ctx, 1)
	mustNoErr(t, err)
	ip, err := auditlog.ProveRecord(ctx, db, 3, 1)
	mustNoErr(t, err)
	mustNoErr(t, auditlog.CheckRecord(ip, cp3.Checkpoint, e.LeafHash))

	// The whole log exports to a bundle that verifies.
	dir := t.TempDir()
	n, err := auditlog.Export(ctx, dir, []byte(cp3.Note), db.AuditRecords(ctx, 0), db)
	mustNoErr(t, err)
	rep, err := auditlog.Verify(ctx, os.DirFS(dir), known, []byte(cp1.Note))
	if err != nil || n != 3 || !rep.OK {
		t.Fatalf("export of %d records: Verify = %+v, %v", n, rep, err)
	}
}

func testAuditRetention(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	done := mustOrg(t, db, tollgate.OrgLab, "Closed Lab")                  // record 0
	live := mustOrg(t, db, tollgate.OrgLab, "Busy Lab")                    // record 1
	mustNoErr(t, db.AuditEvent(ctx, "auth.login_failed", "user", "", nil)) // record 2
	clock.Advance(2 * 365 * 24 * time.Hour)
	name := "Busy Lab Renamed"
	_, err := db.UpdateOrg(ctx, live.ID, tollgate.OrgUpdate{Name: &name}) // record 3
	mustNoErr(t, err)
	start := NewClock().stamp()
	for _, tc := range []struct {
		name string
		asOf time.Time
		ends map[auditlog.ObjectKey]time.Time
		want []int64
	}{
		{"Young", start.AddDate(4, 11, 0), nil, nil},
		{"FiveYears", start.AddDate(5, 0, 0), nil, []int64{0, 2}},
		{"OpenTransaction", start.AddDate(5, 0, 1), map[auditlog.ObjectKey]time.Time{{Type: "org", ID: done.ID}: {}}, []int64{2}},
		{"KnownEnd", start.AddDate(8, 0, 0), map[auditlog.ObjectKey]time.Time{{Type: "org", ID: live.ID}: start.AddDate(4, 0, 0)}, []int64{0, 2}},
		{"AllOld", start.AddDate(7, 1, 0), nil, []int64{0, 1, 2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.AuditRetention(ctx, tc.asOf, tc.ends)
			mustNoErr(t, err)
			var seqs []int64
			for _, r := range got {
				seqs = append(seqs, r.Seq)
				if r.KeepUntil.After(tc.asOf) {
					t.Errorf("record %d kept until %v, after %v, yet listed", r.Seq, r.KeepUntil, tc.asOf)
				}
			}
			if fmt.Sprint(seqs) != fmt.Sprint(tc.want) {
				t.Errorf("past retention: got %v, want %v", seqs, tc.want)
			}
		})
	}
}

func testAuditAppendOnly(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, _ := open(t, newDSN)
	mustOrg(t, db, tollgate.OrgLab, "Lab")
	for _, q := range []string{
		`UPDATE audit_records SET action = 'forged'`,
		`DELETE FROM audit_records`,
		`UPDATE audit_hashes SET hash = hash`,
		`DELETE FROM audit_hashes`,
	} {
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, q)
			return err
		})
		if err == nil {
			t.Errorf("%s: succeeded; the log must be append-only", q)
		}
	}
	if got := len(AuditEntries(t, db)); got != 1 {
		t.Errorf("after the attempts the log has %d records, want 1", got)
	}
}

// testAuditConcurrent runs audited writers on two handles of one database,
// as two replicas would: every write succeeds and the log has one record
// per write, numbered without gaps, forming one tree.
func testAuditConcurrent(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	clock := NewClock()
	dbs := []*store.DB{MustOpen(t, dsn, clock.Now), MustOpen(t, dsn, clock.Now)}
	const workers, each = 8, 6
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				errs <- dbs[w%2].CreateOrg(ctx, &tollgate.Org{Kind: tollgate.OrgBroker, Name: fmt.Sprintf("Broker %d-%d", w, i), Country: "US"})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustNoErr(t, err)
	}
	ref := audittest.NewMemStore()
	for i, e := range AuditEntries(t, dbs[1]) {
		if e.Record.Seq != int64(i) {
			t.Fatalf("record %d has seq %d", i, e.Record.Seq)
		}
		audittest.MustAppend(t, ref, e.Record)
	}
	if got := ref.Size(); got != workers*each {
		t.Fatalf("log has %d records, want %d", got, workers*each)
	}
	want, err := auditlog.TreeHash(ctx, ref, workers*each)
	mustNoErr(t, err)
	got, err := auditlog.TreeHash(ctx, dbs[0], workers*each)
	mustNoErr(t, err)
	if got != want {
		t.Errorf("stored tree hash %v, want %v rebuilt from the records", got, want)
	}
}
