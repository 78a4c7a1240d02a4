package auditlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// fuzzRecord returns a canonical record line for seeds.
func fuzzRecord(tb testing.TB, seq int64, details string) []byte {
	tb.Helper()
	r := Record{
		Seq: seq, Time: time.Date(2026, 3, 1, 12, 0, 0, int(seq), time.UTC),
		Actor:  Actor{UserID: "u\"1", OrgID: "o\u2028"},
		Action: "party.screen", ObjectType: "party", ObjectID: fmt.Sprint("p", seq),
		Before: strings.Repeat("0f", 32), Details: []byte(details),
	}
	b, err := r.Canonical()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func FuzzParseRecord(f *testing.F) {
	f.Add(fuzzRecord(f, 0, ""))
	f.Add(fuzzRecord(f, 12, `{"k":[1,-2.5e3,true,null,{"\n":"\u0001"}]}`))
	f.Add([]byte(`{"action":"a","object_type":"t","seq":0,"time":"2026-01-01T00:00:00.000000000Z"}`))
	f.Add([]byte(`{"action":"a","object_type":"t","seq":0,"time":"2026-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := ParseRecord(line)
		if err == nil {
			canon, err := r.Canonical()
			if err != nil || !bytes.Equal(canon, line) {
				t.Fatalf("ParseRecord accepted %q, whose canonical form is %q (%v)", line, canon, err)
			}
		}
		// The fast scanner must accept exactly the lines encoding/json accepts,
		// or verifying would quietly fall back to the slow path.
		fr, ok := scanRecord(line)
		if ok {
			canon, err := fr.Canonical()
			ok = err == nil && bytes.Equal(canon, line)
		}
		if _, slowErr := parseRecordJSON(line); ok != (slowErr == nil) {
			t.Fatalf("scanner accepts %q: %v; encoding/json: %v", line, ok, slowErr)
		}
	})
}

func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"b":1,"a":[1,2,{"c":null}]}`, `"a\u2028<>&\t"`, `[1.0e+2,-0,0.5]`,
		`{"a":1,"a":2}`, ` {"x" : "\/"} `, `{"\u00e9":1,"é":2}`, `[[[[]]]]`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if n, err := canonicalValue(data, 0); err == nil && n == len(data) {
			c, err := canonicalize(data)
			if err != nil || !bytes.Equal(c, data) {
				t.Fatalf("scanner calls %q canonical, canonicalize gives %q (%v)", data, c, err)
			}
		}
		c, err := canonicalize(data)
		if err != nil {
			return
		}
		if n, err := canonicalValue(c, 0); err != nil || n != len(c) {
			t.Fatalf("canonicalize gives %q, which the scanner rejects (%d, %v)", c, n, err)
		}
	})
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("tollgate\n5\n" + tlog.Hash{1}.String() + "\n"))
	f.Add([]byte("example.com/log\n0\n" + tlog.Hash{}.String() + "\nextension line\n"))
	f.Add([]byte("bad name\n1\nAAAA\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := ParseCheckpoint(text)
		if err != nil {
			return
		}
		if got := c.Text(); !bytes.HasPrefix(text, got) {
			t.Fatalf("ParseCheckpoint(%q) = %+v, whose text %q does not start the input", text, c, got)
		}
	})
}

func FuzzParseKey(f *testing.F) {
	skey, _, err := note.GenerateKey(zeroReader{}, "tollgate")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(skey)
	f.Add("PRIVATE+KEY+a+00000000+AQ==")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err != nil {
			return
		}
		v, err := note.NewVerifier(k.VerifierKey())
		if err != nil || v.Name() != k.Name() || v.KeyHash() != k.Hash() {
			t.Fatalf("ParseKey(%q): verifier key %q does not match (%v)", s, k.VerifierKey(), err)
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) { clear(b); return len(b), nil }

// FuzzVerifyRecords feeds arbitrary records files to Verify against a
// fixed signed checkpoint: it must never panic, and must pass only the
// logged records.
func FuzzVerifyRecords(f *testing.F) {
	var lines [][]byte
	for i := range int64(9) {
		lines = append(lines, fuzzRecord(f, i, fmt.Sprintf(`{"i":%d}`, i)))
	}
	var records, leaves []byte
	hs := make([]tlog.Hash, len(lines))
	for i, l := range lines {
		records = append(append(records, l...), '\n')
		hs[i] = LeafHash(l)
		leaves = append(leaves, hs[i][:]...)
	}
	key, err := GenerateKey(zeroReader{}, "fuzz.test")
	if err != nil {
		f.Fatal(err)
	}
	signed, err := key.Sign(Checkpoint{Origin: "fuzz.test", Size: int64(len(lines)), Hash: rootOfLeaves(hs)})
	if err != nil {
		f.Fatal(err)
	}
	known, err := ParseVerifierKeys(key.VerifierKey())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(records, true)
	f.Add(records[:len(records)/2], true)
	f.Add(bytes.Replace(records, []byte("\n"), []byte("\n\n"), 1), false)
	f.Fuzz(func(t *testing.T, data []byte, withLeaves bool) {
		fsys := fstest.MapFS{
			RecordsFile:    {Data: data},
			CheckpointFile: {Data: signed},
		}
		if withLeaves {
			fsys[LeafHashesFile] = &fstest.MapFile{Data: leaves}
		}
		rep, err := Verify(context.Background(), fsys, known, nil)
		var ve *VerifyError
		switch {
		case err == nil:
			if !rep.OK || !bytes.Equal(bytes.TrimSuffix(records, []byte("\n")), bytes.TrimSuffix(data, []byte("\n"))) {
				t.Fatalf("Verify passed records that were not logged: %q", data)
			}
		case !errors.As(err, &ve):
			t.Fatalf("Verify: %v, want a VerifyError", err)
		case ve.Problem.Seq < -1 || ve.Problem.Seq > int64(len(lines)):
			t.Fatalf("Verify named record %d of a %d-record log", ve.Problem.Seq, len(lines))
		}
	})
}

// FuzzCanonicalJSONPaths checks CanonicalJSON's fast path (sorting the
// members of encoding/json's output) against the decode and re-encode it
// stands for: for any JSON value, given as a raw message, a decoded value
// or inside a struct, both give the same bytes.
func FuzzCanonicalJSONPaths(f *testing.F) {
	for _, s := range []string{`{}`, `{"b":1,"a":[1,2,{"d":null,"c":"<&>"}]}`, `"a\u2028<>&\t"`, `[1.0e+2,-0,0.5]`,
		`{"a":1,"a":2}`, ` {"x" : "\/"} `, `{"\u00e9":1,"é":2}`, `[[[[]]]]`, `{"z":{"y":{"x":[true,false]}}}`} {
		f.Add([]byte(s))
	}
	type wrapper struct {
		Z   string          `json:"z"`
		Raw json.RawMessage `json:"raw"`
		A   int             `json:"a"`
	}
	// slow is CanonicalJSON without its fast path.
	slow := func(v any) ([]byte, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return canonicalize(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var decoded any
		if json.Unmarshal(data, &decoded) != nil {
			return
		}
		for _, v := range []any{json.RawMessage(data), decoded, wrapper{Z: string(data), Raw: data, A: len(data)}} {
			want, err := slow(v)
			if err != nil {
				continue
			}
			if got, err := CanonicalJSON(v); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("CanonicalJSON(%T %q) = %q, %v; want %q", v, data, got, err, want)
			}
		}
	})
}
