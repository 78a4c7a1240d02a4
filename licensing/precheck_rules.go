package licensing

import (
	"fmt"
	"math"
	"strings"
	"time"

	"tollgate"
)

// findClassification returns the classification of product for endUser.
func findClassification(cs []ItemClassification, product, endUser string) (tollgate.Classification, bool) {
	for _, c := range cs {
		if tollgate.ProductKey(c.Product) == product && c.EndUserID == endUser {
			return c.Classification, true
		}
	}
	return tollgate.Classification{}, false
}

func findParty(ps []PartyScreening, id string) (PartyScreening, bool) {
	for _, p := range ps {
		if p.Party.ID == id {
			return p, true
		}
	}
	return PartyScreening{}, false
}

// headquarters returns where a party is headquartered: its stated
// headquarters country, else its location.
func headquarters(p tollgate.Party) string {
	if p.HeadquartersCountry != "" {
		return p.HeadquartersCountry
	}
	return p.Country
}

// checkClassifications checks, for every product and every end user, that
// the classification was made for this export's facts (destination, origin,
// reexport, the end user's headquarters) and that its review policy lets a
// license be granted. The classify rules keep D:5- or Macau-headquartered end
// users outside China at presumption of denial, so such an end user draws a
// warning here with classify's reasons: presumption of denial is the
// standard the agency reviews by, not a bar to filing (regime.md §9).
func checkClassifications(app *tollgate.Application, cs []ItemClassification, parties []PartyScreening) []Check {
	endUsers := app.Parties.EndUsers
	if len(endUsers) == 0 {
		endUsers = []string{""}
	}
	var checks []Check
	for _, it := range app.Items {
		product := it.Product()
		for _, eu := range endUsers {
			subject := product
			if eu != "" {
				subject += " for end user " + eu
			}
			c, ok := findClassification(cs, product, eu)
			if !ok {
				checks = append(checks, fail(CheckClassification, subject, "not classified; classify it for this destination and end user"))
				continue
			}
			checks = append(checks, classificationCheck(app, it, c, eu, parties, subject))
		}
	}
	return checks
}

// undeterminedNote labels a classification that unknown chip figures
// left partly open: its outcome is the most restrictive they allow.
func undeterminedNote(c tollgate.Classification) string {
	if c.Determined() {
		return ""
	}
	var points []string
	for _, u := range c.Undetermined {
		points = append(points, fmt.Sprintf("%s assumed %s (unknown %s)", u.Point, u.Assumed, strings.Join(u.Missing, ", ")))
	}
	return "; undetermined, the most restrictive outcome applied: " + strings.Join(points, "; ")
}

func classificationCheck(app *tollgate.Application, it tollgate.ApplicationItem, c tollgate.Classification, endUser string, parties []PartyScreening, subject string) Check {
	d := c.Destination
	switch {
	case d == nil:
		return fail(CheckClassification, subject, "classified without a destination")
	case it.ECCN != "" && c.ECCN != "" && it.ECCN != c.ECCN:
		return fail(CheckClassification, subject, fmt.Sprintf("the item states ECCN %s but classifies as %s", it.ECCN, c.ECCN))
	case d.Country != app.Destination:
		return fail(CheckClassification, subject, fmt.Sprintf("classified for destination %s, the application's is %s", d.Country, app.Destination))
	case d.From != "" && d.From != app.ExportFrom:
		return fail(CheckClassification, subject, fmt.Sprintf("classified for an export from %s, the application's is from %s", d.From, app.ExportFrom))
	case d.Reexport != app.Reexport:
		return fail(CheckClassification, subject, fmt.Sprintf("classified with reexport=%t, the application says %t", d.Reexport, app.Reexport))
	}
	if endUser != "" {
		if p, ok := findParty(parties, endUser); ok && d.HQ != headquarters(p.Party) {
			return fail(CheckClassification, subject, fmt.Sprintf("classified for an end user headquartered in %q; %s is headquartered in %s", d.HQ, endUser, headquarters(p.Party)))
		}
	}
	because := strings.Join(c.Reasons, "; ")
	switch d.ReviewPolicy {
	case tollgate.PolicyCaseByCase, tollgate.PolicyPresumptionOfApproval:
		return pass(CheckClassification, subject, fmt.Sprintf("ECCN %s, %s to %s%s", c.ECCN, d.ReviewPolicy, d.Country, undeterminedNote(c)))
	case tollgate.PolicyPresumptionOfDenial:
		return warn(CheckClassification, subject, fmt.Sprintf("ECCN %s, presumption of denial to %s: %s; the agency decides (a review standard, not a bar to filing)",
			c.ECCN, d.Country, because))
	case tollgate.PolicyNoLicenseRequired:
		return fail(CheckClassification, subject, "no license is required for this export; there is nothing to apply for")
	}
	return fail(CheckClassification, subject, fmt.Sprintf("unknown review policy %q", d.ReviewPolicy))
}

