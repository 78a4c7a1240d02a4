package demo

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"tollgate"
	"tollgate/auth"
)

// orgSpec is an organization of the cast.
type orgSpec struct {
	Kind    tollgate.OrgKind
	Name    string
	Country string
	Agency  string // BIS, DOD, STATE or DOE for the agencies
}

// The organizations of the cast. The exporter is Nvidia; the agencies are
// the real ones; the lab, the broker and the auditor are stand-ins.
var (
	operatorOrg = orgSpec{tollgate.OrgOperator, "tollgate demo", "US", ""}
	exporterOrg = orgSpec{tollgate.OrgExporter, "NVIDIA Corporation", "US", ""}
	labOrg      = orgSpec{tollgate.OrgLab, "Bay Area Semiconductor Test Laboratory (demo)", "US", ""}
	brokerOrg   = orgSpec{tollgate.OrgBroker, "Harbor Customs Brokerage (demo)", "US", ""}
	castOrgs    = []orgSpec{
		exporterOrg,
		{tollgate.OrgAgency, "Bureau of Industry and Security", "US", "BIS"},
		{tollgate.OrgAgency, "Department of Defense", "US", string(tollgate.AgencyDefense)},
		{tollgate.OrgAgency, "Department of State", "US", string(tollgate.AgencyStateDept)},
		{tollgate.OrgAgency, "Department of Energy", "US", string(tollgate.AgencyEnergy)},
		labOrg,
		brokerOrg,
		{tollgate.OrgAuditor, "Independent Export Auditors (demo)", "US", ""},
	}
)

// userSpec is a user of the cast, in the organization named Org.
type userSpec struct {
	Key   string // how the story refers to the user
	Org   string
	Name  string
	Email string
	Role  tollgate.Role
}

// The users: one per part the story needs, and one reviewer per agency.
var (
	adminUser = userSpec{"admin", operatorOrg.Name, "Demo Operator", "admin@tollgate-demo.example", tollgate.RoleSystemAdmin}
	castUsers = []userSpec{
		{"exporter_admin", exporterOrg.Name, "Export Compliance Admin", "compliance-admin@nvidia.example", tollgate.RoleExporterAdmin},
		{"officer", exporterOrg.Name, "Trade Compliance Officer", "trade-compliance@nvidia.example", tollgate.RoleExporterOfficer},
		{"licensing_officer", "Bureau of Industry and Security", "BIS Licensing Officer", "licensing-officer@bis.example", tollgate.RoleLicensingOfficer},
		{"reviewer_DOD", "Department of Defense", "DOD Reviewer", "reviewer@dod.example", tollgate.RoleAgencyReviewer},
		{"reviewer_STATE", "Department of State", "State Reviewer", "reviewer@state.example", tollgate.RoleAgencyReviewer},
		{"reviewer_DOE", "Department of Energy", "DOE Reviewer", "reviewer@doe.example", tollgate.RoleAgencyReviewer},
		{"technician", labOrg.Name, "Lab Technician", "technician@lab.example", tollgate.RoleLabTechnician},
		{"broker", brokerOrg.Name, "Customs Broker", "entries@broker.example", tollgate.RoleBroker},
		{"auditor", "Independent Export Auditors (demo)", "Export Auditor", "auditor@audit.example", tollgate.RoleAuditor},
	}
)

// member is a user of the cast with the principal it acts as.
type member struct {
	user      *tollgate.User
	org       *tollgate.Org
	principal *tollgate.Principal
}

// cast is everyone the story needs, as stored.
type cast struct {
	orgs    map[string]*tollgate.Org // by name
	members map[string]*member       // by userSpec.Key
	order   []string                 // member keys, admin first
}

