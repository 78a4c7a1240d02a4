package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"tollgate"
	"tollgate/auth"
	"tollgate/licensing"
)

// recommendation is an agency's recommendation on a customer's
// application.
type recommendation struct {
	Customer   string
	Agency     tollgate.ReviewAgency
	At         string
	Kind       tollgate.RecommendationKind
	Reasons    []string
	Conditions []string
}

// remoteAccessCondition is the rider DOD asks for and BIS attaches: the
// H200 rule's concern with unauthorized remote access (regime.md §3).
const remoteAccessCondition = "The ultimate consignee shall not permit remote access to the items by any party not named on this license, and shall keep access logs available to BIS on request."

// recommendations are the agencies' answers within their 30 days. Nobody
// recommends on Tencent's application, which BIS will return.
var recommendations = []recommendation{
	{"bytedance", tollgate.AgencyDefense, "2026-01-12 10:00", tollgate.RecommendApproveWithConditions,
		[]string{"civil commercial end use; no military end-user connection found"}, []string{remoteAccessCondition}},
	{"alibaba", tollgate.AgencyDefense, "2026-01-12 11:00", tollgate.RecommendApproveWithConditions,
		[]string{"civil cloud end use; quantity to be held within the cap headroom"}, []string{remoteAccessCondition}},
	{"bytedance", tollgate.AgencyStateDept, "2026-01-13 10:00", tollgate.RecommendApprove,
		[]string{"consistent with the announced policy on approved customers"}, nil},
	{"alibaba", tollgate.AgencyStateDept, "2026-01-13 11:00", tollgate.RecommendApprove,
		[]string{"consistent with the announced policy on approved customers"}, nil},
	{"bytedance", tollgate.AgencyEnergy, "2026-01-14 09:00", tollgate.RecommendApprove,
		[]string{"no nuclear end-use concern"}, nil},
	{"alibaba", tollgate.AgencyEnergy, "2026-01-14 09:30", tollgate.RecommendApprove,
		[]string{"no nuclear end-use concern"}, nil},
}

// reviewAct has BIS accept the applications on 18 Dec 2025 and refer them
// to Defense, State and Energy on 19 Dec 2025, and the agencies recommend
// on ByteDance's and Alibaba's in January 2026.
func (p *play) reviewAct(ctx context.Context) error {
	officer := p.cast.member("licensing_officer")
	p.at("2025-12-18 10:00")
	for _, a := range applicationSpecs {
		if err := p.review(ctx, officer, "application.review", a.Customer, licensing.Event{Kind: licensing.EventAccept}); err != nil {
			return step("accept", err)
		}
	}
	p.tell("review", "%s accepts the three applications for review", officer.user.Email)
	p.at("2025-12-19 10:00")
	agencies := tollgate.ReviewAgencies()
	for _, a := range applicationSpecs {
		if err := p.review(ctx, officer, "application.refer", a.Customer, licensing.Event{Kind: licensing.EventRefer, Agencies: agencies}); err != nil {
			return step("refer", err)
		}
	}
	p.tell("review", "%s refers them to DOD, STATE and DOE for their 30-day review", officer.user.Email)

	for _, r := range recommendations {
		p.at(r.At)
		reviewer := p.cast.member("reviewer_" + string(r.Agency))
		ev := licensing.Event{Kind: licensing.EventRecommend, Recommendation: r.Kind, Reasons: r.Reasons, Conditions: r.Conditions}
		if err := p.review(ctx, reviewer, "application.recommend", r.Customer, ev); err != nil {
			return step(fmt.Sprintf("%s recommends", r.Agency), err)
		}
	}
	p.tell("review", "the agencies recommend: %s; nobody recommends on Tencent's", summarizeRecommendations(recommendations))
	return nil
}

// review sends ev to a customer's application as u, who must hold perm on
// it (the application is assigned to u's agency).
func (p *play) review(ctx context.Context, u *member, perm, key string, ev licensing.Event) error {
	app := p.apps[key]
	rctx := tollgate.WithPrincipal(ctx, u.principal)
	view, err := p.licensing.Application(rctx, app.ID)
	if err != nil {
		return err
	}
	if _, err := p.as(ctx, u, perm, auth.OwnedBy(view.Parties.Applicant, view.AssignedOrgIDs...)); err != nil {
		return err
	}
	out, err := p.licensing.Apply(rctx, app.ID, ev, view.Version)
	if err != nil {
		return err
	}
	p.apps[key] = &out.Application.Application
	if out.License != nil {
		v, err := licensing.NewLicenseView(out.License, p.clock.Now())
		if err != nil {
			return err
		}
		p.license[key] = v
	}
	return nil
}

// summarizeRecommendations writes recommendations grouped by agency and
// kind: "DOD approve with conditions (ByteDance, Alibaba); …".
func summarizeRecommendations(rs []recommendation) string {
	type group struct {
		agency    tollgate.ReviewAgency
		kind      tollgate.RecommendationKind
		customers []string
	}
	var groups []*group
	for _, r := range rs {
		i := slices.IndexFunc(groups, func(g *group) bool { return g.agency == r.Agency && g.kind == r.Kind })
		if i < 0 {
			groups = append(groups, &group{agency: r.Agency, kind: r.Kind})
			i = len(groups) - 1
		}
		groups[i].customers = append(groups[i].customers, customerByKey(r.Customer).Short)
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = fmt.Sprintf("%s %s (%s)", g.agency, strings.ReplaceAll(string(g.kind), "_", " "), strings.Join(g.customers, ", "))
	}
	return strings.Join(parts, "; ")
}
