package demo

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/auth"
	"tollgate/licensing"
	"tollgate/shipping"
	"tollgate/store"
)

// Figures are the story's final figures, read back from the services at
// its end (the refusals, which change nothing in the store, are counted as
// they happen).
type Figures struct {
	Store     string      `json:"store"`
	RealLists bool        `json:"real_lists"`
	Lists     []ListUsed  `json:"lists"`
	H200      ChipFigures `json:"h200"`

	Parties        []PartyStatus       `json:"parties"`
	BlockedParties []BlockedParty      `json:"blocked_parties"`
	Applications   []ApplicationFigure `json:"applications"`
	LicensesIssued int                 `json:"licenses_issued"`
	Licenses       []LicenseFigure     `json:"licenses"`

	USUnitsShipped    int64 `json:"us_units_shipped"`
	ChinaUnitsShipped int64 `json:"china_units_shipped"`
	CapUnits          int64 `json:"cap_units"`
	CapHeadroom       int64 `json:"cap_headroom"`
	CapRefusals       int   `json:"cap_refusals"`
	PRCRefusals       int   `json:"prc_refusals"`

	// EnteredValueCents and DutyPaidCents are the entered value and the
	// duty paid of the import lines under the 25% heading (9903.79.01);
	// DutyRateBP is the one over the other.
	EnteredValueCents int64 `json:"entered_value_cents"`
	DutyPaidCents     int64 `json:"duty_paid_cents"`
	DutyRateBP        int64 `json:"duty_rate_bp"`
	// RevenueCents is the China revenue (exports shipped); DutyOnExports
	// the duty paid on the units exported, and DutyShareBP its share of the
	// revenue. LostRevenueCents is the revenue of cancelled orders by
	// reason.
	RevenueCents       int64            `json:"revenue_cents"`
	DutyOnExportsCents int64            `json:"duty_on_exports_cents"`
	DutyShareBP        int64            `json:"duty_share_of_revenue_bp"`
	LostRevenueCents   map[string]int64 `json:"lost_revenue_cents"`
	// Report is the shipping service's monthly report, December to March.
	Report []shipping.PeriodReport `json:"report"`

	Audit  AuditFigures `json:"audit"`
	Logins []Login      `json:"logins"`
}

// BlockedParty is a customer blocked by a true match, with the listing.
type BlockedParty struct {
	Name       string  `json:"name"`
	List       string  `json:"list"`
	SourceID   string  `json:"source_id"`
	ListedName string  `json:"listed_name"`
	Citation   string  `json:"citation,omitempty"`
	Score      float64 `json:"score"`
}

// ApplicationFigure is one application as it ended.
type ApplicationFigure struct {
	ControlNumber string `json:"control_number"`
	Customer      string `json:"customer"`
	Quantity      int64  `json:"quantity"`
	State         string `json:"state"`
}

// LicenseFigure is one license issued.
type LicenseFigure struct {
	Number     string   `json:"number"`
	Customer   string   `json:"customer"`
	Quantity   int64    `json:"quantity"`
	ValueCents int64    `json:"value_cents"`
	ValidTo    string   `json:"valid_to"`
	Conditions []string `json:"conditions"`
	Remaining  int64    `json:"remaining_units"`
}

// reportAct reads the figures back on 31 Mar 2026, as the auditor, and
// ends with the audit checkpoint and its verified bundle.
func (p *play) reportAct(ctx context.Context) error {
	p.at("2026-03-31 17:00")
	f := &p.res.Figures
	f.Store, f.RealLists = p.db.Dialect(), p.real
	f.CapRefusals, f.PRCRefusals = p.counts.capRefusals, p.counts.prcRefusals
	auditor := p.cast.member("auditor")
	exporter := p.cast.exporter().ID
	rctx, err := p.as(ctx, auditor, "report.read", auth.OwnedBy(exporter))
	if err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func(context.Context, string) error
	}{
		{"lists", p.readLists}, {"parties", p.readParties}, {"applications", p.readApplications},
		{"licenses", p.readLicenses}, {"imports", p.readImports}, {"report", p.readReport},
	}
	for _, s := range steps {
		if err := s.fn(rctx, exporter); err != nil {
			return step("read "+s.name, err)
		}
	}
	p.tell("report", "%s reads the quarter: China revenue %s on %s units; duty paid %s on %s entered (%s%%); cap %s of %s US units, headroom %s; lost revenue %s",
		auditor.user.Email, tollgate.FormatCents(f.RevenueCents), thousands(f.ChinaUnitsShipped), tollgate.FormatCents(f.DutyPaidCents), tollgate.FormatCents(f.EnteredValueCents),
		percent(f.DutyRateBP), thousands(f.CapUnits), thousands(f.USUnitsShipped), thousands(f.CapHeadroom), lostSummary(f.LostRevenueCents))
	return p.auditAct(ctx)
}

