package classify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
)

// reach records where a destination and an end user's headquarters fall
// under the destination rule; license exceptions depend on it.
type reach struct {
	dest, hq  string // after treat-as (HK → CN)
	destReach bool   // the destination itself needs a license
	hqReach   bool   // the end user's headquarters needs one wherever located
	denial    bool   // D:5 or Macau destination, or such an end user
}

// destination decides the license requirement and review policy for req,
// whose countries are already normalized.
func (rb *Rulebook) destination(req *Request, p Performance, e eccnDecision, b *builder) (*tollgate.DestinationPolicy, reach) {
	dr := rb.Destination
	dp := &tollgate.DestinationPolicy{
		Country: req.To, HQ: req.HQ, From: req.From, Reexport: req.Reexport,
		Conditions: []tollgate.RequiredCertification{}, Statements: []tollgate.RequiredCertification{},
	}
	var rc reach
	rc.dest, rc.hq = req.To, req.HQ
	com := rb.ChinaOrMacau
	if t, ok := com.TreatAs[rc.dest]; ok {
		dp.TreatedAs, rc.dest = t, t
		b.add(com.Rule, "destination %s is treated as %s (part of %s)", req.To, t, com)
	}
	if t, ok := com.TreatAs[rc.hq]; ok {
		rc.hq = t
		b.add(com.Rule, "headquarters %s is treated as %s (part of %s)", req.HQ, t, com)
	}
	dp.CountryGroups = rb.Groups.Of(rc.dest)
	b.rule(rb.Groups.Rule)
	if !rb.Groups.InForce(req.AsOf) {
		b.reason("country groups are modelled as of %s only; membership on %s may have differed", rb.Groups.Effective.Format(time.DateOnly), req.AsOf.Format(time.DateOnly))
	}
	rc.destReach = (rb.Groups.InAny(dr.Groups, rc.dest) || slices.Contains(dr.Extra, rc.dest)) && !rb.Groups.InAny(dr.ExcludeGroups, rc.dest)
	rc.hqReach = rc.hq != "" && (rb.Groups.InAny(dr.HQGroups, rc.hq) || slices.Contains(dr.HQExtra, rc.hq))
	rc.denial = rb.denialDestination(rc.dest) || rc.hqReach

	if e.ECCN == "" {
		rb.uncontrolled(req, rc, dp, b)
		return dp, rc
	}
	b.rule(dr.Rule)
	if !rc.destReach && !rc.hqReach {
		dp.ReviewPolicy = tollgate.PolicyNoLicenseRequired
		b.reason("%s: no license required", rb.outOfReach(rc.dest))
		return dp, rc
	}
	dp.LicenseRequired = true
	if rc.destReach {
		b.reason("destination %s (%s): license required", rc.dest, rb.groupList(rc.dest))
	}
	if rc.hqReach {
		b.reason("end user headquartered in %s (D:5 or Macau): license required wherever it is located", rc.hq)
	}
	if !rc.denial {
		dp.ReviewPolicy = tollgate.PolicyPresumptionOfApproval
		b.reason("destination in D:1/D:4 but not D:5 or Macau: presumption of approval")
		return dp, rc
	}
	dp.ReviewPolicy = tollgate.PolicyPresumptionOfDenial
	if rc.hqReach && !rb.denialDestination(rc.dest) {
		b.reason("end user headquartered in %s (D:5 or Macau): presumption of denial", rc.hq)
	} else {
		b.reason("destination %s is %s: presumption of denial", rc.dest, rb.denialLabel(rc.dest))
	}
	for _, r := range rb.CaseByCase {
		r.apply(req, p, rc, dp, b)
	}
	return dp, rc
}

// uncontrolled handles an item outside 3A090/4A090: only a BIS letter can
// still require a license.
func (rb *Rulebook) uncontrolled(req *Request, rc reach, dp *tollgate.DestinationPolicy, b *builder) {
	for _, l := range rb.Letters {
		if !l.names(req.Chip) || !(slices.Contains(l.Destinations, rc.dest) || rb.Groups.InAny(l.DestinationGroups, rc.dest)) {
			continue
		}
		if !l.InForce(req.AsOf) {
			b.add(l.Rule, "the BIS letter requiring a license for %s (effective %s) is not in force on %s", req.Chip.Model, l.Effective.Format(time.DateOnly), req.AsOf.Format(time.DateOnly))
			continue
		}
		dp.LicenseRequired, dp.ReviewPolicy = true, l.Policy
		if !slices.Contains(l.Destinations, rc.dest) {
			dp.ReviewPolicy = l.OtherPolicy
		}
		b.add(l.Rule, "BIS letter: a license is required to export the %s to %s although it is below 3A090; reviewed %s", req.Chip.Model, rc.dest, policyPhrase(dp.ReviewPolicy))
		return
	}
	dp.ReviewPolicy = tollgate.PolicyNoLicenseRequired
	b.reason("not controlled under 3A090/4A090: no advanced-computing license requirement (other EAR controls, such as embargoes and end-use rules, are not evaluated)")
}

