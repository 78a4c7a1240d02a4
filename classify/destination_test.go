package classify_test

import (
	"errors"
	"strings"
	"testing"

	"tollgate"
	"tollgate/classify"
)

// h200Like is a data-center chip of the H200's class that the H200 rule
// covers; tests move one figure across a limit.
func h200Like() tollgate.Chip { return testChip(15832, 814, 4800, true) }

func TestH200RuleBoundaries(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*tollgate.Chip)
		asOf  string
		want  tollgate.ReviewPolicy
		cause string // part of the reason when the rule does not apply
	}{
		{"Covered", func(c *tollgate.Chip) {}, "", tollgate.PolicyCaseByCase, ""},
		{"TPP21000Below", func(c *tollgate.Chip) { c.Peaks[0].Value = 20999 }, "", tollgate.PolicyCaseByCase, ""},
		{"TPP21000At", func(c *tollgate.Chip) { c.Peaks[0].Value = 21000 }, "", tollgate.PolicyPresumptionOfDenial, "TPP 21,000 >= 21,000"},
		{"TPP21000Above", func(c *tollgate.Chip) { c.Peaks[0].Value = 21001 }, "", tollgate.PolicyPresumptionOfDenial, "TPP 21,001 >= 21,000"},
		{"BW6500Below", func(c *tollgate.Chip) { c.DRAMBandwidthGBps = 6499 }, "", tollgate.PolicyCaseByCase, ""},
		{"BW6500At", func(c *tollgate.Chip) { c.DRAMBandwidthGBps = 6500 }, "", tollgate.PolicyPresumptionOfDenial, "DRAM bandwidth 6,500 >= 6,500"},
		{"BW6500Above", func(c *tollgate.Chip) { c.DRAMBandwidthGBps = 6501 }, "", tollgate.PolicyPresumptionOfDenial, "DRAM bandwidth 6,501 >= 6,500"},
		{"AvailableDayBefore", func(c *tollgate.Chip) { c.USAvailable = "2026-01-14" }, "", tollgate.PolicyCaseByCase, ""},
		{"AvailableOnPublicationDay", func(c *tollgate.Chip) { c.USAvailable = "2026-01-15" }, "", tollgate.PolicyCaseByCase, ""},
		{"AvailableDayAfter", func(c *tollgate.Chip) { c.USAvailable = "2026-01-16" }, "", tollgate.PolicyPresumptionOfDenial, "available in the US only from 2026-01-16, after the rule's publication on 2026-01-15"},
		{"NeverAvailable", func(c *tollgate.Chip) { c.USAvailable = "" }, "", tollgate.PolicyPresumptionOfDenial, "no known commercial availability"},
		{"DayBeforeRule", func(c *tollgate.Chip) {}, "2026-01-14", tollgate.PolicyPresumptionOfDenial, "not in force on 2026-01-14"},
		{"RuleEffectiveDay", func(c *tollgate.Chip) {}, "2026-01-15", tollgate.PolicyCaseByCase, ""},
		{"December2025", func(c *tollgate.Chip) {}, "2025-12-01", tollgate.PolicyPresumptionOfDenial, "not in force on 2025-12-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chip := h200Like()
			tt.edit(&chip)
			req := classify.Request{Chip: chip, To: "CN"}
			if tt.asOf != "" {
				req.AsOf = day(tt.asOf)
			}
			c := mustClassify(t, req)
			if got := c.Destination.ReviewPolicy; got != tt.want {
				t.Fatalf("policy = %s, want %s; reasons:\n%s", got, tt.want, strings.Join(c.Reasons, "\n"))
			}
			if tt.cause != "" && !containsReason(c, tt.cause) {
				t.Errorf("no reason mentions %q:\n%s", tt.cause, strings.Join(c.Reasons, "\n"))
			}
			wantConditions := 0
			if tt.want == tollgate.PolicyCaseByCase {
				wantConditions = 6
			}
			if got := len(c.Destination.Conditions); got != wantConditions {
				t.Errorf("%d conditions, want %d", got, wantConditions)
			}
		})
	}
}

