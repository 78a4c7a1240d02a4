package tollgate

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Chip is an integrated circuit as the export rules see it: the figures that
// decide its classification (peak throughput per precision, die area, DRAM
// bandwidth), whether it is designed or marketed for data centers, and when
// it became commercially available in the United States. Every figure can
// carry the source it was taken from, so that a decision can be traced back
// to a datasheet.
type Chip struct {
	Vendor string `json:"vendor"`
	Model  string `json:"model"`
	// Aliases are other names the chip is known by ("H200", "H200 SXM5");
	// lookups match them as well as Model.
	Aliases []string `json:"aliases,omitempty"`
	// DataCenter reports whether the chip is designed or marketed for use in
	// data centers; chips that are not are treated more leniently by 3A090.
	DataCenter bool `json:"data_center"`
	// Peaks lists the dense (non-sparse) peak throughput at each precision
	// the vendor publishes. TPP is computed from the best of them; an empty
	// list means TPP is unknown.
	Peaks []PeakThroughput `json:"peaks"`
	// DieAreaMM2 is the applicable die area in mm² (logic dies on non-planar
	// processes), or 0 when unknown; performance density needs it.
	DieAreaMM2 float64 `json:"die_area_mm2,omitempty"`
	// MemoryGB is the DRAM capacity in GB, or 0 when unknown.
	MemoryGB   float64 `json:"memory_gb,omitempty"`
	MemoryType string  `json:"memory_type,omitempty"`
	// DRAMBandwidthGBps is the total DRAM bandwidth in GB/s, or 0 (omitted)
	// when unknown.
	DRAMBandwidthGBps float64 `json:"dram_bandwidth_gbps,omitempty"`
	// InterconnectBandwidthGBps is the chip's total chip-to-chip
	// interconnect bandwidth in GB/s (NVLink, Infinity Fabric or, without
	// one, the host bus), or 0 when unknown.
	InterconnectBandwidthGBps float64 `json:"interconnect_bandwidth_gbps,omitempty"`
	// USAvailable is the date (YYYY-MM-DD) the chip became commercially
	// available in the United States, or "" when unknown or never.
	USAvailable string `json:"us_available,omitempty"`
	// Sources maps a figure's JSON field name (die_area_mm2, memory_gb,
	// dram_bandwidth_gbps, interconnect_bandwidth_gbps, us_available,
	// data_center) to where it came from. Peak figures carry their own
	// source.
	Sources map[string]string `json:"sources,omitempty"`
	Notes   string            `json:"notes,omitempty"`
}

// PeakThroughput is one dense peak throughput figure: Value in TFLOPS (float
// formats) or TOPS (integer formats) at Precision, whose operands are
// BitLength bits wide.
type PeakThroughput struct {
	Precision string  `json:"precision"`
	Value     float64 `json:"value"`
	BitLength int     `json:"bit_length"`
	Source    string  `json:"source,omitempty"`
}

// ChipSourceFields are the keys Chip.Sources may use.
var ChipSourceFields = []string{"data_center", "die_area_mm2", "memory_gb", "dram_bandwidth_gbps", "interconnect_bandwidth_gbps", "us_available"}

// knownBitLengths gives the operand width of the precisions whose width is
// fixed by their name, so that a spec cannot pair FP8 with 16 bits.
var knownBitLengths = map[string]int{
	"FP4": 4, "INT4": 4, "FP6": 6, "FP8": 8, "INT8": 8, "FP16": 16, "BF16": 16,
	"INT16": 16, "FP32": 32, "INT32": 32, "FP64": 64,
}

// Name returns "Vendor Model", or Model alone when the vendor is unknown.
func (c *Chip) Name() string {
	if c.Vendor == "" {
		return c.Model
	}
	return c.Vendor + " " + c.Model
}

// Names returns every name the chip answers to: the model and each alias,
// alone and prefixed with the vendor.
func (c *Chip) Names() []string {
	names := append([]string{c.Model}, c.Aliases...)
	n := len(names)
	for _, name := range names[:n] {
		names = append(names, c.Vendor+" "+name)
	}
	return names
}

