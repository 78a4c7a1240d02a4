package licensing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
	"tollgate/classify"
	"tollgate/store"
)

// PrecheckReport is the outcome of the prechecks on an application as of
// the store's now: every check, whether the application may be submitted,
// how many checks fail and how many pass with a warning, and the facts the
// checks looked at.
type PrecheckReport struct {
	ApplicationID string        `json:"application_id"`
	State         string        `json:"state"`
	CanSubmit     bool          `json:"can_submit"`
	Failing       int           `json:"failing"`
	Warnings      int           `json:"warnings"`
	Checks        []Check       `json:"checks"`
	Input         PrecheckInput `json:"input"`
}

// Outcome is the result of an event: the application as stored after it,
// the effects carried out, the license issued, if any, and, for a
// submission, the prechecks that passed with a warning (a presumption of
// denial, for one), which the audit record keeps too.
type Outcome struct {
	Application *store.StoredApplication `json:"application"`
	Effects     []Effect                 `json:"effects,omitempty"`
	License     *store.StoredLicense     `json:"license,omitempty"`
	Warnings    []Check                  `json:"warnings,omitempty"`
}

// gather collects what the prechecks look at, in tx: the classification of
// every catalog item for every end user (on the rules in force at the
// transaction's time, for the application's destination, origin and
// reexport flag and the end user's headquarters), every named party with
// its latest screening, and the units of each product already exported to
// China and Macau, or reserved for export, under the applicant's licenses.
func (s *Service) gather(ctx context.Context, tx *store.Tx, app *tollgate.Application) (PrecheckInput, error) {
	identified := *app
	s.identify(&identified)
	app = &identified
	in := PrecheckInput{Application: *app, AsOf: tx.Now()}
	seen := map[string]bool{}
	for _, ref := range app.Parties.List() {
		if ref.Role == tollgate.RoleApplicant || seen[ref.ID] {
			continue
		}
		seen[ref.ID] = true
		p, hits, err := tx.PartyScreening(ctx, ref.ID)
		if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
			continue // the screening precheck reports it
		} else if err != nil {
			return in, err
		}
		in.Parties = append(in.Parties, PartyScreening{Party: *p, Hits: hits})
	}
	// The US units come from tollgate's shipping records once the exporter
	// has any for the product; until then the applicant's statement stands.
	in.Application.USShipments = slices.Clone(app.USShipments)
	for _, product := range appliedProducts(app) {
		reserved, shipped, err := tx.LicensedUsage(ctx, app.Parties.Applicant, product, chinaOrMacau)
		if err != nil {
			return in, err
		}
		in.ChinaUnits = append(in.ChinaUnits, ChinaUnits{Product: product, Exported: shipped, Reserved: reserved})
		us, err := tx.USUnits(ctx, app.Parties.Applicant, product)
		if err != nil {
			return in, err
		}
		if us > 0 {
			in.Application.USShipments = withRecordedUSUnits(in.Application.USShipments, product, us)
		}
	}
	in.Classifications = s.classifyItems(app, in.Parties, in.AsOf)
	return in, nil
}

// classifyItems classifies each catalog item for each end user. Items
// given by a spec reference, or not in the catalog, are left unclassified,
// which the classification precheck reports; so is every item when the
// destination is not yet a country code.
func (s *Service) classifyItems(app *tollgate.Application, parties []PartyScreening, asOf time.Time) []ItemClassification {
	var out []ItemClassification
	for _, it := range app.Items {
		if it.Model == "" {
			continue
		}
		chip, err := s.catalog.Lookup(it.Model)
		if err != nil {
			continue
		}
		for _, eu := range app.Parties.EndUsers {
			hq := ""
			if p, ok := findParty(parties, eu); ok {
				hq = headquarters(p.Party)
			}
			c, err := s.rules.Classify(classify.Request{
				Chip: chip, System: strings.HasPrefix(it.ECCN, "4A090"),
				To: app.Destination, HQ: hq, From: app.ExportFrom, Reexport: app.Reexport, AsOf: asOf,
			})
			if err != nil {
				continue
			}
			out = append(out, ItemClassification{Product: it.Product(), EndUserID: eu, Classification: c})
		}
	}
	return out
}

// Precheck runs every precheck on the application as it stands and
// reports each check with its reason. It changes nothing.
func (s *Service) Precheck(ctx context.Context, id string) (*PrecheckReport, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, fmt.Errorf("licensing.Precheck: %w", err)
	}
	var rep *PrecheckReport
	err = s.db.View(ctx, func(tx *store.Tx) error {
		sa, err := tx.Application(ctx, id)
		if err != nil {
			return err
		}
		if err := s.check(p, PermApplicationRead, sa); err != nil {
			return err
		}
		in, err := s.gather(ctx, tx, &sa.Application)
		if err != nil {
			return err
		}
		checks, err := Precheck(s.cfg, in)
		if err != nil {
			return err
		}
		rep = &PrecheckReport{ApplicationID: sa.ID, State: string(sa.State), Checks: checks, Input: in}
		for _, c := range checks {
			switch {
			case !c.Pass:
				rep.Failing++
			case c.Severity == SeverityWarning:
				rep.Warnings++
			}
		}
		rep.CanSubmit = CanSubmit(checks) == nil
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("licensing.Precheck: %w", err)
	}
	return rep, nil
}

