package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/auditlog"
)

// auditRecordsSince returns the audit records from sequence number from on.
func auditRecordsSince(t *testing.T, env *testEnv, from int64) []auditlog.Entry {
	t.Helper()
	var out []auditlog.Entry
	f := tollgate.AuditFilter{Limit: tollgate.MaxPageLimit}
	for {
		es, next, err := env.db.FindAuditRecords(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Record.Seq >= from {
				out = append(out, e)
			}
		}
		if next == "" {
			return out
		}
		f.Cursor = next
	}
}

// withAuditKey makes the server sign checkpoints with key.
func withAuditKey(key *auditlog.Key) func(*Deps) {
	return func(d *Deps) { d.AuditKey = func() *auditlog.Key { return key } }
}

// openCheckpoint verifies a checkpoint answer's note with key.
func openCheckpoint(t *testing.T, key *auditlog.Key, cp *AuditCheckpoint) auditlog.Checkpoint {
	t.Helper()
	known, err := auditlog.ParseVerifierKeys(key.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := auditlog.OpenCheckpoint([]byte(cp.Note), known)
	if err != nil {
		t.Fatalf("checkpoint note: %v", err)
	}
	if c.Size != cp.Size || c.Hash != cp.Hash || c.Origin != cp.Origin {
		t.Fatalf("checkpoint fields %+v differ from its note %+v", cp, c)
	}
	return c
}

func TestAuditAPI(t *testing.T) {
	key, err := auditlog.GenerateKey(nil, "api.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, withAuditKey(key))
	c := env.cast()
	home := c.orgs[tollgate.OrgExporter]
	auditor, admin := c.users[tollgate.RoleAuditor], c.users[tollgate.RoleExporterAdmin]
	party := env.createParty(home.ID, "Huawei Technologies Co Ltd")
	env.createOrg("Second Exporter")
	size, err := env.db.AuditSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Records", func(t *testing.T) {
		all := must[Page[AuditRecord]](env, request{method: "GET", path: "/v1/audit/records?limit=1000", as: auditor}, http.StatusOK)
		if int64(len(all.Items)) != size {
			t.Fatalf("auditor sees %d records, want all %d", len(all.Items), size)
		}
		for i, r := range all.Items {
			if r.Seq != int64(i) || r.LeafHash != auditlog.LeafHash([]byte(r.Canonical)) {
				t.Errorf("record %d: seq %d, leaf hash does not match its canonical bytes %s", i, r.Seq, r.Canonical)
			}
		}
		got := must[Page[AuditRecord]](env, request{method: "GET", as: auditor,
			path: "/v1/audit/records?action=party.create&object_id=" + party.ID}, http.StatusOK)
		if len(got.Items) != 1 || got.Items[0].ObjectID != party.ID {
			t.Errorf("filtered by action and object: got %+v", got.Items)
		}
		own := must[Page[AuditRecord]](env, request{method: "GET", path: "/v1/audit/records?limit=1000", as: admin}, http.StatusOK)
		if len(own.Items) == 0 {
			t.Error("an exporter's admin sees none of its organization's records")
		}
		for _, r := range own.Items {
			if r.Actor.OrgID != home.ID {
				t.Errorf("an exporter's admin sees record %d of organization %q", r.Seq, r.Actor.OrgID)
			}
		}
		other := must[Page[AuditRecord]](env, request{method: "GET", path: "/v1/audit/records?org_id=" + c.orgs[tollgate.OrgOperator].ID, as: admin}, http.StatusOK)
		if len(other.Items) != 0 {
			t.Errorf("an exporter's admin asking for another organization's records got %d", len(other.Items))
		}
		env.problem(request{method: "GET", path: "/v1/audit/records", as: c.users[tollgate.RoleExporterOfficer]}, http.StatusForbidden)
		for _, q := range []string{"since=yesterday", "limit=0", "cursor=zz", "until=2026-01-01&since=2026-02-01"} {
			env.problem(request{method: "GET", path: "/v1/audit/records?" + q, as: auditor}, http.StatusBadRequest)
		}
	})

	var first auditlog.Checkpoint
	t.Run("Checkpoint", func(t *testing.T) {
		cp := must[AuditCheckpoint](env, request{method: "GET", path: "/v1/audit/checkpoint", as: auditor}, http.StatusOK)
		first = openCheckpoint(t, key, &cp)
		if cp.Size != size || cp.VerifierKey != key.VerifierKey() {
			t.Errorf("checkpoint: size %d key %q, want %d %q", cp.Size, cp.VerifierKey, size, key.VerifierKey())
		}
	})

	t.Run("InclusionProof", func(t *testing.T) {
		recs := must[Page[AuditRecord]](env, request{method: "GET", path: "/v1/audit/records?action=party.create", as: auditor}, http.StatusOK)
		seq := recs.Items[0].Seq
		res := must[InclusionProofResult](env, request{method: "GET", path: fmt.Sprintf("/v1/audit/proof/inclusion?seq=%d", seq), as: auditor}, http.StatusOK)
		if res.Checkpoint == nil || res.Record.Seq != seq {
			t.Fatalf("proof: got record %d, checkpoint %v", res.Record.Seq, res.Checkpoint)
		}
		cp := openCheckpoint(t, key, res.Checkpoint)
		if err := auditlog.CheckRecord(res.Proof, cp, auditlog.LeafHash([]byte(res.Record.Canonical))); err != nil {
			t.Errorf("CheckRecord: %v", err)
		}
		// Against an explicit older size, checked against the first checkpoint.
		res = must[InclusionProofResult](env, request{method: "GET", as: auditor,
			path: fmt.Sprintf("/v1/audit/proof/inclusion?seq=%d&size=%d", seq, first.Size)}, http.StatusOK)
		if err := auditlog.CheckRecord(res.Proof, first, res.Record.LeafHash); err != nil {
			t.Errorf("CheckRecord against size %d: %v", first.Size, err)
		}
		// Checkpoints and proofs tell the log's size, everyone's activity:
		// an exporter's admin, who reads its own records, gets none.
		for _, path := range []string{"/v1/audit/checkpoint", fmt.Sprintf("/v1/audit/proof/inclusion?seq=%d", seq),
			fmt.Sprintf("/v1/audit/proof/consistency?old=%d", first.Size)} {
			env.problem(request{method: "GET", path: path, as: admin}, http.StatusForbidden)
		}
	})

	t.Run("ConsistencyProof", func(t *testing.T) {
		env.createParty(home.ID, "Moore Threads Technology Co Ltd")
		res := must[ConsistencyProofResult](env, request{method: "GET", as: auditor,
			path: fmt.Sprintf("/v1/audit/proof/consistency?old=%d", first.Size)}, http.StatusOK)
		if res.Checkpoint == nil || res.Checkpoint.Size <= first.Size {
			t.Fatalf("consistency: newer checkpoint %+v, want one larger than %d", res.Checkpoint, first.Size)
		}
		newer := openCheckpoint(t, key, res.Checkpoint)
		if err := auditlog.CheckTree(res.Proof, first, newer); err != nil {
			t.Errorf("CheckTree: %v", err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct{ path, field string }{
			{"/v1/audit/proof/inclusion", "seq"},
			{"/v1/audit/proof/inclusion?seq=x", "seq"},
			{"/v1/audit/proof/inclusion?seq=-1", "seq"},
			{"/v1/audit/proof/inclusion?seq=999999", "seq"},
			{"/v1/audit/proof/inclusion?seq=0&size=999999", "size"},
			{"/v1/audit/proof/inclusion?seq=0&size=0", "seq"},
			{"/v1/audit/proof/consistency", "old"},
			{"/v1/audit/proof/consistency?old=3&new=2", "old"},
			{"/v1/audit/proof/consistency?old=0&new=999999", "new"},
		} {
			p := env.problem(request{method: "GET", path: tc.path, as: auditor}, http.StatusBadRequest)
			if p.Field != tc.field {
				t.Errorf("%s: field %q, want %q (%s)", tc.path, p.Field, tc.field, p.Detail)
			}
		}
	})
	t.Run("OwnRecordsHideTheLogSize", func(t *testing.T) {
		env.createParty(home.ID, "Second Own Party Ltd")
		resp := env.do(request{method: "GET", path: "/v1/audit/records?limit=1", as: admin})
		for _, key := range []string{`"seq"`, `"canonical"`, `"leaf_hash"`} {
			if strings.Contains(resp.Body.String(), key) {
				t.Errorf("an exporter admin's records carry %s: %s", key, resp.Body)
			}
		}
		page1 := must[Page[OwnAuditRecord]](env, request{method: "GET", path: "/v1/audit/records?limit=1", as: admin}, http.StatusOK)
		rival := env.createOrg("Rival Exporter")
		env.createParty(rival.ID, "Rival Party Ltd")
		again := must[Page[OwnAuditRecord]](env, request{method: "GET", path: "/v1/audit/records?limit=1", as: admin}, http.StatusOK)
		if page1.NextCursor == "" || again.NextCursor != page1.NextCursor {
			t.Errorf("cursor changed when another organization wrote: %q, then %q", page1.NextCursor, again.NextCursor)
		}
		all := must[Page[OwnAuditRecord]](env, request{method: "GET", path: "/v1/audit/records?limit=1000", as: admin}, http.StatusOK)
		page2 := must[Page[OwnAuditRecord]](env, request{method: "GET", path: "/v1/audit/records?limit=1&cursor=" + page1.NextCursor, as: admin}, http.StatusOK)
		if len(all.Items) < 2 || len(page2.Items) != 1 || page2.Items[0].Action != all.Items[1].Action || !page2.Items[0].Time.Equal(all.Items[1].Time) {
			t.Errorf("the second page is not the caller's second record: %+v", page2.Items)
		}
		env.problem(request{method: "GET", path: "/v1/audit/records?cursor=MQ", as: admin}, http.StatusBadRequest)
		if got := must[Page[AuditRecord]](env, request{method: "GET", path: "/v1/audit/records?limit=2", as: auditor}, http.StatusOK); got.Items[1].Seq != 1 || got.Items[1].Canonical == "" {
			t.Errorf("the auditor's records lost their sequence numbers: %+v", got.Items[1])
		}
	})
}

func TestAuditCheckpointWithoutKey(t *testing.T) {
	env := newTestEnv(t)
	auditor := env.cast().users[tollgate.RoleAuditor]
	env.problem(request{method: "GET", path: "/v1/audit/checkpoint", as: auditor}, http.StatusNotFound)
	key, err := auditlog.GenerateKey(nil, "api.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	made, err := env.db.AuditCheckpoint(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	got := must[AuditCheckpoint](env, request{method: "GET", path: "/v1/audit/checkpoint", as: auditor}, http.StatusOK)
	if got.Note != made.Note || got.VerifierKey != "" {
		t.Errorf("without a key the server serves %+v, want the kept checkpoint of size %d", got, made.Checkpoint.Size)
	}
}

// FuzzAuditQueryParams checks the audit routes' parameter parsers: any
// value is either accepted as what it says or rejected naming the
// parameter, never a panic.
func FuzzAuditQueryParams(f *testing.F) {
	for _, s := range []string{"", "0", "42", "-1", "1e3", "2026-03-31", "2026-03-31T12:00:00Z", "2026-03-31T12:00:00.5+08:00", "yesterday", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r := httptest.NewRequest("GET", "/v1/audit/records?x="+url.QueryEscape(v), nil)
		n, err := queryInt64(r, "x", false)
		switch {
		case err != nil:
			if tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(err.Error(), "x") {
				t.Fatalf("queryInt64(%q): %v, want EINVALID naming x", v, err)
			}
		case strings.TrimSpace(v) == "":
			if n != -1 {
				t.Fatalf("queryInt64(%q) = %d, want -1 for absent", v, n)
			}
		default:
			if m, perr := strconv.ParseInt(strings.TrimSpace(v), 10, 64); perr != nil || m != n || n < 0 {
				t.Fatalf("queryInt64(%q) = %d, not the non-negative integer written", v, n)
			}
		}
		tm, err := queryTime(r, "x")
		if err != nil && (tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(err.Error(), "x")) {
			t.Fatalf("queryTime(%q): %v, want EINVALID naming x", v, err)
		}
		if err == nil && strings.TrimSpace(v) != "" && (tm.IsZero() || tm.Location() != time.UTC) {
			t.Fatalf("queryTime(%q) = %v, want a UTC time", v, tm)
		}
	})
}
