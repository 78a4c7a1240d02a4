package licensing

import (
	"context"
	"fmt"
	"strings"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/store"
)

// Permissions the service checks on each object, named as in package
// auth's policy table (the API's routes declare the same names, so the
// guard's role check and the service's object check agree).
const (
	PermApplicationRead      = "application.read"
	PermApplicationWrite     = "application.write"
	PermApplicationSubmit    = "application.submit"
	PermApplicationReview    = "application.review"
	PermApplicationRefer     = "application.refer"
	PermApplicationRecommend = "application.recommend"
	PermApplicationDecide    = "application.decide"
	PermLicenseRead          = "license.read"
	PermLicenseWrite         = "license.write"
	PermLicenseAcknowledge   = "license.acknowledge"
	PermOrgRead              = "org.read"
	PermOrgWrite             = "org.write"
)

// eventPermissions says which permission sending each event takes: the
// exporter's officers submit, respond and withdraw; the licensing officer
// accepts, requests information, escalates, refers, decides and records the
// decisions after the Operating Committee; an agency reviewer recommends and
// appeals (for its own agency, one that dissented: Transition checks).
var eventPermissions = map[EventKind]string{
	EventSubmit:          PermApplicationSubmit,
	EventAccept:          PermApplicationReview,
	EventRequestInfo:     PermApplicationReview,
	EventRespond:         PermApplicationWrite,
	EventRefer:           PermApplicationRefer,
	EventRecommend:       PermApplicationRecommend,
	EventEscalate:        PermApplicationReview,
	EventCommitteeDecide: PermApplicationDecide,
	EventAppeal:          PermApplicationRecommend,
	EventAppealDecide:    PermApplicationDecide,
	EventFinalize:        PermApplicationDecide,
	EventDecide:          PermApplicationDecide,
	EventWithdraw:        PermApplicationWrite,
}

// EventPermission returns the permission sending an event of kind k takes,
// or "" for an unknown kind.
func EventPermission(k EventKind) string { return eventPermissions[k] }

// Ownership is what an authorization decision needs to know about an
// object: the organization that owns it (the applicant, the license
// holder) and the organizations it is assigned or referred to (the
// licensing agency once submitted, each referred agency; the issuing
// agency of a license). The zero Ownership is that of reference data.
type Ownership struct {
	OrgID          string
	AssignedOrgIDs []string
}

// Authorizer decides whether principal p may do permission to an object
// with ownership own: nil when it may, else an EUNAUTHORIZED, EFORBIDDEN or
// ENOTFOUND *tollgate.Error. The API wires auth.Authorize; a local command
// acting on its own store may wire one that lets its operator act.
type Authorizer func(p *tollgate.Principal, permission string, own Ownership) error

// ServiceConfig is what NewService needs besides the store. Every field is
// required.
type ServiceConfig struct {
	// Config holds the licensing rules that are policy (license validity,
	// accepted documents).
	Config Config
	// Rules and Catalog classify the items of an application for its
	// destination and end users.
	Rules   *classify.Rulebook
	Catalog *catalog.Catalog
	// Authorize decides every object-level permission.
	Authorize Authorizer
}

// Service runs the use cases of license applications and licenses on a
// store: each is one transaction that reads what the pure rules of this
// package need, applies them, writes the result and appends its audit
// record, or changes nothing. The caller is the principal carried by the
// context (tollgate.WithPrincipal); times come from the store's clock.
type Service struct {
	db        *store.DB
	cfg       Config
	rules     *classify.Rulebook
	catalog   *catalog.Catalog
	authorize Authorizer
}

// NewService returns the service over db. It returns an error when a
// dependency is missing or the configuration is invalid.
func NewService(db *store.DB, sc ServiceConfig) (*Service, error) {
	switch {
	case db == nil:
		return nil, fmt.Errorf("licensing.NewService: nil store")
	case sc.Rules == nil || sc.Catalog == nil:
		return nil, fmt.Errorf("licensing.NewService: nil classification rules or catalog")
	case sc.Authorize == nil:
		return nil, fmt.Errorf("licensing.NewService: nil Authorize")
	}
	if err := sc.Config.Validate(); err != nil {
		return nil, fmt.Errorf("licensing.NewService: %w", err)
	}
	return &Service{db: db, cfg: sc.Config, rules: sc.Rules, catalog: sc.Catalog, authorize: sc.Authorize}, nil
}