func TestDestinationPolicy(t *testing.T) {
	tests := []struct {
		name            string
		req             classify.Request
		licenseRequired bool
		want            tollgate.ReviewPolicy
		cause           string
	}{
		{"China", classify.Request{To: "CN"}, true, tollgate.PolicyCaseByCase, "H200 rule"},
		{"HongKongIsChina", classify.Request{To: "HK"}, true, tollgate.PolicyCaseByCase, "HK is treated as CN"},
		{"Macau", classify.Request{To: "mo"}, true, tollgate.PolicyCaseByCase, "H200 rule"},
		{"Reexport", classify.Request{To: "CN", Reexport: true}, true, tollgate.PolicyPresumptionOfDenial, "reexports are not covered"},
		{"FromAbroad", classify.Request{To: "CN", From: "TW"}, true, tollgate.PolicyPresumptionOfDenial, "exports from abroad (from TW)"},
		{"ChinaHQInGermany", classify.Request{To: "DE", HQ: "CN"}, true, tollgate.PolicyPresumptionOfDenial, "not end users headquartered in D:5 or Macau located elsewhere"},
		{"HongKongHQInGermany", classify.Request{To: "DE", HQ: "HK"}, true, tollgate.PolicyPresumptionOfDenial, "headquarters HK is treated as CN"},
		{"MacauHQInSingapore", classify.Request{To: "SG", HQ: "MO"}, true, tollgate.PolicyPresumptionOfDenial, "headquartered in MO"},
		{"RussianHQInChina", classify.Request{To: "CN", HQ: "RU"}, true, tollgate.PolicyPresumptionOfDenial, "headquartered in RU, outside the destination"},
		{"ChineseHQInChina", classify.Request{To: "CN", HQ: "CN"}, true, tollgate.PolicyCaseByCase, "H200 rule"},
		{"USHQInChina", classify.Request{To: "CN", HQ: "US"}, true, tollgate.PolicyCaseByCase, "H200 rule"},
		{"RussiaD5", classify.Request{To: "RU"}, true, tollgate.PolicyPresumptionOfDenial, "is in D:5"},
		{"UAED4", classify.Request{To: "AE"}, true, tollgate.PolicyPresumptionOfApproval, "presumption of approval"},
		{"VietnamD1", classify.Request{To: "VN"}, true, tollgate.PolicyPresumptionOfApproval, "D:1"},
		{"IsraelD4ButA6", classify.Request{To: "IL"}, false, tollgate.PolicyNoLicenseRequired, "also in A:6"},
		{"Germany", classify.Request{To: "DE"}, false, tollgate.PolicyNoLicenseRequired, "outside D:1, D:4, D:5"},
		{"UnitedStates", classify.Request{To: "US"}, false, tollgate.PolicyNoLicenseRequired, "not an export"},
		{"UnitedStatesChinaHQ", classify.Request{To: "US", HQ: "CN"}, false, tollgate.PolicyNoLicenseRequired, "delivery inside US is not an export"},
		{"UnitedStatesMacauHQ", classify.Request{To: "US", HQ: "MO"}, false, tollgate.PolicyNoLicenseRequired, "delivery inside US is not an export"},
		{"ChinaHQInCambodiaDec2025", classify.Request{To: "KH", HQ: "CN", AsOf: day("2025-12-01")}, true, tollgate.PolicyPresumptionOfDenial, "KH left D:5 only on 2026-02-03"},
		{"CambodiaD5Dec2025", classify.Request{To: "KH", AsOf: day("2025-12-01")}, true, tollgate.PolicyPresumptionOfDenial, "is in D:5"},
		{"CambodiaD1Mar2026", classify.Request{To: "KH", AsOf: day("2026-03-01")}, true, tollgate.PolicyPresumptionOfApproval, "KH left D:5 on 2026-02-03"},
		{"CambodiaDayBeforeLeaving", classify.Request{To: "KH", AsOf: day("2026-02-02")}, true, tollgate.PolicyPresumptionOfDenial, "is in D:5"},
		{"CambodiaDayItLeft", classify.Request{To: "KH", AsOf: day("2026-02-03")}, true, tollgate.PolicyPresumptionOfApproval, "presumption of approval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Chip = h200Like()
			c := mustClassify(t, tt.req)
			d := c.Destination
			if d.LicenseRequired != tt.licenseRequired || d.ReviewPolicy != tt.want {
				t.Errorf("license %v, policy %s; want %v, %s", d.LicenseRequired, d.ReviewPolicy, tt.licenseRequired, tt.want)
			}
			if !containsReason(c, tt.cause) {
				t.Errorf("no reason mentions %q:\n%s", tt.cause, strings.Join(c.Reasons, "\n"))
			}
		})
	}
}

func TestUncontrolledChipNeedsNoLicense(t *testing.T) {
	chip := testChip(1000, 0, 1000, true)
	chip.InterconnectBandwidthGBps = 64
	c := mustClassify(t, classify.Request{Chip: chip, To: "CN"})
	if c.Destination.LicenseRequired || c.Destination.ReviewPolicy != tollgate.PolicyNoLicenseRequired {
		t.Errorf("license %v, policy %s; want false, no_license_required", c.Destination.LicenseRequired, c.Destination.ReviewPolicy)
	}
}

