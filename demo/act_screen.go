package demo

import (
	"context"
	"fmt"
	"strings"

	"tollgate"
	"tollgate/auth"
)

// customer is a Chinese company that wants H200s from the exporter.
type customer struct {
	Key        string
	Short      string // the name the narrative uses
	LegalName  string
	OtherNames []string
	City       string
	// Listed says whether the customer is a restricted party: the story
	// expects its screening to end blocked, and clear otherwise.
	Listed bool
}

// customers are the Chinese companies of the story: the three Beijing
// approved on 28 Jan 2026, a Huawei affiliate (on the Entity List since
// 2019) and Moore Threads (listed in Oct 2023, after the 2022 CSL
// snapshot).
var customers = []customer{
	{"bytedance", "ByteDance", "Beijing ByteDance Technology Co., Ltd.", []string{"北京字节跳动科技有限公司"}, "Beijing", false},
	{"alibaba", "Alibaba", "Alibaba Cloud Computing Co., Ltd.", []string{"阿里云计算有限公司"}, "Hangzhou", false},
	{"tencent", "Tencent", "Shenzhen Tencent Computer Systems Co., Ltd.", []string{"深圳市腾讯计算机系统有限公司"}, "Shenzhen", false},
	{"huawei", "the Huawei affiliate", "Beijing Huawei Digital Technologies Co., Ltd.", []string{"北京华为数字技术有限公司"}, "Beijing", true},
	{"moorethreads", "Moore Threads", "Moore Threads Technology Co., Ltd.", []string{"摩尔线程智能科技（北京）有限责任公司"}, "Beijing", true},
}

func customerByKey(key string) customer {
	for _, c := range customers {
		if c.Key == key {
			return c
		}
	}
	panic("demo: no customer " + key) // the story's own data
}

// PartyStatus is a customer's screening status at the end of the story.
type PartyStatus struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// screenAct adds the customers and screens them on 9 Dec 2025; the
// Huawei affiliate is blocked as a true match. Moore Threads screens clear
// against the 2022 snapshot, so the operator adds it to the internal list
// with its Federal Register citation, every party is screened again, and
// it is blocked too.
func (p *play) screenAct(ctx context.Context) error {
	p.at("2025-12-09 10:00")
	officer := p.cast.officer()
	exporter := p.cast.exporter()
	for _, c := range customers {
		wctx, err := p.as(ctx, officer, "party.write", auth.OwnedBy(exporter.ID))
		if err != nil {
			return err
		}
		party := &tollgate.Party{
			OrgID: exporter.ID, Role: tollgate.RoleUltimateConsignee, Type: tollgate.EntityOrganization,
			LegalName: c.LegalName, OtherNames: c.OtherNames, Country: "CN", HeadquartersCountry: "CN",
			Addresses: []tollgate.Address{{City: c.City, Country: "CN"}},
		}
		if err := p.db.CreateParty(wctx, party); err != nil {
			return step("add "+c.Short, err)
		}
		p.parties[c.Key] = party
	}
	p.tell("screen", "%s adds five Chinese customers — %s — and screens each under every name it has, Chinese script included",
		officer.user.Email, shortNames(customers))
	var clear []string
	for _, c := range customers {
		status, err := p.screen(ctx, c)
		if err != nil {
			return step("screen "+c.Short, err)
		}
		switch {
		case status == tollgate.ScreeningClear:
			clear = append(clear, c.Short)
		case status != tollgate.ScreeningBlocked || !c.Listed:
			return tollgate.Errorf(tollgate.EINTERNAL, "%s screened %s; the story expects it clear or blocked", c.LegalName, status)
		}
	}
	if st := p.parties["huawei"]; p.statusOf(ctx, st.ID) != tollgate.ScreeningBlocked {
		return tollgate.Errorf(tollgate.EINTERNAL, "the Huawei affiliate screened clear; the story expects a true match")
	}
	p.tell("screen", "screened clear: %s", strings.Join(clear, ", "))
	return p.addMooreThreads(ctx)
}

// screen screens a customer's party and decides its hits as the officer:
// a listed customer's hits are true matches, a clear customer's are false
// positives. It returns the party's status.
func (p *play) screen(ctx context.Context, c customer) (tollgate.ScreeningStatus, error) {
	officer := p.cast.officer()
	party := p.parties[c.Key]
	sctx, err := p.as(ctx, officer, "party.screen", auth.OwnedBy(party.OrgID))
	if err != nil {
		return "", err
	}
	diff, err := p.screening.ScreenParty(sctx, party.ID)
	if err != nil {
		return "", err
	}
	return p.decide(ctx, c, diff.Screening.Hits, diff.StatusAfter)
}

