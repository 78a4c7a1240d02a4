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
	g         Membership // the country groups in force on the as-of date
	dest, hq  string     // after treat-as (HK → CN)
	destReach bool       // the destination itself needs a license
	hqReach   bool       // the end user's headquarters needs one wherever located
	denial    bool       // D:5 or Macau destination, or such an end user
}

// destination decides the license requirement and review policy for req,
// whose countries are already normalized.
func (rb *Rulebook) destination(req *Request, p Performance, e eccnDecision, b *builder) (*tollgate.DestinationPolicy, reach) {
	dr := rb.Destination
	dp := &tollgate.DestinationPolicy{
		Country: req.To, HQ: req.HQ, From: req.From, Reexport: req.Reexport,
		Conditions: []tollgate.RequiredCertification{}, Statements: []tollgate.RequiredCertification{},
	}
	rc := reach{g: rb.Groups.AsOf(req.AsOf), dest: req.To, hq: req.HQ}
	com := rb.ChinaOrMacau
	if t, ok := com.TreatAs[rc.dest]; ok {
		dp.TreatedAs, rc.dest = t, t
		b.add(com.Rule, "destination %s is treated as %s (part of %s)", req.To, t, com)
	}
	if t, ok := com.TreatAs[rc.hq]; ok {
		rc.hq = t
		b.add(com.Rule, "headquarters %s is treated as %s (part of %s)", req.HQ, t, com)
	}
	if dr.Home != "" && rc.dest == dr.Home {
		dp.CountryGroups = rc.g.Of(rc.dest)
		dp.ReviewPolicy = tollgate.PolicyNoLicenseRequired
		b.add(dr.HomeRule, "delivery inside %s is not an export: no license is required for the item, wherever the end user is headquartered (releases of technology are not evaluated)", dr.Home)
		return dp, rc
	}
	dp.CountryGroups = rc.g.Of(rc.dest)
	rb.citeGroups(rc, req, b)
	rc.destReach = (rc.g.InAny(dr.Groups, rc.dest) || slices.Contains(dr.Extra, rc.dest)) && !rc.g.InAny(dr.ExcludeGroups, rc.dest)
	rc.hqReach = rc.hq != "" && (rc.g.InAny(dr.HQGroups, rc.hq) || slices.Contains(dr.HQExtra, rc.hq))
	rc.denial = rb.denialDestination(rc.g, rc.dest) || rc.hqReach

	if e.ECCN == "" {
		rb.uncontrolled(req, rc, dp, b)
		return dp, rc
	}
	b.rule(dr.Rule)
	if !rc.destReach && !rc.hqReach {
		dp.ReviewPolicy = tollgate.PolicyNoLicenseRequired
		b.reason("%s: no license required", rb.outOfReach(rc.g, rc.dest))
		return dp, rc
	}
	dp.LicenseRequired = true
	if rc.destReach {
		b.reason("destination %s (%s): license required", rc.dest, rb.groupList(rc.g, rc.dest))
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
	if rc.hqReach && !rb.denialDestination(rc.g, rc.dest) {
		b.reason("end user headquartered in %s (D:5 or Macau): presumption of denial", rc.hq)
	} else {
		b.reason("destination %s is %s: presumption of denial", rc.dest, rb.denialLabel(rc.g, rc.dest))
	}
	for _, r := range rb.CaseByCase {
		r.apply(req, p, rc, dp, b)
	}
	return dp, rc
}

// citeGroups names the country-group rules behind the decision: the
// baseline, and each dated change that concerns the destination or the
// headquarters, in force on the as-of date or not yet.
func (rb *Rulebook) citeGroups(rc reach, req *Request, b *builder) {
	g := rb.Groups
	b.rule(g.Rule)
	if !rc.g.Modelled {
		b.reason("country groups are modelled from %s; membership on %s may have differed", g.Effective.Format(time.DateOnly), req.AsOf.Format(time.DateOnly))
	}
	for _, c := range g.Changes {
		for _, cc := range slices.Compact([]string{rc.dest, rc.hq}) {
			if cc == "" || !c.Concerns(cc) {
				continue
			}
			verb := "joined"
			if slices.Contains(c.Remove, cc) {
				verb = "left"
			}
			if c.InForce(req.AsOf) {
				b.add(c.Rule, "%s %s %s on %s", cc, verb, c.Group, c.Effective.Format(time.DateOnly))
			} else {
				b.add(c.Rule, "%s %s %s only on %s, after %s", cc, verb, c.Group, c.Effective.Format(time.DateOnly), req.AsOf.Format(time.DateOnly))
			}
		}
	}
}

// uncontrolled handles an item outside 3A090/4A090: only a BIS letter can
// still require a license.
func (rb *Rulebook) uncontrolled(req *Request, rc reach, dp *tollgate.DestinationPolicy, b *builder) {
	for _, l := range rb.Letters {
		named := slices.Contains(l.Destinations, rc.dest)
		if !named && !rc.g.InAny(l.DestinationGroups, rc.dest) && !rc.hqReach {
			continue
		}
		if !l.InForce(req.AsOf) {
			b.add(l.Rule, "the BIS letter of %s is not in force on %s", l.Effective.Format(time.DateOnly), req.AsOf.Format(time.DateOnly))
			continue
		}
		met, why, und := l.meets(req.Chip)
		if !met {
			b.add(l.Rule, "the BIS letter of %s does not reach the %s: %s", l.Effective.Format(time.DateOnly), req.Chip.Model, why)
			continue
		}
		dp.LicenseRequired, dp.ReviewPolicy = true, l.Policy
		if !named {
			dp.ReviewPolicy = l.OtherPolicy
		}
		to := rc.dest
		if !named && !rc.g.InAny(l.DestinationGroups, rc.dest) {
			to = "an end user headquartered in " + rc.hq
		}
		if und != nil {
			b.undetermined(*und)
		}
		b.add(l.Rule, "BIS letter of %s: %s; a license is required to export the %s to %s although it is below 3A090; reviewed %s",
			l.Effective.Format(time.DateOnly), why, req.Chip.Model, to, policyPhrase(dp.ReviewPolicy))
		return
	}
	dp.ReviewPolicy = tollgate.PolicyNoLicenseRequired
	b.reason("not controlled under 3A090/4A090: no advanced-computing license requirement (other EAR controls, such as embargoes and end-use rules, are not evaluated)")
}

// meets applies the letter's criterion to c: its DRAM or interconnect
// bandwidth at or above the letter's. When neither known figure meets it
// and one is unknown, the criterion is assumed met, and und says so.
func (l LetterRule) meets(c tollgate.Chip) (met bool, why string, und *tollgate.Undetermined) {
	dram, ic := c.DRAMBandwidthGBps, c.InterconnectBandwidthGBps
	switch {
	case dram != 0 && dram >= l.MinDRAMBandwidthGBps:
		return true, cmp("DRAM bandwidth "+fmtNum(dram), dram, ">=", l.MinDRAMBandwidthGBps) + " GB/s", nil
	case ic != 0 && ic >= l.MinInterconnectGBps:
		return true, cmp("interconnect bandwidth "+fmtNum(ic), ic, ">=", l.MinInterconnectGBps) + " GB/s", nil
	}
	var parts, missing []string
	if dram == 0 {
		missing = append(missing, "dram_bandwidth_gbps")
		parts = append(parts, "DRAM bandwidth unknown")
	} else {
		parts = append(parts, cmp("DRAM bandwidth "+fmtNum(dram), dram, "<", l.MinDRAMBandwidthGBps)+" GB/s")
	}
	if ic == 0 {
		missing = append(missing, "interconnect_bandwidth_gbps")
		parts = append(parts, "interconnect bandwidth unknown")
	} else {
		parts = append(parts, cmp("interconnect bandwidth "+fmtNum(ic), ic, "<", l.MinInterconnectGBps)+" GB/s")
	}
	why = strings.Join(parts, " and ")
	if len(missing) == 0 {
		return false, why, nil
	}
	why += fmt.Sprintf(": the criterion (DRAM >= %s or interconnect >= %s GB/s) may be met; undetermined, license required assumed", fmtNum(l.MinDRAMBandwidthGBps), fmtNum(l.MinInterconnectGBps))
	return true, why, &tollgate.Undetermined{Point: tollgate.UndeterminedLetter, Missing: missing, Assumed: "license required", Reason: why}
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
	var unknown []string
	if !p.TPPKnown {
		unknown = append(unknown, "TPP unknown")
	} else if p.TPP >= r.MaxTPP {
		why = append(why, cmp("TPP "+fmtNum(p.TPP), p.TPP, ">=", r.MaxTPP))
	}
	if bw := req.Chip.DRAMBandwidthGBps; bw == 0 {
		unknown = append(unknown, "DRAM bandwidth unknown")
	} else if bw >= r.MaxDRAMBandwidthGBps {
		why = append(why, cmp("DRAM bandwidth "+fmtNum(bw), bw, ">=", r.MaxDRAMBandwidthGBps)+" GB/s")
	}
	if avail, ok := req.Chip.USAvailableDate(); !ok {
		why = append(why, "no known commercial availability in the US")
	} else if avail.After(r.AvailableBy) {
		why = append(why, fmt.Sprintf("commercially available in the US only from %s, after the rule's publication on %s", req.Chip.USAvailable, r.AvailableBy.Format(time.DateOnly)))
	}
	if len(why) > 0 {
		b.add(r.Rule, "the H200 rule does not apply (%s): presumption of denial stands", strings.Join(why, "; "))
		return
	}
	if len(unknown) > 0 {
		reason := fmt.Sprintf("the H200 rule's limits (TPP < %s, DRAM bandwidth < %s GB/s) cannot be checked (%s); undetermined: presumption of denial stands, the most restrictive the unknown allows",
			fmtNum(r.MaxTPP), fmtNum(r.MaxDRAMBandwidthGBps), strings.Join(unknown, ", "))
		b.undetermined(tollgate.Undetermined{Point: tollgate.UndeterminedH200Rule, Missing: missingFigures(req.Chip, true, true),
			Assumed: string(tollgate.PolicyPresumptionOfDenial), Reason: reason})
		b.add(r.Rule, "%s", reason)
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
// presumption of denial by default, with the groups g.
func (rb *Rulebook) denialDestination(g Membership, cc string) bool {
	return g.InAny(rb.Destination.DenialGroups, cc) || slices.Contains(rb.Destination.DenialExtra, cc)
}

// denialLabel names what makes cc a presumption-of-denial destination.
func (rb *Rulebook) denialLabel(g Membership, cc string) string {
	var parts []string
	for _, group := range rb.Destination.DenialGroups {
		if g.In(group, cc) {
			parts = append(parts, "in "+group)
		}
	}
	if slices.Contains(rb.Destination.DenialExtra, cc) {
		parts = append(parts, "named in the rule")
	}
	return strings.Join(parts, " and ")
}

// outOfReach explains why a destination needs no license.
func (rb *Rulebook) outOfReach(g Membership, cc string) string {
	dr := rb.Destination
	for _, group := range dr.ExcludeGroups {
		if g.In(group, cc) && (g.InAny(dr.Groups, cc) || slices.Contains(dr.Extra, cc)) {
			return fmt.Sprintf("destination %s (%s) is also in %s, which is excluded", cc, rb.groupList(g, cc), group)
		}
	}
	return fmt.Sprintf("destination %s is outside %s and %s", cc, strings.Join(dr.Groups, ", "), strings.Join(dr.Extra, ", "))
}

// groupList renders cc's groups and special status for a reason.
func (rb *Rulebook) groupList(g Membership, cc string) string {
	parts := g.Of(cc)
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
