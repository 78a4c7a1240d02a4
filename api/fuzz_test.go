package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tollgate"
)

// FuzzDecode feeds arbitrary bodies to the JSON decoder of every request
// type: it must never panic, and every failure must be a user error
// (EINVALID, or 413 for an oversized body), never an internal one.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"names":[{"name":"Huawei","type":"organization","country":"CN"}],"threshold":0.9}`,
		`{"kind":"exporter","name":"A","country":"US"}`,
		`{"org_id":"x","role":"end_user","legal_name":"A","country":"CN","addresses":[{"city":"B"}]}`,
		`{"file_name":"a.csv","content":"name\nA\n"}`,
		`{"list":"EL","source_id":"1","entity_digest":"00","kind":"true_match"}`,
		`{"names":[{"name":"\u0000"}]} trailing`, `[`, `{"a":1e999}`, `null`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		check := func(err error) {
			if err == nil {
				return
			}
			var mbe *http.MaxBytesError
			if code := tollgate.ErrorCode(err); code != tollgate.EINVALID && !errors.As(err, &mbe) {
				t.Fatalf("body %q: error code %q (%v), want invalid", body, code, err)
			}
		}
		req := func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1<<16)
			return r
		}
		_, err := decode[ScreenRequest](req())
		check(err)
		_, err = decode[OrgInput](req())
		check(err)
		_, err = decode[PartyInput](req())
		check(err)
		_, err = decode[ListImportInput](req())
		check(err)
		_, err = decode[DecisionInput](req())
		check(err)
		_, err = decode[tollgate.PartyUpdate](req())
		check(err)
	})
}

// FuzzQuery feeds arbitrary query strings to the query checks and the
// page parameters: no panic, and only user errors.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"limit=5&cursor=abc", "limit=-1", "limit=99999999999999999999", "a=%zz", "current=true",
		"limit=5&limit=6", ";", "&&=", "cursor=%00"} {
		f.Add(s)
	}
	s := &server{limits: DefaultLimits()}
	accepted := []Param{paramCursor, paramLimit, {Name: "current", Type: "boolean"}}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery = raw
		if err := checkQuery(r, accepted); err != nil {
			if code := tollgate.ErrorCode(err); code != tollgate.EINVALID {
				t.Fatalf("checkQuery(%q): code %q", raw, code)
			}
			return
		}
		_, limit, err := s.pageParams(r)
		if err != nil {
			if code := tollgate.ErrorCode(err); code != tollgate.EINVALID {
				t.Fatalf("pageParams(%q): code %q", raw, code)
			}
			return
		}
		if limit < 1 || limit > s.limits.MaxPageSize {
			t.Fatalf("pageParams(%q): limit %d out of range", raw, limit)
		}
		if _, err := queryBool(r, "current"); err != nil && tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Fatalf("queryBool(%q): %v", raw, err)
		}
	})
}

// FuzzRequestID checks that whatever a client sends as X-Request-Id, the
// id the server logs is short and plain.
func FuzzRequestID(f *testing.F) {
	for _, s := range []string{"abc-123", "", "has space", strings.Repeat("a", 65), "x\ny", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-Request-Id", id)
		got := requestID(r)
		if got == "" || len(got) > 64 || strings.ContainsFunc(got, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')
		}) {
			t.Fatalf("requestID(%q) = %q", id, got)
		}
	})
}
