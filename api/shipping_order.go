package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"tollgate"
	"tollgate/auth"
	"tollgate/shipping"
)

// OrderInput is the body of POST /v1/orders: an order from a customer (a
// party of the exporter) for units of one product at a unit price, to be
// shipped to a destination (CN or MO). It starts drafted.
type OrderInput struct {
	ExporterOrgID   string `json:"exporter_org_id"`
	CustomerPartyID string `json:"customer_party_id"`
	Reference       string `json:"reference"`
	Product         string `json:"product"`
	Quantity        int64  `json:"quantity"`
	UnitPriceCents  int64  `json:"unit_price_cents"`
	Destination     string `json:"destination"`
}

// order returns the drafted order the input describes.
func (in *OrderInput) order() tollgate.Order {
	return tollgate.Order{ExporterOrgID: in.ExporterOrgID, CustomerPartyID: in.CustomerPartyID, Reference: in.Reference,
		Product: tollgate.ProductKey(in.Product), Quantity: in.Quantity, UnitPriceCents: in.UnitPriceCents,
		Destination: in.Destination, State: tollgate.OrderDrafted}
}

// Validate checks the input as the service will.
func (in *OrderInput) Validate() error {
	o := in.order()
	return o.Validate()
}

// OrderEventInput is the body of POST /v1/orders/{id}/events: license
// (with license_id), deliver, or cancel (with reason: license_denied,
// prc_blocked or customer_withdrew), and an optional note.
type OrderEventInput struct {
	Kind      shipping.OrderEventKind `json:"kind"`
	LicenseID string                  `json:"license_id,omitempty"`
	Reason    tollgate.CancelReason   `json:"reason,omitempty"`
	Note      string                  `json:"note,omitempty"`
}

// PRCStatusInput is the body of POST /v1/orders/{id}/prc-status: the PRC's
// standing (unknown, approved, restricted, blocked_at_customs), with the
// approval's reference and date (YYYY-MM-DD) when approved.
type PRCStatusInput struct {
	Status    tollgate.PRCStatus `json:"status"`
	Reference string             `json:"reference,omitempty"`
	Date      string             `json:"date,omitempty"`
	Note      string             `json:"note,omitempty"`
}

func (s *server) handleCreateOrder(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[OrderInput](r)
	if err != nil {
		return err
	}
	o := in.order()
	if err := s.authorize(r, PermOrderWrite, auth.OwnedBy(o.ExporterOrgID), notFoundError("organization", o.ExporterOrgID)); err != nil {
		return err
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	out, err := svc.CreateOrder(r.Context(), o)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/orders/"+out.ID)
	return encode(w, http.StatusCreated, out)
}

func (s *server) handleListOrders(w http.ResponseWriter, r *http.Request) error {
	f, none, err := s.shippingFilter(r, PermOrderRead, nil)
	if err != nil || none {
		return encodeEmptyPage[tollgate.Order](w, err)
	}
	if f.State != "" && !tollgate.OrderState(f.State).Valid() {
		return tollgate.FieldErrorf("state", "must be drafted, licensed, shipped, delivered or cancelled; got %q", f.State)
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	items, next, err := svc.FindOrders(r.Context(), f)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(items, next))
}

// orderFor returns order id if the caller may do perm to it.
func (s *server) orderFor(r *http.Request, perm, id string) (Shipping, *tollgate.Order, error) {
	svc, err := s.ship()
	if err != nil {
		return nil, nil, err
	}
	o, err := svc.FindOrderByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(r, perm, auth.OwnedBy(o.ExporterOrgID), notFoundError("order", id)); err != nil {
		return nil, nil, err
	}
	return svc, o, nil
}

func (s *server) handleGetOrder(w http.ResponseWriter, r *http.Request) error {
	_, o, err := s.orderFor(r, PermOrderRead, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, o)
}

func (s *server) handleOrderEvent(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[OrderEventInput](r)
	if err != nil {
		return err
	}
	svc, o, err := s.orderFor(r, PermOrderWrite, r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := svc.ApplyOrderEvent(r.Context(), o.ID, shipping.OrderEvent{Kind: in.Kind, LicenseID: in.LicenseID, Reason: in.Reason, Note: in.Note})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, out)
}

func (s *server) handleSetPRCStatus(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PRCStatusInput](r)
	if err != nil {
		return err
	}
	date, err := parseDate("date", in.Date)
	if err != nil {
		return err
	}
	svc, o, err := s.orderFor(r, PermOrderWrite, r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := svc.SetPRCStatus(r.Context(), o.ID, tollgate.PRCStatusChange{Status: in.Status, Reference: in.Reference, Date: date, Note: in.Note})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, out)
}

// ShippingReport is the JSON answer of GET /v1/reports/shipping.
type ShippingReport struct {
	Reports []shipping.PeriodReport `json:"reports"`
}

// handleShippingReport answers the shipping report of an exporter (the
// caller's organization unless ?exporter_org_id= names another the caller
// may read) from ?from= up to ?to= (dates) in periods of ?months= (1 by
// default), for ?product= (every product when absent), as JSON or, with
// ?format=csv, as CSV.
func (s *server) handleShippingReport(w http.ResponseWriter, r *http.Request) error {
	exporter := queryString(r, "exporter_org_id")
	if p := principalFrom(r.Context()); exporter == "" && p != nil {
		exporter = p.OrgID
	}
	format := queryString(r, "format")
	if format != "" && format != "json" && format != "csv" {
		return tollgate.FieldErrorf("format", "must be json or csv, not %q", format)
	}
	from, err := queryDate(r, "from")
	if err != nil {
		return err
	}
	to, err := queryDate(r, "to")
	if err != nil {
		return err
	}
	if from.IsZero() || to.IsZero() {
		return tollgate.FieldErrorf("from", "from and to are required, as YYYY-MM-DD")
	}
	months := 1
	if v := queryString(r, "months"); v != "" {
		if months, err = strconv.Atoi(v); err != nil {
			return tollgate.FieldErrorf("months", "must be an integer from 1 to 120, not %q", v)
		}
	}
	periods, err := shipping.MonthlyPeriods(from, to, months)
	if err != nil {
		return err
	}
	if exporter == "" {
		return tollgate.FieldErrorf("exporter_org_id", "required")
	}
	if err := s.authorize(r, PermReportRead, auth.OwnedBy(exporter), notFoundError("organization", exporter)); err != nil {
		return err
	}
	svc, err := s.ship()
	if err != nil {
		return err
	}
	var products []string
	if p := queryString(r, "product"); p != "" {
		products = []string{strings.ToUpper(p)}
	}
	reports, err := svc.Report(r.Context(), exporter, periods, products)
	if err != nil {
		return err
	}
	if format != "csv" {
		if reports == nil {
			reports = []shipping.PeriodReport{}
		}
		return encode(w, http.StatusOK, ShippingReport{Reports: reports})
	}
	var buf bytes.Buffer
	if err := shipping.WriteCSV(&buf, reports); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}
