package shipping

import (
	"context"

	"tollgate"
	"tollgate/store"
)

// FindUSShipments returns a page of US shipments and reversals (see
// store.DB.FindUSShipments).
func (s *Service) FindUSShipments(ctx context.Context, f store.ShippingFilter) ([]*tollgate.DomesticShipment, string, error) {
	f.Product = s.filterProduct(f.Product)
	return s.db.FindUSShipments(ctx, f)
}

// FindUSShipmentByID returns the US shipment id.
func (s *Service) FindUSShipmentByID(ctx context.Context, id string) (*tollgate.DomesticShipment, error) {
	return s.db.FindUSShipmentByID(ctx, id)
}

// FindImports returns a page of import entries, without their serials.
func (s *Service) FindImports(ctx context.Context, f store.ShippingFilter) ([]*tollgate.ImportEntry, string, error) {
	f.Product = s.filterProduct(f.Product)
	return s.db.FindImports(ctx, f)
}

// FindImportByID returns import entry id with its serials.
func (s *Service) FindImportByID(ctx context.Context, id string) (*tollgate.ImportEntry, error) {
	return s.db.FindImportByID(ctx, id)
}

// FindLabKeys returns the keys registered with a lab (every lab's when
// labOrgID is empty).
func (s *Service) FindLabKeys(ctx context.Context, labOrgID string) ([]*tollgate.LabKey, error) {
	return s.db.FindLabKeys(ctx, labOrgID)
}

// FindLabReports returns a page of lab reports, without their serials.
func (s *Service) FindLabReports(ctx context.Context, f store.ShippingFilter) ([]*tollgate.LabReport, string, error) {
	f.Product = s.filterProduct(f.Product)
	return s.db.FindLabReports(ctx, f)
}

// FindLabReportByID returns lab report id with its serials.
func (s *Service) FindLabReportByID(ctx context.Context, id string) (*tollgate.LabReport, error) {
	return s.db.FindLabReportByID(ctx, id)
}

// FindExports returns a page of exports, without their serials.
func (s *Service) FindExports(ctx context.Context, f store.ShippingFilter) ([]*tollgate.Export, string, error) {
	f.Product = s.filterProduct(f.Product)
	return s.db.FindExports(ctx, f)
}

// FindExportByID returns export id with its serials.
func (s *Service) FindExportByID(ctx context.Context, id string) (*tollgate.Export, error) {
	return s.db.FindExportByID(ctx, id)
}

// FindOrders returns a page of orders with their histories.
func (s *Service) FindOrders(ctx context.Context, f store.ShippingFilter) ([]*tollgate.Order, string, error) {
	f.Product = s.filterProduct(f.Product)
	return s.db.FindOrders(ctx, f)
}

// FindOrderByID returns order id with its histories.
func (s *Service) FindOrderByID(ctx context.Context, id string) (*tollgate.Order, error) {
	o, _, err := s.db.FindOrderByID(ctx, id)
	return o, err
}