func (p *play) readLists(ctx context.Context, _ string) error {
	vs, err := p.db.CurrentListVersions(ctx)
	if err != nil {
		return err
	}
	for _, v := range vs {
		p.res.Figures.Lists = append(p.res.Figures.Lists, listUsed(v))
	}
	return nil
}

func (p *play) readParties(ctx context.Context, exporter string) error {
	f := &p.res.Figures
	f.BlockedParties = []BlockedParty{}
	parties, _, err := p.db.FindParties(ctx, tollgate.PartyFilter{OrgID: exporter, Limit: tollgate.MaxPageLimit})
	if err != nil {
		return err
	}
	for _, party := range parties {
		f.Parties = append(f.Parties, PartyStatus{Name: party.LegalName, Status: string(party.Status)})
		if party.Status != tollgate.ScreeningBlocked {
			continue
		}
		sc, err := p.db.LatestScreening(ctx, party.ID)
		if err != nil {
			return err
		}
		for _, h := range sc.Hits {
			if h.Decision == nil || h.Decision.Kind != tollgate.HitTrueMatch {
				continue
			}
			b := BlockedParty{Name: party.LegalName, List: h.List, SourceID: h.SourceID, ListedName: h.Name, Score: h.Score}
			if b.Citation, err = p.citation(ctx, sc.ListVersionIDs, h); err != nil {
				return err
			}
			f.BlockedParties = append(f.BlockedParties, b)
		}
	}
	return nil
}

// citation returns the Federal Register citation of the listing a hit
// names, from the list versions its screening used.
func (p *play) citation(ctx context.Context, versions []string, h tollgate.Hit) (string, error) {
	for _, v := range versions {
		es, _, err := p.db.FindListEntries(ctx, tollgate.ListEntryFilter{VersionID: v, List: h.List, SourceID: h.SourceID, Limit: 1})
		if err != nil {
			return "", err
		}
		if len(es) > 0 {
			return es[0].Entity.Citation, nil
		}
	}
	return "", nil
}

func (p *play) readApplications(ctx context.Context, exporter string) error {
	views, _, err := p.licensing.FindApplications(ctx, licensing.ApplicationQuery{ApplicationFilter: store.ApplicationFilter{OrgID: exporter}})
	if err != nil {
		return err
	}
	for _, v := range views {
		p.res.Figures.Applications = append(p.res.Figures.Applications, ApplicationFigure{ControlNumber: v.ControlNumber,
			Customer: p.partyName(v.Parties.Purchaser), Quantity: v.QuantityOf(p.productID), State: string(v.State)})
	}
	return nil
}

func (p *play) readLicenses(ctx context.Context, exporter string) error {
	f := &p.res.Figures
	views, _, err := p.licensing.FindLicenses(ctx, store.LicenseFilter{HolderOrgID: exporter})
	if err != nil {
		return err
	}
	f.Licenses = []LicenseFigure{}
	for _, v := range views {
		lf := LicenseFigure{Number: v.Number, Customer: p.partyName(v.Parties.Purchaser), ValidTo: v.ValidTo.Format(time.DateOnly), Conditions: []string{}}
		for _, it := range v.Items {
			lf.Quantity += it.Quantity
			lf.ValueCents += it.ValueCents
		}
		for _, r := range v.Remaining {
			lf.Remaining += r.RemainingUnits
		}
		for _, c := range v.Conditions {
			lf.Conditions = append(lf.Conditions, c.Text)
		}
		f.Licenses = append(f.Licenses, lf)
	}
	f.LicensesIssued = len(f.Licenses)
	return nil
}

