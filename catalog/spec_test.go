package catalog_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"tollgate"
	"tollgate/catalog"
)

const specYAML = `
vendor: Acme
model: X1 Pro
aliases: [X1]
data_center: true
peaks:
  - precision: FP8
    value: 1250.5
    bit_length: 8
    source: datasheet p. 3
  - {precision: BF16, value: 625.25, bit_length: 16}
die_area_mm2: 600
memory_gb: 96
memory_type: HBM3
dram_bandwidth_gbps: 4000
us_available: 2025-03-01
sources:
  die_area_mm2: teardown
notes: a test part
`

const specJSON = `{
  "vendor": "Acme", "model": "X1 Pro", "aliases": ["X1"], "data_center": true,
  "peaks": [
    {"precision": "FP8", "value": 1250.5, "bit_length": 8, "source": "datasheet p. 3"},
    {"precision": "BF16", "value": 625.25, "bit_length": 16}
  ],
  "die_area_mm2": 600, "memory_gb": 96, "memory_type": "HBM3",
  "dram_bandwidth_gbps": 4000, "us_available": "2025-03-01",
  "sources": {"die_area_mm2": "teardown"}, "notes": "a test part"
}`

func TestParseSpec(t *testing.T) {
	want := tollgate.Chip{
		Vendor: "Acme", Model: "X1 Pro", Aliases: []string{"X1"}, DataCenter: true,
		Peaks: []tollgate.PeakThroughput{
			{Precision: "FP8", Value: 1250.5, BitLength: 8, Source: "datasheet p. 3"},
			{Precision: "BF16", Value: 625.25, BitLength: 16},
		},
		DieAreaMM2: 600, MemoryGB: 96, MemoryType: "HBM3", DRAMBandwidthGBps: 4000,
		USAvailable: "2025-03-01", Sources: map[string]string{"die_area_mm2": "teardown"}, Notes: "a test part",
	}
	for name, data := range map[string]string{"YAML": specYAML, "JSON": specJSON} {
		t.Run(name, func(t *testing.T) {
			got, err := catalog.ParseSpec([]byte(data))
			if err != nil {
				t.Fatalf("ParseSpec() = %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParseSpec() =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
	t.Run("UnknownFiguresOmitted", func(t *testing.T) {
		got, err := catalog.ParseSpec([]byte(`{"vendor": "A", "model": "B", "data_center": true}`))
		if err != nil {
			t.Fatalf("ParseSpec() = %v", err)
		}
		if len(got.Peaks) != 0 || got.DRAMBandwidthGBps != 0 || got.InterconnectBandwidthGBps != 0 {
			t.Errorf("ParseSpec() = %+v, want no peaks and unknown bandwidths", got)
		}
	})
	t.Run("Interconnect", func(t *testing.T) {
		got, err := catalog.ParseSpec([]byte(specYAML + "interconnect_bandwidth_gbps: 900\n"))
		if err != nil {
			t.Fatalf("ParseSpec() = %v", err)
		}
		if got.InterconnectBandwidthGBps != 900 {
			t.Errorf("InterconnectBandwidthGBps = %v, want 900", got.InterconnectBandwidthGBps)
		}
	})
	t.Run("DieAreaOptional", func(t *testing.T) {
		got, err := catalog.ParseSpec([]byte(strings.Replace(specYAML, "die_area_mm2: 600\n", "", 1)))
		if err != nil {
			t.Fatalf("ParseSpec() = %v", err)
		}
		if got.DieAreaMM2 != 0 {
			t.Errorf("DieAreaMM2 = %v, want 0 (unknown)", got.DieAreaMM2)
		}
	})
}

func TestParseSpecErrors(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(specYAML, old, new, 1) }
	tests := []struct {
		name, data, field string
	}{
		{"Empty", "  \n", "spec"},
		{"NotYAML", "vendor: [", "spec"},
		{"NotAMapping", "[1, 2]", "spec"},
		{"NegativeBandwidth", replace("dram_bandwidth_gbps: 4000", "dram_bandwidth_gbps: -4000"), "dram_bandwidth_gbps"},
		{"NaNBandwidth", replace("dram_bandwidth_gbps: 4000", "dram_bandwidth_gbps: .nan"), "dram_bandwidth_gbps"},
		{"InfPeak", replace("value: 1250.5", "value: .inf"), "peaks[0].value"},
		{"NegativeInfDie", replace("die_area_mm2: 600", "die_area_mm2: -.inf"), "die_area_mm2"},
		{"NegativePeak", replace("value: 1250.5", "value: -1"), "peaks[0].value"},
		{"ZeroDie", replace("die_area_mm2: 600", "die_area_mm2: 0"), "die_area_mm2"},
		{"NegativeMemory", replace("memory_gb: 96", "memory_gb: -96"), "memory_gb"},
		{"MissingVendor", replace("vendor: Acme\n", ""), "vendor"},
		{"MissingModel", replace("model: X1 Pro\n", ""), "model"},
		{"MissingDataCenter", replace("data_center: true\n", ""), "data_center"},
		{"ZeroBandwidth", replace("dram_bandwidth_gbps: 4000", "dram_bandwidth_gbps: 0"), "dram_bandwidth_gbps"},
		{"ZeroInterconnect", replace("dram_bandwidth_gbps: 4000", "dram_bandwidth_gbps: 4000\ninterconnect_bandwidth_gbps: 0"), "interconnect_bandwidth_gbps"},
		{"MissingPeaks", replace("peaks:", "peaks_old:"), "peaks_old"},
		{"EmptyPeaks", `{"vendor": "A", "model": "B", "data_center": true, "dram_bandwidth_gbps": 1, "peaks": []}`, "peaks"},
		{"MissingPeakValue", replace("    value: 1250.5\n", ""), "peaks[0].value"},
		{"MissingBitLength", replace("    bit_length: 8\n", ""), "peaks[0].bit_length"},
		{"BitLengthMismatch", replace("bit_length: 8", "bit_length: 16"), "peaks[0].bit_length"},
		{"WrongType", replace("dram_bandwidth_gbps: 4000", "dram_bandwidth_gbps: fast"), "dram_bandwidth_gbps"},
		{"UnknownField", specYAML + "tpp: 99999\n", "tpp"},
		{"DuplicateField", specYAML + "model: X2\n", "model"},
		{"BadDate", replace("us_available: 2025-03-01", "us_available: March 2025"), "us_available"},
		{"UnknownSource", replace("die_area_mm2: teardown", "tpp: guess"), "sources.tpp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := catalog.ParseSpec([]byte(tt.data))
			var te *tollgate.Error
			if !errors.As(err, &te) {
				t.Fatalf("ParseSpec() = %v, want *tollgate.Error", err)
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

// FuzzParseSpec checks that the parser never panics, that whatever it
// accepts is a valid chip with finite figures, and that an accepted chip
// survives a JSON round trip unchanged.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(specYAML))
	f.Add([]byte(specJSON))
	f.Add([]byte("vendor: A\nmodel: B\ndata_center: false\ndram_bandwidth_gbps: .nan\npeaks: []\n"))
	f.Add([]byte(`{"vendor":"A","model":"B","data_center":true,"dram_bandwidth_gbps":1e308,"peaks":[{"precision":"X","value":1e-300,"bit_length":64}]}`))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("vendor: &a Acme\nmodel: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := catalog.ParseSpec(data)
		if err != nil {
			var te *tollgate.Error
			if !errors.As(err, &te) || te.Code != tollgate.EINVALID || te.Field == "" {
				t.Fatalf("ParseSpec error %v is not an EINVALID field error", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted chip fails Validate: %v", err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("accepted chip does not marshal: %v", err)
		}
		again, err := catalog.ParseSpec(b)
		if err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
		if !reflect.DeepEqual(normalizeEmpty(again), normalizeEmpty(c)) {
			t.Fatalf("round trip changed the chip:\n%+v\n%+v", c, again)
		}
	})
}

// normalizeEmpty treats nil and empty slices and maps alike: JSON omits both.
func normalizeEmpty(c tollgate.Chip) tollgate.Chip {
	if len(c.Aliases) == 0 {
		c.Aliases = nil
	}
	if len(c.Sources) == 0 {
		c.Sources = nil
	}
	return c
}
