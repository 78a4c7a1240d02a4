package lists

import (
	"testing"
	"unicode/utf8"

	"tollgate"
)

func TestParseAddressLine(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want tollgate.Address
	}{
		{"Room 2104, Jinhui Plaza, No. 16 Dongsi Road, Fushun, Liaoning, 113015, CN",
			tollgate.Address{Street: "Room 2104, Jinhui Plaza, No. 16 Dongsi Road, Fushun", City: "Liaoning", PostalCode: "113015", Country: "CN"}},
		{"Moscow, RU", tollgate.Address{City: "Moscow", Country: "RU"}},
		{"SY", tollgate.Address{Country: "SY"}},
		{"4/5 Fenchurch Buildings, London, EC3M 5HN, GB",
			tollgate.Address{Street: "4/5 Fenchurch Buildings", City: "London", PostalCode: "EC3M 5HN", Country: "GB"}},
		{"45-B, Ahmed Block, Lahore, Pakistan, PK", tollgate.Address{Street: "45-B, Ahmed Block", City: "Lahore", Country: "PK"}},
		{"3708 ASCOT BEND CT., BONITA SPRINGS, FL, 34134",
			tollgate.Address{Street: "3708 ASCOT BEND CT.", City: "BONITA SPRINGS", State: "FL", PostalCode: "34134", Country: "US"}},
		{"Tianfu Road, Chengdu, China 610036", tollgate.Address{Street: "Tianfu Road", City: "Chengdu", PostalCode: "610036", Country: "CN"}},
		{"Somewhere without a country", tollgate.Address{City: "Somewhere without a country"}},
		{" , ,", tollgate.Address{}},
	} {
		if got := parseAddressLine(tt.in); got != tt.want {
			t.Errorf("parseAddressLine(%q)\n got  %+v\n want %+v", tt.in, got, tt.want)
		}
	}
}

func TestSplitCityLine(t *testing.T) {
	for _, tt := range []struct{ in, city, state, postal string }{
		{"Zapopan, Jalisco 45116", "Zapopan", "Jalisco", "45116"},
		{"Liverpool, Merseyside L7 4JQ", "Liverpool", "Merseyside", "L7 4JQ"},
		{"London EC3N 1DY", "London", "", "EC3N 1DY"},
		{"Miami, FL", "Miami", "FL", ""},
		{"Tehran", "Tehran", "", ""},
		{"12345", "", "", "12345"},
		{"", "", "", ""},
	} {
		city, state, postal := splitCityLine(tt.in)
		if city != tt.city || state != tt.state || postal != tt.postal {
			t.Errorf("splitCityLine(%q) = %q, %q, %q; want %q, %q, %q", tt.in, city, state, postal, tt.city, tt.state, tt.postal)
		}
	}
}

func TestNormalizeDates(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"27 Sep 1961", "1961-09-27"}, {"5 mar 1961", "1961-03-05"}, {"Sep 1961", "1961-09"}, {"1961", "1961"},
		{"circa 1961", "circa 1961"}, {"1960 to 1962", "1960 to 1962"}, {"40 Sep 1961", "40 Sep 1961"}, {"", ""},
	} {
		if got := normalizeDMY(tt.in); got != tt.want {
			t.Errorf("normalizeDMY(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"06/19/2003", "2003-06-19", true}, {"6/1/2022", "2022-06-01", true},
		{"13/45/2019", "", false}, {"2003-06-19", "", false}, {"06/19/03", "", false}, {"", "", false},
	} {
		if got, ok := normalizeMDY(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("normalizeMDY(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCleanText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{"  two  spaces \r\n and a break ", "two spaces and a break"},
		{"Jos\xe9 \x93quoted\x94", "José “quoted”"},
		{"ok ü and bad \xff", "ok ü and bad ÿ"},
		{"non\u00a0breaking", "non breaking"},
	} {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseAddressLine(f *testing.F) {
	for _, s := range []string{"a, b, 12345, CN", "China 610036", "x,,,US", "Korea, North", "\xff, \x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := parseAddressLine(s)
		if a.Country != "" && !countryCodes[a.Country] {
			t.Fatalf("country %q is not an ISO code", a.Country)
		}
		for _, part := range []string{a.Street, a.City, a.State, a.PostalCode} {
			if !utf8.ValidString(part) {
				t.Fatalf("invalid UTF-8 %q", part)
			}
		}
		city, state, postal := splitCityLine(s)
		_, _, _ = city, state, postal
		if code, ok := CountryCode(s); ok != (code != "") || (ok && !countryCodes[code]) {
			t.Fatalf("CountryCode(%q) = %q, %v", s, code, ok)
		}
	})
}
