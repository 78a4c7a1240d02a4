package demo

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/classify"
	"tollgate/shipping"
)

// enteredValueCents is the entered (customs) value of one Taiwan-made H200
// at the US border: the base of the 25% duty.
const enteredValueCents = 25_000_00

// importSpec is one line of a US customs entry of Taiwan-made H200s, for
// the units one customer's application covers.
type importSpec struct {
	Lot      string
	Units    int64
	Filer    string // the broker's filer code
	Seq      string // the entry's transaction number
	Customer string // whose application the lab judges the units against
}

// importSpecs are the two lots imported on 20 Jan 2026.
var importSpecs = []importSpec{
	{"TW-H200-2601-A", 3000, "HCB", "2601204", "bytedance"},
	{"TW-H200-2601-B", 2500, "HCB", "2601205", "alibaba"},
}

// importAct plays China's customs block (14 Jan 2026), the rule and the
// duty taking effect (15 Jan), the import of Taiwan-made H200s with the
// 25% duty and its payment (20 and 22 Jan), the lab's signed tests (26 and
// 27 Jan), and Beijing's approval of ByteDance, Alibaba and Tencent
// (28 Jan).
func (p *play) importAct(ctx context.Context) error {
	p.at("2026-01-14 16:00")
	for _, o := range orderSpecs {
		c := tollgate.PRCStatusChange{Status: tollgate.PRCBlockedAtCustoms, Note: "Chinese customs told H200s are not permitted (13-14 Jan 2026)"}
		if err := p.setPRC(ctx, o.Ref, c); err != nil {
			return step("customs block "+o.Ref, err)
		}
	}
	p.tell("import", "Chinese customs are told H200s are not permitted: all %d orders are blocked_at_customs", len(orderSpecs))

	now := p.at("2026-01-15 09:00")
	h200, err := p.catalog.Lookup(product)
	if err != nil {
		return err
	}
	c, err := classify.Default().Classify(classify.Request{Chip: h200, To: "CN", HQ: "CN", AsOf: now})
	if err != nil {
		return err
	}
	p.tell("import", "BIS publishes the H200 rule (91 FR 1684) and the Section 232 duty takes effect; tollgate's default rules now give the H200 to China: %s",
		caseByCase(string(c.Destination.ReviewPolicy)))

	p.at("2026-01-16 10:00")
	if err := p.engage(ctx); err != nil {
		return step("engagements", err)
	}

	p.at("2026-01-20 10:00")
	var lines []string
	for _, s := range importSpecs {
		e, err := p.recordImport(ctx, s)
		if err != nil {
			return step("import "+s.Lot, err)
		}
		lines = append(lines, fmt.Sprintf("%s %s units, entered %s, %s %s", e.EntryNumber, thousands(s.Units), tollgate.FormatCents(e.EnteredValueCents), e.Heading, tollgate.FormatCents(e.DutyCents)))
	}
	p.tell("import", "%s enters two lots of Taiwan-made H200s: %s (%d%% duty)", p.cast.member("broker").user.Email, strings.Join(lines, "; "), p.res.Figures.H200.RateBP/100)

	p.at("2026-01-22 15:00")
	for _, s := range importSpecs {
		if err := p.payDuty(ctx, s); err != nil {
			return step("pay duty "+s.Lot, err)
		}
	}
	p.tell("import", "%s pays the duty on both entries", p.cast.member("broker").user.Email)

	for i, s := range importSpecs {
		p.at(fmt.Sprintf("2026-01-%d 14:00", 26+i))
		if err := p.labReview(ctx, s.Lot, s.Units); err != nil {
			return err
		}
	}

	p.at("2026-01-28 12:00")
	var approved []string
	for _, ref := range []string{"BD-2025-001", "AL-2025-001", "TC-2025-001"} {
		c := tollgate.PRCStatusChange{Status: tollgate.PRCApproved, Reference: "PRC approval of 28 Jan 2026 (as reported)",
			Date: p.clock.Now(), Note: "Beijing approves ByteDance, Alibaba and Tencent to buy H200s, with conditions"}
		if err := p.setPRC(ctx, ref, c); err != nil {
			return step("PRC approval "+ref, err)
		}
		approved = append(approved, ref)
	}
	restricted := tollgate.PRCStatusChange{Status: tollgate.PRCRestricted,
		Note: "new state-funded data centers must use only domestic AI chips (PRC guidance of Nov 2025)"}
	if err := p.setPRC(ctx, "AL-2025-003", restricted); err != nil {
		return step("PRC restriction AL-2025-003", err)
	}
	p.tell("import", "Beijing approves ByteDance, Alibaba and Tencent: orders %s approved; BD-2025-002 stays blocked at customs; AL-2025-003, for a state-funded data center, is restricted (it must buy domestic chips)",
		strings.Join(approved, ", "))
	return nil
}

