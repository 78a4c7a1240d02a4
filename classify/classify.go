// Package classify decides what a chip is under the US export rules for
// advanced computing and the Section 232 tariff: its TPP and performance
// density, its ECCN (3A090/4A090), whether an export needs a license and
// how the application is reviewed (including the January 2026 H200 rule),
// license exception NAC/ACA eligibility, and the Section 232 band, heading
// and duty rate. The rules are data (Rulebook), each with a citation and an
// effective date; every decision applies the rules in force on an as-of
// date and names the rules and reasons that produced it.
//
// The package is pure: it never reads the clock, the environment or a file.
package classify

import (
	"errors"
	"fmt"
	"time"

	"tollgate"
)

// Request is one classification question.
type Request struct {
	Chip tollgate.Chip
	// System classifies a computer, assembly or component containing the
	// chip (4A090) instead of the chip itself (3A090).
	System bool
	// To is the destination country (ISO 3166-1 alpha-2), or "" for a
	// classification without destination. HQ is where the end user or its
	// ultimate parent is headquartered, or "". From is the exporting
	// country; "" means the Rulebook's DefaultOrigin (US).
	To, HQ, From string
	// Reexport marks a reexport of an item already outside the US.
	Reexport bool
	// AsOf is the date whose rules apply; it is also the Section 232 entry
	// date. Required.
	AsOf time.Time
	// HTS is the import's HTSUS code; "" means the Section 232 rule's
	// default (8473.30), which the reasons then mention. Exemption is an
	// end-use exemption heading (9903.79.03 to .09), or "".
	HTS, Exemption string
}

// Classify applies the rulebook to req. Invalid input (an invalid chip, an
// unknown country code, a zero as-of date, a malformed HTS code or
// exemption, a date before any 3A090 rule) is an EINVALID error naming the
// field.
func (rb *Rulebook) Classify(req Request) (tollgate.Classification, error) {
	c, err := rb.classify(req)
	if err != nil {
		return tollgate.Classification{}, fmt.Errorf("classify.Classify: %w", err)
	}
	return c, nil
}

func (rb *Rulebook) classify(req Request) (tollgate.Classification, error) {
	if err := req.Chip.Validate(); err != nil {
		return tollgate.Classification{}, err
	}
	if err := rb.normalize(&req); err != nil {
		return tollgate.Classification{}, err
	}
	er, ok := rb.eccnRule(req.AsOf)
	if !ok {
		return tollgate.Classification{}, tollgate.FieldErrorf("as_of", "no 3A090 rule is modelled on %s (the first applies from %s)", req.AsOf.Format(time.DateOnly), rb.earliestECCN())
	}
	p := Measure(req.Chip)
	b := newBuilder()
	cls := tollgate.Classification{
		Model: req.Chip.Model, Vendor: req.Chip.Vendor, AsOf: req.AsOf.Format(time.DateOnly), System: req.System,
		TPP: p.TPP, TPPPrecision: p.Precision, DRAMBandwidthGBps: req.Chip.DRAMBandwidthGBps, DataCenter: req.Chip.DataCenter,
	}
	if p.PDKnown {
		pd := round2(p.PD)
		cls.PD = &pd
	}
	e := er.decide(p, req.Chip.DataCenter, req.System)
	b.rule(er.Rule)
	if p.TPPKnown {
		b.reason("TPP %s from %s peak", fmtNum(p.TPP), p.Precision)
	}
	for _, r := range e.Reasons {
		b.reason("%s", r)
	}
	if e.Undetermined != nil {
		b.undetermined(*e.Undetermined)
	}
	cls.ECCN, cls.Controlled = e.ECCN, e.ECCN != ""

	var rc reach
	if req.To != "" {
		cls.Destination, rc = rb.destination(&req, p, e, b)
	}
	cls.LicenseExceptions = rb.licenseExceptions(&req, e, cls.Destination, rc, b)

	hts := req.HTS
	if hts == "" {
		hts = rb.defaultHTS(req.AsOf)
		b.reason("no HTS code given: assumed %s (parts and accessories of computers, within the Section 232 chip duty's scope)", hts)
	}
	tariff, rule, err := rb.section232(TariffInput{TPP: p.TPP, DRAMBandwidthGBps: req.Chip.DRAMBandwidthGBps, HTS: hts, Exemption: req.Exemption, EntryDate: req.AsOf})
	if err != nil {
		return tollgate.Classification{}, err
	}
	if rule != nil {
		b.rule(*rule)
	}
	for _, r := range tariff.Reasons {
		b.reason("Section 232: %s", r)
	}
	if tariff.Assumed {
		b.undetermined(tollgate.Undetermined{
			Point: tollgate.UndeterminedSection232, Missing: missingFigures(req.Chip, true, true), Assumed: fmt.Sprintf("band %d", tariff.Band),
			Reason: fmt.Sprintf("the unknown figures could place the chip in Section 232 band %d or in none; undetermined: band %d assumed, the duty the unknown allows", tariff.Band, tariff.Band),
		})
	}
	cls.Tariff = tariff
	cls.Reasons, cls.Rules, cls.Undetermined = b.reasons, b.rules, b.und
	return cls, nil
}

