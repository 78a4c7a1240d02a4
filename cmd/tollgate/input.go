package main

import (
	"strings"

	"tollgate"
	"tollgate/screen"
	"tollgate/screen/lists"
)

// countryCode is the one reading of a country given on the command line,
// by every flag that takes one (--country, --to, --hq, --from, --origin,
// --destination, --headquarters-country) and every row of a batch: an ISO
// 3166-1 alpha-2 code in either case ("cn"), or a country name as the
// lists write it ("China", "Korea, North"). Empty stays empty.
func countryCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if len(s) == 2 {
		s = strings.ToUpper(s)
	}
	return lists.CountryCode(s)
}

// parseCountry reads a country flag with countryCode; one that names no
// country is a usage error naming the flag, the same in every command.
func parseCountry(flag string, to *string) error {
	cc, ok := countryCode(*to)
	if !ok {
		return usageErrorf("%s: %q is not a country (want an ISO 3166-1 alpha-2 code such as CN, or a country name such as China)", flag, strings.TrimSpace(*to))
	}
	*to = cc
	return nil
}

// parseCountries applies parseCountry to each flag of a command in turn.
func parseCountries(flags map[string]*string) error {
	for flag, to := range flags {
		if err := parseCountry(flag, to); err != nil {
			return err
		}
	}
	return nil
}

// entityTypeWords lists what every --type accepts, for messages.
const entityTypeWords = "person, org (organization), vessel or aircraft"

// parseEntityType is the one reading of every --type: person, org or
// organization, vessel, aircraft, in any case; empty stays empty (either).
func parseEntityType(flag, s string) (tollgate.EntityType, error) {
	t, err := screen.ParseType(s)
	if err != nil {
		return "", usageErrorf("%s: %q is not %s", flag, strings.TrimSpace(s), entityTypeWords)
	}
	return t, nil
}
