package api

import (
	"net/http"
	"strings"

	"tollgate"
	"tollgate/auth"
	"tollgate/store"
)

// LabKeyInput is the body of POST /v1/labs/{org}/keys: the lab's Ed25519
// public key, 32 bytes in standard base64.
type LabKeyInput struct {
	PublicKey []byte `json:"public_key"`
}

// labOwnership is the ownership of a lab's own objects (its keys): assigned
// to the lab, so that its technicians reach them.
func labOwnership(labOrgID string) auth.Ownership { return auth.OwnedBy("", labOrgID) }

func (s *server) handleRegisterLabKey(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[LabKeyInput](r)
	if err != nil {
		return err
	}
	org := r.PathValue("org")
	if err := s.authorize(r, PermLabReportWrite, labOwnership(org), notFoundError("organization", org)); err != nil {
		return err
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	k, err := svc.RegisterLabKey(r.Context(), org, in.PublicKey)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/labs/"+org+"/keys")
	return encode(w, http.StatusCreated, k)
}

func (s *server) handleListLabKeys(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.ship()
	if err != nil {
		return err
	}
	keys, err := svc.FindLabKeys(r.Context(), r.PathValue("org"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(keys, ""))
}

// LabKeyRevokeInput is the body of POST /v1/labs/{org}/keys/{id}/revoke:
// why the key is revoked (a lost or compromised key, a departed
// technician), kept in the audit record.
type LabKeyRevokeInput struct {
	Reason string `json:"reason"`
}

// Validate requires a reason.
func (in *LabKeyRevokeInput) Validate() error {
	if strings.TrimSpace(in.Reason) == "" {
		return tollgate.FieldErrorf("reason", "required")
	}
	return nil
}

func (s *server) handleRevokeLabKey(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[LabKeyRevokeInput](r)
	if err != nil {
		return err
	}
	org := r.PathValue("org")
	if err := s.authorize(r, PermLabReportWrite, labOwnership(org), notFoundError("lab key", r.PathValue("id"))); err != nil {
		return err
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	k, err := svc.RevokeLabKey(r.Context(), org, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, k)
}

// labReportRecorder points at who recorded a lab report. (The technician
// who tested the units is part of what the lab signed, and stays.)
func labReportRecorder(r *tollgate.LabReport) *string { return &r.RecordedBy }

// labReportOwnership is who a lab report belongs to: the exporter owning
// the units, assigned to the lab that tested them.
func labReportOwnership(rep *tollgate.LabReport) auth.Ownership {
	return auth.OwnedBy(rep.ExporterOrgID, rep.LabOrgID)
}

// handleCreateLabReport records a signed lab report. The body is the report
// as the lab signed it (tollgate labs sign writes it); id, recorded_by and
// recorded_at are the store's and are ignored. The lab is the caller's
// organization, which must be engaged by the report's exporter for tests
// on the test date; a lab_org_id in the body is only checked against it.
func (s *server) handleCreateLabReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := decode[tollgate.LabReport](r)
	if err != nil {
		return err
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	resolved, err := svc.ResolveLabReport(r.Context(), rep)
	own, err := resolvedOwnership(err, func() auth.Ownership { return labReportOwnership(&resolved) })
	if err != nil {
		return err
	}
	if err := s.authorize(r, PermLabReportWrite, own, notFoundError("organization", rep.ExporterOrgID)); err != nil {
		return err
	}
	out, err := svc.RecordLabReport(r.Context(), resolved)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/lab-reports/"+out.ID)
	return encode(w, http.StatusCreated, out)
}

func (s *server) handleListLabReports(w http.ResponseWriter, r *http.Request) error {
	f, none, err := s.shippingFilter(r, PermLabReportRead, func(f *store.ShippingFilter) *string { return &f.LabOrgID })
	if err != nil || none {
		return encodeEmptyPage[tollgate.LabReport](w, err)
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	items, next, err := svc.FindLabReports(r.Context(), f)
	if err != nil {
		return err
	}
	redactRecorders(r, PermLabReportRead, items, labReportRecorder)
	return encode(w, http.StatusOK, pageOf(items, next))
}

func (s *server) handleGetLabReport(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.ship()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	rep, err := svc.FindLabReportByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.authorize(r, PermLabReportRead, labReportOwnership(rep), notFoundError("lab report", id)); err != nil {
		return err
	}
	redactRecorders(r, PermLabReportRead, []*tollgate.LabReport{rep}, labReportRecorder)
	return encode(w, http.StatusOK, rep)
}
