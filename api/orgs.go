package api

import (
	"net/http"

	"tollgate"
)

// OrgInput is the body of POST /v1/orgs: the fields a client sets.
type OrgInput struct {
	Kind    tollgate.OrgKind `json:"kind"`
	Name    string           `json:"name"`
	Country string           `json:"country"`
}

// org returns the organization the input describes.
func (in *OrgInput) org() *tollgate.Org {
	return &tollgate.Org{Kind: in.Kind, Name: in.Name, Country: in.Country}
}

// Validate checks the input as the store will.
func (in *OrgInput) Validate() error { return in.org().Validate() }

func (s *server) handleCreateOrg(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[OrgInput](r)
	if err != nil {
		return err
	}
	org := in.org()
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
		return tollgate.FieldErrorf("kind", "must be one of exporter, agency, lab, broker, auditor; got %q", kind)
	}
	orgs, next, err := s.store.FindOrgs(r.Context(), tollgate.OrgFilter{Kind: kind, Cursor: cursor, Limit: limit})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(orgs, next))
}

func (s *server) handleGetOrg(w http.ResponseWriter, r *http.Request) error {
	org, err := s.store.FindOrgByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, org)
}

func (s *server) handleUpdateOrg(w http.ResponseWriter, r *http.Request) error {
	upd, err := decode[tollgate.OrgUpdate](r)
	if err != nil {
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
