package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"

	"tollgate"
)

// spec is the on-disk form of a chip, in YAML or JSON. Pointers tell a
// missing field from a zero one, so that "die area unknown" (omitted) and a
// die area of 0 (an error) differ.
type spec struct {
	Vendor            string            `json:"vendor"`
	Model             string            `json:"model"`
	Aliases           []string          `json:"aliases"`
	DataCenter        *bool             `json:"data_center"`
	Peaks             []peakSpec        `json:"peaks"`
	DieAreaMM2        *float64          `json:"die_area_mm2"`
	MemoryGB          *float64          `json:"memory_gb"`
	MemoryType        string            `json:"memory_type"`
	DRAMBandwidthGBps *float64          `json:"dram_bandwidth_gbps"`
	InterconnectGBps  *float64          `json:"interconnect_bandwidth_gbps"`
	USAvailable       string            `json:"us_available"`
	Sources           map[string]string `json:"sources"`
	Notes             string            `json:"notes"`
}

type peakSpec struct {
	Precision string   `json:"precision"`
	Value     *float64 `json:"value"`
	BitLength *int     `json:"bit_length"`
	Source    string   `json:"source"`
}

// ParseSpec parses one chip specification in YAML or JSON (JSON is YAML) and
// validates it. Required: vendor, model and data_center. The figures that
// decide a classification — peaks (each with precision, value and
// bit_length), die_area_mm2, dram_bandwidth_gbps and
// interconnect_bandwidth_gbps — are omitted when unknown, and a
// classification then says what they leave undecided. Optional: aliases,
// memory_gb, memory_type, us_available (YYYY-MM-DD), sources, notes.
// Unknown fields are rejected.
// Every error is an EINVALID *tollgate.Error naming the offending field.
func ParseSpec(data []byte) (tollgate.Chip, error) {
	var s spec
	if err := decodeStrict(data, &s); err != nil {
		return tollgate.Chip{}, fmt.Errorf("catalog.ParseSpec: %w", err)
	}
	c, err := s.chip("")
	if err != nil {
		return tollgate.Chip{}, fmt.Errorf("catalog.ParseSpec: %w", err)
	}
	return c, nil
}

// decodeStrict decodes YAML or JSON into v, rejecting unknown and duplicate
// fields, and turns every failure into a field-naming error.
func decodeStrict(data []byte, v any) error {
	if len(strings.TrimSpace(string(data))) == 0 {
		return tollgate.FieldErrorf("spec", "is empty")
	}
	// JSON cannot carry NaN or infinities, so sigs.k8s.io/yaml fails on them
	// without saying where; find them first in the raw YAML tree.
	var tree any
	if err := yamlv2.Unmarshal(data, &tree); err != nil {
		return tollgate.FieldErrorf("spec", "is not valid YAML or JSON: %s", oneLine(err.Error()))
	}
	if err := findNonFinite(tree, ""); err != nil {
		return err
	}
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		return decodeError(err)
	}
	return nil
}

var (
	unknownFieldRE = regexp.MustCompile(`unknown field "([^"]+)"`)
	duplicateKeyRE = regexp.MustCompile(`key "([^"]+)" already set`)
)

// decodeError maps a sigs.k8s.io/yaml error to a field-naming *Error.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return tollgate.FieldErrorf("spec", "must be a mapping of chip fields (got %s)", te.Value)
		}
		return tollgate.FieldErrorf(te.Field, "must be %s (got %s)", goTypeName(te.Type.String()), te.Value)
	}
	msg := err.Error()
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		return tollgate.FieldErrorf(m[1], "unknown field")
	}
	if m := duplicateKeyRE.FindStringSubmatch(msg); m != nil {
		return tollgate.FieldErrorf(m[1], "is given more than once")
	}
	return tollgate.FieldErrorf("spec", "cannot be decoded: %s", oneLine(msg))
}

