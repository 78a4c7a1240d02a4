package api

import (
	"net/http"

	"tollgate"
	"tollgate/auth"
	"tollgate/shipping"
)

// ShipInput is the body of POST /v1/exports/{id}/ship: the export
// filing's reference (the AES ITN) and the date of export (YYYY-MM-DD).
type ShipInput struct {
	FilingReference string `json:"filing_reference"`
	ExportedOn      string `json:"exported_on"`
}

// VoidInput is the body of POST /v1/exports/{id}/void.
type VoidInput struct {
	Reason string `json:"reason"`
}

func (s *server) handleReserveExport(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[shipping.ReserveRequest](r)
	if err != nil {
		return err
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	o, err := svc.FindOrderByID(r.Context(), req.OrderID)
	if err != nil {
		return err
	}
	if err := s.authorize(r, PermExportReserve, auth.OwnedBy(o.ExporterOrgID), notFoundError("order", req.OrderID)); err != nil {
		return err
	}
	e, err := svc.Reserve(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/exports/"+e.ID)
	return encode(w, http.StatusCreated, e)
}

func (s *server) handleListExports(w http.ResponseWriter, r *http.Request) error {
	f, none, err := s.shippingFilter(r, PermExportRead, nil)
	if err != nil || none {
		return encodeEmptyPage[tollgate.Export](w, err)
	}
	if f.State != "" && !tollgate.ExportState(f.State).Valid() {
		return tollgate.FieldErrorf("state", "must be reserved, shipped, voided or expired; got %q", f.State)
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	items, next, err := svc.FindExports(r.Context(), f)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(items, next))
}

// exportFor returns export id if the caller may do perm to it.
func (s *server) exportFor(r *http.Request, perm, id string) (Shipping, *tollgate.Export, error) {
	svc, err := s.ship()
	if err != nil {
		return nil, nil, err
	}
	e, err := svc.FindExportByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(r, perm, auth.OwnedBy(e.ExporterOrgID), notFoundError("export", id)); err != nil {
		return nil, nil, err
	}
	return svc, e, nil
}

func (s *server) handleGetExport(w http.ResponseWriter, r *http.Request) error {
	_, e, err := s.exportFor(r, PermExportRead, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, e)
}

func (s *server) handleShipExport(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ShipInput](r)
	if err != nil {
		return err
	}
	day, err := requireDate("exported_on", in.ExportedOn)
	if err != nil {
		return err
	}
	svc, e, err := s.exportFor(r, PermExportShip, r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := svc.Ship(r.Context(), e.ID, in.FilingReference, day)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, out)
}

func (s *server) handleVoidExport(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[VoidInput](r)
	if err != nil {
		return err
	}
	svc, e, err := s.exportFor(r, PermExportVoid, r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := svc.Void(r.Context(), e.ID, in.Reason)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, out)
}

// handleCapPosition answers where an exporter's product stands against the
// 50% cap: the caller's own organization's, or, for an auditor, the one
// ?exporter_org_id= names.
func (s *server) handleCapPosition(w http.ResponseWriter, r *http.Request) error {
	exporter := queryString(r, "exporter_org_id")
	if exporter == "" {
		if p := principalFrom(r.Context()); p != nil {
			exporter = p.OrgID
		}
	}
	if exporter == "" {
		return tollgate.FieldErrorf("exporter_org_id", "required")
	}
	if err := s.authorize(r, PermExportRead, auth.OwnedBy(exporter), notFoundError("organization", exporter)); err != nil {
		return err
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	pos, err := svc.CapPosition(r.Context(), exporter, r.PathValue("product"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pos)
}