func TestLicenseExceptions(t *testing.T) {
	tests := []struct {
		name     string
		chip     tollgate.Chip
		to, hq   string
		nac, aca bool
	}{
		{"DataCenterA", h200Like(), "CN", "", false, false},
		{"BToChina", testChip(2400, 1500, 1000, true), "CN", "", true, false},
		{"BToUAE", testChip(2400, 1500, 1000, true), "AE", "", false, true},
		{"BToGermanyChineseHQ", testChip(2400, 1500, 1000, true), "DE", "CN", true, false},
		{"BToGermany", testChip(2400, 1500, 1000, true), "DE", "", false, false},
		{"NonDataCenterAToChina", testChip(4800, 100, 1000, false), "CN", "", true, false},
		{"NonDataCenterAToVietnam", testChip(4800, 100, 1000, false), "VN", "", false, true},
		{"NoDestination", testChip(2400, 1500, 1000, true), "", "", false, false},
		{"Uncontrolled", testChip(1000, 0, 1000, true), "CN", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustClassify(t, classify.Request{Chip: tt.chip, To: tt.to, HQ: tt.hq})
			got := map[string]bool{}
			for _, le := range c.LicenseExceptions {
				got[le.Name] = le.Eligible
				if le.Reason == "" || le.Citation == "" {
					t.Errorf("%s: reason %q, citation %q; want both", le.Name, le.Reason, le.Citation)
				}
			}
			if got["NAC"] != tt.nac || got["ACA"] != tt.aca {
				t.Errorf("NAC %v, ACA %v; want %v, %v (%+v)", got["NAC"], got["ACA"], tt.nac, tt.aca, c.LicenseExceptions)
			}
		})
	}
}

func TestH20Letter(t *testing.T) {
	// Die area known and small, so that the chip is below 3A090 and the
	// letter alone decides.
	h20 := testChip(2368, 2000, 4000, true)
	h20.Model, h20.USAvailable, h20.InterconnectBandwidthGBps = "H20", "", 900
	tests := []struct {
		to, asOf string
		license  bool
		want     tollgate.ReviewPolicy
	}{
		{"CN", "2025-04-08", false, tollgate.PolicyNoLicenseRequired},
		{"CN", "2025-04-09", true, tollgate.PolicyCaseByCase},
		{"HK", "2026-06-01", true, tollgate.PolicyCaseByCase},
		{"RU", "2026-06-01", true, tollgate.PolicyPresumptionOfDenial},
		{"DE", "2026-06-01", false, tollgate.PolicyNoLicenseRequired},
	}
	for _, tt := range tests {
		c := mustClassify(t, classify.Request{Chip: h20, To: tt.to, AsOf: day(tt.asOf)})
		if c.ECCN != "" {
			t.Errorf("H20 ECCN = %q, want not controlled", c.ECCN)
		}
		if d := c.Destination; d.LicenseRequired != tt.license || d.ReviewPolicy != tt.want {
			t.Errorf("H20 to %s on %s: license %v, policy %s; want %v, %s", tt.to, tt.asOf, d.LicenseRequired, d.ReviewPolicy, tt.license, tt.want)
		}
	}
}

func TestClassifyInputErrors(t *testing.T) {
	tests := []struct {
		name  string
		req   classify.Request
		field string
	}{
		{"UnknownTo", classify.Request{To: "XX"}, "to"},
		{"ThreeLetterTo", classify.Request{To: "CHN"}, "to"},
		{"UnknownHQ", classify.Request{To: "CN", HQ: "ZZ"}, "hq"},
		{"UnknownFrom", classify.Request{To: "CN", From: "U$"}, "from"},
		{"HQWithoutTo", classify.Request{HQ: "CN"}, "to"},
		{"BadHTS", classify.Request{HTS: "8473"}, "hts"},
		{"BadExemption", classify.Request{Exemption: "9903.79.02"}, "exemption"},
		{"BeforeAnyRule", classify.Request{AsOf: day("2023-11-16")}, "as_of"},
		{"InvalidChip", classify.Request{Chip: tollgate.Chip{Vendor: "A", Model: "B", DRAMBandwidthGBps: -1}}, "dram_bandwidth_gbps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			if req.Chip.Model == "" {
				req.Chip = h200Like()
			}
			if req.AsOf.IsZero() {
				req.AsOf = day("2026-06-01")
			}
			_, err := classify.Default().Classify(req)
			var te *tollgate.Error
			if !errors.As(err, &te) || te.Field != tt.field || te.Code != tollgate.EINVALID {
				t.Errorf("Classify() = %v, want an invalid error on field %q", err, tt.field)
			}
		})
	}
	t.Run("ZeroAsOf", func(t *testing.T) {
		_, err := classify.Default().Classify(classify.Request{Chip: h200Like()})
		var te *tollgate.Error
		if !errors.As(err, &te) || te.Field != "as_of" {
			t.Errorf("Classify() = %v, want an error on as_of", err)
		}
	})
}