// engage has the exporter's admin engage the broker for its imports and
// the lab for its tests on the applications whose units it imports: from
// then on they may write about Nvidia's units, and no one else may.
func (p *play) engage(ctx context.Context) error {
	exporter := p.cast.exporter()
	wctx, err := p.as(ctx, p.cast.member("exporter_admin"), "engagement.write", auth.OwnedBy(exporter.ID))
	if err != nil {
		return err
	}
	var apps, names []string
	for _, s := range importSpecs {
		apps = append(apps, p.apps[s.Customer].ID)
		names = append(names, customerByKey(s.Customer).Short)
	}
	day := civilDay(p.clock.Now())
	for _, e := range []*tollgate.Engagement{
		{ExporterOrgID: exporter.ID, EngagedOrgID: p.cast.broker().ID, Kind: tollgate.EngageImports, StartsOn: day},
		{ExporterOrgID: exporter.ID, EngagedOrgID: p.cast.lab().ID, Kind: tollgate.EngageTests, StartsOn: day, ApplicationIDs: apps},
	} {
		if err := p.db.CreateEngagement(wctx, e); err != nil {
			return err
		}
	}
	p.tell("import", "%s engages %s for Nvidia's imports and %s for its tests on %s's applications; no other broker or lab may write about Nvidia's units",
		p.cast.member("exporter_admin").user.Email, p.cast.broker().Name, p.cast.lab().Name, strings.Join(names, " and "))
	return nil
}

// civilDay returns the UTC date of t.
func civilDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// engaged returns the ownership of a write about the exporter's units
// described by w: the exporter, assigned to the organizations its
// engagements reach for w.
func (p *play) engaged(ctx context.Context, w tollgate.EngagementScope) (auth.Ownership, error) {
	orgs, err := p.db.EngagedOrgs(ctx, w)
	if err != nil {
		return auth.Ownership{}, err
	}
	return auth.OwnedBy(w.ExporterOrgID, orgs...), nil
}

// setPRC records the PRC's standing on an order as the officer.
func (p *play) setPRC(ctx context.Context, ref string, c tollgate.PRCStatusChange) error {
	wctx, err := p.as(ctx, p.cast.officer(), "order.write", auth.OwnedBy(p.cast.exporter().ID))
	if err != nil {
		return err
	}
	o, err := p.shipping.SetPRCStatus(wctx, p.orders[ref].ID, c)
	if err != nil {
		return err
	}
	p.orders[ref] = o
	return nil
}

// recordImport records an import entry as the broker.
func (p *play) recordImport(ctx context.Context, s importSpec) (*tollgate.ImportEntry, error) {
	exporter, broker := p.cast.exporter(), p.cast.broker()
	own, err := p.engaged(ctx, tollgate.EngagementScope{ExporterOrgID: exporter.ID, Kind: tollgate.EngageImports,
		Day: p.clock.Now(), Lot: s.Lot})
	if err != nil {
		return nil, err
	}
	wctx, err := p.as(ctx, p.cast.member("broker"), "import.write", own)
	if err != nil {
		return nil, err
	}
	check, err := tollgate.EntryCheckDigit(s.Filer, s.Seq)
	if err != nil {
		return nil, err
	}
	e, err := p.shipping.RecordImport(wctx, tollgate.ImportEntry{
		ImporterOrgID: broker.ID, ExporterOrgID: exporter.ID, ImporterOfRecord: exporter.Name,
		EntryNumber: s.Filer + "-" + s.Seq + "-" + string(check), Line: 1, EntryDate: p.clock.Now(),
		Product: product, Units: tollgate.Units{Lot: s.Lot, Count: s.Units}, CountryOfOrigin: "TW",
		HTS: "8473.30.1180", EnteredValueCents: s.Units * enteredValueCents,
	})
	if err != nil {
		return nil, err
	}
	p.imports[s.Lot] = e
	return e, nil
}