// ChipKey normalizes a chip name for matching: lower case, letters and
// digits only, so "H200 SXM", "h200-sxm" and "H200SXM" are one key.
func ChipKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// USAvailableDate returns the US availability date and whether it is known.
// Call Validate first: a malformed date reads as unknown.
func (c *Chip) USAvailableDate() (time.Time, bool) {
	if c.USAvailable == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, c.USAvailable)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// Validate reports the first problem with c as an EINVALID *Error naming the
// field: a missing vendor or model, a figure that is negative, zero
// where it must be positive, NaN or infinite, a bit length that contradicts
// its precision, a malformed date, or a source for an unknown field.
// Unknown figures (no peaks; a die area, DRAM or interconnect bandwidth of
// 0) are valid: a classification then says what they leave undecided.
func (c *Chip) Validate() error {
	if strings.TrimSpace(c.Vendor) == "" {
		return FieldErrorf("vendor", "is required")
	}
	if ChipKey(c.Model) == "" {
		return FieldErrorf("model", "is required and must contain a letter or digit")
	}
	for i := range c.Peaks {
		if err := c.Peaks[i].validate(fmt.Sprintf("peaks[%d]", i)); err != nil {
			return err
		}
	}
	if err := checkFigure("die_area_mm2", c.DieAreaMM2, false); err != nil {
		return err
	}
	if c.DieAreaMM2 > 0 && c.DieAreaMM2 < minDieAreaMM2 {
		return FieldErrorf("die_area_mm2", "is implausibly small (%g < %g mm²)", c.DieAreaMM2, minDieAreaMM2)
	}
	if err := checkFigure("memory_gb", c.MemoryGB, false); err != nil {
		return err
	}
	if err := checkFigure("dram_bandwidth_gbps", c.DRAMBandwidthGBps, false); err != nil {
		return err
	}
	if err := checkFigure("interconnect_bandwidth_gbps", c.InterconnectBandwidthGBps, false); err != nil {
		return err
	}
	if c.USAvailable != "" {
		if _, err := time.Parse(time.DateOnly, c.USAvailable); err != nil {
			return FieldErrorf("us_available", "%q is not a date of the form YYYY-MM-DD", c.USAvailable)
		}
	}
	for i, a := range c.Aliases {
		if ChipKey(a) == "" {
			return FieldErrorf(fmt.Sprintf("aliases[%d]", i), "must contain a letter or digit")
		}
	}
	for key := range c.Sources {
		if !slices.Contains(ChipSourceFields, key) {
			return FieldErrorf("sources."+key, "unknown field; sources may name %s", strings.Join(ChipSourceFields, ", "))
		}
	}
	return nil
}

func (p *PeakThroughput) validate(field string) error {
	if strings.TrimSpace(p.Precision) == "" {
		return FieldErrorf(field+".precision", "is required")
	}
	if err := checkFigure(field+".value", p.Value, true); err != nil {
		return err
	}
	if p.BitLength <= 0 || p.BitLength > 64 {
		return FieldErrorf(field+".bit_length", "must be between 1 and 64, got %d", p.BitLength)
	}
	if want, ok := knownBitLengths[strings.ToUpper(p.Precision)]; ok && want != p.BitLength {
		return FieldErrorf(field+".bit_length", "%s operands are %d bits wide, not %d", p.Precision, want, p.BitLength)
	}
	return nil
}

// maxFigure bounds every figure: far above any real chip (a million times
// the B200), low enough that TPP and PD arithmetic stays finite.
const maxFigure = 1e12

// minDieAreaMM2 keeps performance density finite for any valid TPP.
const minDieAreaMM2 = 0.01

// checkFigure rejects NaN, infinities, negative and absurdly large values;
// required figures must also be positive. Optional figures use 0 for
// "unknown".
func checkFigure(field string, v float64, required bool) error {
	switch {
	case math.IsNaN(v):
		return FieldErrorf(field, "is NaN")
	case math.IsInf(v, 0):
		return FieldErrorf(field, "is infinite")
	case v < 0:
		return FieldErrorf(field, "must not be negative, got %g", v)
	case v > maxFigure:
		return FieldErrorf(field, "is implausibly large (%g > %g)", v, float64(maxFigure))
	case required && v == 0:
		return FieldErrorf(field, "is required and must be positive")
	}
	return nil
}
