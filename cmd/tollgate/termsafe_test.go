package main

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"
	"unicode/utf8"

	_ "modernc.org/sqlite"

	"tollgate/api/apitest"
)

func TestTermSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nvidia Corporation\tUS\n", "Nvidia Corporation\tUS\n"},
		{"华为技术有限公司", "华为技术有限公司"},
		{"\x1b[2J\x1b]0;pwned\x07Acme", `\x1b[2J\x1b]0;pwned\x07Acme`},
		{"A\x00B\x7f", `A\x00B\x7f`},
		{"C1 \u009b31m", `C1 \u009b31m`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`},
		{"bad \xff\xfe", `bad \xff\xfe`},
		{"cr\r", `cr\x0d`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if _, err := (termSafe{&b}).Write([]byte(tt.in)); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != tt.want {
			t.Errorf("termSafe(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPartiesTableEscapes writes a party name with terminal escapes
// straight into the database, past every input rule, and checks that
// `tollgate parties` prints it escaped.
func TestPartiesTableEscapes(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	out, err := partiesCLI(t, dsn, "orgs", "add", "--kind", "exporter", "--name", "Escape Exporter", "--country", "US", "--json")
	if err != nil {
		t.Fatal(err)
	}
	orgID := between(out, `"id": "`, `"`)
	if _, err := partiesCLI(t, dsn, "parties", "add", "--org-id", orgID, "--role", "end_user", "--legal-name", "Plain Ltd", "--country", "SG"); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), `UPDATE parties SET legal_name = ?`, "\x1b[31mRed\x07 Ltd\u009b"); err != nil {
		t.Fatal(err)
	}
	out, err = partiesCLI(t, dsn, "parties")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out, "\x1b\x07\u009b") || !strings.Contains(out, `\x1b[31mRed\x07 Ltd\u009b`) || !utf8.ValidString(out) {
		t.Errorf("parties table:\n%q", out)
	}
}

// between returns the text of s after the first from and before the next to.
func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}

func FuzzTermSafe(f *testing.F) {
	for _, s := range []string{"a\x1bb", "\u009b", "\xff", "华", "\u202e", "a\tb\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		var b bytes.Buffer
		if _, err := (termSafe{&b}).Write(p); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !utf8.ValidString(out) {
			t.Fatalf("%q: output %q is not UTF-8", p, out)
		}
		for _, r := range out {
			if (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("%q: output %q holds U+%04X", p, out, r)
			}
		}
	})
}

// TestCLIRefusesHostileText checks that the CLI takes text by the same
// rules as the API: a name with an escape sequence, a name of invisible
// characters and an unassigned country are refused, naming the flag, and
// nothing is stored.
func TestCLIRefusesHostileText(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	out, err := partiesCLI(t, dsn, "orgs", "add", "--kind", "exporter", "--name", "CLI Exporter", "--country", "US", "--json")
	if err != nil {
		t.Fatal(err)
	}
	orgID := between(out, `"id": "`, `"`)
	for _, tt := range []struct {
		args  []string
		field string
	}{
		{[]string{"--legal-name", "\x1b[31mRed Ltd", "--country", "SG"}, "--legal-name"},
		{[]string{"--legal-name", "\u200b\u2060", "--country", "SG"}, "--legal-name"},
		{[]string{"--legal-name", "Plain Ltd", "--country", "ZZ"}, "--country"},
	} {
		args := append([]string{"parties", "add", "--org-id", orgID, "--role", "end_user"}, tt.args...)
		if _, err := partiesCLI(t, dsn, args...); err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%q: %v, want a refusal naming %s", tt.args, err, tt.field)
		}
	}
	if out, err := partiesCLI(t, dsn, "parties", "--json"); err != nil || strings.Contains(out, "legal_name") {
		t.Errorf("parties stored from refused input: %s (%v)", out, err)
	}
}