// checkScreening requires every party named on the application (the
// applicant excepted: it is the exporter itself) to be screened and clear.
// The worse of the stored status and the status its hits give is used, so a
// stale status cannot hide an undecided or true-match hit.
func checkScreening(app *tollgate.Application, parties []PartyScreening) []Check {
	var ids []string
	roles := map[string][]string{}
	for _, ref := range app.Parties.List() {
		if ref.Role == tollgate.RoleApplicant {
			continue
		}
		if _, seen := roles[ref.ID]; !seen {
			ids = append(ids, ref.ID)
		}
		roles[ref.ID] = append(roles[ref.ID], string(ref.Role))
	}
	checks := make([]Check, 0, len(ids))
	for _, id := range ids {
		subject := id + " (" + strings.Join(roles[id], ", ") + ")"
		ps, ok := findParty(parties, id)
		if !ok {
			checks = append(checks, fail(CheckScreening, subject, "no screening result for this party"))
			continue
		}
		checks = append(checks, screeningCheck(ps, subject))
	}
	return checks
}

var screeningSeverity = map[tollgate.ScreeningStatus]int{
	tollgate.ScreeningClear: 0, tollgate.ScreeningUnscreened: 1,
	tollgate.ScreeningPendingReview: 2, tollgate.ScreeningBlocked: 3,
}

func screeningCheck(ps PartyScreening, subject string) Check {
	status := ps.Party.Status
	if !status.Valid() {
		status = tollgate.ScreeningUnscreened
	}
	if derived := tollgate.DeriveScreeningStatus(ps.Hits); screeningSeverity[derived] > screeningSeverity[status] {
		status = derived
	}
	name := ps.Party.LegalName
	switch status {
	case tollgate.ScreeningClear:
		return pass(CheckScreening, subject, fmt.Sprintf("%s screened clear", name))
	case tollgate.ScreeningUnscreened:
		return fail(CheckScreening, subject, fmt.Sprintf("%s has not been screened against the current lists", name))
	case tollgate.ScreeningPendingReview:
		return fail(CheckScreening, subject, fmt.Sprintf("%s has undecided hits: %s", name, hitSummaries(ps.Hits, func(h tollgate.Hit) bool { return h.Decision == nil })))
	}
	return fail(CheckScreening, subject, fmt.Sprintf("%s is blocked by a true match: %s", name,
		hitSummaries(ps.Hits, func(h tollgate.Hit) bool { return h.Decision != nil && h.Decision.Kind == tollgate.HitTrueMatch })))
}

func hitSummaries(hits []tollgate.Hit, keep func(tollgate.Hit) bool) string {
	var parts []string
	for _, h := range hits {
		if keep(h) {
			parts = append(parts, fmt.Sprintf("%s %s %q (score %.2f)", h.List, h.SourceID, h.Name, h.Score))
		}
	}
	if len(parts) == 0 {
		return "see the party's latest screening"
	}
	return strings.Join(parts, "; ")
}

// requiredCertifications returns the certifications the classifications
// require, each once, in the order first met.
func requiredCertifications(cs []ItemClassification) []tollgate.RequiredCertification {
	var out []tollgate.RequiredCertification
	seen := map[string]bool{}
	for _, c := range cs {
		if c.Classification.Destination == nil {
			continue
		}
		for _, req := range c.Classification.Destination.Conditions {
			if !seen[req.Code] {
				seen[req.Code] = true
				out = append(out, req)
			}
		}
	}
	return out
}

// checkCertifications requires every certification the applicable policy
// names to have been made explicitly, with the required statement, by a
// named officer, no later than asOf.
func checkCertifications(app *tollgate.Application, cs []ItemClassification, asOf time.Time) []Check {
	reqs := requiredCertifications(cs)
	if len(reqs) == 0 {
		return []Check{pass(CheckCertification, "", "the applicable policy requires no certifications")}
	}
	checks := make([]Check, 0, len(reqs))
	for _, req := range reqs {
		checks = append(checks, certificationCheck(app, req, asOf))
	}
	return checks
}

