package tollgate

import (
	"context"
	"strings"
	"time"
)

// OrgKind is the part an organization plays in the regime.
type OrgKind string

// The kinds of organization tollgate serves.
const (
	OrgExporter OrgKind = "exporter" // a chip vendor or server maker that applies for licenses
	OrgAgency   OrgKind = "agency"   // the licensing agency or an agency it refers cases to
	OrgLab      OrgKind = "lab"      // the third-party test lab in the US
	OrgBroker   OrgKind = "broker"   // importer of record or customs broker
	OrgAuditor  OrgKind = "auditor"  // reads everything, writes nothing
	// OrgOperator runs the tollgate installation itself: the home of its
	// system administrators, who manage organizations, users and lists but
	// play no part in the regime.
	OrgOperator OrgKind = "operator"
)

// OrgKinds lists every organization kind, in a stable order.
var OrgKinds = []OrgKind{OrgExporter, OrgAgency, OrgLab, OrgBroker, OrgAuditor, OrgOperator}

// OrgKindList returns the kinds of OrgKinds joined with ", ", for messages.
func OrgKindList() string {
	s := make([]string, len(OrgKinds))
	for i, k := range OrgKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Valid reports whether k is one of OrgKinds.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Pagination limits shared by every Find… method that returns a page.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
	// MaxNameLen bounds names (organization and party names, reasons) in
	// bytes, so that a client cannot store unbounded text.
	MaxNameLen = 1000
)

// Org is an organization: an exporter, an agency, a lab, a broker or an
// auditor. Users (and the parties an exporter deals with) belong to one.
type Org struct {
	ID      string  `json:"id"`
	Kind    OrgKind `json:"kind"`
	Name    string  `json:"name"`
	Country string  `json:"country"` // ISO 3166-1 alpha-2
	// UltimateParent is the legal name of the organization's ultimate
	// parent, empty when it has none (it is its own). A lab is independent
	// of an exporter or consignee only when neither shares its name or its
	// ultimate parent (package shipping's CheckIndependence).
	UltimateParent string    `json:"ultimate_parent,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Validate checks the fields a client sets. It does not check ID or the
// timestamps, which the store assigns.
func (o *Org) Validate() error {
	if !o.Kind.Valid() {
		return FieldErrorf("kind", "must be one of %s; got %q", OrgKindList(), o.Kind)
	}
	if err := validateNameField("name", o.Name, true); err != nil {
		return err
	}
	if !IsCountryCode(o.Country) {
		return FieldErrorf("country", "must be an ISO 3166-1 alpha-2 code such as US or CN; got %q", o.Country)
	}
	return validateNameField("ultimate_parent", o.UltimateParent, false)
}

// OrgFilter selects organizations for FindOrgs. Zero fields match all.
type OrgFilter struct {
	Kind   OrgKind `json:"kind,omitempty"`
	Cursor string  `json:"cursor,omitempty"` // opaque; from a previous page
	Limit  int     `json:"limit,omitempty"`  // 0 means DefaultPageLimit
}

// OrgUpdate holds the fields UpdateOrg may change; nil fields stay as they are.
// An organization's kind never changes.
type OrgUpdate struct {
	Name           *string `json:"name,omitempty"`
	Country        *string `json:"country,omitempty"`
	UltimateParent *string `json:"ultimate_parent,omitempty"`
}

// OrgService manages organizations.
type OrgService interface {
	// FindOrgByID returns the organization with id, or ENOTFOUND.
	FindOrgByID(ctx context.Context, id string) (*Org, error)

	// FindOrgs returns one page of organizations matching filter, oldest
	// first, and the cursor of the next page ("" on the last page). A bad
	// cursor or limit returns EINVALID.
	FindOrgs(ctx context.Context, filter OrgFilter) ([]*Org, string, error)

	// CreateOrg validates org, assigns its ID and timestamps and stores it.
	CreateOrg(ctx context.Context, org *Org) error

	// UpdateOrg applies upd to the organization with id and returns it as
	// stored: ENOTFOUND when it does not exist, EINVALID when the result
	// would not validate.
	UpdateOrg(ctx context.Context, id string, upd OrgUpdate) (*Org, error)
}

// validateNameField checks a name: one line of text (CheckLine), no
// surrounding white space, at most MaxNameLen bytes, and, when not empty,
// at least one visible character; non-empty when required.
func validateNameField(field, s string, required bool) error {
	if s == "" && required {
		return FieldErrorf(field, "required")
	}
	if err := CheckLine(field, s); err != nil {
		return err
	}
	switch {
	case s != "" && !HasVisible(s):
		return FieldErrorf(field, "has no visible character (only white space or invisible characters)")
	case len(s) > MaxNameLen:
		return FieldErrorf(field, "longer than %d bytes", MaxNameLen)
	case strings.TrimSpace(s) != s:
		return FieldErrorf(field, "must not begin or end with white space")
	}
	return nil
}
