package store

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/auditlog"
)

func TestDiffJSON(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want []string
	}{
		{"Same", `{"a":1,"b":"x"}`, `{"a":1,"b":"x"}`, nil},
		{"Scalar", `{"a":1,"b":"x"}`, `{"a":1,"b":"y"}`, []string{"b"}},
		{"Added", `{"a":1}`, `{"a":1,"z":true}`, []string{"z"}},
		{"Removed", `{"a":1,"z":true}`, `{"a":1}`, []string{"z"}},
		{"Nested", `{"u":{"count":2,"lot":"L1"},"v":0}`, `{"u":{"count":3,"lot":"L1"},"v":1}`, []string{"u.count", "v"}},
		{"ArrayWhole", `{"s":["a","b"]}`, `{"s":["a","c"]}`, []string{"s"}},
		{"ObjectBecameScalar", `{"u":{"x":1}}`, `{"u":null}`, []string{"u"}},
		{"NotObjects", `[1]`, `[2]`, []string{"."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := diffJSON("", []byte(tt.a), []byte(tt.b)); !slices.Equal(got, tt.want) {
				t.Errorf("diffJSON(%s, %s) = %q, want %q", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

// FuzzDiffJSON: diffJSON never panics; it finds no difference between a
// value and itself, and some between two values whose canonical
// encodings differ.
func FuzzDiffJSON(f *testing.F) {
	f.Add(`{"a":1,"b":{"c":[1,2]}}`, `{"a":1,"b":{"c":[1,3]}}`)
	f.Add(`{}`, `{"x":null}`)
	f.Add(`{"a":"\u00e9"}`, `[]`)
	f.Fuzz(func(t *testing.T, a, b string) {
		ca, errA := auditlog.CanonicalJSON(json.RawMessage(a))
		cb, errB := auditlog.CanonicalJSON(json.RawMessage(b))
		if errA != nil || errB != nil {
			return
		}
		if got := diffJSON("", ca, ca); got != nil {
			t.Errorf("diffJSON(a, a) = %q, want nothing", got)
		}
		if got := diffJSON("", ca, cb); (string(ca) != string(cb)) != (len(got) > 0) {
			t.Errorf("diffJSON(%s, %s) = %q", ca, cb, got)
		}
	})
}

// TestAuditView: the audited view of an object leaves out what its records
// do not state, and states secrets by digest only.
func TestAuditView(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tok := &tollgate.Token{ID: "t1", UserID: "u1", OrgID: "o1", Name: "ci", Hash: "secret-hash", CreatedAt: at}
	used := *tok
	used.LastUsedAt = at.Add(time.Hour)
	rehashed := *tok
	rehashed.Hash = "other-hash"
	digest := func(v any) string {
		t.Helper()
		d, err := AuditDigest(v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if digest(tok) != digest(&used) {
		t.Error("a token's digest changed with its last use")
	}
	if digest(tok) == digest(&rehashed) {
		t.Error("a token's digest did not change with its secret's hash")
	}
	body, _, err := auditState(tok)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), tok.Hash) {
		t.Errorf("a token's audited state holds its hash: %s", body)
	}
	v1 := &tollgate.ListVersion{ID: "v1", Source: "csl", Current: true}
	v2 := *v1
	v2.Current = false
	if digest(v1) != digest(&v2) {
		t.Error("a list version's digest changed when a newer version of its source came")
	}
	if d := digest((*tollgate.Party)(nil)); d != "" {
		t.Errorf("digest of no object = %q, want empty", d)
	}
}

// TestStoredTimes: an object is digested with its times as the store keeps
// them (UTC, whole microseconds), whatever clock or zone made them, and
// the caller's object is left as it was.
func TestStoredTimes(t *testing.T) {
	zone := time.FixedZone("CST", 8*3600)
	made := time.Date(2026, 1, 2, 11, 4, 5, 123456789, zone)
	stored := made.UTC().Truncate(time.Microsecond)
	digest := func(v any) string {
		t.Helper()
		d, err := AuditDigest(v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tok := &tollgate.Token{ID: "t1", Hash: "h", CreatedAt: made, ExpiresAt: made.Add(time.Hour)}
	back := &tollgate.Token{ID: "t1", Hash: "h", CreatedAt: stored, ExpiresAt: stored.Add(time.Hour)}
	if digest(tok) != digest(back) {
		t.Error("a token digests differently before it is stored and as read back")
	}
	if !tok.CreatedAt.Equal(made) || tok.CreatedAt.Location() != zone {
		t.Errorf("the caller's token was changed: created %v", tok.CreatedAt)
	}
	o := &tollgate.Order{ID: "o1", History: []tollgate.OrderChange{{Event: "x", At: made}}}
	ob := &tollgate.Order{ID: "o1", History: []tollgate.OrderChange{{Event: "x", At: stored}}}
	if digest(o) != digest(ob) {
		t.Error("a time inside a slice of structs is not digested as stored")
	}
	if o.History[0].At.Location() != zone {
		t.Error("the caller's order history was changed")
	}
	if got := storedTimes(back); got != any(back) {
		t.Error("an object whose times are stored already was copied")
	}
	later := *back
	later.ExpiresAt = later.ExpiresAt.Add(time.Microsecond)
	if digest(back) == digest(&later) {
		t.Error("a microsecond's difference does not change the digest")
	}
}