func (c *cast) org(name string) *tollgate.Org { return c.orgs[name] }
func (c *cast) member(key string) *member     { return c.members[key] }
func (c *cast) exporter() *tollgate.Org       { return c.orgs[exporterOrg.Name] }
func (c *cast) lab() *tollgate.Org            { return c.orgs[labOrg.Name] }
func (c *cast) broker() *tollgate.Org         { return c.orgs[brokerOrg.Name] }
func (c *cast) officer() *member              { return c.members["officer"] }

// setupTokenTTL is the lifetime of the first administrator's setup token:
// the demo's own setup needs none, and login tokens are issued at the end.
const setupTokenTTL = 24 * time.Hour

// castAct makes the cast on 1 Dec 2025: the first administrator (the
// store's bootstrap, as tollgate serve makes it), who then creates every
// organization and user, names the agencies for the licensing service, and
// the lab registers its Ed25519 signing key.
func (p *play) castAct(ctx context.Context) error {
	p.at("2025-12-01 09:00")
	p.cast = cast{orgs: map[string]*tollgate.Org{}, members: map[string]*member{}}
	if err := p.bootstrap(ctx); err != nil {
		return step("bootstrap", err)
	}
	if err := p.importLists(ctx); err != nil {
		return step("import lists", err)
	}
	p.at("2025-12-01 10:00")
	admin := p.cast.member(adminUser.Key)
	for _, spec := range castOrgs {
		if err := p.createOrg(ctx, admin, spec); err != nil {
			return step("create "+spec.Name, err)
		}
	}
	for _, spec := range castUsers {
		if err := p.createUser(ctx, admin, spec); err != nil {
			return step("create user "+spec.Email, err)
		}
	}
	p.tell("cast", "%s sets up the cast: %s (an admin and an officer), BIS and the referral agencies DOD, STATE and DOE, a US test lab, a customs broker and an auditor — %d users",
		admin.user.Email, exporterOrg.Name, len(p.cast.order))
	p.at("2025-12-01 11:00")
	return step("lab key", p.registerLabKey(ctx))
}

// bootstrap makes the operator organization and its system administrator
// with a short-lived setup token, as the first start of a server does.
func (p *play) bootstrap(ctx context.Context) error {
	org := &tollgate.Org{Kind: operatorOrg.Kind, Name: operatorOrg.Name, Country: operatorOrg.Country}
	u := &tollgate.User{Email: adminUser.Email, Name: adminUser.Name, Roles: []tollgate.Role{adminUser.Role}}
	_, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), p.opts.Rand, u, "demo setup", setupTokenTTL, p.clock.Now())
	if err != nil {
		return err
	}
	made, err := p.db.Bootstrap(ctx, org, u, tok)
	if err != nil {
		return err
	}
	if !made {
		return tollgate.Errorf(tollgate.ECONFLICT, "the store was bootstrapped before")
	}
	p.addMember(adminUser.Key, u, org)
	p.tell("cast", "tollgate starts on an empty store: organization %q and its system administrator %s", org.Name, u.Email)
	return nil
}

func (p *play) addMember(key string, u *tollgate.User, org *tollgate.Org) {
	p.cast.orgs[org.Name] = org
	p.cast.members[key] = &member{user: u, org: org, principal: &tollgate.Principal{
		UserID: u.ID, OrgID: org.ID, OrgKind: org.Kind, Roles: u.Roles}}
	p.cast.order = append(p.cast.order, key)
}

// createOrg creates an organization as the admin and, for an agency,
// names it for its agency code.
func (p *play) createOrg(ctx context.Context, admin *member, spec orgSpec) error {
	ctx, err := p.as(ctx, admin, "org.write", auth.Ownership{})
	if err != nil {
		return err
	}
	org := &tollgate.Org{Kind: spec.Kind, Name: spec.Name, Country: spec.Country}
	if err := p.db.CreateOrg(ctx, org); err != nil {
		return err
	}
	p.cast.orgs[org.Name] = org
	if spec.Agency != "" {
		return p.licensing.SetAgencyOrg(ctx, spec.Agency, org.ID)
	}
	return nil
}

