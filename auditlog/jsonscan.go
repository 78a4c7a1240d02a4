package auditlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"unicode/utf8"
)

// errNotCanonical is returned by the scanners below for input that is not
// canonical JSON (which includes input that is not JSON at all).
var errNotCanonical = errors.New("not canonical JSON")

// maxDepth is encoding/json's nesting limit, which canonicalize inherits:
// the scanner must accept exactly what canonicalize can produce.
const maxDepth = 10000

// canonicalValue scans one canonical JSON value at the start of b and
// returns its length. A value is canonical when canonicalize would return
// it unchanged: no whitespace, object keys unique and sorted bytewise,
// strings escaped as appendString escapes them, valid UTF-8. Numbers are
// kept as written (canonicalize does too), so any JSON number is canonical.
// It lets a verifier check Details without decoding and re-encoding them.
func canonicalValue(b []byte, depth int) (int, error) {
	if len(b) == 0 {
		return 0, errNotCanonical
	}
	switch c := b[0]; {
	case c == '{':
		return canonicalObjectLen(b, depth+1)
	case c == '[':
		if depth+1 > maxDepth {
			return 0, errNotCanonical
		}
		i := 1
		if i < len(b) && b[i] == ']' {
			return i + 1, nil
		}
		for {
			n, err := canonicalValue(b[i:], depth+1)
			if err != nil {
				return 0, err
			}
			i += n
			if i >= len(b) {
				return 0, errNotCanonical
			}
			if b[i] == ']' {
				return i + 1, nil
			}
			if b[i] != ',' {
				return 0, errNotCanonical
			}
			i++
		}
	case c == '"':
		n, _, err := scanString(b)
		return n, err
	case c == '-' || '0' <= c && c <= '9':
		return scanNumber(b)
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(b, []byte(lit)) {
			return len(lit), nil
		}
	}
	return 0, errNotCanonical
}

func canonicalObjectLen(b []byte, depth int) (int, error) {
	if depth > maxDepth {
		return 0, errNotCanonical
	}
	i := 1
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	var prev []byte
	for k := 0; ; k++ {
		if i >= len(b) || b[i] != '"' {
			return 0, errNotCanonical
		}
		n, key, err := scanString(b[i:])
		if err != nil {
			return 0, err
		}
		if k > 0 && bytes.Compare(prev, key) >= 0 {
			return 0, errNotCanonical // unsorted or repeated key
		}
		prev = key
		i += n
		if i >= len(b) || b[i] != ':' {
			return 0, errNotCanonical
		}
		i++
		n, err = canonicalValue(b[i:], depth)
		if err != nil {
			return 0, err
		}
		i += n
		if i >= len(b) {
			return 0, errNotCanonical
		}
		if b[i] == '}' {
			return i + 1, nil
		}
		if b[i] != ',' {
			return 0, errNotCanonical
		}
		i++
	}
}

// scanString scans a JSON string at the start of b, which must be spelled
// as appendString spells its value, and returns its length and its value.
// The value aliases b unless the string has escapes.
func scanString(b []byte) (int, []byte, error) {
	i := 1
	escaped := false
	for {
		if i >= len(b) {
			return 0, nil, errNotCanonical
		}
		c := b[i]
		if c == '"' {
			break
		}
		if c < 0x20 {
			return 0, nil, errNotCanonical
		}
		if c == '\\' {
			escaped = true
			i += 2 // the escaped character; \u's digits are scanned as plain bytes
			continue
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return 0, nil, errNotCanonical
		}
		i += size
	}
	raw := b[:i+1]
	if !escaped {
		return len(raw), raw[1:i], nil
	}
	// Rare: decode the escapes and check they are spelled canonically.
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || !bytes.Equal(appendString(nil, s), raw) || !utf8.ValidString(s) {
		return 0, nil, errNotCanonical
	}
	return len(raw), []byte(s), nil
}

// scanNumber scans a JSON number at the start of b and returns its length.
func scanNumber(b []byte) (int, error) {
	i := 0
	digits := func() int {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return 0, errNotCanonical
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return 0, errNotCanonical
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, errNotCanonical
		}
	}
	return i, nil
}

// sortedValue appends to out the JSON value at the start of b, which is
// canonical but for the order of object keys, with every object's keys
// sorted, and returns its length in b. It is CanonicalJSON's fast path for
// the output of encoding/json, whose struct fields come in declaration
// order: anything else that is not canonical (whitespace, a string spelled
// otherwise, a repeated key) is errNotCanonical, and the caller takes the
// slow path.
func sortedValue(out *[]byte, b []byte, depth int) (int, error) {
	if len(b) == 0 {
		return 0, errNotCanonical
	}
	switch b[0] {
	case '{':
		return sortedObject(out, b, depth+1)
	case '[':
		if depth+1 > maxDepth {
			return 0, errNotCanonical
		}
		*out = append(*out, '[')
		i := 1
		if i < len(b) && b[i] == ']' {
			*out = append(*out, ']')
			return i + 1, nil
		}
		for {
			n, err := sortedValue(out, b[i:], depth+1)
			if err != nil {
				return 0, err
			}
			i += n
			if i >= len(b) || b[i] != ']' && b[i] != ',' {
				return 0, errNotCanonical
			}
			*out = append(*out, b[i])
			if b[i] == ']' {
				return i + 1, nil
			}
			i++
		}
	}
	n, err := canonicalValue(b, depth) // a string, number or literal
	if err != nil {
		return 0, err
	}
	*out = append(*out, b[:n]...)
	return n, nil
}

// member is one key and value of an object, as sortedObject found them:
// raw is the member as it stands in the input (`"key":value`) when its
// value is a string, number or literal; for an object or array it is
// `"key":` and sorted holds the value with its keys sorted.
type member struct{ key, raw, sorted []byte }

func sortedObject(out *[]byte, b []byte, depth int) (int, error) {
	if depth > maxDepth {
		return 0, errNotCanonical
	}
	i := 1
	if i < len(b) && b[i] == '}' {
		*out = append(*out, '{', '}')
		return i + 1, nil
	}
	var room [32]member // most objects: no allocation for their members
	ms := room[:0]
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, errNotCanonical
		}
		start := i
		n, key, err := scanString(b[i:])
		if err != nil {
			return 0, err
		}
		i += n
		if i >= len(b) || b[i] != ':' {
			return 0, errNotCanonical
		}
		i++
		if i < len(b) && (b[i] == '{' || b[i] == '[') {
			var sorted []byte
			if n, err = sortedValue(&sorted, b[i:], depth); err != nil {
				return 0, err
			}
			ms = append(ms, member{key: key, raw: b[start:i], sorted: sorted})
		} else {
			if n, err = canonicalValue(b[i:], depth); err != nil { // a string, number or literal
				return 0, err
			}
			ms = append(ms, member{key: key, raw: b[start : i+n]})
		}
		i += n
		if i >= len(b) || b[i] != '}' && b[i] != ',' {
			return 0, errNotCanonical
		}
		if b[i] == '}' {
			break
		}
		i++
	}
	slices.SortFunc(ms, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	*out = append(*out, '{')
	for k, m := range ms {
		if k > 0 {
			if bytes.Equal(ms[k-1].key, m.key) {
				return 0, errNotCanonical // a repeated key: the slow path keeps the last
			}
			*out = append(*out, ',')
		}
		*out = append(*out, m.raw...)
		*out = append(*out, m.sorted...)
	}
	*out = append(*out, '}')
	return i + 1, nil
}
