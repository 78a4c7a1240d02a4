package demo

import (
	"context"
	"fmt"
	"strings"

	"tollgate"
	"tollgate/auth"
	"tollgate/licensing"
	"tollgate/shipping"
)

// decisionSpec is BIS's decision on a customer's application.
type decisionSpec struct {
	Customer   string
	Outcome    tollgate.DecisionOutcome
	Quantity   int64 // licensed units, for an approval
	Conditions []tollgate.Condition
	Reasons    []string
}

// decisionSpecs are the three decisions of 2 Feb 2026: one approval with
// conditions, one approval in part, one return without action.
var decisionSpecs = []decisionSpec{
	{Customer: "bytedance", Outcome: tollgate.DecisionApprove, Quantity: 4000, Conditions: []tollgate.Condition{
		{ID: "remote-access", Text: remoteAccessCondition,
			Binds: []tollgate.PartyRole{tollgate.RoleUltimateConsignee, tollgate.RoleEndUser}},
		{ID: "no-military-no-transfer", Text: "No military or military-intelligence end use or end user; no transfer within China without prior BIS authorization.",
			Binds: []tollgate.PartyRole{tollgate.RoleUltimateConsignee}},
		{ID: "lab-records", Text: "Every shipment is reviewed before export by a US third-party lab; the licensee keeps the signed reports for 5 years (15 CFR 762.6).",
			Binds: []tollgate.PartyRole{tollgate.RoleApplicant}},
	}, Reasons: []string{"approved under the H200 rule's case-by-case policy, with the riders DOD proposed"}},
	{Customer: "alibaba", Outcome: tollgate.DecisionApproveInPart, Quantity: 2500, Conditions: []tollgate.Condition{
		{ID: "remote-access", Text: remoteAccessCondition,
			Binds: []tollgate.PartyRole{tollgate.RoleUltimateConsignee, tollgate.RoleEndUser}},
	}, Reasons: []string{"approved in part: 2,500 of the 4,000 units applied for, to keep the exporter's China shipments within the 50% cap"}},
	{Customer: "tencent", Outcome: tollgate.DecisionReturn, Reasons: []string{
		"returned without action: the end-use statement does not identify the data centers where the chips would be installed; a resubmission is a new application"}},
}

// licenseAct has BIS decide on 2 Feb 2026; the exporter has the bound
// parties acknowledge the conditions, licenses the orders the licenses
// cover and cancels those they do not (3 Feb); a reservation on the order
// still blocked at Chinese customs is refused, and it is cancelled with the
// order Beijing restricted.
func (p *play) licenseAct(ctx context.Context) error {
	p.at("2026-02-02 10:00")
	officer := p.cast.member("licensing_officer")
	var decided []string
	for _, d := range decisionSpecs {
		if err := p.decideApplication(ctx, officer, d); err != nil {
			return step("decide for "+customerByKey(d.Customer).Short, err)
		}
		decided = append(decided, p.describeDecision(d))
	}
	p.tell("license", "%s decides: %s", officer.user.Email, strings.Join(decided, "; "))

	p.at("2026-02-03 09:00")
	for _, key := range []string{"bytedance", "alibaba"} {
		if err := p.acknowledge(ctx, key); err != nil {
			return step("acknowledge "+key, err)
		}
	}
	p.tell("license", "the licensee and the customers acknowledge every condition before the first shipment")

	p.at("2026-02-03 09:30")
	for _, o := range []struct{ ref, customer string }{
		{"BD-2025-001", "bytedance"}, {"BD-2025-002", "bytedance"}, {"AL-2025-001", "alibaba"},
	} {
		ev := shipping.OrderEvent{Kind: shipping.OrderEventLicense, LicenseID: p.license[o.customer].ID}
		if err := p.orderEvent(ctx, o.ref, ev); err != nil {
			return step("license "+o.ref, err)
		}
	}
	cancels := []struct {
		ref, note string
	}{
		{"AL-2025-002", "BIS licensed 2,500 of the 4,000 units applied for"},
		{"TC-2025-001", "BIS returned the application without action"},
	}
	for _, c := range cancels {
		ev := shipping.OrderEvent{Kind: shipping.OrderEventCancel, Reason: tollgate.CancelLicenseDenied, Note: c.note}
		if err := p.orderEvent(ctx, c.ref, ev); err != nil {
			return step("cancel "+c.ref, err)
		}
	}
	p.tell("license", "orders BD-2025-001, BD-2025-002 and AL-2025-001 are licensed; AL-2025-002 and TC-2025-001 are cancelled (license denied)")

	p.at("2026-02-03 10:00")
	_, err := p.reserve(ctx, "BD-2025-002", importSpecs[0].Lot, 1000)
	if tollgate.ErrorCode(err) != tollgate.EPRECONDITION || !strings.Contains(tollgate.ErrorMessage(err), string(tollgate.PRCBlockedAtCustoms)) {
		return step("reserve BD-2025-002", fmt.Errorf("want a refusal for the PRC status, got %v", err))
	}
	p.counts.prcRefusals++
	p.tell("license", "reservation refused: %s", tollgate.ErrorMessage(err))
	for _, c := range []struct{ ref, note string }{
		{"BD-2025-002", "Beijing did not approve this purchase: blocked at customs"},
		{"AL-2025-003", "state-funded data centers must buy domestic chips"},
	} {
		ev := shipping.OrderEvent{Kind: shipping.OrderEventCancel, Reason: tollgate.CancelPRCBlocked, Note: c.note}
		if err := p.orderEvent(ctx, c.ref, ev); err != nil {
			return step("cancel "+c.ref, err)
		}
	}
	p.tell("license", "orders BD-2025-002 and AL-2025-003 are cancelled for the PRC side (PRC blocked)")
	return nil
}