// Submit files a draft: the prechecks run again in the transaction, and
// only when all pass does it take the next control number and move to
// submitted, assigned to the licensing agency. A failing precheck is an
// EPRECONDITION error listing the failing checks (Details: every check).
func (s *Service) Submit(ctx context.Context, id string, expectedVersion int64) (*Outcome, error) {
	out, err := s.Apply(ctx, id, Event{Kind: EventSubmit}, expectedVersion)
	if err != nil {
		return nil, fmt.Errorf("licensing.Submit: %w", err)
	}
	return out, nil
}

// Apply sends ev to the application in one transaction: it loads and
// locks the application, authorizes the caller for the event's permission,
// checks expectedVersion (when not 0), fills in what the service owns (the
// actor, the time, the control number and the prechecks of a submission,
// the agency of a recommendation, a license number from the sequence when
// an approval names none), runs Transition, stores the result and carries
// out its effects: assignment to the licensing agency on submission and to
// the referred agencies on referral, and the license on approval. Every
// change is audited. Of two concurrent events on one application exactly
// one applies; the other sees the new state and is refused (ECONFLICT).
func (s *Service) Apply(ctx context.Context, id string, ev Event, expectedVersion int64) (*Outcome, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, fmt.Errorf("licensing.Apply: %w", err)
	}
	perm := EventPermission(ev.Kind)
	if perm == "" {
		return nil, fmt.Errorf("licensing.Apply: %w", tollgate.FieldErrorf("kind", "unknown event %q; events are %s", ev.Kind, joinKinds(EventKinds())))
	}
	var out *Outcome
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.apply(ctx, tx, p, perm, id, ev, expectedVersion)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("licensing.Apply: %w", err)
	}
	return out, nil
}

// apply is Apply's transaction. ev is a copy: a retried transaction starts
// from the caller's event again.
func (s *Service) apply(ctx context.Context, tx *store.Tx, p *tollgate.Principal, perm, id string, ev Event, expectedVersion int64) (*Outcome, error) {
	sa, err := tx.ApplicationForUpdate(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.check(p, perm, sa); err != nil {
		return nil, err
	}
	if expectedVersion != 0 && expectedVersion != sa.Version {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "application %s is at version %d, not %d; reload it and try again", sa.ID, sa.Version, expectedVersion)
	}
	return s.applyTo(ctx, tx, p, sa, ev)
}

// applyTo sends ev, as p, to sa, loaded for update and authorized.
func (s *Service) applyTo(ctx context.Context, tx *store.Tx, p *tollgate.Principal, sa *store.StoredApplication, ev Event) (*Outcome, error) {
	agencies, err := tx.AgencyOrgs(ctx)
	if err != nil {
		return nil, err
	}
	ev.Actor, ev.At, ev.Sequence, ev.Prechecks = p.UserID, tx.Now(), 0, nil
	// Applications filed before product identities get them on their next
	// event; a decision's products are read as identities.
	s.identify(&sa.Application)
	ev.Decision = s.identifyDecision(ev.Decision)
	if err := s.prepare(ctx, tx, p, sa, &ev, agencies); err != nil {
		return nil, err
	}
	next, effects, err := Transition(sa.Application, ev)
	if err != nil {
		return nil, err
	}
	before := cloneApplication(sa.Application)
	sa.Application = next
	if err := tx.UpdateApplication(ctx, sa); err != nil {
		return nil, err
	}
	details := map[string]any{"event": string(ev.Kind), "state": string(next.State)}
	warnings := precheckWarnings(ev.Prechecks)
	if len(warnings) > 0 {
		details["warnings"] = warnings
	}
	if err := tx.AuditDetails(ctx, "application."+string(ev.Kind), "application", sa.ID, &before, &sa.Application, details); err != nil {
		return nil, err
	}
	out := &Outcome{Application: sa, Effects: effects, Warnings: warnings}
	for _, e := range effects {
		if err := s.carryOut(ctx, tx, sa, e, agencies, out); err != nil {
			return nil, err
		}
	}
	if len(effects) > 0 { // assignments may have changed
		cur, err := tx.Application(ctx, sa.ID)
		if err != nil {
			return nil, err
		}
		sa.AssignedOrgIDs = cur.AssignedOrgIDs
	}
	return out, nil
}

// precheckWarnings returns the checks that pass with a warning.
func precheckWarnings(checks []Check) []Check {
	var out []Check
	for _, c := range checks {
		if c.Pass && c.Severity == SeverityWarning {
			out = append(out, c)
		}
	}
	return out
}

