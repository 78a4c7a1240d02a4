package tollgate

import (
	"testing"
	"time"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name      string
		s         string
		text, one bool // accepted by CheckText, by CheckLine
	}{
		{"OK", "Nvidia Corporation", true, true},
		{"OKUnicode", "華為技術有限公司 Ünïcödé", true, true},
		{"OKMultiline", "line one\nline two\r\n\tindented", true, false},
		{"ErrNUL", "Acme\x00Ltd", false, false},
		{"ErrBEL", "Acme\aLtd", false, false},
		{"ErrESC", "\x1b[31mRed Ltd", false, false},
		{"ErrDEL", "Acme\x7f", false, false},
		{"ErrC1CSI", "Acme\u009b31m", false, false},
		{"ErrInvalidUTF8", "Acme\xff", false, false},
		{"ErrReplacement", "Acme\ufffd", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckText("f", tt.s) == nil; got != tt.text {
				t.Errorf("CheckText(%q) accepted: got %t, want %t", tt.s, got, tt.text)
			}
			if got := CheckLine("f", tt.s) == nil; got != tt.one {
				t.Errorf("CheckLine(%q) accepted: got %t, want %t", tt.s, got, tt.one)
			}
		})
	}
	if err := CheckText("legal_name", "a\x1bb"); err == nil || ErrorCode(err) != EINVALID || err.(*Error).Field != "legal_name" {
		t.Errorf("CheckText: got %v, want EINVALID naming legal_name", err)
	}
}

func TestHasVisible(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"A", true},
		{"\u200b\u200c\u200d\ufeff", false}, // zero-width space, joiners, BOM
		{"\u3164\u115f", false},             // Hangul fillers
		{"\u00a0\u2003 ", false},            // no-break and em spaces
		{"\u202e\u2066", false},             // bidirectional controls
		{"\ufe0f", false},                   // variation selector
		{"\u200bX\u200b", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := HasVisible(tt.s); got != tt.want {
			t.Errorf("HasVisible(%q): got %t, want %t", tt.s, got, tt.want)
		}
	}
}

func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"Acme", "a\x00b", "\u200b", "\xff", "\ufffd", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		textErr, lineErr := CheckText("f", s), CheckLine("f", s)
		if textErr != nil && lineErr == nil {
			t.Fatalf("%q: CheckLine accepts what CheckText refuses (%v)", s, textErr)
		}
		if lineErr == nil {
			for _, r := range s {
				if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0xfffd {
					t.Fatalf("%q: CheckLine accepted U+%04X", s, r)
				}
			}
		}
		if err := validateNameField("name", s, true); err == nil && !HasVisible(s) {
			t.Fatalf("%q: a name with nothing visible accepted", s)
		}
	})
}

func TestIsCountryCode(t *testing.T) {
	for _, c := range []string{"US", "CN", "HK", "MO", "TW", "KP", "XK", "AN", "SS"} {
		if !IsCountryCode(c) {
			t.Errorf("IsCountryCode(%q): got false, want true", c)
		}
	}
	for _, c := range []string{"ZZ", "AA", "XX", "UK", "EU", "us", "USA", "", "U"} {
		if IsCountryCode(c) {
			t.Errorf("IsCountryCode(%q): got true, want false", c)
		}
	}
	if n := len(countryCodes); n != 251 {
		t.Errorf("%d codes, want 249 ISO 3166-1 codes and 2 of the lists", n)
	}
}

func TestCheckDate(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	now := day("2026-02-01")
	tests := []struct {
		name      string
		d         time.Time
		ok, okNow bool // CheckDate, CheckPastDate as of now
	}{
		{"OK", day("2026-01-20"), true, true},
		{"OKZero", time.Time{}, true, true},
		{"OKEarliest", EarliestDate, true, true},
		{"OKTomorrow", day("2026-02-02"), true, true},
		{"ErrYearZero", day("0000-01-01"), false, false},
		{"ErrBeforeEarliest", day("1999-12-31"), false, false},
		{"ErrLatest", LatestDate, false, false},
		{"ErrFuture", day("2026-02-03"), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckDate("shipped_on", tt.d) == nil; got != tt.ok {
				t.Errorf("CheckDate(%s) accepted: got %t, want %t", tt.d, got, tt.ok)
			}
			if got := CheckPastDate("shipped_on", tt.d, now) == nil; got != tt.okNow {
				t.Errorf("CheckPastDate(%s) accepted: got %t, want %t", tt.d, got, tt.okNow)
			}
		})
	}
}

func TestCheckUnitsAndCents(t *testing.T) {
	for _, n := range []int64{1, MaxUnits} {
		if err := CheckUnits("units", n); err != nil {
			t.Errorf("CheckUnits(%d): %v", n, err)
		}
	}
	for _, n := range []int64{0, -1, MaxUnits + 1, 1<<63 - 1} {
		if err := CheckUnits("units", n); err == nil || err.Field != "units" {
			t.Errorf("CheckUnits(%d): got %v, want an error naming units", n, err)
		}
	}
	for _, n := range []int64{0, MaxCents + 1, 1<<63 - 1} {
		if err := CheckCents("value_cents", n); err == nil || err.Field != "value_cents" {
			t.Errorf("CheckCents(%d): got %v, want an error naming value_cents", n, err)
		}
	}
}
