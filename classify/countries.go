package classify

import (
	"slices"
	"strings"
	"time"

	"tollgate"
)

// CountryGroups is the membership of the EAR country groups classify needs
// (15 CFR part 740, Supplement No. 1) as dated data: Members is the
// membership in force from the Rule's Effective date, and Changes are the
// later changes, each with its own date and citation. A decision as of a
// date uses the membership in force on it (AsOf).
type CountryGroups struct {
	Rule
	Members map[string][]string // group ("D:1") → ISO 3166-1 alpha-2 codes
	Changes []GroupChange
}

// GroupChange is one dated, cited change of a country group: Add joins
// countries to Group on Effective, Remove takes them out.
type GroupChange struct {
	Rule
	Group       string
	Add, Remove []string
}

// Concerns reports whether the change adds or removes cc.
func (c GroupChange) Concerns(cc string) bool {
	return slices.Contains(c.Add, cc) || slices.Contains(c.Remove, cc)
}

// Membership is the country groups in force on one date.
type Membership struct {
	Date    time.Time
	members map[string][]string
	// Modelled is false when Date precedes the baseline: memberships
	// before it are not modelled and may have differed.
	Modelled bool
}

// AsOf returns the membership in force on date: the baseline with every
// change effective on or before date applied, in date order.
func (g CountryGroups) AsOf(date time.Time) Membership {
	m := Membership{Date: date, members: make(map[string][]string, len(g.Members)), Modelled: g.InForce(date)}
	for group, cc := range g.Members {
		m.members[group] = slices.Clone(cc)
	}
	changes := slices.Clone(g.Changes)
	slices.SortStableFunc(changes, func(a, b GroupChange) int { return a.Effective.Compare(b.Effective) })
	for _, c := range changes {
		if !c.InForce(date) {
			continue
		}
		members := slices.DeleteFunc(m.members[c.Group], func(cc string) bool { return slices.Contains(c.Remove, cc) })
		for _, cc := range c.Add {
			if !slices.Contains(members, cc) {
				members = append(members, cc)
			}
		}
		m.members[c.Group] = members
	}
	return m
}

// In reports whether country cc is a member of group.
func (m Membership) In(group, cc string) bool {
	return slices.Contains(m.members[group], cc)
}

// InAny reports whether cc is a member of any of groups.
func (m Membership) InAny(groups []string, cc string) bool {
	for _, group := range groups {
		if m.In(group, cc) {
			return true
		}
	}
	return false
}

// Of returns the modelled groups cc belongs to, sorted.
func (m Membership) Of(cc string) []string {
	out := []string{}
	for group, members := range m.members {
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
// the advanced-computing rules use. The baseline is the eCFR of July 2026
// with the changes listed here undone, taken as in force from the first
// modelled 3A090 rule (17 Nov 2023); a change not listed here is not
// modelled. A:5 and A:6 are the strategic-trade-authorization groups; their
// members are excluded from the destination scope.
func defaultCountryGroups() CountryGroups {
	return CountryGroups{
		Rule: Rule{
			ID:    "ear-country-groups",
			Title: "EAR Country Groups A:5, A:6, D:1, D:4, D:5 (baseline)",
			Citation: "15 CFR part 740, Supplement No. 1 (eCFR, July 2026, with the dated changes tollgate models undone); " +
				"taken as in force from 17 Nov 2023; earlier memberships and unlisted changes are not modelled",
			Effective: date("2023-11-17"),
		},
		Members: map[string][]string{
			"D:1": strings.Fields("AM AZ BY CN GE IQ KG KH KP KZ LA LY MD MM MN MO NI RU TJ TM UZ VE VN YE"),
			"D:4": strings.Fields("AE BH BY CN EG IL IQ IR JO KP KW LB LY MO OM PK QA RU SA SY VE YE"),
			"D:5": strings.Fields("AF BY CD CF CN CU ER HT IQ IR KH KP LB LY MM NI RU SD SO SS SY VE ZW"),
			"A:5": strings.Fields("AR AT AU BE BG CA CH CZ DE DK EE ES FI FR GB GR HR HU IE IN IS IT JP KR LT LU LV NL NO NZ PL PT RO SE SI SK TR"),
			"A:6": strings.Fields("AL CY IL MT SG TW ZA"),
		},
		Changes: []GroupChange{{
			Rule: Rule{
				ID:        "d5-cambodia-removed-2026",
				Title:     "Cambodia removed from Country Group D:5",
				Citation:  "BIS rule removing Cambodia from Country Group D:5, effective 3 Feb 2026 (regime.md §9; Federal Register citation unconfirmed)",
				Effective: date("2026-02-03"),
			},
			Group:  "D:5",
			Remove: []string{"KH"},
		}},
	}
}