// prepare fills in the parts of ev the service owns, and refuses early
// what an effect could not carry out (an agency with no organization).
func (s *Service) prepare(ctx context.Context, tx *store.Tx, p *tollgate.Principal, sa *store.StoredApplication, ev *Event, agencies map[string]string) error {
	switch ev.Kind {
	case EventSubmit:
		if _, err := agencyOrg(agencies, store.LicensingAgencyCode); err != nil {
			return err
		}
		if sa.State != tollgate.ApplicationDraft {
			return nil // Transition names the allowed events
		}
		in, err := s.gather(ctx, tx, &sa.Application)
		if err != nil {
			return err
		}
		if ev.Prechecks, err = Precheck(s.cfg, in); err != nil {
			return err
		}
		if err := CanSubmit(ev.Prechecks); err != nil {
			return err
		}
		ev.Sequence, err = tx.NextSequence(ctx, store.SeqControlNumber)
		return err
	case EventRefer:
		for _, a := range ev.Agencies {
			if a.Valid() {
				if _, err := agencyOrg(agencies, string(a)); err != nil {
					return err
				}
			}
		}
	case EventRecommend, EventAppeal:
		return recommendingAgency(p, ev, agencies)
	case EventDecide, EventCommitteeDecide, EventAppealDecide:
		ev.ValidityYears = s.cfg.LicenseValidityYears
		if d := ev.Decision; d != nil && d.Outcome.IssuesLicense() && d.LicenseNumber == "" && !sa.State.Terminal() {
			dd := *d
			// A level that approves on appeal keeps the number an earlier
			// approval of the case took, rather than spending another.
			number := ""
			if pending, _ := sa.PendingDecision(); ev.Kind == EventAppealDecide && pending != nil {
				number = pending.LicenseNumber
			}
			if number == "" {
				var err error
				if number, err = s.nextLicenseNumber(ctx, tx); err != nil {
					return err
				}
			}
			dd.LicenseNumber, ev.Decision = number, &dd
		}
	}
	return nil
}

// recommendingAgency sets the agency of a recommendation from the caller's
// organization. A caller without one (a local operator) names the agency
// in the event.
func recommendingAgency(p *tollgate.Principal, ev *Event, agencies map[string]string) error {
	if p.OrgID == "" {
		return nil
	}
	a, ok := agencyOfOrg(agencies, p.OrgID)
	switch {
	case !ok:
		return tollgate.Errorf(tollgate.EFORBIDDEN, "your organization is not set as a reviewing agency (DOD, STATE or DOE)")
	case ev.Agency != "" && ev.Agency != a:
		return tollgate.Errorf(tollgate.EFORBIDDEN, "you recommend for %s, not %s", a, ev.Agency)
	}
	ev.Agency = a
	return nil
}

// nextLicenseNumber takes license numbers from the sequence until one is
// not already used by a license recorded with a number from outside.
func (s *Service) nextLicenseNumber(ctx context.Context, tx *store.Tx) (string, error) {
	for range 1000 {
		seq, err := tx.NextSequence(ctx, store.SeqLicenseNumber)
		if err != nil {
			return "", err
		}
		number, err := LicenseNumber(seq)
		if err != nil {
			return "", err
		}
		_, err = tx.LicenseByNumber(ctx, number)
		if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
			return number, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("licensing: 1000 license numbers in a row are taken")
}

// carryOut performs one effect of a transition in tx.
func (s *Service) carryOut(ctx context.Context, tx *store.Tx, sa *store.StoredApplication, e Effect, agencies map[string]string, out *Outcome) error {
	switch e.Kind {
	case EffectControlNumberAssigned:
		org, err := agencyOrg(agencies, store.LicensingAgencyCode)
		if err != nil {
			return err
		}
		return tx.AssignApplication(ctx, sa.ID, org, "submitted as "+e.ControlNumber)
	case EffectReferred:
		for _, a := range e.Agencies {
			org, err := agencyOrg(agencies, string(a))
			if err != nil {
				return err
			}
			if err := tx.AssignApplication(ctx, sa.ID, org, "referred to "+string(a)); err != nil {
				return err
			}
		}
	case EffectIssueLicense:
		issuer, err := agencyOrg(agencies, store.LicensingAgencyCode)
		if err != nil {
			return err
		}
		lic, err := LicenseFromDecision(s.cfg, sa.Application)
		if err != nil {
			return err
		}
		if err := tx.InsertLicense(ctx, &lic, issuer); err != nil {
			return err
		}
		if err := tx.Audit(ctx, "license.issue", "license", lic.ID, nil, &lic); err != nil {
			return err
		}
		if out.License, err = tx.License(ctx, lic.ID); err != nil {
			return err
		}
	}
	return nil
}

// withRecordedUSUnits returns shipments with product's entry replaced by
// (or, when absent, extended with) the units counted from the shipping
// records.
func withRecordedUSUnits(shipments []tollgate.USUnitsShipped, product string, units int64) []tollgate.USUnitsShipped {
	rec := tollgate.USUnitsShipped{Product: product, Units: units, Source: tollgate.UnitsFromRecords}
	for i := range shipments {
		if tollgate.ProductKey(shipments[i].Product) == product {
			shipments[i] = rec
			return shipments
		}
	}
	return append(shipments, rec)
}
