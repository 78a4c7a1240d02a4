package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/shipping"
)

// TestHostileQuantitiesAndDates sends US shipments whose units or date a
// hostile client chose to break the store or the reports: each is a 400
// naming the field, on both stores, and the exporter's cap position is
// what the plausible shipments alone make it.
func TestHostileQuantitiesAndDates(t *testing.T) {
	apitest.ForEachBackend(t, testHostileQuantitiesAndDates)
}

func testHostileQuantitiesAndDates(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	org := env.createOrg("Overflow Exporter")
	officer := env.member(org.ID, tollgate.RoleExporterOfficer)
	n := 0
	shipment := func(units, shippedOn string) string {
		n++
		return fmt.Sprintf(`{"exporter_org_id":%q,"product":"H200","units":%s,"shipped_on":%q,"customer":"US Cloud","reference":"INV-%d"}`,
			org.ID, units, shippedOn, n)
	}
	tests := []struct {
		name, body, field string
	}{
		{"ErrMaxInt64Units", shipment("9223372036854775807", "2026-01-20"), "units"},
		{"ErrAboveInt64Units", shipment("9223372036854775808", "2026-01-20"), "units"},
		{"ErrAboveMaxUnits", shipment(fmt.Sprint(tollgate.MaxUnits+1), "2026-01-20"), "units"},
		{"ErrFractionalUnits", shipment("1.5", "2026-01-20"), "units"},
		{"ErrYearZero", shipment("1", "0000-01-01"), "shipped_on"},
		{"ErrYear9999", shipment("1", "9999-12-31"), "shipped_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := env.problem(request{method: "POST", path: "/v1/shipments", body: tt.body, as: officer}, http.StatusBadRequest)
			if p.Field != tt.field {
				t.Errorf("problem: got field %q (%s), want %q", p.Field, p.Detail, tt.field)
			}
		})
	}
	t.Run("OneMoreAfterTheMost", func(t *testing.T) {
		must[tollgate.DomesticShipment](env, request{method: "POST", path: "/v1/shipments", as: officer,
			body: shipment(fmt.Sprint(tollgate.MaxUnits), "2026-01-20")}, http.StatusCreated)
		must[tollgate.DomesticShipment](env, request{method: "POST", path: "/v1/shipments", as: officer,
			body: shipment("1", "2026-01-21")}, http.StatusCreated)
		pos := must[shipping.CapPosition](env, request{method: "GET", path: "/v1/caps/H200?exporter_org_id=" + org.ID, as: officer}, http.StatusOK)
		if want := int64(tollgate.MaxUnits + 1); pos.USUnits != want {
			t.Errorf("US units: got %d, want %d", pos.USUnits, want)
		}
	})
}

// TestCapOfUnknownProduct checks that the cap position of a product that
// is neither in the catalog nor in the exporter's records is a 404, not a
// position of zeros; a catalog chip the exporter never shipped and a
// product only the exporter's records name are answered.
func TestCapOfUnknownProduct(t *testing.T) { apitest.ForEachBackend(t, testCapOfUnknownProduct) }

func testCapOfUnknownProduct(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	org := env.createOrg("Cap Exporter")
	other := env.createOrg("Other Cap Exporter")
	officer := env.member(org.ID, tollgate.RoleExporterOfficer)
	must[tollgate.DomesticShipment](env, request{method: "POST", path: "/v1/shipments", as: env.member(other.ID, tollgate.RoleExporterOfficer),
		body: USShipmentInput{ExporterOrgID: other.ID, Product: "ACME-X1", Units: 5, ShippedOn: "2026-01-20", Customer: "US Cloud", Reference: "INV-1"}},
		http.StatusCreated)
	cap := func(product string) string { return "/v1/caps/" + product + "?exporter_org_id=" + org.ID }
	must[shipping.CapPosition](env, request{method: "GET", path: cap("MI325X"), as: officer}, http.StatusOK)
	// Another exporter's product is unknown to this one, worded as any.
	theirs := env.do(request{method: "GET", path: cap("ACME-X1"), as: officer, header: map[string]string{"X-Request-Id": "cap"}})
	absent := env.do(request{method: "GET", path: cap("NO-SUCH-CHIP"), as: officer, header: map[string]string{"X-Request-Id": "cap"}})
	if theirs.Code != http.StatusNotFound || strings.ReplaceAll(theirs.Body.String(), "ACME-X1", "NO-SUCH-CHIP") != absent.Body.String() {
		t.Errorf("unknown product: %d %s; made-up one: %d %s", theirs.Code, theirs.Body, absent.Code, absent.Body)
	}
	must[tollgate.DomesticShipment](env, request{method: "POST", path: "/v1/shipments", as: officer,
		body: USShipmentInput{ExporterOrgID: org.ID, Product: "ACME-X1", Units: 3, ShippedOn: "2026-01-20", Customer: "US Cloud", Reference: "INV-2"}},
		http.StatusCreated)
	if pos := must[shipping.CapPosition](env, request{method: "GET", path: cap("ACME-X1"), as: officer}, http.StatusOK); pos.USUnits != 3 {
		t.Errorf("own product: US units %d, want 3", pos.USUnits)
	}
}