func goTypeName(t string) string {
	t = strings.TrimPrefix(t, "*")
	switch {
	case strings.HasPrefix(t, "float"), strings.HasPrefix(t, "int"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping"
	}
	return "a " + t
}

// findNonFinite walks a decoded YAML tree and reports the first NaN or
// infinite number, naming its path (peaks[0].value).
func findNonFinite(node any, path string) error {
	switch n := node.(type) {
	case float64:
		if math.IsNaN(n) {
			return tollgate.FieldErrorf(pathOr(path), "is NaN")
		}
		if math.IsInf(n, 0) {
			return tollgate.FieldErrorf(pathOr(path), "is infinite")
		}
	case map[any]any:
		keys := make([]string, 0, len(n))
		byKey := make(map[string]any, len(n))
		for k, v := range n {
			ks := fmt.Sprint(k)
			keys = append(keys, ks)
			byKey[ks] = v
		}
		sort.Strings(keys) // deterministic: the same input names the same field
		for _, k := range keys {
			child := k
			if path != "" {
				child = path + "." + k
			}
			if err := findNonFinite(byKey[k], child); err != nil {
				return err
			}
		}
	case []any:
		for i, v := range n {
			if err := findNonFinite(v, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func pathOr(path string) string {
	if path == "" {
		return "spec"
	}
	return path
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// chip checks that required fields are present and converts s to a
// validated Chip; prefix ("chips[3].") is prepended to field names.
func (s *spec) chip(prefix string) (tollgate.Chip, error) {
	fail := func(err error) (tollgate.Chip, error) {
		var te *tollgate.Error
		if prefix != "" && errors.As(err, &te) && te.Field != "" {
			te.Field = prefix + te.Field
		}
		return tollgate.Chip{}, err
	}
	switch {
	case s.DataCenter == nil:
		return fail(tollgate.FieldErrorf("data_center", "is required (true when designed or marketed for data centers)"))
	case s.DieAreaMM2 != nil && *s.DieAreaMM2 == 0:
		return fail(tollgate.FieldErrorf("die_area_mm2", "must be positive; omit it when the die area is unknown"))
	case s.DRAMBandwidthGBps != nil && *s.DRAMBandwidthGBps == 0:
		return fail(tollgate.FieldErrorf("dram_bandwidth_gbps", "must be positive; omit it when the DRAM bandwidth is unknown"))
	case s.InterconnectGBps != nil && *s.InterconnectGBps == 0:
		return fail(tollgate.FieldErrorf("interconnect_bandwidth_gbps", "must be positive; omit it when the interconnect bandwidth is unknown"))
	case s.Peaks != nil && len(s.Peaks) == 0:
		return fail(tollgate.FieldErrorf("peaks", "is empty; omit it when no peak figure is known"))
	}
	c := tollgate.Chip{
		Vendor:      strings.TrimSpace(s.Vendor),
		Model:       strings.TrimSpace(s.Model),
		Aliases:     s.Aliases,
		DataCenter:  *s.DataCenter,
		MemoryType:  s.MemoryType,
		USAvailable: s.USAvailable,
		Sources:     s.Sources,
		Notes:       s.Notes,
	}
	if s.DieAreaMM2 != nil {
		c.DieAreaMM2 = *s.DieAreaMM2
	}
	if s.MemoryGB != nil {
		c.MemoryGB = *s.MemoryGB
	}
	if s.DRAMBandwidthGBps != nil {
		c.DRAMBandwidthGBps = *s.DRAMBandwidthGBps
	}
	if s.InterconnectGBps != nil {
		c.InterconnectBandwidthGBps = *s.InterconnectGBps
	}
	for i, p := range s.Peaks {
		field := fmt.Sprintf("peaks[%d]", i)
		if p.Value == nil {
			return fail(tollgate.FieldErrorf(field+".value", "is required (dense peak TFLOPS or TOPS)"))
		}
		if p.BitLength == nil {
			return fail(tollgate.FieldErrorf(field+".bit_length", "is required"))
		}
		c.Peaks = append(c.Peaks, tollgate.PeakThroughput{
			Precision: strings.TrimSpace(p.Precision), Value: *p.Value, BitLength: *p.BitLength, Source: p.Source,
		})
	}
	if err := c.Validate(); err != nil {
		return fail(err)
	}
	return c, nil
}
