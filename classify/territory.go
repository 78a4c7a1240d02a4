package classify

import (
	"slices"
	"strings"
)

// Territory is a set of destinations that the rules name as one, such as
// the H200 rule's "China or Macau", as cited data: every rule and every
// count that speaks of the territory uses this one definition.
type Territory struct {
	Rule
	// Members are the destinations (ISO 3166-1 alpha-2) in the territory.
	Members []string
	// TreatAs maps a member to the destination whose country-group
	// memberships it takes (Hong Kong → CN).
	TreatAs map[string]string
}

// Contains reports whether cc is in the territory.
func (t Territory) Contains(cc string) bool { return slices.Contains(t.Members, cc) }

// Codes returns a copy of the territory's members.
func (t Territory) Codes() []string { return slices.Clone(t.Members) }

// String renders the members as "CN/HK/MO".
func (t Territory) String() string { return strings.Join(t.Members, "/") }

// chinaOrMacau is what the advanced-computing rules, the H200 rule and its
// 50% cap call "China or Macau". Hong Kong is China for the EAR: BIS
// suspended its separate treatment (license exceptions) from 31 Jul 2020
// and removed it as a separate destination on 23 Dec 2020 (regime.md §9).
func chinaOrMacau() Territory {
	return Territory{
		Rule: Rule{
			ID:    "china-or-macau",
			Title: "\"China or Macau\": the People's Republic of China, Hong Kong included, and Macau",
			Citation: "BIS, Removal of Hong Kong as a Separate Destination under the EAR, 85 FR 83765 (23 Dec 2020); " +
				"Revision to the EAR: Suspension of License Exceptions for Hong Kong, 85 FR 45998 (31 Jul 2020)",
			Effective: date("2020-12-23"),
		},
		Members: []string{"CN", "HK", "MO"},
		TreatAs: map[string]string{"HK": "CN"},
	}
}

// ChinaOrMacau returns the destinations the default rulebook counts as
// "China or Macau" (CN, HK, MO): the one definition that classification,
// the application prechecks, the 50% cap and the reports share.
func ChinaOrMacau() []string { return chinaOrMacau().Codes() }

// IsChinaOrMacau reports whether cc (upper case) is in ChinaOrMacau.
func IsChinaOrMacau(cc string) bool { return chinaOrMacau().Contains(cc) }