func certificationCheck(app *tollgate.Application, req tollgate.RequiredCertification, asOf time.Time) Check {
	var made *tollgate.Certification
	for i := range app.Certifications {
		if app.Certifications[i].Code == req.Code {
			made = &app.Certifications[i]
		}
	}
	switch {
	case made == nil:
		return fail(CheckCertification, req.Code, "not made: an officer must certify this statement explicitly")
	case made.Validate() != nil:
		return fail(CheckCertification, req.Code, "incomplete: "+made.Validate().Error())
	case made.MadeAt.After(asOf):
		return fail(CheckCertification, req.Code, "dated after the submission")
	}
	if want := RequiredStatement(req); want != "" && !sameStatement(made.Statement, want) {
		return fail(CheckCertification, req.Code, "the certified statement differs from the required one")
	}
	return pass(CheckCertification, req.Code, fmt.Sprintf("certified by %s (%s) at %s", made.OfficerName, made.OfficerUserID, made.MadeAt.UTC().Format(time.RFC3339)))
}

// CapProjection shows the 50% cap arithmetic for one product: units already
// exported to China and Macau, reserved, and applied for now, against half
// the units shipped to US end-use customers.
type CapProjection struct {
	Product         string `json:"product"`
	USUnits         int64  `json:"us_units"`
	USUnitsSource   string `json:"us_units_source"`
	Exported        int64  `json:"exported"`
	Reserved        int64  `json:"reserved"`
	ThisApplication int64  `json:"this_application"`
	Projected       int64  `json:"projected"`
	Limit           int64  `json:"limit"` // floor(USUnits / 2)
}

// h200RuleApplies reports whether the classification puts the export under
// the H200 rule: case-by-case review subject to certifications.
func h200RuleApplies(c tollgate.Classification) bool {
	d := c.Destination
	return d != nil && d.ReviewPolicy == tollgate.PolicyCaseByCase && len(d.Conditions) > 0
}

// checkCap checks, for every product reviewed under the H200 rule, that the
// US units shipped are stated and that exported + reserved + this
// application stays at or below 50% of them.
func checkCap(app *tollgate.Application, cs []ItemClassification, china []ChinaUnits) []Check {
	var checks []Check
	for _, product := range appliedProducts(app) {
		applies := false
		for _, c := range cs {
			if tollgate.ProductKey(c.Product) == product && h200RuleApplies(c.Classification) {
				applies = true
			}
		}
		if !applies {
			continue
		}
		var us *tollgate.USUnitsShipped
		for i := range app.USShipments {
			if tollgate.ProductKey(app.USShipments[i].Product) == product {
				us = &app.USShipments[i]
			}
		}
		if us == nil {
			checks = append(checks, fail(CheckUSShipments, product, "the H200 rule requires stating the units shipped to US end-use customers so far"))
			continue
		}
		checks = append(checks, pass(CheckUSShipments, product, fmt.Sprintf("%s units shipped to US customers (%s)", thousands(us.Units), us.Source)))
		var cu ChinaUnits
		for _, x := range china {
			if tollgate.ProductKey(x.Product) == product {
				cu = x
			}
		}
		checks = append(checks, capCheck(product, *us, cu, app.QuantityOf(product)))
	}
	return checks
}

func capCheck(product string, us tollgate.USUnitsShipped, cu ChinaUnits, this int64) Check {
	const ceiling = math.MaxInt64 / 4
	for _, n := range []int64{us.Units, cu.Exported, cu.Reserved, this} {
		if n < 0 || n > ceiling {
			return fail(CheckChinaCap, product, fmt.Sprintf("implausible unit count %d", n))
		}
	}
	p := &CapProjection{
		Product: product, USUnits: us.Units, USUnitsSource: us.Source,
		Exported: cu.Exported, Reserved: cu.Reserved, ThisApplication: this,
		Projected: cu.Exported + cu.Reserved + this, Limit: us.Units / 2,
	}
	figures := fmt.Sprintf("exported %s + reserved %s + this application %s = %s units",
		thousands(p.Exported), thousands(p.Reserved), thousands(p.ThisApplication), thousands(p.Projected))
	limit := fmt.Sprintf("%s (50%% of %s US units, %s)", thousands(p.Limit), thousands(p.USUnits), p.USUnitsSource)
	var c Check
	if 2*p.Projected <= p.USUnits {
		c = pass(CheckChinaCap, product, figures+" <= "+limit)
	} else {
		c = fail(CheckChinaCap, product, fmt.Sprintf("%s > %s: over by %s", figures, limit, thousands(p.Projected-p.Limit)))
	}
	c.Cap = p
	return c
}
