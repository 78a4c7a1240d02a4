package classify_test

import (
	"slices"
	"strings"
	"testing"

	"tollgate"
	"tollgate/classify"
)

// points returns the undetermined points of c with their assumptions.
func points(c tollgate.Classification) []string {
	out := []string{}
	for _, u := range c.Undetermined {
		out = append(out, u.Point+"="+u.Assumed+"("+strings.Join(u.Missing, ",")+")")
	}
	return out
}

// TestUnknownFiguresFailClosed: a figure that could change the outcome and
// is unknown never clears a chip; the result names what it cannot decide
// and applies the most restrictive outcome the unknown allows.
func TestUnknownFiguresFailClosed(t *testing.T) {
	noPeaks := func(c *tollgate.Chip) { c.Peaks = nil }
	tests := []struct {
		name    string
		chip    tollgate.Chip
		edit    func(*tollgate.Chip)
		to, hq  string
		eccn    string
		policy  tollgate.ReviewPolicy
		band    int
		nac     bool
		points  []string
		because string
	}{
		// Available in the US: as 3A090.a the H200 rule covers it.
		{"DieUnknownH20Class", testChip(2368, 0, 1000, true), nil, "CN", "", "3A090.a", tollgate.PolicyCaseByCase, 0, false,
			[]string{"eccn=3A090.a(die_area_mm2)"}, "3A090.a assumed"},
		{"DieUnknownAtTPP1600", testChip(1600, 0, 768, true), func(c *tollgate.Chip) { c.USAvailable = "" }, "CN", "", "3A090.a", tollgate.PolicyPresumptionOfDenial, 0, false,
			[]string{"eccn=3A090.a(die_area_mm2)"}, "could be 3A090.a (PD >= 5.92), 3A090.b"},
		{"DieUnknownSystem", testChip(2368, 0, 1000, true), nil, "", "", "3A090.a", "", 0, false,
			[]string{"eccn=3A090.a(die_area_mm2)"}, ""},
		{"DieUnknownBelowEveryThreshold", testChip(1599, 0, 1000, true), func(c *tollgate.Chip) { c.InterconnectBandwidthGBps = 64 }, "CN", "", "", tollgate.PolicyNoLicenseRequired, 0, false,
			[]string{}, "below every 3A090 threshold"},
		{"TPPUnknown", h200Like(), noPeaks, "CN", "", "3A090.a", tollgate.PolicyPresumptionOfDenial, 1, false,
			[]string{"eccn=3A090.a(peaks)", "h200_rule=presumption_of_denial(peaks)", "section232_band=band 1(peaks)"}, "TPP unknown"},
		{"TPPUnknownNotDataCenter", testChip(1000, 0, 1000, false), noPeaks, "CN", "", "3A090.a", tollgate.PolicyPresumptionOfDenial, 0, true,
			[]string{"eccn=3A090.a(peaks)", "h200_rule=presumption_of_denial(peaks)"}, "TPP unknown"},
		{"DRAMUnknownH200Class", h200Like(), func(c *tollgate.Chip) { c.DRAMBandwidthGBps = 0 }, "CN", "", "3A090.a", tollgate.PolicyPresumptionOfDenial, 1, false,
			[]string{"h200_rule=presumption_of_denial(dram_bandwidth_gbps)", "section232_band=band 1(dram_bandwidth_gbps)"}, "cannot be checked (DRAM bandwidth unknown)"},
		{"DRAMUnknownButTPPOverLimit", testChip(36000, 0, 0, true), nil, "CN", "", "3A090.a", tollgate.PolicyPresumptionOfDenial, 0, false,
			[]string{}, "TPP 36,000 >= 21,000"},
		{"DRAMUnknownOutsideBandTPP", testChip(12000, 800, 0, true), nil, "DE", "", "3A090.a", tollgate.PolicyNoLicenseRequired, 0, false,
			[]string{}, "in no Section 232 band"},
		{"DRAMUnknownBand2TPP", testChip(20919.2, 0, 0, true), nil, "", "", "3A090.a", "", 2, false,
			[]string{"section232_band=band 2(dram_bandwidth_gbps)"}, "band 2 assumed"},
		{"InterconnectUnknownLetter", testChip(1000, 0, 1000, true), nil, "CN", "", "", tollgate.PolicyCaseByCase, 0, false,
			[]string{"h20_letter=license required(interconnect_bandwidth_gbps)"}, "interconnect bandwidth unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chip := tt.chip
			if tt.edit != nil {
				tt.edit(&chip)
			}
			system := tt.name == "DieUnknownSystem"
			c := mustClassify(t, classify.Request{Chip: chip, To: tt.to, HQ: tt.hq, System: system})
			want := tt.eccn
			if system {
				want = "4A090.a"
				tt.points = []string{"eccn=4A090.a(die_area_mm2)"}
			}
			if c.ECCN != want || c.Controlled != (want != "") {
				t.Errorf("ECCN %q (controlled %t), want %q", c.ECCN, c.Controlled, want)
			}
			if tt.to != "" && c.Destination.ReviewPolicy != tt.policy {
				t.Errorf("policy %s, want %s", c.Destination.ReviewPolicy, tt.policy)
			}
			if c.Tariff.Band != tt.band || c.Tariff.Assumed != (tt.band > 0 && slices.ContainsFunc(c.Undetermined, func(u tollgate.Undetermined) bool { return u.Point == tollgate.UndeterminedSection232 })) {
				t.Errorf("band %d (assumed %t), want %d", c.Tariff.Band, c.Tariff.Assumed, tt.band)
			}
			if tt.band > 0 && c.Tariff.Heading != "9903.79.01" {
				t.Errorf("heading %s, want the duty heading 9903.79.01", c.Tariff.Heading)
			}
			if got := points(c); !slices.Equal(got, tt.points) {
				t.Errorf("undetermined %q, want %q", got, tt.points)
			}
			if c.Determined() != (len(tt.points) == 0) {
				t.Errorf("Determined() = %t with %d points", c.Determined(), len(tt.points))
			}
			if tt.to != "" {
				for _, le := range c.LicenseExceptions {
					if le.Name == "NAC" && le.Eligible != tt.nac {
						t.Errorf("NAC eligible %t, want %t (%s)", le.Eligible, tt.nac, le.Reason)
					}
				}
			}
			if tt.because != "" && !containsReason(c, tt.because) {
				t.Errorf("no reason mentions %q:\n%s", tt.because, strings.Join(c.Reasons, "\n"))
			}
		})
	}
}

