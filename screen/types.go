package screen

import (
	"strings"

	"tollgate"
)

// parseType implements ParseType.
func parseType(s string) (tollgate.EntityType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "unknown", "any":
		return tollgate.EntityUnknown, nil
	case "person", "individual", "people":
		return tollgate.EntityPerson, nil
	case "org", "organization", "organisation", "company", "entity", "legalentity", "legal_entity", "business":
		return tollgate.EntityOrganization, nil
	case "vessel", "ship":
		return tollgate.EntityVessel, nil
	case "aircraft", "airplane":
		return tollgate.EntityAircraft, nil
	}
	return tollgate.EntityUnknown, tollgate.FieldErrorf("type", "unknown entity type %q (want person, organization, vessel or aircraft)", s)
}
