package store

import (
	"strings"
	"testing"
	"time"
)

func TestParseDSN(t *testing.T) {
	for _, tc := range []struct{ dsn, kind, target string }{
		{"sqlite:/var/lib/tollgate.db", "sqlite", "/var/lib/tollgate.db"},
		{"sqlite:///var/lib/tollgate.db", "sqlite", "/var/lib/tollgate.db"},
		{"sqlite:rel.db", "sqlite", "rel.db"},
		{"/abs/bare.db", "sqlite", "/abs/bare.db"},
		{"postgres://u@h/db?sslmode=disable", "postgres", "postgres://u@h/db?sslmode=disable"},
		{"postgresql://u@h/db", "postgres", "postgresql://u@h/db"},
		{"mysql://h/db", "", ""},
		{"", "", ""},
	} {
		kind, target := parseDSN(tc.dsn)
		if kind != tc.kind || target != tc.target {
			t.Errorf("parseDSN(%q): got %q, %q; want %q, %q", tc.dsn, kind, target, tc.kind, tc.target)
		}
	}
}

func TestRebind(t *testing.T) {
	q := `SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?`
	if got := sqliteDialect.rebind(q); got != q {
		t.Errorf("sqlite rebind: got %q", got)
	}
	if got, want := postgresDialect.rebind(q), `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4`; got != want {
		t.Errorf("postgres rebind: got %q, want %q", got, want)
	}
	if got, want := placeholders(2, 3), "(?, ?, ?), (?, ?, ?)"; got != want {
		t.Errorf("placeholders: got %q, want %q", got, want)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	id := newID()
	got, err := decodeCursor(encodeCursor(id), validID)
	if err != nil || got != id {
		t.Fatalf("decodeCursor(encodeCursor(%q)): got %q, %v", id, got, err)
	}
	if got, err := decodeCursor("", validID); got != "" || err != nil {
		t.Errorf("empty cursor: got %q, %v", got, err)
	}
	for _, bad := range []string{"!!", encodeCursor("not-an-id"), encodeCursor(strings.ToUpper(id))} {
		if _, err := decodeCursor(bad, validID); err == nil {
			t.Errorf("decodeCursor(%q): got nil error", bad)
		}
	}
	if a, b := newID(), newID(); a >= b {
		t.Errorf("ids not increasing: %s then %s", a, b)
	}
}

func TestTimeColumn(t *testing.T) {
	want := time.Date(2026, 1, 15, 10, 30, 0, 123456000, time.UTC)
	for _, src := range []any{want, want.In(time.FixedZone("X", 3600)), sqliteDialect.encodeTime(want), []byte(sqliteDialect.encodeTime(want).(string))} {
		var got time.Time
		if err := (timeColumn{&got}).Scan(src); err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Scan(%v): got %v, %v; want %v UTC", src, got, err, want)
		}
	}
	var zero time.Time
	if err := (timeColumn{&zero}).Scan(nil); err != nil || !zero.IsZero() {
		t.Errorf("Scan(nil): got %v, %v", zero, err)
	}
	if err := (timeColumn{&zero}).Scan("yesterday"); err == nil {
		t.Error("Scan(yesterday): got nil error")
	}
}

// FuzzDecodeCursor: a cursor comes from clients, so any string must either
// decode to a valid key or fail cleanly.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{"", encodeCursor(newID()), encodeCursor("12"), "%%", "MDE", "N0", "M\nzA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		for _, valid := range []func(string) bool{validID, seqCursor} {
			key, err := decodeCursor(cursor, valid)
			if err == nil && key != "" && !valid(key) {
				t.Errorf("decodeCursor(%q) = %q, which is not valid", cursor, key)
			}
			if err == nil && key != "" && encodeCursor(key) != cursor {
				t.Errorf("decodeCursor(%q) = %q, which encodes differently", cursor, key)
			}
		}
	})
}

// FuzzParseDSN: a DSN comes from a flag or the environment.
func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{"sqlite:x.db", "postgres://h/db", "x://y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		kind, target := parseDSN(dsn)
		switch kind {
		case "sqlite":
			if strings.HasPrefix(target, "postgres") && strings.Contains(target, "://") {
				t.Errorf("parseDSN(%q): a postgres URL as a SQLite path", dsn)
			}
		case "postgres":
			if target != dsn {
				t.Errorf("parseDSN(%q): postgres target %q", dsn, target)
			}
		case "":
		default:
			t.Errorf("parseDSN(%q): kind %q", dsn, kind)
		}
	})
}
