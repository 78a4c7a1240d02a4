package licensing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
)

// decide handles decide and committee_decide.
func decide(app *tollgate.Application, ev Event) ([]Effect, error) {
	if ev.Decision == nil {
		return nil, tollgate.FieldErrorf("decision", "required")
	}
	d := cloneDecision(*ev.Decision)
	committee := ev.Kind == EventCommitteeDecide
	if committee && d.Outcome == tollgate.DecisionReturn {
		return nil, tollgate.FieldErrorf("decision.outcome", "the Operating Committee approves, approves in part or denies; it does not return applications")
	}
	if err := validateDecision(app, &d, ev); err != nil {
		return nil, err
	}
	if !committee {
		if err := decisionAllowed(app, d.Outcome, ev); err != nil {
			return nil, err
		}
	}
	d.ByCommittee = committee
	d.DecidedBy = ev.Actor
	d.At = ev.At
	firstAction(app, ev)
	if committee {
		app.CommitteeDecision = &d
		app.State = appealWindow
		return []Effect{appealWindowEffect(app)}, nil
	}
	return stand(app, d, time.Time{}), nil
}

// stand makes d the application's final decision, standing from at (zero
// for a decision final when made), and returns the effects: the license of
// an approval.
func stand(app *tollgate.Application, d tollgate.ApplicationDecision, at time.Time) []Effect {
	d.StandsAt = at
	app.Decision = &d
	app.State = d.Outcome.State()
	if d.Outcome.IssuesLicense() {
		return []Effect{{Kind: EffectIssueLicense, LicenseNumber: d.LicenseNumber}}
	}
	return nil
}

// decisionAllowed applies the rules that depend on where the review stands:
// before the review starts (or while the applicant owes information) an
// application can only be returned; a referred application is decided once
// every agency has recommended or its 30 days have run out (silence counts
// as no objection), and only in the direction the agencies point, since a
// disagreement goes to the Operating Committee.
func decisionAllowed(app *tollgate.Application, outcome tollgate.DecisionOutcome, ev Event) error {
	if outcome == tollgate.DecisionReturn {
		return nil
	}
	switch app.State {
	case submitted:
		return tollgate.Errorf(tollgate.ECONFLICT, "a submitted application can only be returned without action until it is accepted for review")
	case infoRequested:
		return tollgate.Errorf(tollgate.ECONFLICT, "while information is requested from the applicant the application can only be returned without action")
	case referred:
	default:
		return nil
	}
	var pending []tollgate.ReviewAgency
	for _, a := range app.Referrals {
		if _, ok := app.Recommendation(a); !ok {
			pending = append(pending, a)
		}
	}
	if due := agencyDue(&app.ApplicationReview); len(pending) > 0 && !civilDate(ev.At).After(due) {
		return tollgate.Errorf(tollgate.ECONFLICT, "awaiting recommendations from %s until %s (30 days from referral)",
			joinAgencies(pending), due.Format(dateLayout))
	}
	approve, deny := recommendationSplit(app.Recommendations)
	switch {
	case approve > 0 && deny > 0:
		return tollgate.Errorf(tollgate.ECONFLICT, "the agencies disagree (%s); escalate to the Operating Committee",
			describeRecommendations(app.Recommendations))
	case outcome.IssuesLicense() && deny > 0:
		return tollgate.Errorf(tollgate.ECONFLICT, "the agencies recommend denial (%s); to approve, escalate to the Operating Committee",
			describeRecommendations(app.Recommendations))
	case outcome == tollgate.DecisionDeny && approve > 0:
		return tollgate.Errorf(tollgate.ECONFLICT, "the agencies recommend approval (%s); to deny, escalate to the Operating Committee",
			describeRecommendations(app.Recommendations))
	}
	return nil
}

// validateDecision checks d, made by ev, against the application it decides
// and normalizes it (product keys, validity dates). Errors name the field.
func validateDecision(app *tollgate.Application, d *tollgate.ApplicationDecision, ev Event) error {
	if d.Outcome.State() == "" {
		return tollgate.FieldErrorf("decision.outcome", "must be approve, approve_in_part, deny or return_without_action; got %q", d.Outcome)
	}
	if !d.Outcome.IssuesLicense() {
		switch {
		case len(nonBlank(d.Reasons)) == 0:
			return tollgate.FieldErrorf("decision.reasons", "a %s states its reasons", d.Outcome)
		case d.LicenseNumber != "" || len(d.Items) > 0 || len(d.Conditions) > 0 || !d.ValidFrom.IsZero() || !d.ValidTo.IsZero():
			return tollgate.FieldErrorf("decision.outcome", "a %s carries no license number, items, validity or conditions", d.Outcome)
		}
		d.Reasons = nonBlank(d.Reasons)
		return nil
	}
	if !ValidLicenseNumber(d.LicenseNumber) {
		return tollgate.FieldErrorf("decision.license_number", "%q is not a letter followed by six digits", d.LicenseNumber)
	}
	if err := validateDecisionItems(app, d); err != nil {
		return err
	}
	if d.ValidFrom.IsZero() != d.ValidTo.IsZero() {
		return tollgate.FieldErrorf("decision.valid_to", "give both valid_from and valid_to, or neither for the default validity")
	}
	if !d.ValidFrom.IsZero() {
		if err := validateValidity(d, ev); err != nil {
			return err
		}
	}
	ids := map[string]bool{}
	for i, c := range d.Conditions {
		field := fmt.Sprintf("decision.conditions[%d]", i)
		if err := c.Validate(); err != nil {
			err.Field = field + "." + err.Field
			return err
		}
		if len(c.Acknowledgments) > 0 {
			return tollgate.FieldErrorf(field+".acknowledgments", "a new condition has no acknowledgments yet")
		}
		if ids[c.ID] {
			return tollgate.FieldErrorf(field+".id", "%q used twice", c.ID)
		}
		ids[c.ID] = true
	}
	d.Reasons = nonBlank(d.Reasons)
	return nil
}

