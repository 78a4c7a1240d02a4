package api

import (
	"net/http"

	"tollgate"
	"tollgate/auth"
	"tollgate/licensing"
	"tollgate/store"
)

func (s *server) handleListLicenses(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	f := store.LicenseFilter{Cursor: cursor, Limit: limit}
	sc, err := auth.ScopeOf(principalFrom(r.Context()), PermLicenseRead)
	if err != nil {
		return err
	}
	if !sc.All {
		if sc.OrgID == "" && sc.AssignedOrgID == "" {
			return encodeEmptyPage[licensing.LicenseView](w, nil)
		}
		f.HolderOrgID, f.IssuingOrgID = sc.OrgID, sc.AssignedOrgID
	}
	svc, err := s.lic()
	if err != nil {
		return err
	}
	views, next, err := svc.FindLicenses(r.Context(), f)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(views, next))
}

func (s *server) handleGetLicense(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.lic()
	if err != nil {
		return err
	}
	v, err := svc.License(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, v)
}

func (s *server) handleAcknowledge(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[licensing.AcknowledgmentInput](r)
	if err != nil {
		return err
	}
	svc, err := s.lic()
	if err != nil {
		return err
	}
	v, err := svc.Acknowledge(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, v)
}

func (s *server) handleSetLicenseStatus(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[licensing.LicenseStatusInput](r)
	if err != nil {
		return err
	}
	if !in.Status.Valid() {
		return tollgate.FieldErrorf("status", "must be suspended, revoked or active; got %q", in.Status)
	}
	svc, err := s.lic()
	if err != nil {
		return err
	}
	v, err := svc.SetLicenseStatus(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, v)
}

// handleEventSpecs lists the review's state machine: every event, who
// sends it, the states it is allowed in and those it leads to.
func (s *server) handleEventSpecs(w http.ResponseWriter, r *http.Request) error {
	return encode(w, http.StatusOK, licensing.EventSpecs())
}

// AgencyInput is the body of POST /v1/licensing/agencies: which agency
// organization serves as code (BIS, DOD, STATE or DOE).
type AgencyInput struct {
	Code  string `json:"code"`
	OrgID string `json:"org_id"`
}

func (s *server) handleListAgencies(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.lic()
	if err != nil {
		return err
	}
	orgs, err := svc.AgencyOrgs(r.Context())
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, orgs)
}

func (s *server) handleSetAgency(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[AgencyInput](r)
	if err != nil {
		return err
	}
	svc, err := s.lic()
	if err != nil {
		return err
	}
	if err := svc.SetAgencyOrg(r.Context(), in.Code, in.OrgID); err != nil {
		return err
	}
	orgs, err := svc.AgencyOrgs(r.Context())
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, orgs)
}