func (p *play) readImports(ctx context.Context, exporter string) error {
	f := &p.res.Figures
	cursor := ""
	for {
		entries, next, err := p.db.FindImports(ctx, store.ShippingFilter{ExporterOrgID: exporter, Cursor: cursor, Limit: tollgate.MaxPageLimit})
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Heading == f.H200.Heading && e.DutyStatus == tollgate.DutyPaid {
				f.EnteredValueCents += e.EnteredValueCents
				f.DutyPaidCents += e.DutyCents
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	f.DutyRateBP = ratioBP(f.DutyPaidCents, f.EnteredValueCents)
	return nil
}

func (p *play) readReport(ctx context.Context, exporter string) error {
	f := &p.res.Figures
	periods, err := shipping.MonthlyPeriods(time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), 1)
	if err != nil {
		return err
	}
	if f.Report, err = p.shipping.Report(ctx, exporter, periods, []string{product}); err != nil {
		return err
	}
	f.LostRevenueCents = map[string]int64{}
	for _, r := range tollgate.CancelReasons {
		f.LostRevenueCents[string(r)] = 0
	}
	for _, r := range f.Report {
		f.RevenueCents += r.ChinaRevenueCents
		f.DutyOnExportsCents += r.DutyPaidCents
		for _, l := range r.LostRevenue {
			f.LostRevenueCents[string(l.Reason)] += l.Cents
		}
	}
	if n := len(f.Report); n > 0 {
		last := f.Report[n-1]
		f.USUnitsShipped, f.ChinaUnitsShipped = last.USUnitsToDate, last.ChinaUnitsToDate
		f.CapUnits, f.CapHeadroom = last.CapUnits, last.CapHeadroom
	}
	f.DutyShareBP = ratioBP(f.DutyOnExportsCents, f.RevenueCents)
	return nil
}

// partyName returns the legal name of one of the story's parties.
func (p *play) partyName(id string) string {
	if c, ok := p.customerOf(id); ok {
		return p.parties[c.Key].LegalName
	}
	return id
}

// ratioBP returns a/b in basis points, rounded half up; 0 when b is 0.
func ratioBP(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	return (a*10000*2 + b) / (2 * b)
}

// percent writes basis points as a percentage: 2500 → "25", 2315 → "23.15".
func percent(bp int64) string {
	s := thousands(bp / 100)
	if r := bp % 100; r != 0 {
		s += "." + string(rune('0'+r/10))
		if r%10 != 0 {
			s += string(rune('0' + r%10))
		}
	}
	return s
}

// AuditFigures describe the audit checkpoint the story ends with and the
// bundle exported at it.
type AuditFigures struct {
	// Records is the number of records in the bundle; CheckpointSize the
	// size of the signed checkpoint (the two are equal).
	Records        int64  `json:"records"`
	CheckpointSize int64  `json:"checkpoint_size"`
	RootHash       string `json:"root_hash"`
	VerifierKey    string `json:"verifier_key"`
	Bundle         string `json:"bundle"`
	// Verified is true when auditlog.Verify found the bundle sound:
	// signature, every record, the tree's root.
	Verified bool `json:"verified"`
}

// auditAct signs a checkpoint of the whole audit log, exports the bundle
// an auditor verifies offline (what "tollgate audit export" writes), and
// verifies it with the log's public key alone, as the auditor would.
func (p *play) auditAct(ctx context.Context) error {
	auditor := p.cast.member("auditor")
	actx, err := p.as(ctx, auditor, "audit.read", auth.Ownership{})
	if err != nil {
		return err
	}
	key := p.opts.AuditKey
	cp, err := p.db.AuditCheckpoint(actx, key)
	if err != nil {
		return step("checkpoint", err)
	}
	n, err := auditlog.Export(actx, p.opts.BundleDir, []byte(cp.Note), p.db.AuditRecords(actx, 0), p.db)
	if err == nil {
		err = auditlog.WriteBuild(p.opts.BundleDir, p.opts.Build)
	}
	if err != nil {
		return step("export", err)
	}
	verifiers, err := auditlog.ParseVerifierKeys(key.VerifierKey())
	if err != nil {
		return err
	}
	rep, err := auditlog.Verify(actx, os.DirFS(p.opts.BundleDir), verifiers, nil)
	if err != nil {
		return step("verify", err)
	}
	p.res.Figures.Audit = AuditFigures{Records: n, CheckpointSize: cp.Checkpoint.Size, RootHash: cp.Checkpoint.Hash.String(),
		VerifierKey: key.VerifierKey(), Bundle: p.opts.BundleDir, Verified: rep.OK}
	p.tell("report", "the audit log holds %s records (%s): checkpoint signed at size %d, root %s; the bundle exported to %s verifies offline: %t",
		thousands(n), p.auditActions(ctx), cp.Checkpoint.Size, cp.Checkpoint.Hash, p.opts.BundleDir, rep.OK)
	return nil
}

// auditActions summarizes the most frequent actions of the audit log.
func (p *play) auditActions(ctx context.Context) string {
	counts := map[string]int{}
	for rec, err := range p.db.AuditRecords(ctx, 0) {
		if err != nil {
			return "actions unreadable"
		}
		if r, err := auditlog.ParseRecord(rec); err == nil {
			counts[r.Action]++
		}
	}
	actions := make([]string, 0, len(counts))
	for a := range counts {
		actions = append(actions, a)
	}
	sort.Slice(actions, func(i, j int) bool {
		if counts[actions[i]] != counts[actions[j]] {
			return counts[actions[i]] > counts[actions[j]]
		}
		return actions[i] < actions[j]
	})
	var top []string
	for _, a := range actions[:min(4, len(actions))] {
		top = append(top, fmt.Sprintf("%s %d", a, counts[a]))
	}
	return fmt.Sprintf("%d kinds of action; most: %s", len(actions), strings.Join(top, ", "))
}
