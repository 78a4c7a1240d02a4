package lists

import (
	"testing"

	"tollgate"
)

// TestCountryCodesAreAccepted checks that every code the parsers can give
// a listed entity is one tollgate accepts for a party or an address
// (tollgate.IsCountryCode), so that a country copied from a list entry is
// never refused.
func TestCountryCodesAreAccepted(t *testing.T) {
	for code := range countryCodes {
		if !tollgate.IsCountryCode(code) {
			t.Errorf("the lists' code %q is refused by tollgate.IsCountryCode", code)
		}
	}
}
