package tollgate_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"tollgate"
)

// validChip returns a chip that passes Validate; tests break one field.
func validChip() tollgate.Chip {
	return tollgate.Chip{
		Vendor: "Acme", Model: "X1", DataCenter: true,
		Peaks:             []tollgate.PeakThroughput{{Precision: "FP8", Value: 1000, BitLength: 8}},
		DieAreaMM2:        600,
		MemoryGB:          96,
		DRAMBandwidthGBps: 4000,
		USAvailable:       "2025-03-01",
		Sources:           map[string]string{"die_area_mm2": "datasheet"},
	}
}

func TestChipValidate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := validChip()
		if err := c.Validate(); err != nil {
			t.Fatalf("Validate() = %v, want nil", err)
		}
	})
	// Unknown figures are valid; classification says what they leave open.
	t.Run("OK/UnknownFigures", func(t *testing.T) {
		c := validChip()
		c.Peaks, c.DieAreaMM2, c.DRAMBandwidthGBps, c.InterconnectBandwidthGBps = nil, 0, 0, 0
		if err := c.Validate(); err != nil {
			t.Fatalf("Validate() = %v, want nil", err)
		}
	})
	tests := []struct {
		name  string
		edit  func(*tollgate.Chip)
		field string
	}{
		{"MissingVendor", func(c *tollgate.Chip) { c.Vendor = " " }, "vendor"},
		{"MissingModel", func(c *tollgate.Chip) { c.Model = "" }, "model"},
		{"PunctuationModel", func(c *tollgate.Chip) { c.Model = "--" }, "model"},
		{"PeakNoPrecision", func(c *tollgate.Chip) { c.Peaks[0].Precision = "" }, "peaks[0].precision"},
		{"PeakNegative", func(c *tollgate.Chip) { c.Peaks[0].Value = -1 }, "peaks[0].value"},
		{"PeakZero", func(c *tollgate.Chip) { c.Peaks[0].Value = 0 }, "peaks[0].value"},
		{"PeakNaN", func(c *tollgate.Chip) { c.Peaks[0].Value = math.NaN() }, "peaks[0].value"},
		{"PeakInf", func(c *tollgate.Chip) { c.Peaks[0].Value = math.Inf(1) }, "peaks[0].value"},
		{"PeakHuge", func(c *tollgate.Chip) { c.Peaks[0].Value = 1e13 }, "peaks[0].value"},
		{"BitLengthZero", func(c *tollgate.Chip) { c.Peaks[0].BitLength = 0 }, "peaks[0].bit_length"},
		{"BitLengthTooWide", func(c *tollgate.Chip) { c.Peaks[0].BitLength = 128 }, "peaks[0].bit_length"},
		{"BitLengthContradictsPrecision", func(c *tollgate.Chip) { c.Peaks[0].BitLength = 16 }, "peaks[0].bit_length"},
		{"DieNegative", func(c *tollgate.Chip) { c.DieAreaMM2 = -814 }, "die_area_mm2"},
		{"DieNaN", func(c *tollgate.Chip) { c.DieAreaMM2 = math.NaN() }, "die_area_mm2"},
		{"DieTiny", func(c *tollgate.Chip) { c.DieAreaMM2 = 1e-300 }, "die_area_mm2"},
		{"MemoryInf", func(c *tollgate.Chip) { c.MemoryGB = math.Inf(-1) }, "memory_gb"},
		{"InterconnectNegative", func(c *tollgate.Chip) { c.InterconnectBandwidthGBps = -900 }, "interconnect_bandwidth_gbps"},
		{"BandwidthNegative", func(c *tollgate.Chip) { c.DRAMBandwidthGBps = -4800 }, "dram_bandwidth_gbps"},
		{"BadDate", func(c *tollgate.Chip) { c.USAvailable = "2025-02-30" }, "us_available"},
		{"BlankAlias", func(c *tollgate.Chip) { c.Aliases = []string{"X1", " "} }, "aliases[1]"},
		{"UnknownSource", func(c *tollgate.Chip) { c.Sources["tpp"] = "x" }, "sources.tpp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validChip()
			tt.edit(&c)
			err := c.Validate()
			var te *tollgate.Error
			if !errors.As(err, &te) {
				t.Fatalf("Validate() = %v, want *tollgate.Error", err)
			}
			if got, want := te.Field, tt.field; got != want {
				t.Errorf("field = %q, want %q (%v)", got, want, err)
			}
			if got, want := te.Code, tollgate.EINVALID; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
		})
	}
}

func TestChipKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"H200 SXM", "h200sxm"},
		{"h200-sxm", "h200sxm"},
		{"NVIDIA  H200", "nvidiah200"},
		{"Ascend 910B", "ascend910b"},
		{"B200 (HGX)", "b200hgx"},
		{" -- ", ""},
	}
	for _, tt := range tests {
		if got := tollgate.ChipKey(tt.in); got != tt.want {
			t.Errorf("ChipKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestChipNames(t *testing.T) {
	c := tollgate.Chip{Vendor: "Nvidia", Model: "H200 SXM", Aliases: []string{"H200"}}
	got := c.Names()
	want := []string{"H200 SXM", "H200", "Nvidia H200 SXM", "Nvidia H200"}
	if !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	if got, want := c.Name(), "Nvidia H200 SXM"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
}

func TestChipUSAvailableDate(t *testing.T) {
	c := validChip()
	d, ok := c.USAvailableDate()
	if !ok || d.Format("2006-01-02") != "2025-03-01" {
		t.Errorf("USAvailableDate() = %v, %v, want 2025-03-01, true", d, ok)
	}
	c.USAvailable = ""
	if _, ok := c.USAvailableDate(); ok {
		t.Error("USAvailableDate() ok for an empty date, want false")
	}
}
