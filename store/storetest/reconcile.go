package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/demo"
	"tollgate/store"
)

// testReconcile plays the demo, which makes an object of every audited
// type, and checks that Reconcile finds it untouched; then edits one row of
// every audited table directly with SQL, as someone with the database file
// could, and checks that Reconcile names each row and the field changed,
// a deleted row and a row no record names.
func testReconcile(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	clock := demo.NewClock(time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC))
	db := MustOpen(t, newDSN(t), clock.Now)
	key, err := auditlog.GenerateKey(rand.Reader, "tollgate-reconcile-test")
	mustNoErr(t, err)
	_, err = demo.Run(ctx, demo.Options{DB: db, Clock: clock, AuditKey: key, BundleDir: filepath.Join(t.TempDir(), "bundle")})
	mustNoErr(t, err)
	// The demo signs in with tokens only; sessions complete the set, one
	// of them ended (its end is a recorded state too).
	users, _, err := db.FindUsers(ctx, tollgate.UserFilter{})
	mustNoErr(t, err)
	now := clock.Now()
	var sessions [2]*tollgate.Session
	for i := range sessions {
		sessions[i] = &tollgate.Session{UserID: users[0].ID, Hash: fileDigest(fmt.Sprint("session ", i)),
			IdleExpiresAt: now.Add(time.Hour), ExpiresAt: now.Add(8 * time.Hour)}
		mustNoErr(t, db.CreateSession(ctx, sessions[i]))
	}
	mustNoErr(t, db.EndSession(ctx, sessions[1].ID, tollgate.SessionEndLogout))
	// A denial's record is bookkeeping, an event that states no object:
	// it is no finding, and auth_denials is no audited table.
	mustNoErr(t, db.RecordDenial(ctx, store.Denial{Principal: "user:" + users[0].ID, Permission: "party.write", UserID: users[0].ID,
		OrgID: users[0].OrgID, Kind: "forbidden", Method: "POST", Route: "/v1/parties", Reason: "no role may"}))
	clock.Set(clock.Now().Add(store.DenialWindow + store.DenialGrace))
	if n, err := db.CloseDenialWindows(ctx); err != nil || n != 1 {
		t.Fatalf("CloseDenialWindows: %d windows, %v; want 1", n, err)
	}

	rep := mustReconcile(t, db)
	if !rep.OK() {
		t.Fatalf("untouched demo store: %d findings, want none: %+v", rep.Total, rep.Findings)
	}
	covered := map[string]bool{}
	for _, tb := range rep.Tables {
		covered[tb.ObjectType] = true
		if tb.Objects == 0 || tb.Recorded != tb.Objects {
			t.Errorf("table %s: %d objects, %d recorded; want some, all recorded", tb.Table, tb.Objects, tb.Recorded)
		}
	}
	// Every object type whose state the log records has its table.
	for _, e := range AuditEntries(t, db) {
		if r := e.Record; (r.Before != "" || r.After != "") && !covered[r.ObjectType] {
			t.Errorf("the log states %s objects (record %d, %s), which Reconcile does not read", r.ObjectType, r.Seq, r.Action)
			covered[r.ObjectType] = true
		}
	}

	type edit struct {
		table, key, set string
		nth             int // the nth row by key
		field           string
	}
	edits := []edit{
		{"orgs", "id", `name = name || ' (edited)'`, 0, "name"},
		{"parties", "id", `legal_name = legal_name || ' (edited)'`, 0, "legal_name"},
		{"users", "id", `name = name || ' (edited)'`, 0, "name"},
		{"tokens", "id", `name = name || ' (edited)'`, 0, "name"},
		{"sessions", "id", `expires_at = created_at`, 0, "expires_at"},
		{"sessions", "id", `ended_at = NULL`, 1, "ended_at"},
		{"list_versions", "id", `file_name = file_name || ' (edited)'`, 0, "file_name"},
		{"screenings", "id", `threshold = threshold / 2`, 0, "threshold"},
		{"hit_decisions", "id", `reason = reason || ' (edited)'`, 0, "reason"},
		{"applications", "id", `doc = replace(doc, '"end_use":"', '"end_use":"(edited) ')`, 0, "end_use"},
		{"applications", "id", `state = 'withdrawn'`, 1, "column state"},
		{"application_documents", "application_id", `size = size + 1`, 0, "documents"},
		{"application_assignments", "application_id || '/' || org_id", `reason = reason || ' (edited)'`, 0, "reason"},
		{"licenses", "id", `status_reason = status_reason || ' (edited)'`, 0, "status_reason"},
		{"licensing_agencies", "code", `org_id = (SELECT org_id FROM parties ORDER BY id LIMIT 1)`, 0, "org_id"},
		{"lab_keys", "id", `revoked_at = created_at`, 0, "revoked_at"},
		{"lab_reports", "id", `method = method || ' (edited)'`, 0, "method"},
		{"import_entries", "id", `importer_of_record = importer_of_record || ' (edited)'`, 0, "importer_of_record"},
		{"exports", "id", `filing_reference = filing_reference || ' (edited)'`, 0, "filing_reference"},
		{"us_shipments", "id", `customer = customer || ' (edited)'`, 0, "customer"},
		{"orders", "id", `reference = reference || ' (edited)'`, 0, "reference"},
		{"engagements", "id", `ends_on = starts_on`, 0, "ends_on"},
	}
	want := map[string][]string{} // object id → fields
	exec := func(q string, args ...any) {
		t.Helper()
		mustNoErr(t, db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, q, args...)
			return err
		}))
	}
	nth := func(table, key string, n int) string {
		t.Helper()
		var id string
		mustNoErr(t, db.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT %s FROM %s ORDER BY %s LIMIT 1 OFFSET %d`, key, table, key, n)).Scan(&id)
		}))
		return id
	}
	for _, e := range edits {
		id := nth(e.table, e.key, e.nth)
		exec(fmt.Sprintf(`UPDATE %s SET %s WHERE %s = ?`, e.table, e.set, e.key), id)
		want[id] = append(want[id], e.field)
	}
	decision := nth("hit_decisions", "id", 1)
	exec(`DELETE FROM hit_decisions WHERE id = ?`, decision)
	ghost := uuid.Must(uuid.NewV7()).String()
	mustNoErr(t, db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, kind, name, country, created_at, updated_at)
			VALUES (?, 'broker', 'Ghost Brokers', 'US', ?, ?)`, ghost, tx.Time(tx.Now()), tx.Time(tx.Now()))
		return err
	}))

	rep = mustReconcile(t, db)
	got := map[string][]string{}
	for _, f := range rep.Findings {
		switch {
		case f.ObjectID == decision:
			if f.Problem != store.ReconcileMissing {
				t.Errorf("deleted hit decision %s: %s, want %s", f.ObjectID, f.Problem, store.ReconcileMissing)
			}
		case f.ObjectID == ghost:
			if f.Problem != store.ReconcileUnrecorded || f.Table != "orgs" {
				t.Errorf("org inserted without a record: %s in %s, want %s in orgs", f.Problem, f.Table, store.ReconcileUnrecorded)
			}
		case f.Problem != store.ReconcileDiffers:
			t.Errorf("%s %s: %s, want %s", f.ObjectType, f.ObjectID, f.Problem, store.ReconcileDiffers)
		default:
			got[f.ObjectID] = slices.Sorted(slices.Values(f.Fields))
		}
	}
	for id, fields := range want {
		if w := slices.Sorted(slices.Values(fields)); !slices.Equal(got[id], w) {
			t.Errorf("object %s edited: reconcile names fields %q, want %q", id, got[id], w)
		}
	}
	if got, want := rep.Total, int64(len(want)+2); got != want {
		t.Errorf("%d findings, want %d: %+v", got, want, rep.Findings)
	}
	if rep.OK() {
		t.Error("OK() after direct edits")
	}
	short, err := db.Reconcile(ctx, 1)
	mustNoErr(t, err)
	if short.Total != rep.Total || len(short.Findings) != 1 || !short.Truncated {
		t.Errorf("with limit 1: total %d, %d listed, truncated %t; want total %d, 1 listed, truncated",
			short.Total, len(short.Findings), short.Truncated, rep.Total)
	}

	// A record inserted behind the log's back whose columns name another
	// object than its canonical bytes do.
	size := mustAuditSize(t, db)
	forged := auditlog.Record{Seq: size + 100, Time: clock.Now(), Action: "org.create", ObjectType: "org",
		ObjectID: nth("orgs", "id", 1), After: mustDigest(t, &tollgate.Org{ID: ghost})}
	canon, err := forged.Canonical()
	mustNoErr(t, err)
	mustNoErr(t, db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_records (seq, time, action, object_type, object_id, user_id, org_id, token_id, canonical)
			VALUES (?, ?, 'org.create', 'org', ?, '', '', '', ?)`, forged.Seq, tx.Time(forged.Time), ghost, canon)
		return err
	}))
	rep = mustReconcile(t, db)
	altered := slices.IndexFunc(rep.Findings, func(f store.ReconcileFinding) bool {
		return f.Problem == store.ReconcileRecordAltered && f.ObjectID == ghost && f.Seq == forged.Seq
	})
	if altered < 0 {
		t.Errorf("a record whose columns disagree with its canonical bytes is not named: %+v", rep.Findings)
	}
}

func mustReconcile(t *testing.T, db *store.DB) *store.ReconcileReport {
	t.Helper()
	rep, err := db.Reconcile(context.Background(), 0)
	mustNoErr(t, err)
	return rep
}
