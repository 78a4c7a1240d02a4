package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/store"
)

// testAudit checks the audit log in the store: the auditlog conformance
// suite, that every mutation appends its records in its own transaction,
// and the log's reads, checkpoints and retention report.
func testAudit(t *testing.T, newDSN NewDSN) {
	t.Run("Conformance", func(t *testing.T) { testAuditConformance(t, newDSN) })
	t.Run("EveryMutation", func(t *testing.T) { testAuditMutations(t, newDSN) })
	t.Run("FailedUseCase", func(t *testing.T) { testAuditFailures(t, newDSN) })
	t.Run("Actor", func(t *testing.T) { testAuditActor(t, newDSN) })
	t.Run("FindRecords", func(t *testing.T) { testAuditFind(t, newDSN) })
	t.Run("Checkpoints", func(t *testing.T) { testAuditCheckpoints(t, newDSN) })
	t.Run("Retention", func(t *testing.T) { testAuditRetention(t, newDSN) })
	t.Run("AppendOnly", func(t *testing.T) { testAuditAppendOnly(t, newDSN) })
	t.Run("ConcurrentHandles", func(t *testing.T) { testAuditConcurrent(t, newDSN) })
}

// AuditEntries returns every record of db's audit log, oldest first.
func AuditEntries(tb testing.TB, db *store.DB) []auditlog.Entry {
	tb.Helper()
	var all []auditlog.Entry
	cursor := ""
	for {
		es, next, err := db.FindAuditRecords(context.Background(), tollgate.AuditFilter{Cursor: cursor, Limit: tollgate.MaxPageLimit})
		mustNoErr(tb, err)
		all = append(all, es...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

// auditSince returns the records appended from sequence number from on.
func auditSince(tb testing.TB, db *store.DB, from int64) []auditlog.Entry {
	tb.Helper()
	all := AuditEntries(tb, db)
	if int64(len(all)) < from {
		tb.Fatalf("audit log has %d records, fewer than %d", len(all), from)
	}
	return all[from:]
}

func mustAuditSize(tb testing.TB, db *store.DB) int64 {
	tb.Helper()
	n, err := db.AuditSize(context.Background())
	mustNoErr(tb, err)
	return n
}

func mustDigest(tb testing.TB, v any) string {
	tb.Helper()
	d, err := store.AuditDigest(v)
	mustNoErr(tb, err)
	return d
}

// wantRecord checks one record's action, object and digests; an empty
// want digest means none, "*" any non-empty one.
func wantRecord(t *testing.T, e auditlog.Entry, action, objType, objID, before, after string) {
	t.Helper()
	r := e.Record
	if r.Action != action || r.ObjectType != objType || r.ObjectID != objID {
		t.Errorf("record %d: got %s on %s %s, want %s on %s %s", r.Seq, r.Action, r.ObjectType, r.ObjectID, action, objType, objID)
	}
	for _, d := range []struct{ name, got, want string }{{"before", r.Before, before}, {"after", r.After, after}} {
		if d.want == "*" && d.got != "" || d.got == d.want {
			continue
		}
		t.Errorf("record %d (%s): %s digest: got %q, want %q", r.Seq, action, d.name, d.got, d.want)
	}
}

func testAuditMutations(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	// step runs a mutation and returns the records it appended.
	step := func(t *testing.T, want int, mutate func()) []auditlog.Entry {
		t.Helper()
		from := mustAuditSize(t, db)
		clock.Advance(time.Minute)
		mutate()
		got := auditSince(t, db, from)
		if len(got) != want {
			t.Fatalf("appended %d records, want %d", len(got), want)
		}
		for _, e := range got {
			if !e.Record.Time.Equal(clock.stamp()) {
				t.Errorf("record %d time: got %v, want the transaction's %v", e.Record.Seq, e.Record.Time, clock.stamp())
			}
		}
		return got
	}
	org := &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Exporter Inc", Country: "US"}
	rs := step(t, 1, func() { mustNoErr(t, db.CreateOrg(ctx, org)) })
	wantRecord(t, rs[0], "org.create", "org", org.ID, "", mustDigest(t, org))

	before := mustDigest(t, org)
	name := "Exporter Holdings Inc"
	var updated *tollgate.Org
	rs = step(t, 1, func() {
		var err error
		updated, err = db.UpdateOrg(ctx, org.ID, tollgate.OrgUpdate{Name: &name})
		mustNoErr(t, err)
	})
	wantRecord(t, rs[0], "org.update", "org", org.ID, before, mustDigest(t, updated))

	party := &tollgate.Party{OrgID: org.ID, Role: tollgate.RolePurchaser, Type: tollgate.EntityOrganization, LegalName: "Huawei Technologies", Country: "CN"}
	rs = step(t, 1, func() { mustNoErr(t, db.CreateParty(ctx, party)) })
	wantRecord(t, rs[0], "party.create", "party", party.ID, "", mustDigest(t, party))

	before = mustDigest(t, party)
	legal := "Huawei Technologies Co., Ltd."
	var p2 *tollgate.Party
	rs = step(t, 1, func() {
		var err error
		p2, err = db.UpdateParty(ctx, party.ID, tollgate.PartyUpdate{LegalName: &legal})
		mustNoErr(t, err)
	})
	wantRecord(t, rs[0], "party.update", "party", party.ID, before, mustDigest(t, p2))

	es := sampleEntities("EL", 2)
	var v *tollgate.ListVersion
	rs = step(t, 1, func() { v = mustImport(t, db, "csl", "v1", es) })
	wantRecord(t, rs[0], "list.import", "list_version", v.ID, "", mustDigest(t, v))
	wantDetails(t, rs[0], "source", "csl")
	step(t, 0, func() { // the same file again changes nothing
		_, created, err := db.ImportListVersion(ctx, &tollgate.ListImport{Source: "csl", Format: "csl-test",
			Digest: fileDigest("csl/v1"), FileName: "v1", Entities: es})
		mustNoErr(t, err)
		if created {
			t.Error("re-import created a version")
		}
	})

	hit := hitOn(&es[0], 0.97)
	var diff *tollgate.ScreeningDiff
	rs = step(t, 2, func() {
		var err error
		diff, err = db.RecordScreening(ctx, &tollgate.Screening{PartyID: party.ID, ListVersionIDs: []string{v.ID}, Threshold: 0.9, Hits: []tollgate.Hit{hit}})
		mustNoErr(t, err)
	})
	wantRecord(t, rs[0], "party.status", "party", party.ID, "*", "*")
	wantRecord(t, rs[1], "party.screen", "screening", diff.Screening.ID, "", mustDigest(t, diff.Screening))
	wantDetails(t, rs[1], "status_after", string(tollgate.ScreeningPendingReview))

	d := &tollgate.HitDecision{PartyID: party.ID, List: hit.List, SourceID: hit.SourceID, EntityDigest: hit.EntityDigest,
		Kind: tollgate.HitTrueMatch, DecidedBy: "analyst@example.com"}
	rs = step(t, 2, func() {
		_, err := db.DecideHit(ctx, d)
		mustNoErr(t, err)
	})
	wantRecord(t, rs[0], "hit.decide", "hit_decision", d.ID, "", mustDigest(t, d))
	wantRecord(t, rs[1], "party.status", "party", party.ID, "*", "*")
	wantDetails(t, rs[1], "status_after", string(tollgate.ScreeningBlocked))

	// A screening that changes no status appends only its own record.
	rs = step(t, 1, func() {
		_, err := db.RecordScreening(ctx, &tollgate.Screening{PartyID: party.ID, ListVersionIDs: []string{v.ID}, Threshold: 0.9, Hits: []tollgate.Hit{hit}})
		mustNoErr(t, err)
	})
	wantRecord(t, rs[0], "party.screen", "screening", rs[0].Record.ObjectID, "", "*")

	// Idempotency records are bookkeeping, not changes.
	step(t, 0, func() {
		_, _, err := db.RunIdempotent(ctx, "user:u1", "key-1", fileDigest("body"), func(context.Context) (*tollgate.IdempotentResponse, error) {
			return &tollgate.IdempotentResponse{Status: 201, Body: []byte(`{}`)}, nil
		})
		mustNoErr(t, err)
	})

	// A standalone event (a denied request) is one record of its own.
	rs = step(t, 1, func() {
		mustNoErr(t, db.AuditEvent(ctx, "auth.denied", "route", "POST /v1/orgs", map[string]any{"reason": "forbidden"}))
	})
	wantRecord(t, rs[0], "auth.denied", "route", "POST /v1/orgs", "", "")
	wantDetails(t, rs[0], "reason", "forbidden")
}

// wantDetails checks one string field of a record's details.
func wantDetails(t *testing.T, e auditlog.Entry, key, want string) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Record.Details, &m); err != nil {
		t.Fatalf("record %d details %s: %v", e.Record.Seq, e.Record.Details, err)
	}
	if got, _ := m[key].(string); got != want {
		t.Errorf("record %d details[%s]: got %q, want %q", e.Record.Seq, key, got, want)
	}
}

func testAuditFailures(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, _ := open(t, newDSN)
	exporter := mustOrg(t, db, tollgate.OrgExporter, "Exporter")
	const ghost = "01900000-0000-7000-8000-00000000beef"
	insertGhost := func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, kind, name, country, created_at, updated_at)
			VALUES (?, 'lab', 'Ghost Lab', 'US', ?, ?)`, ghost, tx.Time(tx.Now()), tx.Time(tx.Now()))
		return err
	}
	wantNothing := func(t *testing.T, size int64) {
		t.Helper()
		if got := mustAuditSize(t, db); got != size {
			t.Errorf("audit log size: got %d, want %d (a failed use case left a record)", got, size)
		}
		if got := int64(len(AuditEntries(t, db))); got != size {
			t.Errorf("audit records: got %d, want %d", got, size)
		}
		_, err := db.FindOrgByID(ctx, ghost)
		wantCode(t, err, tollgate.ENOTFOUND)
	}
	t.Run("UseCaseError", func(t *testing.T) {
		size := mustAuditSize(t, db)
		errBoom := tollgate.Errorf(tollgate.ECONFLICT, "boom")
		err := db.Update(ctx, func(tx *store.Tx) error {
			mustNoErr(t, insertGhost(ctx, tx))
			mustNoErr(t, tx.Audit(ctx, "org.create", "org", ghost, nil, map[string]string{"id": ghost}))
			return errBoom
		})
		if err != errBoom {
			t.Fatalf("Update: got %v, want %v", err, errBoom)
		}
		wantNothing(t, size)
	})
	t.Run("RuleBroken", func(t *testing.T) {
		size := mustAuditSize(t, db)
		lab := mustOrg(t, db, tollgate.OrgLab, "Lab")
		size++
		err := db.CreateParty(ctx, &tollgate.Party{OrgID: lab.ID, Role: tollgate.RolePurchaser, Type: tollgate.EntityOrganization, LegalName: "X", Country: "CN"})
		wantField(t, err, "org_id")
		wantNothing(t, size)
	})
	t.Run("RecordCannotBeAppended", func(t *testing.T) {
		// A row squatting on the next sequence number makes the append
		// fail at commit: the change must go with it.
		size := mustAuditSize(t, db)
		err := db.Update(ctx, func(tx *store.Tx) error {
			mustNoErr(t, insertGhost(ctx, tx))
			mustNoErr(t, tx.Audit(ctx, "org.create", "org", ghost, nil, map[string]string{"id": ghost}))
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_records (seq, time, action, object_type, object_id, user_id, org_id, token_id, canonical)
				VALUES (?, ?, 'squat', 'x', '', '', '', '', ?)`, size, tx.Time(tx.Now()), []byte("{}"))
			return err
		})
		if err == nil {
			t.Fatal("Update committed although its audit record could not be appended")
		}
		wantNothing(t, size)
	})
	t.Run("InvalidRecord", func(t *testing.T) {
		size := mustAuditSize(t, db)
		err := db.Update(ctx, func(tx *store.Tx) error {
			mustNoErr(t, insertGhost(ctx, tx))
			return tx.Audit(ctx, "", "org", ghost, nil, nil)
		})
		if err == nil {
			t.Fatal("Audit accepted a record without an action")
		}
		wantNothing(t, size)
	})
	t.Run("ReadOnlyTx", func(t *testing.T) {
		err := db.View(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, "org.read", "org", exporter.ID, nil, nil)
		})
		if err == nil {
			t.Fatal("Audit in a View transaction succeeded")
		}
	})
}