// Config returns the service's licensing configuration.
func (s *Service) Config() Config { return s.cfg }

// caller returns the principal the context carries, or EUNAUTHORIZED.
func caller(ctx context.Context) (*tollgate.Principal, error) {
	p := tollgate.PrincipalFrom(ctx)
	if p == nil || strings.TrimSpace(p.UserID) == "" {
		return nil, tollgate.Errorf(tollgate.EUNAUTHORIZED, "no caller: the request carries no principal")
	}
	return p, nil
}

// check authorizes the caller for perm on an application. An application
// out of the caller's reach is "not found", worded as a missing one is, so
// that another tenant's applications cannot be told from absent ones.
func (s *Service) check(p *tollgate.Principal, perm string, sa *store.StoredApplication) error {
	return outOfReach(s.authorize(p, perm, applicationOwnership(sa)), "application", sa.ID)
}

// checkLicense authorizes the caller for perm on a license, as check does.
func (s *Service) checkLicense(p *tollgate.Principal, perm string, sl *store.StoredLicense) error {
	return outOfReach(s.authorize(p, perm, licenseOwnership(sl)), "license", sl.ID)
}

func outOfReach(err error, what, id string) error {
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return tollgate.Errorf(tollgate.ENOTFOUND, "%s %q not found", what, id)
	}
	return err
}

func applicationOwnership(sa *store.StoredApplication) Ownership {
	return Ownership{OrgID: sa.Parties.Applicant, AssignedOrgIDs: sa.AssignedOrgIDs}
}

func licenseOwnership(sl *store.StoredLicense) Ownership {
	return Ownership{OrgID: sl.HolderOrgID, AssignedOrgIDs: []string{sl.IssuingOrgID}}
}

// AgencyOrgs returns the organization of each agency code set so far
// (BIS, the licensing agency; DOD, STATE and DOE, the reviewing agencies).
func (s *Service) AgencyOrgs(ctx context.Context) (map[string]string, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, fmt.Errorf("licensing.AgencyOrgs: %w", err)
	}
	if err := s.authorize(p, PermOrgRead, Ownership{}); err != nil {
		return nil, fmt.Errorf("licensing.AgencyOrgs: %w", err)
	}
	var orgs map[string]string
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		orgs, err = tx.AgencyOrgs(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("licensing.AgencyOrgs: %w", err)
	}
	return orgs, nil
}

// SetAgencyOrg records which agency organization is the licensing agency
// (code BIS) or a reviewing agency (DOD, STATE, DOE). Submitted
// applications are assigned to the BIS organization, referred ones to the
// referred agencies' organizations, and an agency reviewer recommends for
// the agency of the reviewer's organization. A code already set is
// changed only for cases assigned from then on.
func (s *Service) SetAgencyOrg(ctx context.Context, code, orgID string) error {
	p, err := caller(ctx)
	if err != nil {
		return fmt.Errorf("licensing.SetAgencyOrg: %w", err)
	}
	if err := s.authorize(p, PermOrgWrite, Ownership{}); err != nil {
		return fmt.Errorf("licensing.SetAgencyOrg: %w", err)
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		before, err := tx.SetAgencyOrg(ctx, code, orgID)
		if err != nil {
			return err
		}
		var was any
		if before != "" {
			was = map[string]string{"code": code, "org_id": before}
		}
		return tx.Audit(ctx, "licensing.agency.set", "licensing_agency", code, was, map[string]string{"code": code, "org_id": orgID})
	})
	if err != nil {
		return fmt.Errorf("licensing.SetAgencyOrg: %w", err)
	}
	return nil
}

// agencyOrg returns the organization of agency code, or EPRECONDITION
// saying how to set it.
func agencyOrg(orgs map[string]string, code string) (string, error) {
	if id := orgs[code]; id != "" {
		return id, nil
	}
	return "", tollgate.Errorf(tollgate.EPRECONDITION,
		"no organization is set for agency %s; set it first (tollgate applications agencies set %s ORG, or POST /v1/licensing/agencies)", code, code)
}

// agencyOfOrg returns the reviewing agency whose organization is orgID.
func agencyOfOrg(orgs map[string]string, orgID string) (tollgate.ReviewAgency, bool) {
	for code, id := range orgs {
		if id == orgID && tollgate.ReviewAgency(code).Valid() {
			return tollgate.ReviewAgency(code), true
		}
	}
	return "", false
}
