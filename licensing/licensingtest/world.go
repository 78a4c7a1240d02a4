// Package licensingtest is test support for license applications: a small
// world (an exporter with screened parties, the licensing agency and the
// three reviewing agencies, an auditor), the principals who act in it, a
// complete H200 draft to a Chinese end user, the six certifications, a
// valid PDF, and a fresh store on each backend. The licensing service's,
// the API's and the command's tests share it.
package licensingtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/licensing"
	"tollgate/store"
)

// Start is when a World's clock starts: a Monday in February 2026, after
// the H200 rule took effect.
var Start = time.Date(2026, 2, 2, 14, 0, 0, 0, time.UTC)

// Clock is a settable clock safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at Start.
func NewClock() *Clock { return &Clock{t: Start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// World is the cast of a licensing test, stored in DB.
type World struct {
	DB *store.DB
	// Exporter applies; Other is another exporter, who must see nothing.
	Exporter, Other *tollgate.Org
	// BIS is the licensing agency; DOD, State and Energy the reviewers.
	BIS, DOD, State, Energy *tollgate.Org
	Auditor                 *tollgate.Org
	// Purchaser, Consignee and EndUser are the exporter's parties in
	// China, screened clear against List.
	Purchaser, Consignee, EndUser *tollgate.Party
	List                          *tollgate.ListVersion
	// Listed is the one entity on List, for screenings with a hit.
	Listed tollgate.Entity
}

// NewWorld creates the world's organizations, parties and list in db and
// screens the parties clear. It does not set the agencies' organizations
// (SetAgencies does, through the service, as an administrator).
func NewWorld(tb testing.TB, db *store.DB) *World {
	tb.Helper()
	ctx := context.Background()
	w := &World{DB: db}
	org := func(kind tollgate.OrgKind, name string) *tollgate.Org {
		o := &tollgate.Org{Kind: kind, Name: name, Country: "US"}
		must(tb, db.CreateOrg(ctx, o))
		return o
	}
	w.Exporter, w.Other = org(tollgate.OrgExporter, "Example Chips Inc."), org(tollgate.OrgExporter, "Other Chips Inc.")
	w.BIS, w.DOD = org(tollgate.OrgAgency, "Bureau of Industry and Security"), org(tollgate.OrgAgency, "Department of Defense")
	w.State, w.Energy = org(tollgate.OrgAgency, "Department of State"), org(tollgate.OrgAgency, "Department of Energy")
	w.Auditor = org(tollgate.OrgAuditor, "Example Audit LLP")
	w.Listed = tollgate.Entity{List: "EL", SourceID: "EL-7", Name: "Shadow Compute Ltd.", Type: tollgate.EntityOrganization, Countries: []string{"CN"}}
	sum := sha256.Sum256([]byte(fmt.Sprintf("licensingtest list %p", w)))
	v, _, err := db.ImportListVersion(ctx, &tollgate.ListImport{Source: "csl", Format: "csl-test", Digest: hex.EncodeToString(sum[:]),
		FileName: "csl.csv", Entities: []tollgate.Entity{w.Listed}})
	must(tb, err)
	w.List = v
	party := func(role tollgate.PartyRole, name string) *tollgate.Party {
		p := &tollgate.Party{OrgID: w.Exporter.ID, Role: role, Type: tollgate.EntityOrganization, LegalName: name, Country: "CN"}
		must(tb, db.CreateParty(ctx, p))
		w.Screen(tb, p.ID)
		p.Status = tollgate.ScreeningClear
		return p
	}
	w.Purchaser = party(tollgate.RolePurchaser, "Beijing Example Cloud Co., Ltd.")
	w.Consignee = party(tollgate.RoleUltimateConsignee, "Example Logistics (Tianjin) Co., Ltd.")
	w.EndUser = party(tollgate.RoleEndUser, "Example AI Research Center")
	return w
}

// Screen records a screening of the party against the world's list with
// the given hits (none: the party is clear).
func (w *World) Screen(tb testing.TB, partyID string, hits ...tollgate.Hit) {
	tb.Helper()
	_, err := w.DB.RecordScreening(context.Background(), &tollgate.Screening{PartyID: partyID,
		ListVersionIDs: []string{w.List.ID}, Threshold: 0.85, Hits: hits})
	must(tb, err)
}

// Hit returns a hit on the world's listed entity.
func (w *World) Hit() tollgate.Hit {
	return tollgate.Hit{List: w.Listed.List, SourceID: w.Listed.SourceID, EntityDigest: w.Listed.Digest(),
		Name: w.Listed.Name, MatchedName: w.Listed.Name, Score: 0.93}
}

// DecideHit records an analyst's decision on the world's hit for the party.
func (w *World) DecideHit(tb testing.TB, partyID string, kind tollgate.HitDecisionKind) {
	tb.Helper()
	h := w.Hit()
	_, err := w.DB.DecideHit(context.Background(), &tollgate.HitDecision{PartyID: partyID, List: h.List, SourceID: h.SourceID,
		EntityDigest: h.EntityDigest, Kind: kind, Reason: "checked against the listing", DecidedBy: "analyst@example.com"})
	must(tb, err)
}

// Principals of the world. Each holds one role in its organization.

// Officer is the exporter's compliance officer.
func (w *World) Officer() *tollgate.Principal {
	return principal("user-jane", w.Exporter, tollgate.RoleExporterOfficer)
}

// Outsider is an officer of the other exporter.
func (w *World) Outsider() *tollgate.Principal {
	return principal("user-mallory", w.Other, tollgate.RoleExporterOfficer)
}

// LicensingOfficer is the licensing agency's officer.
func (w *World) LicensingOfficer() *tollgate.Principal {
	return principal("user-bis", w.BIS, tollgate.RoleLicensingOfficer)
}

// Reviewer is a reviewer of the agency a.
func (w *World) Reviewer(a tollgate.ReviewAgency) *tollgate.Principal {
	orgs := map[tollgate.ReviewAgency]*tollgate.Org{tollgate.AgencyDefense: w.DOD, tollgate.AgencyStateDept: w.State, tollgate.AgencyEnergy: w.Energy}
	return principal("user-"+string(a), orgs[a], tollgate.RoleAgencyReviewer)
}

// AuditorPrincipal is the auditor.
func (w *World) AuditorPrincipal() *tollgate.Principal {
	return principal("user-audit", w.Auditor, tollgate.RoleAuditor)
}

// Admin is the installation's system administrator.
func (w *World) Admin() *tollgate.Principal {
	return principal("user-admin", w.BIS, tollgate.RoleSystemAdmin)
}

func principal(user string, org *tollgate.Org, role tollgate.Role) *tollgate.Principal {
	return &tollgate.Principal{UserID: user, OrgID: org.ID, OrgKind: org.Kind, Roles: []tollgate.Role{role}}
}

// As returns a context acting as p.
func As(p *tollgate.Principal) context.Context {
	return tollgate.WithPrincipal(context.Background(), p)
}

// Authorize is auth.Authorize as the licensing service takes it.
func Authorize(p *tollgate.Principal, perm string, own licensing.Ownership) error {
	return auth.Authorize(p, perm, auth.OwnedBy(own.OrgID, own.AssignedOrgIDs...))
}

// NewService returns a licensing service over db with the default rules
// and auth's policy.
func NewService(tb testing.TB, db *store.DB) *licensing.Service {
	tb.Helper()
	svc, err := licensing.NewService(db, ServiceConfig())
	must(tb, err)
	return svc
}

// SetAgencies sets the organizations of BIS, DOD, STATE and DOE as the
// administrator.
func (w *World) SetAgencies(tb testing.TB, svc *licensing.Service) {
	tb.Helper()
	for code, org := range map[string]*tollgate.Org{"BIS": w.BIS, "DOD": w.DOD, "STATE": w.State, "DOE": w.Energy} {
		must(tb, svc.SetAgencyOrg(As(w.Admin()), code, org.ID))
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
