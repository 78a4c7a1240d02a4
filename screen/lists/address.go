package lists

import (
	"strings"

	"tollgate"
)

// parseAddressLine reads one address the way the CSL writes it: comma-separated
// parts, most specific first, ending with an ISO country code, e.g.
// "Room 2104, No. 16 Dongsi Road, Fushun, Liaoning, 113015, CN". The last part
// is the country when it is a code or a country name; a part with a digit
// before it is the postal code; a two- or three-letter upper-case part before
// that is a state ("TX"); the next is the city and the rest the street.
func parseAddressLine(s string) tollgate.Address {
	var parts []string
	for p := range strings.SplitSeq(s, ",") {
		if p = cleanText(p); p != "" {
			parts = append(parts, p)
		}
	}
	var a tollgate.Address
	pop := func() string {
		last := parts[len(parts)-1]
		parts = parts[:len(parts)-1]
		return last
	}
	if len(parts) > 0 {
		last := parts[len(parts)-1]
		code, ok := CountryCode(last)
		if !ok {
			// "China 610036": a country name followed by the postal code.
			if i := strings.LastIndexByte(last, ' '); i > 0 && isDigits(last[i+1:]) {
				if code, ok = CountryCode(last[:i]); ok {
					a.PostalCode = last[i+1:]
				}
			}
		}
		if ok {
			a.Country = code
			pop()
			// "Lahore, Pakistan, PK" names the country twice.
			if len(parts) > 0 {
				if again, ok := CountryCode(parts[len(parts)-1]); ok && again == code {
					pop()
				}
			}
		}
	}
	if a.PostalCode == "" && len(parts) > 1 && looksLikePostalCode(parts[len(parts)-1]) {
		a.PostalCode = pop()
	}
	if len(parts) > 1 && looksLikeStateCode(parts[len(parts)-1]) {
		a.State = pop()
	}
	if len(parts) > 0 {
		a.City = pop()
	}
	a.Street = strings.Join(parts, ", ")
	if a.Country == "" && a.PostalCode != "" && usStates[a.State] {
		a.Country = "US"
	}
	return a
}

// splitCityLine reads OFAC's combined "city/state/zip" column, e.g.
// "Zapopan, Jalisco 45116", "London EC3N 1DY" or "Miami, FL": trailing words
// with digits are the postal code, the part before the first comma is the
// city and what lies between is the state or province.
func splitCityLine(s string) (city, state, postal string) {
	words := strings.Fields(s)
	end := len(words)
	for end > 0 && strings.ContainsAny(words[end-1], "0123456789") {
		end--
	}
	postal = strings.Join(words[end:], " ")
	rest := strings.Join(words[:end], " ")
	city, state, _ = strings.Cut(rest, ",")
	return strings.TrimSpace(city), strings.TrimSpace(state), postal
}

// looksLikePostalCode reports whether an address part is a postal code: short,
// with a digit, at most two words.
func looksLikePostalCode(p string) bool {
	return len(p) <= 10 && strings.ContainsAny(p, "0123456789") && strings.Count(p, " ") <= 1
}

// looksLikeStateCode reports whether p is a state abbreviation such as "TX".
func looksLikeStateCode(p string) bool {
	if len(p) < 2 || len(p) > 3 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 'A' || p[i] > 'Z' {
			return false
		}
	}
	return true
}

// addressEmpty reports whether a carries nothing.
func addressEmpty(a tollgate.Address) bool {
	return a == tollgate.Address{}
}

// addCountries appends the codes of addrs to countries, keeping the order
// of first appearance.
func addCountries(countries []string, addrs []tollgate.Address) []string {
	for _, a := range addrs {
		countries = appendUnique(countries, a.Country)
	}
	return countries
}

// usStates are the US state and territory abbreviations: a DPL row with a
// state among these and no country is a US address.
var usStates = func() map[string]bool {
	m := map[string]bool{}
	for s := range strings.FieldsSeq(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS
		MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP`) {
		m[s] = true
	}
	return m
}()
