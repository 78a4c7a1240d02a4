package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSerialsFile feeds arbitrary text to --serials-file: it must give
// serials (then valid or not, never a panic) or a usage error.
func FuzzSerialsFile(f *testing.F) {
	for _, s := range []string{"SN-1\nSN-2\n", "", "\n\n", " a \r\nb", "\x00", strings.Repeat("x", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := &cli{stdin: strings.NewReader(text)}
		u := unitFlags{serialsFile: "-"}
		units, err := u.units(c)
		if err != nil {
			if exitCode(err) != 2 {
				t.Fatalf("not a usage error: %v", err)
			}
			return
		}
		if units.Count != int64(len(units.Serials)) {
			t.Fatalf("count %d for %d serials", units.Count, len(units.Serials))
		}
		for _, s := range units.Serials {
			if s == "" || strings.TrimSpace(s) != s {
				t.Fatalf("serial %q not trimmed", s)
			}
		}
		_ = units.Validate()
	})
}

// FuzzLabKeyFile feeds arbitrary bytes to labs sign --key: a key, or a
// usage error naming --key.
func FuzzLabKeyFile(f *testing.F) {
	for _, s := range []string{"", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "not base64", "AAAA"} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "key")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		priv, err := readLabKey(path)
		if err != nil {
			if exitCode(err) != 2 || !strings.Contains(err.Error(), "--key") {
				t.Fatalf("not a usage error naming --key: %v", err)
			}
			return
		}
		if len(priv) != 64 {
			t.Fatalf("private key of %d bytes", len(priv))
		}
	})
}

// FuzzParseDay checks that a date flag is a date or a usage error.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2026-01-28", "", "2026-13-01", "28/01/2026", "2026-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDay("--date", s)
		switch {
		case err != nil && exitCode(err) != 2:
			t.Fatalf("not a usage error: %v", err)
		case err == nil && s != "" && d.Format("2006-01-02") != s:
			t.Fatalf("%q parsed as %s", s, d)
		}
	})
}
