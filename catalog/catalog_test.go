package catalog_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"tollgate"
	"tollgate/catalog"
)

// wantModels is every chip regime.md §8 names, then the chips users ask
// about most (issue 18); the catalog must hold each.
var wantModels = []string{
	"H200 SXM", "H100 SXM", "H800 SXM", "H20", "A100 SXM", "A800 SXM", "L20", "B200 (HGX)",
	"Instinct MI325X", "Instinct MI300X", "Ascend 910B", "Ascend 910C", "MTT S4000", "BR100",
	"H200 NVL", "H100 PCIe", "H20E", "Instinct MI308X", "RTX PRO 6000 Blackwell", "B300 (HGX)",
}

func TestDefaultHoldsRegimeChips(t *testing.T) {
	cat := catalog.Default()
	got := cat.Models()
	if len(got) != len(wantModels) {
		t.Fatalf("catalog has %d chips %q, want %d", len(got), got, len(wantModels))
	}
	for i, want := range wantModels {
		if got[i] != want {
			t.Errorf("model %d = %q, want %q", i, got[i], want)
		}
	}
}

// TestDefaultFiguresHaveSources checks the catalog's promise that every
// figure names its source (Load enforces it; this guards the enforcement).
func TestDefaultFiguresHaveSources(t *testing.T) {
	for _, c := range catalog.Default().Chips() {
		for i, p := range c.Peaks {
			if strings.TrimSpace(p.Source) == "" {
				t.Errorf("%s: peaks[%d] has no source", c.Name(), i)
			}
		}
		if c.Sources["data_center"] == "" {
			t.Errorf("%s: no source for data_center", c.Name())
		}
		if c.DRAMBandwidthGBps > 0 && c.Sources["dram_bandwidth_gbps"] == "" {
			t.Errorf("%s: no source for dram_bandwidth_gbps", c.Name())
		}
		if c.InterconnectBandwidthGBps > 0 && c.Sources["interconnect_bandwidth_gbps"] == "" {
			t.Errorf("%s: no source for interconnect_bandwidth_gbps", c.Name())
		}
		if c.DieAreaMM2 > 0 && c.Sources["die_area_mm2"] == "" {
			t.Errorf("%s: no source for die_area_mm2", c.Name())
		}
		if c.USAvailable != "" && c.Sources["us_available"] == "" {
			t.Errorf("%s: no source for us_available", c.Name())
		}
	}
}

func TestLookup(t *testing.T) {
	cat := catalog.Default()
	tests := []struct{ in, want string }{
		{"h200", "H200 SXM"},
		{"H200", "H200 SXM"},
		{"H200 SXM", "H200 SXM"},
		{"h200-sxm5", "H200 SXM"},
		{"nvidia h200", "H200 SXM"},
		{"NVIDIA H200 SXM", "H200 SXM"},
		{"b200", "B200 (HGX)"},
		{"HGX B200", "B200 (HGX)"},
		{"mi325x", "Instinct MI325X"},
		{"AMD Instinct MI300X", "Instinct MI300X"},
		{"910b", "Ascend 910B"},
		{"huawei ascend 910c", "Ascend 910C"},
		{"s4000", "MTT S4000"},
		{"Moore Threads MTT S4000", "MTT S4000"},
		{"biren br100", "BR100"},
		{"a800", "A800 SXM"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := cat.Lookup(tt.in)
			if err != nil {
				t.Fatalf("Lookup(%q) = %v", tt.in, err)
			}
			if c.Model != tt.want {
				t.Errorf("Lookup(%q) = %q, want %q", tt.in, c.Model, tt.want)
			}
		})
	}
}

func TestLookupUnknown(t *testing.T) {
	for _, name := range []string{"h300", "", "---", "nvidia"} {
		_, err := catalog.Default().Lookup(name)
		var te *tollgate.Error
		if !errors.As(err, &te) || te.Code != tollgate.ENOTFOUND || te.Field != "chip" {
			t.Fatalf("Lookup(%q) = %v, want a not_found error on field chip", name, err)
		}
		for _, m := range wantModels {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("Lookup(%q) error %q does not list %q", name, err, m)
			}
		}
	}
}

// TestLookupSuggests: an unknown name close to catalog names gets a "did
// you mean" naming them; one close to none gets none.
func TestLookupSuggests(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"H2000", []string{"H200 SXM"}},
		{"h100 pcie gen5", []string{"H100 PCIe"}},
		{"MI308", nil}, // an alias: found, no suggestion needed
		{"MI309X", []string{"Instinct MI300X", "Instinct MI308X"}},
		{"RTX 6000", []string{"RTX PRO 6000 Blackwell"}},
		{"B3000", []string{"B300 (HGX)"}},
		{"Ascend 920", []string{"Ascend 910B", "Ascend 910C"}},
		{"Gaudi 3", nil},
	}
	cat := catalog.Default()
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if _, err := cat.Lookup(tt.in); err == nil {
				if tt.want != nil {
					t.Fatalf("Lookup(%q) found a chip", tt.in)
				}
				return
			}
			got := cat.Suggest(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
			}
			_, err := cat.Lookup(tt.in)
			if hasHint := strings.Contains(err.Error(), "did you mean"); hasHint != (len(tt.want) > 0) {
				t.Errorf("Lookup(%q) error %q: did-you-mean %t, want %t", tt.in, err, hasHint, len(tt.want) > 0)
			}
			for _, m := range tt.want {
				if !strings.Contains(err.Error(), "did you mean \""+m) && !strings.Contains(err.Error(), "or \""+m) {
					t.Errorf("Lookup(%q) error %q does not suggest %q", tt.in, err, m)
				}
			}
		})
	}
}

func TestChipsReturnsCopy(t *testing.T) {
	cat := catalog.Default()
	chips := cat.Chips()
	chips[0].Model = "changed"
	if got := cat.Chips()[0].Model; got == "changed" {
		t.Error("Chips() exposes the catalog's own slice")
	}
}

const oneChip = `
chips:
  - vendor: Acme
    model: X1
    aliases: [%s]
    data_center: true
    peaks: [{precision: FP8, value: 100, bit_length: 8, source: "%s"}]
    dram_bandwidth_gbps: 1000
    sources: {data_center: s, dram_bandwidth_gbps: s}
`

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, data, field string
	}{
		{"Empty", "", "spec"},
		{"NoChips", "chips: []", "chips"},
		{"PeakWithoutSource", fmtChip("X1a", ""), "chips[0].peaks[0].source"},
		{"FigureWithoutSource", strings.Replace(fmtChip("X1a", "s"), "sources: {data_center: s, dram_bandwidth_gbps: s}", "sources: {data_center: s}", 1), "chips[0].sources.dram_bandwidth_gbps"},
		{"DuplicateName", fmtChip("X1a", "s") + strings.TrimPrefix(fmtChip("X1a", "s"), "\nchips:\n"), "chips[1].model"},
		{"InvalidFigure", strings.Replace(fmtChip("X1a", "s"), "dram_bandwidth_gbps: 1000", "dram_bandwidth_gbps: -1", 1), "chips[0].dram_bandwidth_gbps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := catalog.Load([]byte(tt.data))
			var te *tollgate.Error
			if !errors.As(err, &te) {
				t.Fatalf("Load() = %v, want *tollgate.Error", err)
			}
			if te.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", te.Field, tt.field, err)
			}
		})
	}
}

func fmtChip(alias, source string) string {
	s := strings.Replace(oneChip, "%s", alias, 1)
	return strings.Replace(s, "%s", source, 1)
}
