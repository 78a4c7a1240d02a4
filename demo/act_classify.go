package demo

import (
	"context"
	"time"

	"tollgate"
	"tollgate/classify"
)

// The dates the story turns on (regime.md §1, §3, §5, §7).
var (
	// announced: the President announces H200 sales to approved customers
	// in China (8 Dec 2025).
	announced = time.Date(2025, 12, 8, 0, 0, 0, 0, time.UTC)
	// ruleEffective: the H200 rule and the Section 232 duty take effect
	// (15 Jan 2026).
	ruleEffective = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
)

// product is the product key of the chip the story is about.
const product = "H200"

// ChipFigures is what the classification act found.
type ChipFigures struct {
	Model          string  `json:"model"`
	ECCN           string  `json:"eccn"`
	TPP            float64 `json:"tpp"`
	PolicyToChina  string  `json:"policy_to_china"`
	Certifications int     `json:"certifications"`
	// H20TPPRatio is the H200's TPP as a multiple of the H20's (6.69).
	H20TPPRatio       float64 `json:"h20_tpp_ratio"`
	H20BandwidthRatio float64 `json:"h20_bandwidth_ratio"`
	// Heading, Band and RateBP are the Section 232 line of an import on
	// or after 15 Jan 2026.
	Heading string `json:"section232_heading"`
	Band    int    `json:"section232_band"`
	RateBP  int    `json:"section232_rate_bp"`
}

// classifyAct classifies the H200 for China on the day of the
// announcement, compares it with the H20, and finds its Section 232 line
// for imports from 15 Jan 2026.
func (p *play) classifyAct(ctx context.Context) error {
	now := p.at("2025-12-08 15:00")
	h200, err := p.catalog.Lookup(product)
	if err != nil {
		return err
	}
	h20, err := p.catalog.Lookup("H20")
	if err != nil {
		return err
	}
	c, err := p.rules.Classify(classify.Request{Chip: h200, To: "CN", HQ: "CN", AsOf: now})
	if err != nil {
		return step("classify", err)
	}
	if c.Destination == nil || c.Destination.ReviewPolicy != tollgate.PolicyCaseByCase {
		return tollgate.Errorf(tollgate.EINTERNAL, "the H200 to China classifies as %v, not case by case: the story cannot go on", c.Destination)
	}
	cmp, err := classify.Compare(h200, h20)
	if err != nil {
		return step("compare", err)
	}
	duty, err := p.rules.Classify(classify.Request{Chip: h200, AsOf: ruleEffective, HTS: "8473.30"})
	if err != nil {
		return step("classify import", err)
	}
	p.res.Figures.H200 = ChipFigures{
		Model: h200.Name(), ECCN: c.ECCN, TPP: c.TPP, PolicyToChina: string(c.Destination.ReviewPolicy),
		Certifications: len(c.Destination.Conditions), H20TPPRatio: cmp.TPPRatio, H20BandwidthRatio: cmp.BandwidthRatio,
		Heading: duty.Tariff.Heading, Band: duty.Tariff.Band, RateBP: duty.Tariff.RateBP,
	}
	f := p.res.Figures.H200
	p.tell("classify", "the President announces H200 sales to approved customers in China; tollgate classifies the %s: ECCN %s, TPP %s (%s), %.2fx the H20's %s (DRAM bandwidth only %.2fx)",
		f.Model, f.ECCN, classify.FormatNumber(f.TPP), c.TPPPrecision, f.H20TPPRatio, classify.FormatNumber(cmp.B.TPP), f.H20BandwidthRatio)
	p.tell("classify", "to China: license required, %s under the H200 rule with %d certifications; imported from 15 Jan 2026 it enters under %s (band %d), %d%% duty",
		caseByCase(f.PolicyToChina), f.Certifications, f.Heading, f.Band, f.RateBP/100)
	return nil
}

func caseByCase(policy string) string {
	if policy == string(tollgate.PolicyCaseByCase) {
		return "case by case"
	}
	return policy
}
