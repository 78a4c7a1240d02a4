package classify

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"tollgate"
)

// TariffInput is what the Section 232 duty looks at in one import entry.
type TariffInput struct {
	// TPP and DRAMBandwidthGBps are those of the logic chip the goods are or
	// contain (see Measure); 0 means unknown. An unknown figure that could
	// place the chip in a band places it there (Assumed), never outside.
	TPP               float64
	DRAMBandwidthGBps float64
	// HTS is the goods' HTSUS code, with or without dots ("8473.30.1180").
	HTS string
	// Exemption is an end-use exemption heading (9903.79.03 to .09), or "".
	Exemption string
	// EntryDate is the date the goods are entered for consumption.
	EntryDate time.Time
}

// Section232 decides the Section 232 band, Chapter 99 heading and duty rate
// of an import. It is pure: shipping calls it with an entry's HTS code,
// exemption and entry date. Malformed input is an EINVALID error naming the
// field (tpp, dram_bandwidth_gbps, hts, exemption, entry_date).
func (rb *Rulebook) Section232(in TariffInput) (tollgate.TariffClassification, error) {
	t, _, err := rb.section232(in)
	if err != nil {
		return tollgate.TariffClassification{}, fmt.Errorf("classify.Section232: %w", err)
	}
	return t, nil
}

// section232 is Section232 that also returns the rule applied, if any.
func (rb *Rulebook) section232(in TariffInput) (tollgate.TariffClassification, *Rule, error) {
	figures := []struct {
		field string
		v     float64
	}{{"tpp", in.TPP}, {"dram_bandwidth_gbps", in.DRAMBandwidthGBps}}
	for _, f := range figures {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return tollgate.TariffClassification{}, nil, tollgate.FieldErrorf(f.field, "must be a finite, non-negative number, got %g", f.v)
		}
	}
	if in.EntryDate.IsZero() {
		return tollgate.TariffClassification{}, nil, tollgate.FieldErrorf("entry_date", "is required")
	}
	hts, err := NormalizeHTS(in.HTS)
	if err != nil {
		return tollgate.TariffClassification{}, nil, err
	}
	exemption := ""
	if in.Exemption != "" {
		if exemption, err = NormalizeHeading(in.Exemption); err != nil {
			return tollgate.TariffClassification{}, nil, err
		}
	}
	t := tollgate.TariffClassification{HTS: hts, EntryDate: in.EntryDate.Format(time.DateOnly), Reasons: []string{}}
	r, ok := rb.section232Rule(in.EntryDate)
	if !ok {
		t.Reasons = append(t.Reasons, fmt.Sprintf("no Section 232 duty on chips for goods entered on %s: the duty applies from %s", t.EntryDate, rb.earliest232()))
		return t, nil, nil
	}
	t.Citation = r.Citation
	if exemption != "" && !slices.ContainsFunc(r.Exemptions, func(e Exemption) bool { return e.Heading == exemption }) {
		return tollgate.TariffClassification{}, nil, tollgate.FieldErrorf("exemption", "%s is not an end-use exemption heading (want %s to %s)", exemption, r.Exemptions[0].Heading, r.Exemptions[len(r.Exemptions)-1].Heading)
	}
	digits := strings.ReplaceAll(hts, ".", "")
	t.InScope = slices.ContainsFunc(r.HTSPrefixes, func(p string) bool { return strings.HasPrefix(digits, p) })
	if !t.InScope {
		t.Reasons = append(t.Reasons, fmt.Sprintf("HTS %s is outside the Section 232 chip duty (%s): no band and no Chapter 99 heading", hts, formatPrefixes(r.HTSPrefixes)))
		return t, &r.Rule, nil
	}
	for _, band := range r.Bands {
		if in.TPP > band.TPPAbove && in.TPP < band.TPPBelow && in.DRAMBandwidthGBps > band.BWAbove && in.DRAMBandwidthGBps < band.BWBelow {
			t.Band = band.Band
			t.Reasons = append(t.Reasons, fmt.Sprintf("band %d: %s < TPP %s < %s and %s < DRAM bandwidth %s < %s GB/s", band.Band,
				fmtNum(band.TPPAbove), fmtNum(in.TPP), fmtNum(band.TPPBelow), fmtNum(band.BWAbove), fmtNum(in.DRAMBandwidthGBps), fmtNum(band.BWBelow)))
			break
		}
	}
	if t.Band == 0 {
		if band, ok := r.possibleBand(in); ok {
			t.Band, t.Assumed = band.Band, true
			t.Reasons = append(t.Reasons, fmt.Sprintf("band %d assumed: %s and %s leave the chip possibly in band %d (%s < TPP < %s, %s < DRAM bandwidth < %s GB/s); undetermined, so the band applies",
				band.Band, figure("TPP", in.TPP, ""), figure("DRAM bandwidth", in.DRAMBandwidthGBps, " GB/s"), band.Band,
				fmtNum(band.TPPAbove), fmtNum(band.TPPBelow), fmtNum(band.BWAbove), fmtNum(band.BWBelow)))
		}
	}
	switch {
	case t.Band == 0:
		t.Heading = r.NoDutyHeading
		t.Reasons = append(t.Reasons, fmt.Sprintf("%s and %s are in no Section 232 band: heading %s, no duty", figure("TPP", in.TPP, ""), figure("DRAM bandwidth", in.DRAMBandwidthGBps, " GB/s"), r.NoDutyHeading))
		if exemption != "" {
			t.Reasons = append(t.Reasons, fmt.Sprintf("exemption %s not needed: no duty is due", exemption))
		}
	case exemption != "":
		t.Heading, t.Exemption = exemption, exemption
		t.Reasons = append(t.Reasons, fmt.Sprintf("end-use exemption %s (%s): no duty; the importer must document the end use", exemption, r.exemptionUse(exemption)))
	default:
		t.Heading, t.RateBP = r.DutyHeading, r.RateBP
		t.Reasons = append(t.Reasons, fmt.Sprintf("heading %s: %s%% additional duty on the entered value (no drawback)", r.DutyHeading, fmtNum(float64(r.RateBP)/100)))
	}
	return t, &r.Rule, nil
}

