package tollgate

import "testing"

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
