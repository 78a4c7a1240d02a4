package classify

import (
	"slices"
	"strings"

	"tollgate"
)

// CountryGroups is the membership of the EAR country groups classify needs
// (15 CFR part 740, Supplement No. 1). Only one snapshot is modelled: Rule's
// Effective is the date of the last change it includes.
type CountryGroups struct {
	Rule
	Members map[string][]string // group ("D:1") → ISO 3166-1 alpha-2 codes
}

// In reports whether country cc is a member of group.
func (g CountryGroups) In(group, cc string) bool {
	return slices.Contains(g.Members[group], cc)
}

// InAny reports whether cc is a member of any of groups.
func (g CountryGroups) InAny(groups []string, cc string) bool {
	for _, group := range groups {
		if g.In(group, cc) {
			return true
		}
	}
	return false
}

// Of returns the modelled groups cc belongs to, sorted.
func (g CountryGroups) Of(cc string) []string {
	out := []string{}
	for group, members := range g.Members {
		if slices.Contains(members, cc) {
			out = append(out, group)
		}
	}
	slices.Sort(out)
	return out
}

// NormalizeCountry upper-cases and checks an ISO 3166-1 alpha-2 code. An
// unknown code is an EINVALID error naming field.
func (rb *Rulebook) NormalizeCountry(field, code string) (string, error) {
	cc := strings.ToUpper(strings.TrimSpace(code))
	if !rb.CountryCodes[cc] {
		return "", tollgate.FieldErrorf(field, "unknown country code %q (want an ISO 3166-1 alpha-2 code such as CN, US, DE)", code)
	}
	return cc, nil
}

// isoAlpha2 lists the officially assigned ISO 3166-1 alpha-2 codes, plus XK
// (Kosovo), which the EAR treats as a destination.
const isoAlpha2 = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS XK YE YT ZA ZM ZW`

func countryCodes() map[string]bool {
	codes := make(map[string]bool)
	for _, cc := range strings.Fields(isoAlpha2) {
		codes[cc] = true
	}
	return codes
}

// defaultCountryGroups is 15 CFR part 740, Supplement No. 1, for the groups
// the advanced-computing rules use. D:1, D:4 and D:5 follow the eCFR as of
// July 2026 (Cambodia left D:5 on 3 Feb 2026; Cyprus is no longer in D:5).
// A:5 and A:6 are the strategic-trade-authorization groups; their members
// are excluded from the destination scope.
func defaultCountryGroups() CountryGroups {
	return CountryGroups{
		Rule: Rule{
			ID:        "ear-country-groups",
			Title:     "EAR Country Groups A:5, A:6, D:1, D:4, D:5 (snapshot)",
			Citation:  "15 CFR part 740, Supplement No. 1 (eCFR, July 2026; Cambodia removed from D:5 by BIS rule of 3 Feb 2026); earlier memberships are not modelled",
			Effective: date("2026-02-03"),
		},
		Members: map[string][]string{
			"D:1": strings.Fields("AM AZ BY CN GE IQ KG KH KP KZ LA LY MD MM MN MO NI RU TJ TM UZ VE VN YE"),
			"D:4": strings.Fields("AE BH BY CN EG IL IQ IR JO KP KW LB LY MO OM PK QA RU SA SY VE YE"),
			"D:5": strings.Fields("AF BY CD CF CN CU ER HT IQ IR KP LB LY MM NI RU SD SO SS SY VE ZW"),
			"A:5": strings.Fields("AR AT AU BE BG CA CH CZ DE DK EE ES FI FR GB GR HR HU IE IN IS IT JP KR LT LU LV NL NO NZ PL PT RO SE SI SK TR"),
			"A:6": strings.Fields("AL CY IL MT SG TW ZA"),
		},
	}
}
