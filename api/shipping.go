package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/shipping"
	"tollgate/store"
)

// Permissions of the shipping routes (auth/policy.go): brokers record
// imports, lab technicians record tests, exporters record US shipments,
// orders and exports, auditors read.
const (
	PermShipmentRead   = "shipment.read"
	PermShipmentWrite  = "shipment.write"
	PermImportRead     = "import.read"
	PermImportWrite    = "import.write"
	PermLabReportRead  = "labreport.read"
	PermLabReportWrite = "labreport.write"
	PermExportRead     = "export.read"
	PermExportReserve  = "export.reserve"
	PermExportShip     = "export.ship"
	PermExportVoid     = "export.void"
	PermOrderRead      = "order.read"
	PermOrderWrite     = "order.write"
	PermReportRead     = "report.read"
)

// Shipping is what the API needs from the shipping service
// (*shipping.Service): its use cases, each one transaction, and the reads
// behind the list and get routes. Whether the caller may act on the object
// is checked by the handlers before they call it.
type Shipping interface {
	RecordUSShipment(ctx context.Context, s tollgate.DomesticShipment) (*tollgate.DomesticShipment, error)
	ReverseUSShipment(ctx context.Context, id string, units int64, reason string) (*tollgate.DomesticShipment, error)
	FindUSShipments(ctx context.Context, f store.ShippingFilter) ([]*tollgate.DomesticShipment, string, error)
	FindUSShipmentByID(ctx context.Context, id string) (*tollgate.DomesticShipment, error)

	// ResolveImport, EntryWriters and ResolveLabReport derive who a write
	// belongs to from the caller and the stored engagements (package
	// shipping, owners.go); the handlers authorize on their answer.
	ResolveImport(ctx context.Context, e tollgate.ImportEntry) (tollgate.ImportEntry, error)
	EntryWriters(ctx context.Context, e *tollgate.ImportEntry, day time.Time) ([]string, error)
	ResolveLabReport(ctx context.Context, r tollgate.LabReport) (tollgate.LabReport, error)

	RecordImport(ctx context.Context, e tollgate.ImportEntry) (*tollgate.ImportEntry, error)
	PayDuty(ctx context.Context, id, reference string, paidOn time.Time) (*tollgate.ImportEntry, error)
	FindImports(ctx context.Context, f store.ShippingFilter) ([]*tollgate.ImportEntry, string, error)
	FindImportByID(ctx context.Context, id string) (*tollgate.ImportEntry, error)

	RegisterLabKey(ctx context.Context, labOrgID string, pub []byte) (*tollgate.LabKey, error)
	RevokeLabKey(ctx context.Context, labOrgID, id, reason string) (*tollgate.LabKey, error)
	FindLabKeys(ctx context.Context, labOrgID string) ([]*tollgate.LabKey, error)
	RecordLabReport(ctx context.Context, r tollgate.LabReport) (*tollgate.LabReport, error)
	FindLabReports(ctx context.Context, f store.ShippingFilter) ([]*tollgate.LabReport, string, error)
	FindLabReportByID(ctx context.Context, id string) (*tollgate.LabReport, error)

	Reserve(ctx context.Context, req shipping.ReserveRequest) (*tollgate.Export, error)
	Ship(ctx context.Context, id, reference string, exportedOn time.Time) (*tollgate.Export, error)
	Void(ctx context.Context, id, reason string) (*tollgate.Export, error)
	FindExports(ctx context.Context, f store.ShippingFilter) ([]*tollgate.Export, string, error)
	FindExportByID(ctx context.Context, id string) (*tollgate.Export, error)
	CapPosition(ctx context.Context, exporterOrgID, product string) (shipping.CapPosition, error)

	CreateOrder(ctx context.Context, o tollgate.Order) (*tollgate.Order, error)
	ApplyOrderEvent(ctx context.Context, id string, ev shipping.OrderEvent) (*tollgate.Order, error)
	SetPRCStatus(ctx context.Context, id string, c tollgate.PRCStatusChange) (*tollgate.Order, error)
	FindOrders(ctx context.Context, f store.ShippingFilter) ([]*tollgate.Order, string, error)
	FindOrderByID(ctx context.Context, id string) (*tollgate.Order, error)

	Report(ctx context.Context, exporterOrgID string, periods []shipping.Period, products []string) ([]shipping.PeriodReport, error)
}

var _ Shipping = (*shipping.Service)(nil)

