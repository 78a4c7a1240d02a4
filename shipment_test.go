package tollgate_test

import (
	"testing"
	"time"

	"tollgate"
)

func validShipment() tollgate.DomesticShipment {
	return tollgate.DomesticShipment{
		ID: "s-1", ExporterOrgID: "org-nv", Product: "H200", Units: 10000,
		ShippedOn: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC), Customer: "CoreWeave", EndUse: "AI training", Reference: "INV-1",
	}
}

func TestDomesticShipmentValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *tollgate.DomesticShipment)
		field  string
	}{
		{"OK", func(s *tollgate.DomesticShipment) {}, ""},
		{"OK/reversal", func(s *tollgate.DomesticShipment) { *s = s.Reversal(10, "duplicate invoice") }, ""},
		{"ErrExporter", func(s *tollgate.DomesticShipment) { s.ExporterOrgID = "" }, "exporter_org_id"},
		{"ErrProduct", func(s *tollgate.DomesticShipment) { s.Product = " H200" }, "product"},
		{"ErrZero", func(s *tollgate.DomesticShipment) { s.Units = 0 }, "units"},
		{"ErrDate", func(s *tollgate.DomesticShipment) { s.ShippedOn = time.Time{} }, "shipped_on"},
		{"ErrCustomer", func(s *tollgate.DomesticShipment) { s.Customer = "" }, "customer"},
		{"ErrReference", func(s *tollgate.DomesticShipment) { s.Reference = " INV" }, "reference"},
		{"ErrNoEndUse", func(s *tollgate.DomesticShipment) { s.EndUse = "" }, "end_use"},
		{"OK/ReversalOfAShipmentWithoutEndUse", func(s *tollgate.DomesticShipment) { s.EndUse = ""; *s = s.Reversal(1, "recorded before end uses") }, ""},
		{"ErrCustomerParent", func(s *tollgate.DomesticShipment) { s.CustomerUltimateParent = " Holding" }, "customer_ultimate_parent"},
		{"ErrNegativeWithoutReverses", func(s *tollgate.DomesticShipment) { s.Units = -5 }, "units"},
		{"ErrReasonOnShipment", func(s *tollgate.DomesticShipment) { s.Reason = "why" }, "reason"},
		{"ErrPositiveReversal", func(s *tollgate.DomesticShipment) { s.Reverses, s.Reason = "s-0", "typo" }, "units"},
		{"ErrSelfReversal", func(s *tollgate.DomesticShipment) { s.Units, s.Reverses, s.Reason = -1, "s-1", "typo" }, "reverses"},
		{"ErrReversalWithoutReason", func(s *tollgate.DomesticShipment) { *s = s.Reversal(0, "") }, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validShipment()
			tt.mutate(&s)
			if got := invalidFieldOf(t, s.Validate()); got != tt.field {
				t.Errorf("Validate() = %v; got field %q, want %q", s.Validate(), got, tt.field)
			}
		})
	}
}

func TestDomesticShipmentReversal(t *testing.T) {
	s := validShipment()
	r := s.Reversal(0, "cancelled by customer")
	if got, want := r.Units, -s.Units; got != want {
		t.Errorf("Reversal(0).Units = %d, want %d", got, want)
	}
	if !r.IsReversal() || r.Reverses != s.ID || !r.ShippedOn.Equal(s.ShippedOn) || r.Product != s.Product {
		t.Errorf("Reversal = %+v, want a reversal of %s keeping its product and date", r, s.ID)
	}
	if got := s.Reversal(3, "short").Units; got != -3 {
		t.Errorf("Reversal(3).Units = %d, want -3", got)
	}
}
