package tollgate

import (
	"context"
	"fmt"
	"time"
)

// PartyRole is the part a party plays in an export transaction, as the
// license application names it.
type PartyRole string

// The roles of a party to an export.
const (
	RolePurchaser             PartyRole = "purchaser"
	RoleIntermediateConsignee PartyRole = "intermediate_consignee"
	RoleUltimateConsignee     PartyRole = "ultimate_consignee"
	RoleEndUser               PartyRole = "end_user"
)

// PartyRoles lists every party role, in a stable order.
var PartyRoles = []PartyRole{RolePurchaser, RoleIntermediateConsignee, RoleUltimateConsignee, RoleEndUser}

// Valid reports whether r is one of PartyRoles.
func (r PartyRole) Valid() bool {
	for _, v := range PartyRoles {
		if r == v {
			return true
		}
	}
	return false
}

// Limits on the repeated fields of a party.
const (
	MaxPartyNames       = 50
	MaxPartyAddresses   = 20
	MaxPartyIdentifiers = 20
)

// Identifier is an official identifier of a party: Type names the scheme
// ("lei", "duns", "uscc" for China's unified social credit code, "vat",
// "passport", …) and Value is the identifier as issued.
type Identifier struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Party is someone an exporter deals with: a purchaser, a consignee or an
// end user. It is screened against the restricted-party lists under every
// name it has.
type Party struct {
	ID    string    `json:"id"`
	OrgID string    `json:"org_id"` // the exporter that owns this record
	Role  PartyRole `json:"role"`
	// Type is person or organization; unknown screens as either.
	Type      EntityType `json:"type,omitempty"`
	LegalName string     `json:"legal_name"`
	// OtherNames holds the party's names in other scripts (北京华为数字技术有限公司)
	// and its former or trading names.
	OtherNames          []string     `json:"other_names,omitempty"`
	Addresses           []Address    `json:"addresses,omitempty"`
	Country             string       `json:"country"`                        // ISO alpha-2 of the party's location
	HeadquartersCountry string       `json:"headquarters_country,omitempty"` // ISO alpha-2
	UltimateParent      string       `json:"ultimate_parent,omitempty"`      // the ultimate parent's legal name
	Identifiers         []Identifier `json:"identifiers,omitempty"`

	// Status is derived by the store from the party's latest screening and
	// the decisions on its hits; clients never set it.
	Status    ScreeningStatus `json:"status"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Names returns every name the party is screened under: the legal name, the
// other names, then the ultimate parent's name.
func (p *Party) Names() []string {
	names := make([]string, 0, 2+len(p.OtherNames))
	names = append(names, p.LegalName)
	names = append(names, p.OtherNames...)
	if p.UltimateParent != "" {
		names = append(names, p.UltimateParent)
	}
	return names
}

// Validate checks the fields a client sets; ID, Status and the timestamps
// belong to the store.
func (p *Party) Validate() error {
	if p.OrgID == "" {
		return FieldErrorf("org_id", "required")
	}
	if !p.Role.Valid() {
		return FieldErrorf("role", "must be one of purchaser, intermediate_consignee, ultimate_consignee, end_user; got %q", p.Role)
	}
	if p.Type != EntityUnknown && p.Type != EntityPerson && p.Type != EntityOrganization {
		return FieldErrorf("type", "must be person or organization; got %q", p.Type)
	}
	if err := validateNameField("legal_name", p.LegalName, true); err != nil {
		return err
	}
	if len(p.OtherNames) > MaxPartyNames {
		return FieldErrorf("other_names", "more than %d names", MaxPartyNames)
	}
	for i, n := range p.OtherNames {
		if err := validateNameField(fmt.Sprintf("other_names[%d]", i), n, true); err != nil {
			return err
		}
	}
	if err := validatePartyAddresses(p.Addresses); err != nil {
		return err
	}
	if !IsCountryCode(p.Country) {
		return FieldErrorf("country", "must be an ISO 3166-1 alpha-2 code such as US or CN; got %q", p.Country)
	}
	if p.HeadquartersCountry != "" && !IsCountryCode(p.HeadquartersCountry) {
		return FieldErrorf("headquarters_country", "must be an ISO 3166-1 alpha-2 code; got %q", p.HeadquartersCountry)
	}
	if err := validateNameField("ultimate_parent", p.UltimateParent, false); err != nil {
		return err
	}
	return validatePartyIdentifiers(p.Identifiers)
}

func validatePartyAddresses(addrs []Address) error {
	if len(addrs) > MaxPartyAddresses {
		return FieldErrorf("addresses", "more than %d addresses", MaxPartyAddresses)
	}
	for i, a := range addrs {
		field := fmt.Sprintf("addresses[%d]", i)
		for _, f := range []struct{ name, v string }{
			{"street", a.Street}, {"city", a.City}, {"state", a.State}, {"postal_code", a.PostalCode},
		} {
			if err := validateNameField(field+"."+f.name, f.v, false); err != nil {
				return err
			}
		}
		if a.Country != "" && !IsCountryCode(a.Country) {
			return FieldErrorf(field+".country", "must be an ISO 3166-1 alpha-2 code; got %q", a.Country)
		}
		if a == (Address{}) {
			return FieldErrorf(field, "empty address")
		}
	}
	return nil
}

func validatePartyIdentifiers(ids []Identifier) error {
	if len(ids) > MaxPartyIdentifiers {
		return FieldErrorf("identifiers", "more than %d identifiers", MaxPartyIdentifiers)
	}
	for i, id := range ids {
		field := fmt.Sprintf("identifiers[%d]", i)
		if err := validateNameField(field+".type", id.Type, true); err != nil {
			return err
		}
		if err := validateNameField(field+".value", id.Value, true); err != nil {
			return err
		}
	}
	return nil
}

// PartyFilter selects parties for FindParties. Zero fields match all.
type PartyFilter struct {
	OrgID  string          `json:"org_id,omitempty"`
	Role   PartyRole       `json:"role,omitempty"`
	Status ScreeningStatus `json:"status,omitempty"`
	Cursor string          `json:"cursor,omitempty"` // opaque; from a previous page
	Limit  int             `json:"limit,omitempty"`  // 0 means DefaultPageLimit
}

// PartyUpdate holds the fields UpdateParty may change; nil fields stay as they
// are. A party never moves to another organization.
type PartyUpdate struct {
	Role                *PartyRole    `json:"role,omitempty"`
	Type                *EntityType   `json:"type,omitempty"`
	LegalName           *string       `json:"legal_name,omitempty"`
	OtherNames          *[]string     `json:"other_names,omitempty"`
	Addresses           *[]Address    `json:"addresses,omitempty"`
	Country             *string       `json:"country,omitempty"`
	HeadquartersCountry *string       `json:"headquarters_country,omitempty"`
	UltimateParent      *string       `json:"ultimate_parent,omitempty"`
	Identifiers         *[]Identifier `json:"identifiers,omitempty"`
}

// PartyService manages the parties exporters deal with.
type PartyService interface {
	// FindPartyByID returns the party with id, or ENOTFOUND.
	FindPartyByID(ctx context.Context, id string) (*Party, error)

	// FindParties returns one page of parties matching filter, oldest first,
	// and the cursor of the next page ("" on the last page).
	FindParties(ctx context.Context, filter PartyFilter) ([]*Party, string, error)

	// CreateParty validates party, assigns its ID, timestamps and the status
	// unscreened, and stores it. The owner must be an existing exporter
	// organization (EINVALID on org_id otherwise).
	CreateParty(ctx context.Context, party *Party) error

	// UpdateParty applies upd to the party with id and returns it as stored.
	// A change to anything screening looks at (names, type, addresses,
	// countries, parent) sets the status back to unscreened until the party
	// is screened again, so that a renamed party cannot keep an old clearance.
	UpdateParty(ctx context.Context, id string, upd PartyUpdate) (*Party, error)
}
