package api

import (
	"net/http"

	"tollgate"
	"tollgate/auth"
)

// PartyInput is the body of POST /v1/parties: the fields a client sets.
// The store assigns the id, timestamps and the screening status.
type PartyInput struct {
	OrgID               string                `json:"org_id"`
	Role                tollgate.PartyRole    `json:"role"`
	Type                tollgate.EntityType   `json:"type,omitempty"`
	LegalName           string                `json:"legal_name"`
	OtherNames          []string              `json:"other_names,omitempty"`
	Addresses           []tollgate.Address    `json:"addresses,omitempty"`
	Country             string                `json:"country"`
	HeadquartersCountry string                `json:"headquarters_country,omitempty"`
	UltimateParent      string                `json:"ultimate_parent,omitempty"`
	Identifiers         []tollgate.Identifier `json:"identifiers,omitempty"`
}

// party returns the party the input describes.
func (in *PartyInput) party() *tollgate.Party {
	return &tollgate.Party{
		OrgID:               in.OrgID,
		Role:                in.Role,
		Type:                in.Type,
		LegalName:           in.LegalName,
		OtherNames:          in.OtherNames,
		Addresses:           in.Addresses,
		Country:             in.Country,
		HeadquartersCountry: in.HeadquartersCountry,
		UltimateParent:      in.UltimateParent,
		Identifiers:         in.Identifiers,
	}
}

// Validate checks the input as the store will.
func (in *PartyInput) Validate() error { return in.party().Validate() }

func (s *server) handleCreateParty(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PartyInput](r)
	if err != nil {
		return err
	}
	p := in.party()
	if err := s.authorize(r, PermPartyWrite, auth.OwnedBy(p.OrgID), notFoundError("organization", p.OrgID)); err != nil {
		return err
	}
	if err := s.store.CreateParty(r.Context(), p); err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/parties/"+p.ID)
	return encode(w, http.StatusCreated, p)
}

func (s *server) handleListParties(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	f := tollgate.PartyFilter{
		OrgID:  queryString(r, "org_id"),
		Role:   tollgate.PartyRole(queryString(r, "role")),
		Status: tollgate.ScreeningStatus(queryString(r, "status")),
		Cursor: cursor,
		Limit:  limit,
	}
	if f.Role != "" && !f.Role.Valid() {
		return tollgate.FieldErrorf("role", "must be one of purchaser, intermediate_consignee, ultimate_consignee, end_user; got %q", f.Role)
	}
	if f.Status != "" && !f.Status.Valid() {
		return tollgate.FieldErrorf("status", "must be one of unscreened, clear, pending_review, blocked; got %q", f.Status)
	}
	orgID, none, err := listScope(r, PermPartyRead, f.OrgID)
	if err != nil || none {
		return encodeEmptyPage[tollgate.Party](w, err)
	}
	f.OrgID = orgID
	parties, next, err := s.store.FindParties(r.Context(), f)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(parties, next))
}

func (s *server) handleGetParty(w http.ResponseWriter, r *http.Request) error {
	p, err := s.partyFor(r, PermPartyRead, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, p)
}

// partyFor returns the party with id if the caller may do perm to it; a
// party of another exporter is "not found", as a missing one is.
func (s *server) partyFor(r *http.Request, perm, id string) (*tollgate.Party, error) {
	p, err := s.store.FindPartyByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r, perm, auth.OwnedBy(p.OrgID), notFoundError("party", id)); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *server) handleUpdateParty(w http.ResponseWriter, r *http.Request) error {
	upd, err := decode[tollgate.PartyUpdate](r)
	if err != nil {
		return err
	}
	if _, err := s.partyFor(r, PermPartyWrite, r.PathValue("id")); err != nil {
		return err
	}
	p, err := s.store.UpdateParty(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, p)
}