// TestH20LetterCriterion: the April 2025 letter reaches any chip at or
// above the H20's DRAM (4,000 GB/s) or interconnect (900 GB/s) bandwidth,
// whatever its name, from 9 Apr 2025, for China or Macau, D:5 and end
// users headquartered there.
func TestH20LetterCriterion(t *testing.T) {
	chip := func(dram, ic float64) tollgate.Chip {
		c := testChip(2368, 2000, dram, true) // PD 1.18: below 3A090
		c.Model, c.InterconnectBandwidthGBps = "Z9 (H20E class)", ic
		return c
	}
	tests := []struct {
		name         string
		chip         tollgate.Chip
		to, hq, asOf string
		license      bool
		want         tollgate.ReviewPolicy
		because      string
	}{
		{"DRAMAtH20", chip(4000, 64), "CN", "", "2025-04-09", true, tollgate.PolicyCaseByCase, "DRAM bandwidth 4,000 >= 4,000 GB/s"},
		{"InterconnectAtH20", chip(3999, 900), "HK", "", "2025-04-09", true, tollgate.PolicyCaseByCase, "interconnect bandwidth 900 >= 900 GB/s"},
		{"BothBelow", chip(3999, 899), "CN", "", "2025-04-09", false, tollgate.PolicyNoLicenseRequired, "does not reach"},
		{"DayBeforeLetter", chip(4000, 900), "CN", "", "2025-04-08", false, tollgate.PolicyNoLicenseRequired, "not in force on 2025-04-08"},
		{"D5", chip(4000, 900), "RU", "", "2025-12-01", true, tollgate.PolicyPresumptionOfDenial, "reviewed under presumption of denial"},
		{"ChinaHQInGermany", chip(4000, 900), "DE", "CN", "2025-12-01", true, tollgate.PolicyPresumptionOfDenial, "an end user headquartered in CN"},
		{"ChinaHQInUS", chip(4000, 900), "US", "CN", "2025-12-01", false, tollgate.PolicyNoLicenseRequired, "not an export"},
		{"Germany", chip(4000, 900), "DE", "", "2025-12-01", false, tollgate.PolicyNoLicenseRequired, "not controlled"},
		{"CambodiaInD5", chip(4000, 900), "KH", "", "2025-12-01", true, tollgate.PolicyPresumptionOfDenial, "BIS letter"},
		{"CambodiaAfterD5", chip(4000, 900), "KH", "", "2026-03-01", false, tollgate.PolicyNoLicenseRequired, "not controlled"},
		{"InterconnectUnknown", chip(3999, 0), "CN", "", "2025-12-01", true, tollgate.PolicyCaseByCase, "license required assumed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustClassify(t, classify.Request{Chip: tt.chip, To: tt.to, HQ: tt.hq, AsOf: day(tt.asOf)})
			if c.ECCN != "" {
				t.Fatalf("ECCN %q, want below 3A090", c.ECCN)
			}
			if d := c.Destination; d.LicenseRequired != tt.license || d.ReviewPolicy != tt.want {
				t.Errorf("license %t, policy %s; want %t, %s", d.LicenseRequired, d.ReviewPolicy, tt.license, tt.want)
			}
			if !containsReason(c, tt.because) {
				t.Errorf("no reason mentions %q:\n%s", tt.because, strings.Join(c.Reasons, "\n"))
			}
		})
	}
}