// validateValidity normalizes the validity a decision sets to calendar days
// and bounds it: it starts on or after the day of the decision (a license
// is never valid before it is issued) and lasts at most the configured
// number of years from its start (15 CFR 750.7(g); regime.md §9), so a
// backdated or open-ended license ("valid to 9999-01-01") is refused.
func validateValidity(d *tollgate.ApplicationDecision, ev Event) error {
	years := ev.ValidityYears
	if years <= 0 {
		years = DefaultConfig().LicenseValidityYears
	}
	d.ValidFrom, d.ValidTo = civilDate(d.ValidFrom), civilDate(d.ValidTo)
	decided := civilDate(ev.At)
	_, longest := ValidityPeriod(Config{LicenseValidityYears: years}, d.ValidFrom)
	switch {
	case d.ValidFrom.Before(decided):
		return tollgate.FieldErrorf("decision.valid_from", "%s is before the decision on %s; a license is valid from its decision on",
			d.ValidFrom.Format(dateLayout), decided.Format(dateLayout))
	case d.ValidTo.Before(d.ValidFrom):
		return tollgate.FieldErrorf("decision.valid_to", "ends before valid_from")
	case d.ValidTo.After(longest):
		return tollgate.FieldErrorf("decision.valid_to", "%s is more than %d years after valid_from %s; the longest validity ends %s (15 CFR 750.7(g))",
			d.ValidTo.Format(dateLayout), years, d.ValidFrom.Format(dateLayout), longest.Format(dateLayout))
	}
	return nil
}

// validateDecisionItems checks the licensed quantities and values against
// what was applied for: never more; all of it for approve, less of something
// for approve_in_part.
func validateDecisionItems(app *tollgate.Application, d *tollgate.ApplicationDecision) error {
	if len(d.Items) == 0 {
		return tollgate.FieldErrorf("decision.items", "an approval licenses at least one item")
	}
	reduced := false
	seen := map[string]bool{}
	for i := range d.Items {
		it := &d.Items[i]
		field := fmt.Sprintf("decision.items[%d]", i)
		it.Product = tollgate.ProductKey(it.Product)
		if err := it.Validate(); err != nil {
			err.Field = field + "." + err.Field
			return err
		}
		applied, value := app.QuantityOf(it.Product), appliedValue(app, it.Product)
		switch {
		case applied == 0:
			return tollgate.FieldErrorf(field+".product", "%s is not in the application", it.Product)
		case seen[it.Product]:
			return tollgate.FieldErrorf(field+".product", "%s licensed twice", it.Product)
		case it.Quantity > applied:
			return tollgate.FieldErrorf(field+".quantity", "%d exceeds the %d units of %s applied for", it.Quantity, applied, it.Product)
		case it.ValueCents > value:
			return tollgate.FieldErrorf(field+".value_cents", "%d exceeds the %d cents of %s applied for", it.ValueCents, value, it.Product)
		}
		seen[it.Product] = true
		if it.Quantity < applied {
			reduced = true
		}
	}
	for _, p := range appliedProducts(app) {
		if !seen[p] {
			reduced = true
		}
	}
	switch {
	case d.Outcome == tollgate.DecisionApprove && reduced:
		return tollgate.FieldErrorf("decision.items", "approve licenses every item in full; use approve_in_part for reduced quantities")
	case d.Outcome == tollgate.DecisionApproveInPart && !reduced:
		return tollgate.FieldErrorf("decision.items", "approve_in_part reduces at least one item; use approve")
	}
	return nil
}

func appliedValue(app *tollgate.Application, product string) int64 {
	var v int64
	for _, it := range app.Items {
		if it.Product() == product {
			v += it.TotalCents
		}
	}
	return v
}

func appliedProducts(app *tollgate.Application) []string {
	var ps []string
	for _, it := range app.Items {
		if p := it.Product(); !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	return ps
}

// recommendationSplit counts the recommendations for and against a license.
func recommendationSplit(recs []tollgate.AgencyRecommendation) (approve, deny int) {
	for _, r := range recs {
		if r.Recommendation.Approves() {
			approve++
		} else {
			deny++
		}
	}
	return approve, deny
}

func describeRecommendations(recs []tollgate.AgencyRecommendation) string {
	parts := make([]string, len(recs))
	for i, r := range recs {
		parts[i] = fmt.Sprintf("%s %s", r.Agency, r.Recommendation)
	}
	return strings.Join(parts, ", ")
}

func cloneDecision(d tollgate.ApplicationDecision) tollgate.ApplicationDecision {
	d.Items = slices.Clone(d.Items)
	d.Reasons = slices.Clone(d.Reasons)
	d.Conditions = slices.Clone(d.Conditions)
	for i := range d.Conditions {
		d.Conditions[i].Binds = slices.Clone(d.Conditions[i].Binds)
		d.Conditions[i].Acknowledgments = slices.Clone(d.Conditions[i].Acknowledgments)
	}
	return d
}