// policyPhrase renders a review policy for a sentence ("case by case",
// "under presumption of denial").
func policyPhrase(p tollgate.ReviewPolicy) string {
	phrase := strings.ReplaceAll(string(p), "_", " ")
	if p == tollgate.PolicyCaseByCase {
		return phrase
	}
	return "under " + phrase
}

// names reports whether the letter names chip c.
func (l LetterRule) names(c tollgate.Chip) bool {
	for _, m := range l.Models {
		for _, n := range c.Names() {
			if tollgate.ChipKey(m) == tollgate.ChipKey(n) {
				return true
			}
		}
	}
	return false
}

// apply upgrades a presumption of denial to case-by-case when the H200 rule
// covers the export, or says why it does not.
func (r CaseByCaseRule) apply(req *Request, p Performance, rc reach, dp *tollgate.DestinationPolicy, b *builder) {
	covered := slices.Contains(r.Destinations, rc.dest)
	if !covered && !rc.hqReach {
		return // the rule is about other destinations; nothing to explain
	}
	if !r.InForce(req.AsOf) {
		b.add(r.Rule, "the H200 rule (effective %s) is not in force on %s: presumption of denial stands", r.Effective.Format(time.DateOnly), req.AsOf.Format(time.DateOnly))
		return
	}
	var why []string
	if !covered {
		why = append(why, fmt.Sprintf("it covers only exports to %s, not end users headquartered in D:5 or Macau located elsewhere", strings.Join(r.Destinations, "/")))
	} else if rc.hqReach && rc.hq != rc.dest {
		why = append(why, fmt.Sprintf("the end user is headquartered in %s, outside the destination", rc.hq))
	}
	if req.From != "US" {
		why = append(why, fmt.Sprintf("exports from abroad (from %s) are not covered", req.From))
	}
	if req.Reexport {
		why = append(why, "reexports are not covered")
	}
	if p.TPP >= r.MaxTPP {
		why = append(why, cmp("TPP "+fmtNum(p.TPP), p.TPP, ">=", r.MaxTPP))
	}
	if bw := req.Chip.DRAMBandwidthGBps; bw >= r.MaxDRAMBandwidthGBps {
		why = append(why, cmp("DRAM bandwidth "+fmtNum(bw), bw, ">=", r.MaxDRAMBandwidthGBps)+" GB/s")
	}
	if avail, ok := req.Chip.USAvailableDate(); !ok {
		why = append(why, "no known commercial availability in the US")
	} else if !avail.Before(r.AvailableBefore) {
		why = append(why, fmt.Sprintf("commercially available in the US only from %s", req.Chip.USAvailable))
	}
	if len(why) > 0 {
		b.add(r.Rule, "the H200 rule does not apply (%s): presumption of denial stands", strings.Join(why, "; "))
		return
	}
	dp.ReviewPolicy = tollgate.PolicyCaseByCase
	dp.Conditions = append(dp.Conditions, r.Conditions...)
	dp.Statements = append(dp.Statements, r.Statements...)
	b.add(r.Rule, "H200 rule: export from the US to %s of a chip with %s and %s GB/s, available in the US since %s: case by case, with %d certifications",
		rc.dest, cmp("TPP "+fmtNum(p.TPP), p.TPP, "<", r.MaxTPP),
		cmp("DRAM bandwidth "+fmtNum(req.Chip.DRAMBandwidthGBps), req.Chip.DRAMBandwidthGBps, "<", r.MaxDRAMBandwidthGBps),
		req.Chip.USAvailable, len(r.Conditions))
}

// denialDestination reports whether exports to cc are reviewed under
// presumption of denial by default.
func (rb *Rulebook) denialDestination(cc string) bool {
	return rb.Groups.InAny(rb.Destination.DenialGroups, cc) || slices.Contains(rb.Destination.DenialExtra, cc)
}