// decideApplication sends BIS's decision on a customer's application.
func (p *play) decideApplication(ctx context.Context, officer *member, d decisionSpec) error {
	dec := &tollgate.ApplicationDecision{Outcome: d.Outcome, Conditions: d.Conditions, Reasons: d.Reasons}
	if d.Outcome.IssuesLicense() {
		value, _ := tollgate.UnitValue(d.Quantity, unitPriceCents)
		dec.Items = []tollgate.LicenseItem{{Product: product, Quantity: d.Quantity, ValueCents: value}}
	}
	if err := p.review(ctx, officer, "application.decide", d.Customer, licensing.Event{Kind: licensing.EventDecide, Decision: dec}); err != nil {
		return err
	}
	if d.Outcome.IssuesLicense() && p.license[d.Customer] == nil {
		return tollgate.Errorf(tollgate.EINTERNAL, "the approval issued no license")
	}
	return nil
}

func (p *play) describeDecision(d decisionSpec) string {
	c, app := customerByKey(d.Customer), p.apps[d.Customer]
	switch d.Outcome {
	case tollgate.DecisionApprove:
		return fmt.Sprintf("%s %s approved with %d conditions, license %s for %s units", app.ControlNumber, c.Short,
			len(d.Conditions), p.license[d.Customer].Number, thousands(d.Quantity))
	case tollgate.DecisionApproveInPart:
		return fmt.Sprintf("%s %s approved in part, license %s for %s of %s units", app.ControlNumber, c.Short,
			p.license[d.Customer].Number, thousands(d.Quantity), thousands(app.QuantityOf(p.productID)))
	}
	return fmt.Sprintf("%s %s %s", app.ControlNumber, c.Short, strings.ReplaceAll(string(app.State), "_", " "))
}

// acknowledge records, as the officer, the acknowledgment of every
// condition of a customer's license by every party it binds.
func (p *play) acknowledge(ctx context.Context, key string) error {
	lic := p.license[key]
	wctx, err := p.as(ctx, p.cast.officer(), "license.acknowledge", auth.OwnedBy(lic.HolderOrgID))
	if err != nil {
		return err
	}
	party := p.parties[key]
	for _, c := range lic.Conditions {
		for _, role := range c.Binds {
			in := licensing.AcknowledgmentInput{ConditionID: c.ID, Role: role, PartyID: party.ID,
				SignedBy: "authorized signatory of " + party.LegalName}
			if role == tollgate.RoleApplicant {
				in.PartyID, in.SignedBy = "", p.cast.officer().user.Name+", "+exporterOrg.Name
			}
			if lic, err = p.licensing.Acknowledge(wctx, lic.ID, in); err != nil {
				return err
			}
		}
	}
	p.license[key] = lic
	return nil
}

// orderEvent applies an event to an order as the officer.
func (p *play) orderEvent(ctx context.Context, ref string, ev shipping.OrderEvent) error {
	wctx, err := p.as(ctx, p.cast.officer(), "order.write", auth.OwnedBy(p.cast.exporter().ID))
	if err != nil {
		return err
	}
	o, err := p.shipping.ApplyOrderEvent(wctx, p.orders[ref].ID, ev)
	if err != nil {
		return err
	}
	p.orders[ref] = o
	return nil
}