// normalize checks and upper-cases the request's countries and defaults
// the origin.
func (rb *Rulebook) normalize(req *Request) error {
	if req.AsOf.IsZero() {
		return tollgate.FieldErrorf("as_of", "is required")
	}
	req.AsOf = req.AsOf.UTC().Truncate(24 * time.Hour)
	if req.From == "" {
		req.From = rb.DefaultOrigin
	}
	for _, f := range []struct {
		field string
		cc    *string
	}{{"to", &req.To}, {"hq", &req.HQ}, {"from", &req.From}} {
		if *f.cc == "" {
			continue
		}
		cc, err := rb.NormalizeCountry(f.field, *f.cc)
		if err != nil {
			return err
		}
		*f.cc = cc
	}
	if req.To == "" && (req.HQ != "" || req.Reexport) {
		return tollgate.FieldErrorf("to", "is required when the end user's headquarters or a reexport is given")
	}
	return nil
}

func (rb *Rulebook) defaultHTS(asOf time.Time) string {
	if r, ok := rb.section232Rule(asOf); ok {
		return r.DefaultHTS
	}
	if len(rb.Tariffs) > 0 {
		return rb.Tariffs[0].DefaultHTS
	}
	return "8473.30"
}

func (rb *Rulebook) earliestECCN() string {
	var first time.Time
	for _, r := range rb.ECCN {
		if first.IsZero() || r.Effective.Before(first) {
			first = r.Effective
		}
	}
	return first.Format(time.DateOnly)
}

// builder collects reasons and the rules behind them, each rule once, and
// the points unknown figures left open.
type builder struct {
	reasons []string
	rules   []tollgate.RuleRef
	seen    map[string]bool
	und     []tollgate.Undetermined
}

func newBuilder() *builder {
	return &builder{reasons: []string{}, rules: []tollgate.RuleRef{}, seen: map[string]bool{}, und: []tollgate.Undetermined{}}
}

// undetermined records a point left open by unknown figures.
func (b *builder) undetermined(u tollgate.Undetermined) { b.und = append(b.und, u) }

// missingFigures names the chip's unknown figures among TPP (peaks) and
// DRAM bandwidth, as they are asked for.
func missingFigures(c tollgate.Chip, tpp, dram bool) []string {
	var out []string
	if tpp && len(c.Peaks) == 0 {
		out = append(out, "peaks")
	}
	if dram && c.DRAMBandwidthGBps == 0 {
		out = append(out, "dram_bandwidth_gbps")
	}
	return out
}

func (b *builder) reason(format string, args ...any) {
	b.reasons = append(b.reasons, fmt.Sprintf(format, args...))
}

func (b *builder) rule(r Rule) {
	if !b.seen[r.ID] {
		b.seen[r.ID] = true
		b.rules = append(b.rules, r.Ref())
	}
}

// add records a reason together with the rule that gave it.
func (b *builder) add(r Rule, format string, args ...any) {
	b.rule(r)
	b.reason(format, args...)
}

// Comparison sets two chips side by side: A's TPP and DRAM bandwidth as
// multiples of B's, rounded to two decimals ("the H200 is about six times
// the H20": TPPRatio 6.69).
type Comparison struct {
	A              ComparedChip `json:"a"`
	B              ComparedChip `json:"b"`
	TPPRatio       float64      `json:"tpp_ratio"`
	BandwidthRatio float64      `json:"bandwidth_ratio"`
}

// ComparedChip is one side of a Comparison.
type ComparedChip struct {
	Vendor            string  `json:"vendor"`
	Model             string  `json:"model"`
	TPP               float64 `json:"tpp"`
	TPPPrecision      string  `json:"tpp_precision"`
	DRAMBandwidthGBps float64 `json:"dram_bandwidth_gbps"`
}

// Compare returns a's TPP and DRAM bandwidth relative to b's. Both chips
// must be valid and state both figures; an error names the chip and field
// ("a.model", "b.peaks").
func Compare(a, b tollgate.Chip) (Comparison, error) {
	for _, side := range []struct {
		name string
		chip *tollgate.Chip
	}{{"a", &a}, {"b", &b}} {
		if err := side.chip.Validate(); err != nil {
			var te *tollgate.Error
			if errors.As(err, &te) {
				te.Field = side.name + "." + te.Field
			}
			return Comparison{}, fmt.Errorf("classify.Compare: %w", err)
		}
		switch {
		case len(side.chip.Peaks) == 0:
			return Comparison{}, fmt.Errorf("classify.Compare: %w", tollgate.FieldErrorf(side.name+".peaks", "TPP is unknown: no peak figures to compare"))
		case side.chip.DRAMBandwidthGBps == 0:
			return Comparison{}, fmt.Errorf("classify.Compare: %w", tollgate.FieldErrorf(side.name+".dram_bandwidth_gbps", "is unknown: nothing to compare"))
		}
	}
	pa, pb := Measure(a), Measure(b)
	return Comparison{
		A:              ComparedChip{Vendor: a.Vendor, Model: a.Model, TPP: pa.TPP, TPPPrecision: pa.Precision, DRAMBandwidthGBps: a.DRAMBandwidthGBps},
		B:              ComparedChip{Vendor: b.Vendor, Model: b.Model, TPP: pb.TPP, TPPPrecision: pb.Precision, DRAMBandwidthGBps: b.DRAMBandwidthGBps},
		TPPRatio:       round2(pa.TPP / pb.TPP),
		BandwidthRatio: round2(a.DRAMBandwidthGBps / b.DRAMBandwidthGBps),
	}, nil
}
