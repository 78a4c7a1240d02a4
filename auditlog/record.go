package auditlog

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"
)

// TimeFormat is the fixed layout of a record's time in its canonical form:
// UTC, always nine fractional digits, so that one instant has one spelling.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// MaxRecordSize bounds a record's canonical encoding. Records are small
// (the objects themselves are kept as digests), and the bound lets a
// verifier read a bundle line by line with a fixed buffer.
const MaxRecordSize = 64 << 10

// Actor is who made a change: a user, the organization acting, and the API
// token used. All are empty for changes tollgate makes on its own.
type Actor struct {
	UserID  string `json:"user_id,omitempty"`
	OrgID   string `json:"org_id,omitempty"`
	TokenID string `json:"token_id,omitempty"`
}

// Record is one entry of the audit log: one state change of tollgate.
//
// Its canonical encoding (see Canonical) is the leaf of the Merkle tree, so
// every field is covered by the checkpoints. The objects changed are not
// copied into the log; Before and After are their digests (see Digest).
type Record struct {
	// Seq is the record's 0-based position in the log, which is also its
	// index in the tree. Append assigns it.
	Seq int64
	// Time is when the change was made; it is encoded in UTC.
	Time time.Time
	// Actor is who made the change.
	Actor Actor
	// Action names the use case, such as "application.submit" (required).
	Action string
	// ObjectType and ObjectID name the object changed; ObjectType is
	// required, ObjectID may be empty (a failed login names no object).
	ObjectType string
	ObjectID   string
	// Before and After are the lowercase hex SHA-256 digests of the
	// object's canonical JSON before and after the change, empty when the
	// object did not exist before or does not exist after.
	Before string
	After  string
	// Details is an optional small JSON object with context (a reason, a
	// list version, the public keys of a key rotation). It is stored in
	// canonical form; an empty object is the same as none.
	Details json.RawMessage
}

// Validate reports the first field of r that cannot be logged, as an
// *InputError. Details is checked when it is encoded (see Canonical).
func (r *Record) Validate() error {
	switch {
	case r.Seq < 0:
		return inputErrorf("seq", "must not be negative")
	case r.Time.IsZero():
		return inputErrorf("time", "is required")
	case r.Time.UTC().Year() > 9999 || r.Time.UTC().Year() < 1:
		return inputErrorf("time", "year %d out of range", r.Time.UTC().Year())
	case r.Action == "":
		return inputErrorf("action", "is required")
	case r.ObjectType == "":
		return inputErrorf("object_type", "is required")
	case !isDigest(r.Before):
		return inputErrorf("before", "must be empty or a lowercase hex SHA-256 digest")
	case !isDigest(r.After):
		return inputErrorf("after", "must be empty or a lowercase hex SHA-256 digest")
	}
	for _, f := range [...]struct{ name, v string }{
		{"action", r.Action}, {"object_type", r.ObjectType}, {"object_id", r.ObjectID},
		{"actor.user_id", r.Actor.UserID}, {"actor.org_id", r.Actor.OrgID}, {"actor.token_id", r.Actor.TokenID},
	} {
		if !utf8.ValidString(f.v) {
			return inputErrorf(f.name, "is not valid UTF-8")
		}
	}
	return nil
}

