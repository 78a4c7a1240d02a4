package licensing

import (
	"slices"

	"tollgate"
)

// identify keys app to product identities (catalog.Product): each item
// naming a catalog model gets its ProductID, and each stated US shipment
// its product's identity, so that "H200", "h200" and "H200 SXM5" are one
// product in the prechecks, the decision and the license. Names the
// catalog does not know are left as they are (the classification precheck
// reports them; shipping refuses orders for them). The slices are copied.
func (s *Service) identify(app *tollgate.Application) {
	app.Items = slices.Clone(app.Items)
	for i := range app.Items {
		if it := &app.Items[i]; it.Model != "" {
			if id, err := s.catalog.Product(it.Model); err == nil {
				it.ProductID = id
			}
		}
	}
	app.USShipments = slices.Clone(app.USShipments)
	for i := range app.USShipments {
		if id, err := s.catalog.Product(app.USShipments[i].Product); err == nil {
			app.USShipments[i].Product = id
		}
	}
}

// identifyDecision returns d with each item's product given as its
// identity when the catalog knows it.
func (s *Service) identifyDecision(d *tollgate.ApplicationDecision) *tollgate.ApplicationDecision {
	if d == nil {
		return nil
	}
	out := *d
	out.Items = slices.Clone(d.Items)
	for i := range out.Items {
		if id, err := s.catalog.Product(out.Items[i].Product); err == nil {
			out.Items[i].Product = id
		}
	}
	return &out
}
