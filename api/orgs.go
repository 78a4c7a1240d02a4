package api

import (
	"net/http"

	"tollgate"
	"tollgate/auth"
)

// OrgInput is the body of POST /v1/orgs: the fields a client sets.
type OrgInput struct {
	Kind    tollgate.OrgKind `json:"kind"`
	Name    string           `json:"name"`
	Country string           `json:"country"`
	// UltimateParent is the legal name of the organization's ultimate
	// parent, when it has one (a lab's independence is judged by it).
	UltimateParent string `json:"ultimate_parent,omitempty"`
}

// org returns the organization the input describes.
func (in *OrgInput) org() *tollgate.Org {
	return &tollgate.Org{Kind: in.Kind, Name: in.Name, Country: in.Country, UltimateParent: in.UltimateParent}
}

// Validate checks the input as the store will.
func (in *OrgInput) Validate() error { return in.org().Validate() }

func (s *server) handleCreateOrg(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[OrgInput](r)
	if err != nil {
		return err
	}
	org := in.org()
	// A new organization has no owner: only a permission reaching every
	// object (the system administrator's) may create one.
	if err := s.authorize(r, PermOrgWrite, auth.Ownership{}, notFoundError("organization", "")); err != nil {
		return err
	}
	if err := s.store.CreateOrg(r.Context(), org); err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/orgs/"+org.ID)
	return encode(w, http.StatusCreated, org)
}

func (s *server) handleListOrgs(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	kind := tollgate.OrgKind(queryString(r, "kind"))
	if kind != "" && !kind.Valid() {
		return tollgate.FieldErrorf("kind", "must be one of %s; got %q", tollgate.OrgKindList(), kind)
	}
	own, none, err := listScope(r, PermOrgRead, "")
	if err != nil {
		return err
	}
	if own != "" || none {
		return s.encodeOwnOrg(w, r, own, kind, cursor)
	}
	orgs, next, err := s.store.FindOrgs(r.Context(), tollgate.OrgFilter{Kind: kind, Cursor: cursor, Limit: limit})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(orgs, next))
}

func (s *server) handleGetOrg(w http.ResponseWriter, r *http.Request) error {
	org, err := s.orgFor(r, PermOrgRead, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, org)
}

// encodeOwnOrg answers the list of a caller who sees only its own
// organization (own; "" for none) with that one, when it is of kind.
func (s *server) encodeOwnOrg(w http.ResponseWriter, r *http.Request, own string, kind tollgate.OrgKind, cursor string) error {
	if own == "" || cursor != "" {
		return encodeEmptyPage[tollgate.Org](w, nil)
	}
	org, err := s.store.FindOrgByID(r.Context(), own)
	if err != nil {
		return err
	}
	if kind != "" && org.Kind != kind {
		return encodeEmptyPage[tollgate.Org](w, nil)
	}
	return encode(w, http.StatusOK, pageOf([]*tollgate.Org{org}, ""))
}

// orgFor returns the organization with id if the caller may do perm to it;
// one out of reach is "not found", as a missing one is.
func (s *server) orgFor(r *http.Request, perm, id string) (*tollgate.Org, error) {
	org, err := s.store.FindOrgByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r, perm, auth.OwnedBy(org.ID), notFoundError("organization", id)); err != nil {
		return nil, err
	}
	return org, nil
}

func (s *server) handleUpdateOrg(w http.ResponseWriter, r *http.Request) error {
	upd, err := decode[tollgate.OrgUpdate](r)
	if err != nil {
		return err
	}
	if _, err := s.orgFor(r, PermOrgWrite, r.PathValue("id")); err != nil {
		return err
	}
	org, err := s.store.UpdateOrg(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, org)
}

// pageOf builds a list response from a store page.
func pageOf[T any](items []*T, next string) Page[T] {
	p := Page[T]{Items: make([]T, len(items)), NextCursor: next}
	for i, it := range items {
		p.Items[i] = *it
	}
	return p
}