// possibleBand returns the first band that the input's unknown figures
// (0) could place the chip in, given its known ones.
func (r Section232Rule) possibleBand(in TariffInput) (TariffBand, bool) {
	if in.TPP != 0 && in.DRAMBandwidthGBps != 0 {
		return TariffBand{}, false
	}
	for _, band := range r.Bands {
		tppOK := in.TPP == 0 || (in.TPP > band.TPPAbove && in.TPP < band.TPPBelow)
		bwOK := in.DRAMBandwidthGBps == 0 || (in.DRAMBandwidthGBps > band.BWAbove && in.DRAMBandwidthGBps < band.BWBelow)
		if tppOK && bwOK {
			return band, true
		}
	}
	return TariffBand{}, false
}

// figure renders "label value unit", or "label unknown" for 0.
func figure(label string, v float64, unit string) string {
	if v == 0 {
		return label + " unknown"
	}
	return label + " " + fmtNum(v) + unit
}

func (r Section232Rule) exemptionUse(heading string) string {
	for _, e := range r.Exemptions {
		if e.Heading == heading {
			return e.EndUse
		}
	}
	return ""
}

func (rb *Rulebook) earliest232() string {
	var first time.Time
	for _, r := range rb.Tariffs {
		if first.IsZero() || r.Effective.Before(first) {
			first = r.Effective
		}
	}
	if first.IsZero() {
		return "(no Section 232 rule is modelled)"
	}
	return first.Format(time.DateOnly)
}

// NormalizeHTS checks an HTSUS code of 6, 8 or 10 digits, with or without
// dots, and formats it as 8473.30, 8473.30.11 or 8473.30.1180.
func NormalizeHTS(code string) (string, error) {
	digits := strings.ReplaceAll(strings.TrimSpace(code), ".", "")
	if !allDigits(digits) || (len(digits) != 6 && len(digits) != 8 && len(digits) != 10) {
		return "", tollgate.FieldErrorf("hts", "%q is not an HTSUS code of 6, 8 or 10 digits (e.g. 8473.30)", code)
	}
	out := digits[:4] + "." + digits[4:6]
	if len(digits) > 6 {
		out += "." + digits[6:]
	}
	return out, nil
}

// NormalizeHeading checks a Chapter 99 heading (9903.79.05 or 99037905).
func NormalizeHeading(code string) (string, error) {
	digits := strings.ReplaceAll(strings.TrimSpace(code), ".", "")
	if !allDigits(digits) || len(digits) != 8 || !strings.HasPrefix(digits, "99") {
		return "", tollgate.FieldErrorf("exemption", "%q is not a Chapter 99 heading such as 9903.79.05", code)
	}
	return digits[:4] + "." + digits[4:6] + "." + digits[6:], nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func formatPrefixes(prefixes []string) string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = p[:4] + "." + p[4:]
	}
	return strings.Join(out, ", ")
}
