package auditlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// CanonicalJSON returns the canonical JSON encoding of v: v is marshaled
// with encoding/json, decoded again (numbers kept as written) and re-encoded
// with object keys sorted, no whitespace and no HTML escaping. Two values
// with the same JSON content have the same canonical encoding whatever the
// order of their struct fields or map insertions.
func CanonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("auditlog.CanonicalJSON: %w", err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	// Fast path: encoding/json's output is canonical already but for the
	// order of struct fields; sort them. Anything else takes the decode
	// and re-encode below.
	out := make([]byte, 0, len(b))
	if n, err := sortedValue(&out, b, 0); err == nil && n == len(b) {
		return out, nil
	}
	c, err := canonicalize(b)
	if err != nil {
		return nil, fmt.Errorf("auditlog.CanonicalJSON: %w", err)
	}
	return c, nil
}

// Digest returns the lowercase hex SHA-256 of v's canonical JSON encoding:
// the form of a Record's Before and After fields.
func Digest(v any) (string, error) {
	b, err := CanonicalJSON(v)
	if err != nil {
		return "", fmt.Errorf("auditlog.Digest: %w", err)
	}
	return DigestCanonical(b), nil
}

// DigestCanonical returns the digest of a value whose canonical JSON
// encoding (CanonicalJSON) is canonical: what Digest returns for it.
func DigestCanonical(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

// canonicalObject returns the canonical encoding of a JSON object, or an
// error when data is not exactly one JSON object.
func canonicalObject(data []byte) ([]byte, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, errors.New("must be a JSON object")
	}
	return canonicalize(data)
}

// canonicalize decodes one JSON value and re-encodes it canonically.
func canonicalize(data []byte) ([]byte, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after JSON value")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped exactly as encoding/json
// escapes it with HTML escaping off, so that a record's own fields and its
// Details follow the same rules. s must be valid UTF-8 (Validate checks).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			// encoding/json escapes these so that its output is valid JavaScript.
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