// createUser creates a user as the admin, with the role checks the API
// makes (the role fits the organization, the admin may grant it).
func (p *play) createUser(ctx context.Context, admin *member, spec userSpec) error {
	org := p.cast.org(spec.Org)
	if org == nil {
		return fmt.Errorf("no organization %q in the cast", spec.Org)
	}
	ctx, err := p.as(ctx, admin, "user.write", auth.OwnedBy(org.ID))
	if err != nil {
		return err
	}
	roles := []tollgate.Role{spec.Role}
	if err := auth.CheckRoleGrant(admin.principal, org.Kind, roles); err != nil {
		return err
	}
	u := &tollgate.User{OrgID: org.ID, Email: spec.Email, Name: spec.Name, Roles: roles}
	if err := p.db.CreateUser(ctx, u); err != nil {
		return err
	}
	p.addMember(spec.Key, u, org)
	return nil
}

// registerLabKey makes the lab's Ed25519 key pair and registers its public
// half: every lab report is signed with the private half, which never
// leaves the lab (here: the demo's memory).
func (p *play) registerLabKey(ctx context.Context) error {
	tech := p.cast.member("technician")
	ctx, err := p.as(ctx, tech, "labreport.write", auth.OwnedBy("", p.cast.lab().ID))
	if err != nil {
		return err
	}
	pub, priv, err := ed25519.GenerateKey(p.opts.Rand)
	if err != nil {
		return err
	}
	k, err := p.shipping.RegisterLabKey(ctx, p.cast.lab().ID, pub)
	if err != nil {
		return err
	}
	p.labKey = priv
	p.tell("cast", "%s registers its Ed25519 report-signing key %s", p.cast.lab().Name, k.ID)
	return nil
}

// Login is a user of the cast with an API token to log in to the server
// that follows the story.
type Login struct {
	Role      tollgate.Role `json:"role"`
	Name      string        `json:"name"`
	Email     string        `json:"email"`
	Org       string        `json:"org"`
	Token     string        `json:"token"`
	ExpiresAt time.Time     `json:"expires_at"`
}

// loginAct issues, at the real time (the story is over), one API token per
// user of the cast, as the system administrator: the secrets are shown
// once, here, and the store keeps only their hashes.
func (p *play) loginAct(ctx context.Context) error {
	now := p.opts.Now().UTC().Truncate(time.Second)
	p.clock.Set(now)
	admin := p.cast.member(adminUser.Key)
	for _, key := range p.cast.order {
		m := p.cast.member(key)
		wctx, err := p.as(ctx, admin, "token.write", auth.OwnedBy(m.org.ID))
		if err != nil {
			return err
		}
		secret, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), p.opts.Rand, m.user, "tollgate demo login", 0, now)
		if err != nil {
			return step("issue token for "+m.user.Email, err)
		}
		if err := p.db.CreateToken(wctx, tok); err != nil {
			return step("store token for "+m.user.Email, err)
		}
		p.res.Figures.Logins = append(p.res.Figures.Logins, Login{Role: m.user.Roles[0], Name: m.user.Name, Email: m.user.Email,
			Org: m.org.Name, Token: secret.Reveal(), ExpiresAt: tok.ExpiresAt})
	}
	// The tokens are real logins, issued and dated now so that they work
	// today; the line says so, rather than pass for a day of the story.
	p.tell("logins", "after the story, today on the real clock, %s issues one API token per user of the cast, valid until %s",
		admin.user.Email, p.res.Figures.Logins[0].ExpiresAt.Format(time.DateOnly))
	return nil
}

// lostSummary writes lost revenue by reason: "license_denied $121,500,000,
// prc_blocked $27,000,000".
func lostSummary(lost map[string]int64) string {
	s := ""
	for _, r := range tollgate.CancelReasons {
		if c, ok := lost[string(r)]; ok && c != 0 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %s", r, tollgate.FormatCents(c))
		}
	}
	if s == "" {
		return "none"
	}
	return s
}