// decide records the officer's decision on every undecided hit of c.
func (p *play) decide(ctx context.Context, c customer, hits []tollgate.Hit, status tollgate.ScreeningStatus) (tollgate.ScreeningStatus, error) {
	officer := p.cast.officer()
	party := p.parties[c.Key]
	dctx, err := p.as(ctx, officer, "hit.decide", auth.OwnedBy(party.OrgID))
	if err != nil {
		return "", err
	}
	for _, h := range hits {
		if h.Decision != nil {
			continue
		}
		d := &tollgate.HitDecision{PartyID: party.ID, List: h.List, SourceID: h.SourceID, EntityDigest: h.EntityDigest,
			Kind: tollgate.HitTrueMatch, DecidedBy: officer.user.ID}
		if !c.Listed {
			d.Kind = tollgate.HitFalsePositive
			d.Reason = fmt.Sprintf("%s is not the listed %q: different company, address and registration", c.LegalName, h.Name)
		}
		if status, err = p.db.DecideHit(dctx, d); err != nil {
			return "", err
		}
		if !c.Listed {
			p.tell("screen", "%s's hit on %s %s %q (score %.2f): %s records a false positive, with its reason",
				c.Short, h.List, h.SourceID, h.MatchedName, h.Score, officer.user.Email)
		} else {
			p.tell("screen", "%s matches %s %s %q (score %.2f): %s decides a true match — %s is blocked",
				c.Short, h.List, h.SourceID, h.MatchedName, h.Score, officer.user.Email, party.LegalName)
		}
	}
	return status, nil
}

// addMooreThreads has the operator add Moore Threads to the internal list
// with its Federal Register citation, at the exporter's request, and the
// officer screen every party again.
func (p *play) addMooreThreads(ctx context.Context) error {
	p.at("2025-12-09 11:30")
	admin := p.cast.member(adminUser.Key)
	actx, err := p.as(ctx, admin, "list.write", auth.Ownership{})
	if err != nil {
		return err
	}
	if _, err := p.importInternal(actx, mooreThreads); err != nil {
		return step("internal list", err)
	}
	p.tell("screen", "Moore Threads is missing from the list snapshot: at %s's request %s adds %q to the internal list, citing %s",
		exporterOrg.Name, admin.user.Email, mooreThreads.Name, mooreThreads.Citation)
	officer := p.cast.officer()
	rctx, err := p.as(ctx, officer, "party.screen", auth.OwnedBy(p.cast.exporter().ID))
	if err != nil {
		return err
	}
	rep, err := p.screening.Rescreen(rctx)
	if err != nil {
		return step("rescreen", err)
	}
	for _, ch := range rep.Changed {
		c, ok := p.customerOf(ch.PartyID)
		if !ok {
			continue
		}
		if _, err := p.decide(ctx, c, ch.Diff.Screening.Hits, ch.Diff.StatusAfter); err != nil {
			return step("decide "+c.Short, err)
		}
	}
	if st := p.statusOf(ctx, p.parties["moorethreads"].ID); st != tollgate.ScreeningBlocked {
		return tollgate.Errorf(tollgate.EINTERNAL, "Moore Threads is %s after the internal list entry, the story expects blocked", st)
	}
	var changed []string
	for _, ch := range rep.Changed {
		if c, ok := p.customerOf(ch.PartyID); ok {
			changed = append(changed, c.Short)
		}
	}
	p.tell("screen", "%s re-screens all %d parties against the current list versions; changed: %s", officer.user.Email, rep.Screened, strings.Join(changed, ", "))
	return nil
}

// customerOf returns the customer whose party is id.
func (p *play) customerOf(id string) (customer, bool) {
	for _, c := range customers {
		if pt := p.parties[c.Key]; pt != nil && pt.ID == id {
			return c, true
		}
	}
	return customer{}, false
}

// statusOf returns a party's stored screening status ("" when it cannot
// be read, which the callers treat as a failed expectation).
func (p *play) statusOf(ctx context.Context, id string) tollgate.ScreeningStatus {
	party, err := p.db.FindPartyByID(ctx, id)
	if err != nil {
		return ""
	}
	return party.Status
}

func shortNames(cs []customer) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Short
	}
	return strings.Join(names, ", ")
}
