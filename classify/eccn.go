package classify

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"tollgate"
)

// Performance is what the 3A090 thresholds measure of a chip.
type Performance struct {
	// TPP is the highest dense peak throughput times its bit length over all
	// the chip's published precisions (88 FR 73458: 2 x MacTOPS x bit
	// length; a datasheet's TOPS already counts a multiply-add as two
	// operations). It is rounded to 4 decimals to drop float noise.
	TPP float64
	// Precision is the precision that gave TPP.
	Precision string
	// TPPKnown is false when the chip has no peak figures; TPP is then 0.
	TPPKnown bool
	// PD is TPP per mm² of applicable die area; PDKnown is false when the
	// die area is unknown, and PD is then 0.
	PD      float64
	PDKnown bool
}

// Measure computes a chip's TPP and, when its die area is known, its PD.
// The chip must be valid (tollgate.Chip.Validate).
func Measure(c tollgate.Chip) Performance {
	p := Performance{TPPKnown: len(c.Peaks) > 0}
	for _, peak := range c.Peaks {
		tpp := math.Round(peak.Value*float64(peak.BitLength)*1e4) / 1e4
		if tpp > p.TPP {
			p.TPP, p.Precision = tpp, peak.Precision
		}
	}
	if c.DieAreaMM2 > 0 {
		p.PD, p.PDKnown = p.TPP/c.DieAreaMM2, true
	}
	return p
}

// eccnDecision is the outcome of the 3A090/4A090 test.
type eccnDecision struct {
	ECCN    string // "" when not controlled
	Sub     string // "a", "b" or ""
	Reasons []string
	// Undetermined is set when an unknown figure could change the outcome;
	// Sub is then the most restrictive paragraph it allows.
	Undetermined *tollgate.Undetermined
}

// decide applies the thresholds to a chip's performance.
func (r ECCNRule) decide(p Performance, dataCenter, system bool) eccnDecision {
	var d eccnDecision
	tpp := "TPP " + fmtNum(p.TPP)
	switch {
	case !p.TPPKnown:
		d.Sub = "a"
		d.Undetermined = r.assumeA([]string{"peaks"}, "TPP unknown (no peak throughput figures): the item could be "+r.ChipECCN+".a, "+r.ChipECCN+".b or not controlled")
		d.Reasons = append(d.Reasons, d.Undetermined.Reason)
	case !dataCenter && p.TPP >= r.NonDataCenterTPP:
		d.Sub = "a"
		d.Reasons = append(d.Reasons, fmt.Sprintf("not designed or marketed for data centers, %s: controlled, but eligible for license exceptions NAC/ACA", cmp(tpp, p.TPP, ">=", r.NonDataCenterTPP)))
	case !dataCenter:
		d.Reasons = append(d.Reasons, fmt.Sprintf("not designed or marketed for data centers and %s: not controlled under %s", cmp(tpp, p.TPP, "<", r.NonDataCenterTPP), r.ChipECCN))
	case p.TPP >= r.ATPP:
		d.Sub = "a"
		d.Reasons = append(d.Reasons, fmt.Sprintf("%s: %s.a", cmp(tpp, p.TPP, ">=", r.ATPP), r.ChipECCN))
		if p.PDKnown {
			d.Reasons = append(d.Reasons, fmt.Sprintf("PD %s (TPP per mm² of die; TPP alone decides)", fmtPD(p.PD)))
		} else {
			d.Reasons = append(d.Reasons, "PD unknown (no die area): TPP alone decides")
		}
	case !p.PDKnown && p.TPP >= r.APDTPP:
		d.Sub = "a"
		d.Undetermined = r.assumeA([]string{"die_area_mm2"}, r.undecidedWithoutPD(p))
		d.Reasons = append(d.Reasons, d.Undetermined.Reason)
	case !p.PDKnown:
		d.Reasons = append(d.Reasons, fmt.Sprintf("PD unknown (no die area), but %s: below every %s threshold, not controlled", cmp(tpp, p.TPP, "<", r.APDTPP), r.ChipECCN))
	case p.TPP >= r.APDTPP && p.PD >= r.APD:
		d.Sub = "a"
		d.Reasons = append(d.Reasons, fmt.Sprintf("%s and %s: %s.a", cmp(tpp, p.TPP, ">=", r.APDTPP), cmp("PD "+fmtPD(p.PD), p.PD, ">=", r.APD), r.ChipECCN))
	case p.TPP >= r.BLowTPP && p.PD >= r.BLowPD:
		d.Sub = "b"
		d.Reasons = append(d.Reasons, fmt.Sprintf("%s (below %s) and %s (below %s): %s.b", cmp(tpp, p.TPP, ">=", r.BLowTPP), fmtNum(r.ATPP),
			cmp("PD "+fmtPD(p.PD), p.PD, ">=", r.BLowPD), fmtNum(r.APD), r.ChipECCN))
	case p.TPP >= r.BPDTPP && p.PD >= r.BPD:
		d.Sub = "b"
		d.Reasons = append(d.Reasons, fmt.Sprintf("%s and %s (below %s): %s.b", cmp(tpp, p.TPP, ">=", r.BPDTPP),
			cmp("PD "+fmtPD(p.PD), p.PD, ">=", r.BPD), fmtNum(r.APD), r.ChipECCN))
	default:
		d.Reasons = append(d.Reasons, r.belowThresholds(p))
	}
	if d.Sub == "" {
		return d
	}
	d.ECCN = r.ChipECCN + "." + d.Sub
	if system {
		d.ECCN = r.SystemECCN + "." + d.Sub
		d.Reasons = append(d.Reasons, fmt.Sprintf("a computer, assembly or component containing a %s.%s chip: %s", r.ChipECCN, d.Sub, d.ECCN))
	}
	if d.Undetermined != nil {
		d.Undetermined.Assumed = d.ECCN
	}
	return d
}