// payDuty records the payment of an entry's duty as the broker.
func (p *play) payDuty(ctx context.Context, s importSpec) error {
	e := p.imports[s.Lot]
	own, err := p.engaged(ctx, tollgate.EngagementScope{ExporterOrgID: e.ExporterOrgID, Kind: tollgate.EngageImports,
		Day: p.clock.Now(), Lot: e.Units.Lot})
	if err != nil {
		return err
	}
	wctx, err := p.as(ctx, p.cast.member("broker"), "import.write", own)
	if err != nil {
		return err
	}
	ref := "ACH " + strings.ReplaceAll(e.EntryNumber, "-", "") + " 2026-01-22"
	paid, err := p.shipping.PayDuty(wctx, e.ID, ref, p.clock.Now())
	if err != nil {
		return err
	}
	p.imports[s.Lot] = paid
	return nil
}

// labReview has the lab test units of a lot before their export and tells it.
func (p *play) labReview(ctx context.Context, lot string, units int64) error {
	s, ok := importSpecByLot(lot)
	if !ok {
		return step("lab test "+lot, fmt.Errorf("no import of lot %s", lot))
	}
	r, err := p.labTest(ctx, s, units)
	if err != nil {
		return step("lab test "+lot, err)
	}
	p.tell("import", "%s tests %s units of lot %s, every unit, against %s's application: measured TPP %s (the rule's limit: below %s), %s GB/s (below %s) — pass; report %s signed with key %s",
		p.cast.lab().Name, thousands(units), lot, customerByKey(s.Customer).Short, classify.FormatNumber(r.MeasuredTPP),
		classify.FormatNumber(p.shippingRules.MaxTPP), classify.FormatNumber(r.MeasuredDRAMBandwidthGBps),
		classify.FormatNumber(p.shippingRules.MaxDRAMBandwidthGBps), r.Number, r.KeyID)
	return nil
}

// importSpecByLot returns the import of lot.
func importSpecByLot(lot string) (importSpec, bool) {
	for _, s := range importSpecs {
		if s.Lot == lot {
			return s, true
		}
	}
	return importSpec{}, false
}

// labTest has the lab's technician test units of a lot, every one of them,
// against the customer's application under the agency's review rules,
// judge them, sign the report with the lab's key and record it. Each test
// covers exactly the units of one export: the report number carries the
// test date.
func (p *play) labTest(ctx context.Context, s importSpec, units int64) (*tollgate.LabReport, error) {
	tech, lab, exporter := p.cast.member("technician"), p.cast.lab(), p.cast.exporter()
	own, err := p.engaged(ctx, tollgate.EngagementScope{ExporterOrgID: exporter.ID, Kind: tollgate.EngageTests,
		Day: p.clock.Now(), ApplicationID: p.apps[s.Customer].ID, Lot: s.Lot})
	if err != nil {
		return nil, err
	}
	wctx, err := p.as(ctx, tech, "labreport.write", own)
	if err != nil {
		return nil, err
	}
	spec, err := p.catalog.Lookup(product)
	if err != nil {
		return nil, err
	}
	r := tollgate.LabReport{
		Number:   "BASTL-" + strings.TrimPrefix(s.Lot, "TW-") + "-" + p.clock.Now().Format("0102"),
		LabOrgID: lab.ID, TechnicianUserID: tech.user.ID,
		ExporterOrgID: exporter.ID, ApplicationID: p.apps[s.Customer].ID, Product: p.productID, // the lab signs for the identity
		Units: tollgate.Units{Lot: s.Lot, Count: units}, Examined: units, SamplingPlan: "every unit",
		Measured: []tollgate.PeakThroughput{
			{Precision: "FP8", Value: 1975.6, BitLength: 8}, {Precision: "BF16", Value: 987.9, BitLength: 16},
		},
		MeasuredDRAMBandwidthGBps: 4772,
		Method:                    "every unit: dense FP8 and BF16 matrix-multiply peak throughput, HBM3e streaming bandwidth, board and firmware identity against the application",
		ToleranceBP:               p.shippingRules.ToleranceBP,
		TestedAt:                  p.clock.Now(),
		KeyID:                     tollgate.LabKeyID(p.labKey.Public().(ed25519.PublicKey)),
	}
	judged, err := shipping.Judge(r, spec, p.shippingRules)
	if err != nil {
		return nil, err
	}
	if !judged.Pass {
		return nil, tollgate.Errorf(tollgate.EINTERNAL, "lot %s failed the lab's test: %s", s.Lot, strings.Join(judged.Findings, "; "))
	}
	if judged.Signature, err = shipping.SignReport(p.labKey, judged); err != nil {
		return nil, err
	}
	rec, err := p.shipping.RecordLabReport(wctx, judged)
	if err != nil {
		return nil, err
	}
	return rec, nil
}
