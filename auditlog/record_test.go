package auditlog_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
)

var digestA = strings.Repeat("ab", 32)

func TestCanonical(t *testing.T) {
	r := auditlog.Record{
		Seq:        7,
		Time:       time.Date(2026, 2, 3, 4, 5, 6, 7, time.FixedZone("EST", -5*3600)),
		Actor:      auditlog.Actor{UserID: "u1", TokenID: "t1"},
		Action:     "license.decide",
		ObjectType: "license",
		ObjectID:   "D123456",
		After:      digestA,
		Details:    json.RawMessage(` { "z": 1.50, "a": ["<b>", "é\u2028"] } `),
	}
	got, err := r.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"action":"license.decide","actor":{"token_id":"t1","user_id":"u1"},"after":"` + digestA +
		`","details":{"a":["<b>","é\u2028"],"z":1.50},"object_id":"D123456","object_type":"license","seq":7,"time":"2026-02-03T09:05:06.000000007Z"}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	back, err := auditlog.ParseRecord(got)
	if err != nil {
		t.Fatalf("ParseRecord(Canonical()) = %v", err)
	}
	again, _ := back.Canonical()
	if !bytes.Equal(again, got) {
		t.Fatalf("round trip: got %s, want %s", again, got)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*auditlog.Record)
		field string
	}{
		{"OK", func(*auditlog.Record) {}, ""},
		{"ErrSeq", func(r *auditlog.Record) { r.Seq = -1 }, "seq"},
		{"ErrTime", func(r *auditlog.Record) { r.Time = time.Time{} }, "time"},
		{"ErrYear", func(r *auditlog.Record) { r.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "time"},
		{"ErrAction", func(r *auditlog.Record) { r.Action = "" }, "action"},
		{"ErrObjectType", func(r *auditlog.Record) { r.ObjectType = "" }, "object_type"},
		{"ErrBefore", func(r *auditlog.Record) { r.Before = strings.ToUpper(digestA) }, "before"},
		{"ErrAfter", func(r *auditlog.Record) { r.After = "abc" }, "after"},
		{"ErrUTF8", func(r *auditlog.Record) { r.Actor.OrgID = "\xff" }, "actor.org_id"},
		{"ErrDetailsArray", func(r *auditlog.Record) { r.Details = []byte(`[1]`) }, "details"},
		{"ErrDetailsJSON", func(r *auditlog.Record) { r.Details = []byte(`{"a":}`) }, "details"},
		{"ErrTooLarge", func(r *auditlog.Record) {
			r.Details = []byte(`{"a":"` + strings.Repeat("x", auditlog.MaxRecordSize) + `"}`)
		}, "record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := audittest.SampleRecord(3)
			tt.edit(&r)
			_, err := r.Canonical()
			var ie *auditlog.InputError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.field != "" && (!errors.As(err, &ie) || ie.Field != tt.field):
				t.Fatalf("got %v, want an InputError for %s", err, tt.field)
			}
		})
	}
}

func TestParseRecordRejectsNonCanonical(t *testing.T) {
	r := auditlog.Record{
		Seq: 5, Time: time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC), Action: "export.ship",
		ObjectType: "export", ObjectID: "E1", Details: []byte(`{"reason":"sample 5","units":5}`),
	}
	canon, err := r.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	line := string(canon)
	tests := []struct{ name, line string }{
		{"Whitespace", strings.Replace(line, `"seq":5`, `"seq": 5`, 1)},
		{"KeyOrder", `{` + strings.TrimPrefix(line, `{"action":"export.ship",`)[:len(line)-len(`{"action":"export.ship",`)-1] + `,"action":"export.ship"}`},
		{"UnknownField", strings.Replace(line, `"seq":5`, `"seq":5,"x":1`, 1)},
		{"TimeFormat", strings.Replace(line, ".000000000Z", "Z", 1)},
		{"EmptyOptional", strings.Replace(line, `"object_id"`, `"before":"","object_id"`, 1)},
		{"SeqFloat", strings.Replace(line, `"seq":5`, `"seq":5.0`, 1)},
		{"SeqLeadingZero", strings.Replace(line, `"seq":5`, `"seq":05`, 1)},
		{"EscapedSlash", strings.Replace(line, `export.ship`, `export\/ship`, 1)},
		{"DetailsUnsorted", strings.Replace(line, `{"reason":"sample 5","units":5}`, `{"units":5,"reason":"sample 5"}`, 1)},
		{"DetailsEmpty", strings.Replace(line, `"details":{"reason":"sample 5","units":5},`, `"details":{},`, 1)},
		{"DetailsNull", strings.Replace(line, `{"reason":"sample 5","units":5}`, `null`, 1)},
		{"TrailingNewline", line + "\n"},
		{"Empty", ""},
	}
	if _, err := auditlog.ParseRecord(canon); err != nil {
		t.Fatalf("canonical line rejected: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.line == line {
				t.Fatal("test case did not change the line")
			}
			if _, err := auditlog.ParseRecord([]byte(tt.line)); err == nil {
				t.Fatalf("ParseRecord(%s) succeeded, want an error", tt.line)
			}
		})
	}
}

func TestDigest(t *testing.T) {
	type ab struct {
		A int    `json:"a"`
		B string `json:"b"`
	}
	type ba struct {
		B string `json:"b"`
		A int    `json:"a"`
	}
	d1, err1 := auditlog.Digest(ab{1, "x<y"})
	d2, err2 := auditlog.Digest(ba{"x<y", 1})
	d3, err3 := auditlog.Digest(map[string]any{"b": "x<y", "a": 1})
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if d1 != d2 || d1 != d3 {
		t.Fatalf("digests differ by field order: %s %s %s", d1, d2, d3)
	}
	sum := sha256.Sum256([]byte(`{"a":1,"b":"x<y"}`))
	if want := hex.EncodeToString(sum[:]); d1 != want {
		t.Fatalf("got digest %s, want %s", d1, want)
	}
	c, _ := auditlog.CanonicalJSON(ab{1, "x<y"})
	if got, want := string(c), `{"a":1,"b":"x<y"}`; got != want {
		t.Fatalf("CanonicalJSON = %s, want %s", got, want)
	}
	if _, err := auditlog.Digest(func() {}); err == nil {
		t.Fatal("Digest(func) succeeded, want an error")
	}
}