// denialLabel names what makes cc a presumption-of-denial destination.
func (rb *Rulebook) denialLabel(cc string) string {
	var parts []string
	for _, g := range rb.Destination.DenialGroups {
		if rb.Groups.In(g, cc) {
			parts = append(parts, "in "+g)
		}
	}
	if slices.Contains(rb.Destination.DenialExtra, cc) {
		parts = append(parts, "named in the rule")
	}
	return strings.Join(parts, " and ")
}

// outOfReach explains why a destination needs no license.
func (rb *Rulebook) outOfReach(cc string) string {
	dr := rb.Destination
	for _, g := range dr.ExcludeGroups {
		if rb.Groups.In(g, cc) && (rb.Groups.InAny(dr.Groups, cc) || slices.Contains(dr.Extra, cc)) {
			return fmt.Sprintf("destination %s (%s) is also in %s, which is excluded", cc, rb.groupList(cc), g)
		}
	}
	return fmt.Sprintf("destination %s is outside %s and %s", cc, strings.Join(dr.Groups, ", "), strings.Join(dr.Extra, ", "))
}

// groupList renders cc's groups and special status for a reason.
func (rb *Rulebook) groupList(cc string) string {
	parts := rb.Groups.Of(cc)
	if slices.Contains(rb.Destination.Extra, cc) {
		parts = append(parts, "Macau")
	}
	if len(parts) == 0 {
		return "no modelled country group"
	}
	return strings.Join(parts, ", ")
}

// licenseExceptions decides NAC and ACA eligibility. An item qualifies when
// it is 3A090.b/4A090.b, or .a but not designed or marketed for data centers;
// NAC then covers D:5 and Macau destinations and end users headquartered
// there, ACA the other destinations that need a license.
func (rb *Rulebook) licenseExceptions(req *Request, e eccnDecision, dp *tollgate.DestinationPolicy, rc reach, b *builder) []tollgate.LicenseExceptionEligibility {
	er := rb.Exceptions
	nac := tollgate.LicenseExceptionEligibility{Name: "NAC", Citation: er.NACCitation}
	aca := tollgate.LicenseExceptionEligibility{Name: "ACA", Citation: er.ACACitation}
	both := func(reason string) []tollgate.LicenseExceptionEligibility {
		nac.Reason, aca.Reason = reason, reason
		return []tollgate.LicenseExceptionEligibility{nac, aca}
	}
	if e.ECCN == "" {
		if dp != nil && dp.LicenseRequired {
			return both("not available: the license requirement comes from a BIS letter, not from 3A090/4A090")
		}
		return both("not needed: the item is not controlled under 3A090/4A090")
	}
	b.rule(er.Rule)
	if !er.InForce(req.AsOf) {
		return both(fmt.Sprintf("not modelled before %s (NAC and ACA as split by 89 FR 23876)", er.Effective.Format(time.DateOnly)))
	}
	itemOK := e.Sub == "b" || (e.Sub == "a" && !req.Chip.DataCenter && rb.eccnRuleAllowsNonDC(req.AsOf))
	if !itemOK {
		return both(fmt.Sprintf("not available: %s items designed or marketed for data centers are excluded", e.ECCN))
	}
	if dp == nil {
		nac.Reason = fmt.Sprintf("no destination given; the %s item qualifies for D:5 and Macau destinations and end users headquartered there (%s)", e.ECCN, er.NACTerms)
		aca.Reason = fmt.Sprintf("no destination given; the %s item qualifies for other D:1/D:4 destinations (%s)", e.ECCN, er.ACATerms)
		return []tollgate.LicenseExceptionEligibility{nac, aca}
	}
	if !dp.LicenseRequired {
		return both("not needed: no license is required")
	}
	if rc.denial {
		nac.Eligible = true
		nac.Reason = fmt.Sprintf("eligible: %s to a D:5/Macau destination or end user; %s", e.ECCN, er.NACTerms)
		aca.Reason = "not available: ACA excludes D:5 and Macau destinations and end users headquartered there"
	} else {
		aca.Eligible = true
		aca.Reason = fmt.Sprintf("eligible: %s to a D:1/D:4 destination outside D:5 and Macau; %s", e.ECCN, er.ACATerms)
		nac.Reason = "not needed: NAC covers D:5 and Macau; use ACA"
	}
	return []tollgate.LicenseExceptionEligibility{nac, aca}
}

// eccnRuleAllowsNonDC reports whether the 3A090 rule in force lets
// non-data-center chips above the threshold use NAC/ACA.
func (rb *Rulebook) eccnRuleAllowsNonDC(asOf time.Time) bool {
	r, ok := rb.eccnRule(asOf)
	return ok && r.NonDataCenterExceptions
}