func isDigest(s string) bool {
	if s == "" {
		return true
	}
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Canonical returns the canonical JSON encoding of r: one line of UTF-8,
// keys sorted, no insignificant whitespace, empty fields omitted, strings
// escaped as encoding/json escapes them without HTML escaping, Time in
// TimeFormat. Details is re-encoded in the same canonical form. It returns
// an *InputError when r is not valid (see Validate) or too large.
func (r *Record) Canonical() ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var details []byte
	if d := r.Details; len(d) > 0 {
		if n, err := canonicalValue(d, 0); err != nil || n != len(d) || d[0] != '{' {
			if d, err = canonicalObject(d); err != nil {
				return nil, inputErrorf("details", "%v", err)
			}
		}
		if !bytes.Equal(d, []byte("{}")) {
			details = d
		}
	}
	b := make([]byte, 0, 320+len(details))
	b = append(b, '{')
	b = appendField(b, "action", r.Action, false)
	if r.Actor != (Actor{}) {
		b = append(b, `,"actor":{`...)
		first := true
		for _, f := range [...][2]string{{"org_id", r.Actor.OrgID}, {"token_id", r.Actor.TokenID}, {"user_id", r.Actor.UserID}} {
			if f[1] != "" {
				b = appendField(b, f[0], f[1], !first)
				first = false
			}
		}
		b = append(b, '}')
	}
	b = appendField(b, "after", r.After, true)
	b = appendField(b, "before", r.Before, true)
	if details != nil {
		b = append(b, `,"details":`...)
		b = append(b, details...)
	}
	b = appendField(b, "object_id", r.ObjectID, true)
	b = appendField(b, "object_type", r.ObjectType, true)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, r.Seq, 10)
	b = append(b, `,"time":"`...)
	b = r.Time.UTC().AppendFormat(b, TimeFormat)
	b = append(b, `"}`...)
	if len(b) > MaxRecordSize {
		return nil, inputErrorf("record", "%d bytes encoded, more than %d", len(b), MaxRecordSize)
	}
	return b, nil
}

// appendField appends "key":"v" (preceded by a comma when comma is set),
// or nothing when v is empty and comma is set (an optional field).
func appendField(b []byte, key, v string, comma bool) []byte {
	if v == "" && comma {
		return b
	}
	if comma {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `":`...)
	return appendString(b, v)
}

// LeafHash returns the RFC 6962 leaf hash of a canonical record encoding:
// the hash under which the record enters the tree.
func LeafHash(canonical []byte) tlog.Hash {
	return tlog.RecordHash(canonical)
}

// wireRecord is the JSON shape of a canonical record, for decoding.
type wireRecord struct {
	Action     string          `json:"action"`
	Actor      Actor           `json:"actor"`
	After      string          `json:"after"`
	Before     string          `json:"before"`
	Details    json.RawMessage `json:"details"`
	ObjectID   string          `json:"object_id"`
	ObjectType string          `json:"object_type"`
	Seq        int64           `json:"seq"`
	Time       string          `json:"time"`
}

// ParseRecord decodes one canonical record encoding (without the newline
// that ends it in a bundle). It accepts only the canonical form: any other
// spelling of the same record (reordered keys, whitespace, another time
// format, unknown fields) returns an *InputError, so that every accepted
// line is exactly the bytes that were hashed into the tree.
func ParseRecord(line []byte) (Record, error) {
	if len(line) > MaxRecordSize {
		return Record{}, inputErrorf("record", "%d bytes, more than %d", len(line), MaxRecordSize)
	}
	// The scanner handles canonical lines fast; whatever it rejects is
	// decided (and explained) by decoding with encoding/json.
	if r, ok := scanRecord(line); ok {
		if canon, err := r.Canonical(); err == nil && bytes.Equal(canon, line) {
			return r, nil
		}
	}
	return parseRecordJSON(line)
}

// parseRecordJSON is ParseRecord by way of encoding/json.
func parseRecordJSON(line []byte) (Record, error) {
	var w wireRecord
	if err := json.Unmarshal(line, &w); err != nil {
		return Record{}, inputErrorf("record", "not a JSON record: %v", err)
	}
	t, err := time.Parse(TimeFormat, w.Time)
	if err != nil {
		return Record{}, inputErrorf("time", "not in the form %s", TimeFormat)
	}
	r := Record{
		Seq: w.Seq, Time: t, Actor: w.Actor, Action: w.Action,
		ObjectType: w.ObjectType, ObjectID: w.ObjectID,
		Before: w.Before, After: w.After,
	}
	if len(w.Details) > 0 {
		r.Details = w.Details
	}
	canon, err := r.Canonical()
	if err != nil {
		return Record{}, err
	}
	if !bytes.Equal(canon, line) {
		return Record{}, inputErrorf("record", "not in canonical form")
	}
	return r, nil
}
