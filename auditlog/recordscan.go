package auditlog

import (
	"bytes"
	"strconv"
	"time"
)

// scanRecord decodes a record spelled in canonical form without
// reflection: the fast path of ParseRecord, which still checks the result
// by re-encoding it. It reports false for anything it does not expect.
func scanRecord(line []byte) (Record, bool) {
	s := recordScanner{b: line, ok: true}
	var r Record
	s.expect(`{"action":`)
	r.Action = s.str()
	if s.opt(`,"actor":{`) {
		sep := ""
		for _, f := range [...]struct {
			key string
			v   *string
		}{{"org_id", &r.Actor.OrgID}, {"token_id", &r.Actor.TokenID}, {"user_id", &r.Actor.UserID}} {
			if s.opt(sep + `"` + f.key + `":`) {
				*f.v = s.str()
				sep = ","
			}
		}
		s.expect("}")
	}
	if s.opt(`,"after":`) {
		r.After = s.str()
	}
	if s.opt(`,"before":`) {
		r.Before = s.str()
	}
	if s.opt(`,"details":`) {
		if s.ok && s.i < len(s.b) && s.b[s.i] == '{' {
			n, err := canonicalValue(s.b[s.i:], 0)
			s.ok = err == nil
			r.Details = bytes.Clone(s.b[s.i : s.i+n])
			s.i += n
		} else {
			s.ok = false
		}
	}
	if s.opt(`,"object_id":`) {
		r.ObjectID = s.str()
	}
	s.expect(`,"object_type":`)
	r.ObjectType = s.str()
	s.expect(`,"seq":`)
	r.Seq = s.int()
	s.expect(`,"time":"`)
	r.Time = s.time()
	s.expect(`"}`)
	return r, s.ok && s.i == len(s.b)
}

// recordScanner walks a line; after the first mismatch ok is false and
// every method does nothing.
type recordScanner struct {
	b  []byte
	i  int
	ok bool
}

func (s *recordScanner) opt(lit string) bool {
	if s.ok && bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		s.i += len(lit)
		return true
	}
	return false
}

func (s *recordScanner) expect(lit string) {
	if !s.opt(lit) {
		s.ok = false
	}
}

func (s *recordScanner) str() string {
	if !s.ok || s.i >= len(s.b) || s.b[s.i] != '"' {
		s.ok = false
		return ""
	}
	n, v, err := scanString(s.b[s.i:])
	if err != nil {
		s.ok = false
		return ""
	}
	s.i += n
	return string(v)
}

func (s *recordScanner) int() int64 {
	if !s.ok {
		return 0
	}
	n, err := scanNumber(s.b[s.i:])
	if err != nil {
		s.ok = false
		return 0
	}
	v, err := strconv.ParseInt(string(s.b[s.i:s.i+n]), 10, 64)
	s.ok = err == nil
	s.i += n
	return v
}

func (s *recordScanner) time() time.Time {
	if !s.ok || len(s.b)-s.i < len(TimeFormat) {
		s.ok = false
		return time.Time{}
	}
	t, err := time.Parse(TimeFormat, string(s.b[s.i:s.i+len(TimeFormat)]))
	s.ok = err == nil
	s.i += len(TimeFormat)
	return t
}