func testAuditActor(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	clock := NewClock()
	db := MustOpen(t, dsn, clock.Now)
	for _, tc := range []struct {
		name     string
		ctx      context.Context
		fallback *tollgate.Principal
		want     auditlog.Actor
	}{
		{"Token", tollgate.WithPrincipal(ctx, &tollgate.Principal{UserID: "u-1", OrgID: "o-1", TokenID: "tok-1", SessionID: "s-1"}), nil,
			auditlog.Actor{UserID: "u-1", OrgID: "o-1", TokenID: "tok-1"}},
		{"Session", tollgate.WithPrincipal(ctx, &tollgate.Principal{UserID: "u-2", OrgID: "o-2", SessionID: "s-2"}), nil,
			auditlog.Actor{UserID: "u-2", OrgID: "o-2", TokenID: "session:s-2"}},
		{"System", ctx, nil, auditlog.Actor{UserID: tollgate.SystemUserID}},
		{"LocalUser", ctx, tollgate.LocalPrincipal("alice"), auditlog.Actor{UserID: "cli:alice"}},
		{"PrincipalBeatsFallback", tollgate.WithPrincipal(ctx, &tollgate.Principal{UserID: "u-3"}), tollgate.LocalPrincipal("alice"),
			auditlog.Actor{UserID: "u-3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db.Actor = tc.fallback
			from := mustAuditSize(t, db)
			org := &tollgate.Org{Kind: tollgate.OrgBroker, Name: "Broker " + tc.name, Country: "US"}
			mustNoErr(t, db.CreateOrg(tc.ctx, org))
			rs := auditSince(t, db, from)
			if got := rs[0].Record.Actor; got != tc.want {
				t.Errorf("actor: got %+v, want %+v", got, tc.want)
			}
		})
	}
	db.Actor = nil
}
