package api

import (
	"net/http"

	"tollgate"
	"tollgate/auth"
	"tollgate/store"
)

// USShipmentInput is the body of POST /v1/shipments: units of a product
// shipped to a US end-use customer (with its ultimate parent, if any) for
// an end use, on a date (YYYY-MM-DD).
type USShipmentInput struct {
	ExporterOrgID          string `json:"exporter_org_id"`
	Product                string `json:"product"`
	Units                  int64  `json:"units"`
	ShippedOn              string `json:"shipped_on"`
	Customer               string `json:"customer"`
	CustomerUltimateParent string `json:"customer_ultimate_parent,omitempty"`
	EndUse                 string `json:"end_use"`
	Reference              string `json:"reference"`
}

// Validate checks the input as the service will.
func (in *USShipmentInput) Validate() error {
	_, err := in.shipment()
	return err
}

func (in *USShipmentInput) shipment() (tollgate.DomesticShipment, error) {
	day, err := requireDate("shipped_on", in.ShippedOn)
	if err != nil {
		return tollgate.DomesticShipment{}, err
	}
	s := tollgate.DomesticShipment{ExporterOrgID: in.ExporterOrgID, Product: tollgate.ProductKey(in.Product), Units: in.Units,
		ShippedOn: day, Customer: in.Customer, CustomerUltimateParent: in.CustomerUltimateParent, EndUse: in.EndUse, Reference: in.Reference}
	if s.Units < 0 {
		return s, tollgate.FieldErrorf("units", "must be positive; a correction is POST /v1/shipments/{id}/reverse")
	}
	return s, s.Validate()
}

// ReversalInput is the body of POST /v1/shipments/{id}/reverse: how many
// units to reverse (all those left when 0) and why.
type ReversalInput struct {
	Units  int64  `json:"units,omitempty"`
	Reason string `json:"reason"`
}

func (s *server) handleCreateShipment(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[USShipmentInput](r)
	if err != nil {
		return err
	}
	sh, _ := in.shipment()
	if err := s.authorize(r, PermShipmentWrite, auth.OwnedBy(sh.ExporterOrgID), notFoundError("organization", sh.ExporterOrgID)); err != nil {
		return err
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	out, err := svc.RecordUSShipment(r.Context(), sh)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/shipments/"+out.ID)
	return encode(w, http.StatusCreated, out)
}

func (s *server) handleListShipments(w http.ResponseWriter, r *http.Request) error {
	f, none, err := s.shippingFilter(r, PermShipmentRead, nil)
	if err != nil || none {
		return encodeEmptyPage[tollgate.DomesticShipment](w, err)
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	items, next, err := svc.FindUSShipments(r.Context(), f)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(items, next))
}

// shipmentFor returns US shipment id if the caller may do perm to it.
func (s *server) shipmentFor(r *http.Request, perm, id string) (Shipping, *tollgate.DomesticShipment, error) {
	svc, err := s.ship()
	if err != nil {
		return nil, nil, err
	}
	sh, err := svc.FindUSShipmentByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(r, perm, auth.OwnedBy(sh.ExporterOrgID), notFoundError("US shipment", id)); err != nil {
		return nil, nil, err
	}
	return svc, sh, nil
}

func (s *server) handleGetShipment(w http.ResponseWriter, r *http.Request) error {
	_, sh, err := s.shipmentFor(r, PermShipmentRead, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, sh)
}

func (s *server) handleReverseShipment(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ReversalInput](r)
	if err != nil {
		return err
	}
	svc, sh, err := s.shipmentFor(r, PermShipmentWrite, r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := svc.ReverseUSShipment(r.Context(), sh.ID, in.Units, in.Reason)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/shipments/"+out.ID)
	return encode(w, http.StatusCreated, out)
}

// ImportInput is the body of POST /v1/imports: one line of a US customs
// entry. Dates are YYYY-MM-DD; the entry number may omit its hyphens.
// tollgate computes the Section 232 line (heading, rate, duty) and the
// duty status.
type ImportInput struct {
	ImporterOrgID       string         `json:"importer_org_id"`
	ExporterOrgID       string         `json:"exporter_org_id"`
	ImporterOfRecord    string         `json:"importer_of_record"`
	EntryNumber         string         `json:"entry_number"`
	Line                int            `json:"line"`
	EntryDate           string         `json:"entry_date"`
	Product             string         `json:"product"`
	Units               tollgate.Units `json:"units"`
	CountryOfOrigin     string         `json:"country_of_origin"`
	HTS                 string         `json:"hts"`
	EnteredValueCents   int64          `json:"entered_value_cents"`
	Exemption           string         `json:"exemption,omitempty"`
	EndUseCertification string         `json:"end_use_certification,omitempty"`
}

// Validate checks the input's dates; the service checks the rest.
func (in *ImportInput) Validate() error {
	_, err := in.entry()
	return err
}

func (in *ImportInput) entry() (tollgate.ImportEntry, error) {
	day, err := requireDate("entry_date", in.EntryDate)
	return tollgate.ImportEntry{ImporterOrgID: in.ImporterOrgID, ExporterOrgID: in.ExporterOrgID,
		ImporterOfRecord: in.ImporterOfRecord, EntryNumber: in.EntryNumber, Line: in.Line, EntryDate: day,
		Product: in.Product, Units: in.Units, CountryOfOrigin: in.CountryOfOrigin, HTS: in.HTS,
		EnteredValueCents: in.EnteredValueCents, Exemption: in.Exemption, EndUseCertification: in.EndUseCertification}, err
}

// DutyPaymentInput is the body of POST /v1/imports/{id}/payment.
type DutyPaymentInput struct {
	PaymentReference string `json:"payment_reference"`
	PaidOn           string `json:"paid_on"`
}

// importRecorder points at who recorded an import entry.
func importRecorder(e *tollgate.ImportEntry) *string { return &e.RecordedBy }

// importOwnership is who an import entry belongs to: the exporter owning
// the goods, assigned to the broker that filed it.
func importOwnership(e *tollgate.ImportEntry) auth.Ownership {
	return auth.OwnedBy(e.ExporterOrgID, e.ImporterOrgID)
}

// handleCreateImport records an import entry line. Its importer and
// exporter are derived from the caller and its engagements; the body's
// organization fields are only checked against them.
func (s *server) handleCreateImport(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ImportInput](r)
	if err != nil {
		return err
	}
	e, _ := in.entry()
	svc, err := s.ship()
	if err != nil {
		return err
	}
	resolved, err := svc.ResolveImport(r.Context(), e)
	own, err := resolvedOwnership(err, func() auth.Ownership { return importOwnership(&resolved) })
	if err != nil {
		return err
	}
	if err := s.authorize(r, PermImportWrite, own, notFoundError("organization", e.ExporterOrgID)); err != nil {
		return err
	}
	out, err := svc.RecordImport(r.Context(), resolved)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/imports/"+out.ID)
	return encode(w, http.StatusCreated, out)
}

