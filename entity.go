package tollgate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// EntityType is the kind of a listed entity or a screened party.
type EntityType string

// Entity types found on the restricted-party lists.
const (
	EntityUnknown      EntityType = ""
	EntityPerson       EntityType = "person"
	EntityOrganization EntityType = "organization"
	EntityVessel       EntityType = "vessel"
	EntityAircraft     EntityType = "aircraft"
)

// Valid reports whether t is one of the known entity types (or unknown).
func (t EntityType) Valid() bool {
	switch t {
	case EntityUnknown, EntityPerson, EntityOrganization, EntityVessel, EntityAircraft:
		return true
	}
	return false
}

// Address is a postal address as a list or a party gives it. Country is an
// ISO 3166-1 alpha-2 code when it could be determined, else empty.
type Address struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// Entity is one record of a restricted-party list, in the single model every
// list format is parsed into. It keeps what the source said, so that a hit can
// be shown and cited exactly as listed.
type Entity struct {
	// List is the short code of the source list: "SDN", "EL" (Entity List),
	// "DPL", "UVL", "MEU", "ISN", "DTC" (ITAR debarred), "SSI", "PLC", "CAP",
	// "CMIC", "NS-MBS", "FSE", "UN", or "INTERNAL" for a user's own list.
	List string `json:"list"`
	// SourceID is the record's identifier in its source (OFAC ent_num, UN
	// reference number, CSL id, …).
	SourceID string   `json:"source_id"`
	Name     string   `json:"name"`
	AltNames []string `json:"alt_names,omitempty"`
	// WeakAltNames are the aliases the list itself calls weak or of low
	// quality (OFAC's "weak a.k.a.", written in its remarks; the UN's
	// "Low" quality aliases): short or common names that identify the
	// entity poorly. Screen against them, but weigh a match lower. Names
	// does not return them.
	WeakAltNames       []string   `json:"weak_alt_names,omitempty"`
	Type               EntityType `json:"type,omitempty"`
	Addresses          []Address  `json:"addresses,omitempty"`
	Countries          []string   `json:"countries,omitempty"` // ISO alpha-2, from addresses, nationality, citizenship, a vessel's flag
	Programs           []string   `json:"programs,omitempty"`
	Citation           string     `json:"citation,omitempty"` // Federal Register notice
	LicenseRequirement string     `json:"license_requirement,omitempty"`
	LicensePolicy      string     `json:"license_policy,omitempty"`
	StartDate          string     `json:"start_date,omitempty"`
	// BirthDates are an individual's dates of birth as the list gives them,
	// normalized where possible to "YYYY-MM-DD", "YYYY-MM" or "YYYY" (a
	// range stays as "YYYY to YYYY"): supporting evidence for a person.
	BirthDates []string `json:"birth_dates,omitempty"`
	Remarks    string   `json:"remarks,omitempty"`
}

// Names returns the primary name followed by the aliases.
func (e *Entity) Names() []string {
	names := make([]string, 0, 1+len(e.AltNames))
	names = append(names, e.Name)
	return append(names, e.AltNames...)
}

// Digest returns a hex SHA-256 of the entity's canonical JSON encoding. Two
// versions of a listed record with the same digest are the same listing, so
// an analyst's decision on a hit against it still holds.
func (e *Entity) Digest() string {
	b, err := json.Marshal(e)
	if err != nil {
		// Entity holds only strings and slices of them; Marshal cannot fail.
		panic("tollgate: marshal entity: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
