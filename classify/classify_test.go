package classify_test

import (
	"errors"
	"testing"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
)

func lookup(tb testing.TB, name string) tollgate.Chip {
	tb.Helper()
	c, err := catalog.Default().Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestCatalogChips classifies every catalog chip for export from the US to
// China after the H200 rule, against regime.md §8: ECCN, review policy and
// Section 232 band. Chips never sold in the US (H800, A800, the Chinese
// parts) fail the H200 rule's availability test and stay presumption of
// denial.
func TestCatalogChips(t *testing.T) {
	deny, cbc, none := tollgate.PolicyPresumptionOfDenial, tollgate.PolicyCaseByCase, tollgate.PolicyNoLicenseRequired
	tests := []struct {
		model  string
		tpp    float64
		eccn   string
		policy tollgate.ReviewPolicy
		band   int
	}{
		{"H200 SXM", 15832, "3A090.a", cbc, 1},
		{"H100 SXM", 15832, "3A090.a", cbc, 0},
		{"H800 SXM", 15832, "3A090.a", deny, 0},
		{"H20", 2368, "3A090.a", deny, 0}, // die area unknown: 3A090.a assumed; never sold in the US
		{"A100 SXM", 4992, "3A090.a", cbc, 0},
		{"A800 SXM", 4992, "3A090.a", deny, 0},
		{"L20", 1912, "", none, 0},
		{"B200 (HGX)", 36000, "3A090.a", deny, 0},
		{"Instinct MI325X", 20919.2, "3A090.a", cbc, 2},
		{"Instinct MI300X", 20919.2, "3A090.a", cbc, 0},
		{"Ascend 910B", 5120, "3A090.a", deny, 0},
		{"Ascend 910C", 12800, "3A090.a", deny, 0},
		{"MTT S4000", 1600, "3A090.a", deny, 0}, // die area unknown: 3A090.a assumed
		{"BR100", 16384, "3A090.a", deny, 0},
		{"H200 NVL", 13368, "3A090.a", cbc, 0}, // TPP below band 1's 14,000
		{"H100 PCIe", 12104, "3A090.a", cbc, 0},
		{"H20E", 0, "3A090.a", deny, 1},            // every figure unknown: most restrictive
		{"Instinct MI308X", 0, "3A090.a", deny, 1}, // every figure unknown: most restrictive
		{"RTX PRO 6000 Blackwell", 8000, "3A090.a", deny, 0},
		{"B300 (HGX)", 36000, "3A090.a", deny, 0},
	}
	if got, want := len(tests), len(catalog.Default().Chips()); got != want {
		t.Fatalf("table covers %d chips, catalog has %d", got, want)
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			c := mustClassify(t, classify.Request{Chip: lookup(t, tt.model), To: "CN", AsOf: day("2026-06-01")})
			if c.TPP != tt.tpp || c.ECCN != tt.eccn || c.Destination.ReviewPolicy != tt.policy || c.Tariff.Band != tt.band {
				t.Errorf("TPP %v, ECCN %q, policy %s, band %d; want %v, %q, %s, %d\nreasons: %q",
					c.TPP, c.ECCN, c.Destination.ReviewPolicy, c.Tariff.Band, tt.tpp, tt.eccn, tt.policy, tt.band, c.Reasons)
			}
			wantHeading := "9903.79.02"
			if tt.band > 0 {
				wantHeading = "9903.79.01"
			}
			if c.Tariff.Heading != wantHeading {
				t.Errorf("heading %q, want %q", c.Tariff.Heading, wantHeading)
			}
		})
	}
}