// undecidedWithoutPD explains what a data-center chip with APDTPP <= TPP
// < ATPP could be when its die area is unknown.
func (r ECCNRule) undecidedWithoutPD(p Performance) string {
	s := fmt.Sprintf("PD unknown (no die area) and %s: the item could be %s.a (PD >= %s), %s.b (PD >= %s",
		cmp("TPP "+fmtNum(p.TPP), p.TPP, "<", r.ATPP), r.ChipECCN, fmtNum(r.APD), r.ChipECCN, fmtNum(r.BPD))
	if p.TPP >= r.BLowTPP {
		s += fmt.Sprintf(" or >= %s", fmtNum(r.BLowPD))
	}
	return s + ") or not controlled"
}

// assumeA records that unknown figures leave the paragraph open and that
// the most restrictive one, .a, is applied.
func (r ECCNRule) assumeA(missing []string, why string) *tollgate.Undetermined {
	return &tollgate.Undetermined{
		Point: tollgate.UndeterminedECCN, Missing: missing, Assumed: r.ChipECCN + ".a",
		Reason: why + "; undetermined: " + r.ChipECCN + ".a assumed, the most restrictive the unknown allows",
	}
}

// belowThresholds explains a data-center chip with known PD that crosses
// no threshold.
func (r ECCNRule) belowThresholds(p Performance) string {
	tpp := "TPP " + fmtNum(p.TPP)
	pd := "PD " + fmtPD(p.PD)
	switch {
	case p.TPP < r.APDTPP:
		return fmt.Sprintf("%s: below every %s threshold, not controlled", cmp(tpp, p.TPP, "<", r.APDTPP), r.ChipECCN)
	case p.TPP < r.BLowTPP:
		return fmt.Sprintf("%s with %s: not controlled under %s", cmp(tpp, p.TPP, "<", r.BLowTPP), cmp(pd, p.PD, "<", r.BPD), r.ChipECCN)
	default:
		return fmt.Sprintf("%s with %s: not controlled under %s", cmp(tpp, p.TPP, "<", r.ATPP), cmp(pd, p.PD, "<", r.BLowPD), r.ChipECCN)
	}
}

// cmp renders "label op threshold", using enough digits that the value and
// the threshold never print the same when they differ.
func cmp(label string, v float64, op string, threshold float64) string {
	if fmtNum(v) == fmtNum(threshold) && v != threshold {
		return fmt.Sprintf("%s (%s) %s %s", label, fmtExact(v), op, fmtNum(threshold))
	}
	return fmt.Sprintf("%s %s %s", label, op, fmtNum(threshold))
}

// FormatNumber renders a figure as reasons show it: at most two decimals,
// thousands separated ("15,832", "20,919.2", "5.92").
func FormatNumber(v float64) string { return fmtNum(v) }

func fmtNum(v float64) string {
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	return groupThousands(s)
}

// fmtPD renders a performance density with two decimals.
func fmtPD(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// fmtExact renders v with every digit it has.
func fmtExact(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// round2 rounds to two decimals, as ratios and PD are reported.
func round2(v float64) float64 { return math.Round(v*100) / 100 }
