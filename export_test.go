package tollgate_test

import (
	"math"
	"testing"
	"time"

	"tollgate"
)

func validExport() tollgate.Export {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return tollgate.Export{
		ExporterOrgID: "org-nv", LicenseID: "lic-1", LicenseNumber: "D000001", OrderID: "o-1", Product: "H200",
		Units: tollgate.Units{Serials: []string{"S1", "S2"}, Count: 2}, ValueCents: 5_400_000, Destination: "CN",
		State: tollgate.ExportReserved, ReservedBy: "u-1", ReservedAt: at, ExpiresAt: at.Add(24 * time.Hour),
	}
}

func TestExportValidate(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	shipped := func(e *tollgate.Export) {
		e.State, e.FilingReference, e.ExportedOn, e.ShippedBy, e.ShippedAt = tollgate.ExportShipped, "X20260302123456", day, "u-1", e.ReservedAt.Add(time.Hour)
	}
	tests := []struct {
		name   string
		mutate func(e *tollgate.Export)
		field  string
	}{
		{"OK/reserved", func(e *tollgate.Export) {}, ""},
		{"OK/shipped", shipped, ""},
		{"OK/voided", func(e *tollgate.Export) {
			e.State, e.VoidReason, e.ReleasedBy, e.ReleasedAt = tollgate.ExportVoided, "customer asked", "u-1", e.ReservedAt.Add(time.Hour)
		}, ""},
		{"OK/expired", func(e *tollgate.Export) { e.State, e.ReleasedAt = tollgate.ExportExpired, e.ExpiresAt }, ""},
		{"ErrExporter", func(e *tollgate.Export) { e.ExporterOrgID = "" }, "exporter_org_id"},
		{"ErrLicense", func(e *tollgate.Export) { e.LicenseID = "" }, "license_id"},
		{"ErrOrder", func(e *tollgate.Export) { e.OrderID = "" }, "order_id"},
		{"ErrProduct", func(e *tollgate.Export) { e.Product = "" }, "product"},
		{"ErrUnits", func(e *tollgate.Export) { e.Units.Count = 3 }, "units.count"},
		{"ErrValue", func(e *tollgate.Export) { e.ValueCents = 0 }, "value_cents"},
		{"ErrDestination", func(e *tollgate.Export) { e.Destination = "China" }, "destination"},
		{"ErrState", func(e *tollgate.Export) { e.State = "pending" }, "state"},
		{"ErrReservedBy", func(e *tollgate.Export) { e.ReservedBy = "" }, "reserved_by"},
		{"ErrReservedAt", func(e *tollgate.Export) { e.ReservedAt = time.Time{} }, "reserved_at"},
		{"ErrExpiresAt", func(e *tollgate.Export) { e.ExpiresAt = e.ReservedAt }, "expires_at"},
		{"ErrReferenceWhileReserved", func(e *tollgate.Export) { e.FilingReference = "X1" }, "filing_reference"},
		{"ErrShippedNoDate", func(e *tollgate.Export) { shipped(e); e.ExportedOn = time.Time{} }, "exported_on"},
		{"ErrShippedNoTime", func(e *tollgate.Export) { shipped(e); e.ShippedAt = time.Time{} }, "shipped_at"},
		{"ErrVoidedNoReason", func(e *tollgate.Export) { e.State, e.ReleasedAt = tollgate.ExportVoided, e.ReservedAt }, "void_reason"},
		{"ErrExpiredNoRelease", func(e *tollgate.Export) { e.State = tollgate.ExportExpired }, "released_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validExport()
			tt.mutate(&e)
			if got := invalidFieldOf(t, e.Validate()); got != tt.field {
				t.Errorf("Validate() = %v; got field %q, want %q", e.Validate(), got, tt.field)
			}
		})
	}
}

func TestUnitValue(t *testing.T) {
	tests := []struct {
		units, price, want int64
		ok                 bool
	}{
		{1000, 2_700_000, 2_700_000_000, true},
		{0, 5, 0, false},
		{5, -1, 0, false},
		{math.MaxInt64/2 + 1, 2, 0, false},
	}
	for _, tt := range tests {
		got, ok := tollgate.UnitValue(tt.units, tt.price)
		if got != tt.want || ok != tt.ok {
			t.Errorf("UnitValue(%d, %d) = %d, %t; want %d, %t", tt.units, tt.price, got, ok, tt.want, tt.ok)
		}
	}
}
