package store

import (
	"database/sql/driver"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"tollgate"
)

// newID returns a new sortable unique id: a UUIDv7, whose text order is
// creation order.
func newID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// validID reports whether s is an id the store could have made: a UUID in
// canonical lower-case text. Looking up anything else is ENOTFOUND without
// a query (PostgreSQL would reject it as a uuid).
func validID(s string) bool {
	if len(s) != 36 || strings.ToLower(s) != s {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// encodeCursor makes an opaque page cursor from the last key of a page.
func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// decodeCursor returns the key a cursor holds ("" for no cursor), checking
// it with valid.
func decodeCursor(cursor string, valid func(string) bool) (string, error) {
	if cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	// Only the exact text encodeCursor makes is a cursor (the decoder
	// skips newlines, for one).
	if err != nil || !valid(string(b)) || encodeCursor(string(b)) != cursor {
		return "", tollgate.FieldErrorf("cursor", "not a cursor this list returned")
	}
	return string(b), nil
}

// pageLimit checks a requested page size; 0 means the default.
func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return tollgate.DefaultPageLimit, nil
	case limit < 0 || limit > tollgate.MaxPageLimit:
		return 0, tollgate.FieldErrorf("limit", "must be between 1 and %d; got %d", tollgate.MaxPageLimit, limit)
	}
	return limit, nil
}

// timeColumn scans a timestamp column of either dialect: PostgreSQL returns
// time.Time, SQLite the text written by encodeTime. NULL scans as the zero
// time.
type timeColumn struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeColumn) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T into a time", src)
	}
	return nil
}

func (c timeColumn) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad timestamp %q: %w", s, err)
	}
	*c.t = t.UTC()
	return nil
}

// nullTime returns the value for a nullable timestamp column: NULL for the
// zero time.
func (tx *Tx) nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return tx.d.encodeTime(t)
}

// jsonColumn scans a JSON document stored as text into v.
type jsonColumn struct{ v any }

// Scan implements sql.Scanner.
func (c jsonColumn) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("store: cannot scan %T as JSON", src)
	}
	return json.Unmarshal(b, c.v)
}

// jsonValue encodes v as JSON text for a column; nil slices and maps
// become [] and {} so that columns never hold null.
type jsonValue struct{ v any }

// Value implements driver.Valuer.
func (j jsonValue) Value() (driver.Value, error) {
	b, err := json.Marshal(j.v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// nonNil returns s, or an empty slice when s is nil, so it encodes as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