func (s *server) handleListImports(w http.ResponseWriter, r *http.Request) error {
	f, none, err := s.shippingFilter(r, PermImportRead, func(f *store.ShippingFilter) *string { return &f.ImporterOrgID })
	if err != nil || none {
		return encodeEmptyPage[tollgate.ImportEntry](w, err)
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	items, next, err := svc.FindImports(r.Context(), f)
	if err != nil {
		return err
	}
	redactRecorders(r, PermImportRead, items, importRecorder)
	return encode(w, http.StatusOK, pageOf(items, next))
}

// importFor returns import entry id if the caller may do perm to it.
func (s *server) importFor(r *http.Request, perm, id string) (Shipping, *tollgate.ImportEntry, error) {
	svc, err := s.ship()
	if err != nil {
		return nil, nil, err
	}
	e, err := svc.FindImportByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(r, perm, importOwnership(e), notFoundError("import entry", id)); err != nil {
		return nil, nil, err
	}
	return svc, e, nil
}

func (s *server) handleGetImport(w http.ResponseWriter, r *http.Request) error {
	_, e, err := s.importFor(r, PermImportRead, r.PathValue("id"))
	if err != nil {
		return err
	}
	redactRecorders(r, PermImportRead, []*tollgate.ImportEntry{e}, importRecorder)
	return encode(w, http.StatusOK, e)
}

// handlePayDuty records the payment of an entry's duty: by its exporter,
// or by the broker that filed it while an engagement for its units is in
// force on the payment date. Anyone else is answered as for a missing
// entry.
func (s *server) handlePayDuty(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[DutyPaymentInput](r)
	if err != nil {
		return err
	}
	paidOn, err := requireDate("paid_on", in.PaidOn)
	if err != nil {
		return err
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	e, err := svc.FindImportByID(r.Context(), id)
	if err != nil {
		return err
	}
	writers, err := svc.EntryWriters(r.Context(), e, paidOn)
	if err != nil {
		return err
	}
	if err := s.authorize(r, PermImportWrite, auth.OwnedBy(e.ExporterOrgID, writers...), notFoundError("import entry", id)); err != nil {
		return err
	}
	out, err := svc.PayDuty(r.Context(), e.ID, in.PaymentReference, paidOn)
	if err != nil {
		return err
	}
	redactRecorders(r, PermImportRead, []*tollgate.ImportEntry{out}, importRecorder)
	return encode(w, http.StatusOK, out)
}