// ship returns the shipping service, or EUNAVAILABLE when the server was
// built without one.
func (s *server) ship() (Shipping, error) {
	if s.shipping == nil {
		return nil, tollgate.Errorf(tollgate.EUNAVAILABLE, "shipping is not configured on this server")
	}
	return s.shipping, nil
}

// shippingFilter returns the list filter of a shipping route for the
// caller of r and perm: the query's filters, narrowed to what the caller
// reaches (auth.ScopeOf). Objects an exporter owns are kept to its own
// organization; objects assigned to a broker or a lab (imports, lab
// reports) to that organization through assigned, the column they are
// assigned by. none is true when nothing can match.
func (s *server) shippingFilter(r *http.Request, perm string, assigned func(*store.ShippingFilter) *string) (f store.ShippingFilter, none bool, err error) {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return f, false, err
	}
	// Routes declare which of these they take; checkQuery has refused any
	// other, so the others read as empty.
	f = store.ShippingFilter{ExporterOrgID: queryString(r, "exporter_org_id"), ImporterOrgID: queryString(r, "importer_org_id"),
		LabOrgID: queryString(r, "lab_org_id"), Product: queryString(r, "product"), State: queryString(r, "state"),
		LicenseID: queryString(r, "license_id"), OrderID: queryString(r, "order_id"), Cursor: cursor, Limit: limit}
	sc, err := auth.ScopeOf(principalFrom(r.Context()), perm)
	if err != nil {
		return f, false, fmt.Errorf("api.shippingFilter: %w", err)
	}
	switch {
	case sc.All:
		return f, false, nil
	case sc.OrgID != "":
		if f.ExporterOrgID != "" && f.ExporterOrgID != sc.OrgID {
			return f, true, nil
		}
		f.ExporterOrgID = sc.OrgID
		return f, false, nil
	case sc.AssignedOrgID != "" && assigned != nil:
		col := assigned(&f)
		if *col != "" && *col != sc.AssignedOrgID {
			return f, true, nil
		}
		*col = sc.AssignedOrgID
		return f, false, nil
	}
	return f, true, nil
}

// resolvedOwnership is the ownership a write resolved by the shipping
// service (ResolveImport, ResolveLabReport) is authorized on: own when it
// resolved, and none at all when the caller may not write for the
// organization it names (ENOTFOUND) or its organization writes no such
// record (EFORBIDDEN), so that authorize answers 403 to a role without the
// permission and, to any other, exactly what it answers for an
// organization that does not exist. Any other error is returned.
func resolvedOwnership(err error, own func() auth.Ownership) (auth.Ownership, error) {
	switch tollgate.ErrorCode(err) {
	case "":
		return own(), nil
	case tollgate.ENOTFOUND, tollgate.EFORBIDDEN:
		return auth.Ownership{}, nil
	}
	return auth.Ownership{}, err
}

// parseDate parses a YYYY-MM-DD date of a request body; field names it in
// the error. An empty value is the zero time.
func parseDate(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, tollgate.FieldErrorf(field, "must be a date YYYY-MM-DD, not %q", v)
	}
	if err := tollgate.CheckDate(field, t); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// requireDate is parseDate for a required date.
func requireDate(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, tollgate.FieldErrorf(field, "required, as YYYY-MM-DD")
	}
	return parseDate(field, v)
}

// Query parameters of the shipping routes.
var (
	paramExporter = Param{Name: "exporter_org_id", Type: "string", Description: "Only (or: the) records of this exporter."}
	paramProduct  = Param{Name: "product", Type: "string", Description: "Only records of this product (H200)."}

	shippingReportParams = []Param{paramExporter, paramProduct,
		{Name: "from", Type: "date", Required: true, Description: "First day of the first period."},
		{Name: "to", Type: "date", Required: true, Description: "Day after the last period."},
		{Name: "months", Type: "integer", Description: "Months per period (1 to 120; default 1)."},
		{Name: "format", Type: "string", Description: "json (default) or csv."}}
)

// redactRecorders blanks who recorded each of records (import entries, lab
// reports: objects two organizations share) unless the caller's grant of
// perm reaches every object: a user of one organization is none of the
// other's business. The audit log names every recorder.
func redactRecorders[T any](r *http.Request, perm string, records []*T, recorder func(*T) *string) {
	if sc, err := auth.ScopeOf(principalFrom(r.Context()), perm); err == nil && sc.All {
		return
	}
	for _, rec := range records {
		*recorder(rec) = ""
	}
}