// TestAcceptance covers the "done when" classifications.
func TestAcceptance(t *testing.T) {
	t.Run("H200ToChina", func(t *testing.T) {
		c := mustClassify(t, classify.Request{Chip: lookup(t, "h200"), To: "CN"})
		if c.ECCN != "3A090.a" || c.TPP != 15832 || c.PD == nil || *c.PD != 19.45 {
			t.Errorf("ECCN %q TPP %v PD %v; want 3A090.a, 15832, 19.45", c.ECCN, c.TPP, c.PD)
		}
		d := c.Destination
		if !d.LicenseRequired || d.ReviewPolicy != tollgate.PolicyCaseByCase || len(d.Conditions) != 6 || len(d.Statements) != 1 {
			t.Errorf("license %v policy %s, %d conditions, %d statements; want true, case_by_case, 6, 1", d.LicenseRequired, d.ReviewPolicy, len(d.Conditions), len(d.Statements))
		}
		if c.Tariff.Band != 1 || c.Tariff.Heading != "9903.79.01" || c.Tariff.RateBP != 2500 {
			t.Errorf("tariff %+v; want band 1, 9903.79.01, 2500", c.Tariff)
		}
		ids := map[string]bool{}
		for _, r := range c.Rules {
			ids[r.ID] = true
			if r.Citation == "" || r.Effective == "" {
				t.Errorf("rule %s lacks citation or effective date", r.ID)
			}
		}
		for _, id := range []string{"3a090-2023", "ac-destinations-2023", "h200-rule-2026", "s232-semiconductors-2026"} {
			if !ids[id] {
				t.Errorf("rules %v lack %s", c.Rules, id)
			}
		}
	})
	t.Run("B200ToChina", func(t *testing.T) {
		c := mustClassify(t, classify.Request{Chip: lookup(t, "b200"), To: "CN"})
		if c.Destination.ReviewPolicy != tollgate.PolicyPresumptionOfDenial {
			t.Errorf("policy %s, want presumption_of_denial", c.Destination.ReviewPolicy)
		}
	})
	t.Run("H200ToChinaDecember2025", func(t *testing.T) {
		c := mustClassify(t, classify.Request{Chip: lookup(t, "h200"), To: "CN", AsOf: day("2025-12-01")})
		if c.Destination.ReviewPolicy != tollgate.PolicyPresumptionOfDenial || c.Tariff.RateBP != 0 || c.Tariff.Heading != "" {
			t.Errorf("policy %s, rate %d, heading %q; want presumption_of_denial, 0, none", c.Destination.ReviewPolicy, c.Tariff.RateBP, c.Tariff.Heading)
		}
	})
	t.Run("H100ToChina", func(t *testing.T) {
		c := mustClassify(t, classify.Request{Chip: lookup(t, "h100"), To: "CN"})
		if c.Destination.ReviewPolicy != tollgate.PolicyCaseByCase || c.Tariff.Band != 0 || c.Tariff.Heading != "9903.79.02" || c.Tariff.RateBP != 0 {
			t.Errorf("policy %s, tariff %+v; want case_by_case, band 0, 9903.79.02, 0", c.Destination.ReviewPolicy, c.Tariff)
		}
	})
	t.Run("NoDestination", func(t *testing.T) {
		c := mustClassify(t, classify.Request{Chip: lookup(t, "h200")})
		if c.Destination != nil {
			t.Errorf("Destination = %+v, want nil without a destination", c.Destination)
		}
	})
}

func TestCompare(t *testing.T) {
	got, err := classify.Compare(lookup(t, "h200"), lookup(t, "h20"))
	if err != nil {
		t.Fatal(err)
	}
	if got.TPPRatio != 6.69 || got.BandwidthRatio != 1.2 {
		t.Errorf("ratios %v, %v; want 6.69, 1.2", got.TPPRatio, got.BandwidthRatio)
	}
	if got.A.TPP != 15832 || got.B.TPP != 2368 {
		t.Errorf("TPPs %v, %v; want 15832, 2368", got.A.TPP, got.B.TPP)
	}
	_, err = classify.Compare(lookup(t, "h200"), tollgate.Chip{Vendor: "X", Model: "Y"})
	var te *tollgate.Error
	if !errors.As(err, &te) || te.Field != "b.peaks" {
		t.Errorf("Compare with an invalid chip = %v, want an error on b.peaks", err)
	}
}

// BenchmarkClassify measures one full classification (ECCN, destination,
// exceptions, Section 232) of the H200 for China.
func BenchmarkClassify(b *testing.B) {
	rules := classify.Default()
	req := classify.Request{Chip: lookup(b, "h200"), To: "CN", AsOf: day("2026-06-01")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rules.Classify(req); err != nil {
			b.Fatal(err)
		}
	}
}