// TestCountryGroupsAsOf: memberships are dated; each date sees the groups
// in force on it, and the change is cited.
func TestCountryGroupsAsOf(t *testing.T) {
	g := classify.Default().Groups
	tests := []struct {
		date string
		want []string
	}{
		{"2025-12-01", []string{"D:1", "D:5"}},
		{"2026-02-02", []string{"D:1", "D:5"}},
		{"2026-02-03", []string{"D:1"}},
		{"2026-03-01", []string{"D:1"}},
	}
	for _, tt := range tests {
		if got := g.AsOf(day(tt.date)).Of("KH"); !slices.Equal(got, tt.want) {
			t.Errorf("KH on %s: %v, want %v", tt.date, got, tt.want)
		}
	}
	if m := g.AsOf(day("2023-01-01")); m.Modelled {
		t.Errorf("2023-01-01 precedes the baseline, want Modelled false")
	}
	for _, ch := range g.Changes {
		if ch.Citation == "" || ch.Effective.IsZero() {
			t.Errorf("change %s has no citation or date", ch.ID)
		}
	}
	c := mustClassify(t, classify.Request{Chip: h200Like(), To: "KH", AsOf: day("2026-03-01")})
	if !slices.ContainsFunc(c.Rules, func(r tollgate.RuleRef) bool { return r.ID == "d5-cambodia-removed-2026" }) {
		t.Errorf("rules %v do not cite Cambodia's removal from D:5", c.Rules)
	}
}

// TestSection232UnknownFigures: an unknown TPP or DRAM bandwidth (0) that
// could place the chip in a band places it there, labelled as assumed.
func TestSection232UnknownFigures(t *testing.T) {
	tests := []struct {
		name    string
		tpp, bw float64
		band    int
		assumed bool
		heading string
	}{
		{"Known", 15832, 4800, 1, false, "9903.79.01"},
		{"BWUnknownBand1TPP", 15832, 0, 1, true, "9903.79.01"},
		{"TPPUnknownBand2BW", 0, 6000, 2, true, "9903.79.01"},
		{"BothUnknown", 0, 0, 1, true, "9903.79.01"},
		{"BWUnknownOutsideEveryBand", 12000, 0, 0, false, "9903.79.02"},
		{"TPPUnknownOutsideEveryBand", 0, 3350, 0, false, "9903.79.02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := classify.Default().Section232(classify.TariffInput{TPP: tt.tpp, DRAMBandwidthGBps: tt.bw, HTS: "8473.30", EntryDate: day("2026-03-01")})
			if err != nil {
				t.Fatal(err)
			}
			if got.Band != tt.band || got.Assumed != tt.assumed || got.Heading != tt.heading {
				t.Errorf("band %d, assumed %t, heading %s; want %d, %t, %s (%q)", got.Band, got.Assumed, got.Heading, tt.band, tt.assumed, tt.heading, got.Reasons)
			}
		})
	}
}
