package shipping

import (
	"math"
	"testing"
	"time"

	"tollgate"
)

func usShipment(id string, units int64, on string) tollgate.DomesticShipment {
	return tollgate.DomesticShipment{ID: id, ExporterOrgID: "org-nv", Product: "H200", Units: units,
		ShippedOn: day(on), Customer: "CoreWeave", EndUse: "AI training in a US data center", Reference: "INV-" + id}
}

func TestUSUnits(t *testing.T) {
	s1 := usShipment("s1", 6000, "2026-01-10")
	s2 := usShipment("s2", 4000, "2026-02-10")
	rev := s2.Reversal(500, "500 units returned before delivery")
	other := usShipment("s3", 999, "2026-01-10")
	other.ExporterOrgID = "org-amd"
	all := []tollgate.DomesticShipment{s1, s2, rev, other}
	tests := []struct {
		through time.Time
		want    int64
	}{
		{time.Time{}, 9500},
		{day("2026-01-31"), 6000},
		{day("2026-02-10"), 9500},
		{day("2025-12-31"), 0},
	}
	for _, tt := range tests {
		if got := USUnits(all, "org-nv", "H200", tt.through); got != tt.want {
			t.Errorf("USUnits(through %v) = %d, want %d", tt.through, got, tt.want)
		}
	}
}

func TestCheckReversal(t *testing.T) {
	orig := usShipment("s1", 100, "2026-01-10")
	prior := []tollgate.DomesticShipment{func() tollgate.DomesticShipment { r := orig.Reversal(60, "returned"); r.ID = "r1"; return r }()}
	tests := []struct {
		name     string
		original tollgate.DomesticShipment
		reversal tollgate.DomesticShipment
		code     string
		part     string
	}{
		{"OK", orig, orig.Reversal(40, "returned"), "", ""},
		{"ErrTooMuch", orig, orig.Reversal(41, "returned"), tollgate.ECONFLICT, "40 units left to reverse; 41 requested (over by 1)"},
		{"ErrNotReversal", orig, usShipment("s9", 5, "2026-01-10"), tollgate.EINVALID, "required"},
		{"ErrOtherShipment", usShipment("s2", 100, "2026-01-10"), orig.Reversal(1, "x"), tollgate.EINVALID, "not shipment"},
		{"ErrReverseReversal", prior[0], func() tollgate.DomesticShipment {
			r := orig.Reversal(1, "x")
			r.Reverses = "r1"
			return r
		}(), tollgate.ECONFLICT, "itself a reversal"},
		{"ErrProduct", orig, func() tollgate.DomesticShipment { r := orig.Reversal(1, "x"); r.Product = "H100"; return r }(), tollgate.EINVALID, "keeps the exporter and product"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckReversal(tt.original, tt.reversal, prior)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("CheckReversal() = %v", err)
				}
				return
			}
			wantError(t, err, tt.code, tt.part)
		})
	}
}

func TestCapUnits(t *testing.T) {
	tests := []struct {
		us   int64
		bp   int
		want int64
	}{
		{10_000, 5000, 5000}, {10_001, 5000, 5000}, {10_002, 5000, 5001}, {1, 5000, 0}, {0, 5000, 0}, {-5, 5000, 0},
		{3, 3333, 0}, {10_000, 3333, 3333}, {math.MaxInt64, 10000, math.MaxInt64}, {math.MaxInt64, 5000, math.MaxInt64 / 2},
	}
	for _, tt := range tests {
		if got := CapUnits(tt.us, tt.bp); got != tt.want {
			t.Errorf("CapUnits(%d, %d) = %d, want %d", tt.us, tt.bp, got, tt.want)
		}
	}
}

// TestCheckCap: with 10,000 US units, 5,000 China units fit and the
// 5,001st fails naming the 50% cap and the excess.
func TestCheckCap(t *testing.T) {
	cfg := DefaultConfig()
	if err := CheckCap(NewCapPosition(cfg, "H200", 10_000, 4_999), 1); err != nil {
		t.Fatalf("the 5,000th unit: %v", err)
	}
	err := CheckCap(NewCapPosition(cfg, "H200", 10_000, 5_000), 1)
	wantError(t, err, tollgate.ELIMIT, "50% cap", "10000 US units allow 5000", "over by 1")
	if got, want := details(t, err), (LimitExceeded{Limit: LimitChinaCap, Product: "H200", Allowed: 5000, Used: 5000, Requested: 1, Over: 1}); got != want {
		t.Errorf("Details = %+v, want %+v", got, want)
	}
	p := NewCapPosition(cfg, "H200", 9_000, 5_000)
	if p.Headroom != -500 {
		t.Errorf("headroom after a reversal = %d, want -500", p.Headroom)
	}
	wantError(t, CheckCap(p, 1), tollgate.ELIMIT, "over by 501")
}

func TestFmtBP(t *testing.T) {
	for bp, want := range map[int]string{5000: "50", 1250: "12.5", 1: "0.01", 0: "0", 10000: "100", 2505: "25.05"} {
		if got := fmtBP(bp); got != want {
			t.Errorf("fmtBP(%d) = %q, want %q", bp, got, want)
		}
	}
}

func TestHoldsAndSums(t *testing.T) {
	res := validReservation()
	shipped := res
	shipped.ID, shipped.State = "e-2", tollgate.ExportShipped
	voided := res
	voided.ID, voided.State = "e-3", tollgate.ExportVoided
	macau := res
	macau.ID, macau.Destination = "e-4", "MO"
	exports := []tollgate.Export{res, shipped, voided, macau}
	tests := []struct {
		now                     time.Time
		china, license, ordered int64
	}{
		{t0, 6, 6, 6},
		{res.ExpiresAt, 2, 2, 2}, // the reservations have expired; the shipment holds
	}
	for _, tt := range tests {
		if got := ChinaUnitsHeld(DefaultConfig(), exports, "org-nv", "H200", tt.now); got != tt.china {
			t.Errorf("ChinaUnitsHeld(%v) = %d, want %d", tt.now, got, tt.china)
		}
		var lic int64
		for _, c := range LicenseConsumption(exports, "lic-1", tt.now) {
			lic += c.Units
		}
		if lic != tt.license {
			t.Errorf("LicenseConsumption(%v) = %d units, want %d", tt.now, lic, tt.license)
		}
		if got := OrderUnitsHeld(exports, "o-1", tt.now); got != tt.ordered {
			t.Errorf("OrderUnitsHeld(%v) = %d, want %d", tt.now, got, tt.ordered)
		}
	}
}

// validReservation is a reservation of two serial-numbered units made at t0.
func validReservation() tollgate.Export {
	return tollgate.Export{
		ID: "e-1", ExporterOrgID: "org-nv", LicenseID: "lic-1", LicenseNumber: "D000001", OrderID: "o-1", Product: "H200",
		Units: tollgate.Units{Serials: []string{"S-0", "S-1"}, Count: 2}, ValueCents: 2 * 2_700_000, Destination: "CN",
		State: tollgate.ExportReserved, ReservedBy: "u-1", ReservedAt: t0, ExpiresAt: t0.Add(24 * time.Hour),
		LabReportID: "lr-LAB-1", ReviewedAt: day("2026-02-20"),
	}
}

func TestCheckUSCustomer(t *testing.T) {
	exporter := tollgate.Org{ID: "org-nv", Kind: tollgate.OrgExporter, Name: "NVIDIA Corporation", Country: "US", UltimateParent: ""}
	tests := []struct {
		name   string
		change func(s *tollgate.DomesticShipment)
		code   string
		part   string
	}{
		{"OK", func(s *tollgate.DomesticShipment) {}, "", ""},
		{"OK/OwnParent", func(s *tollgate.DomesticShipment) { s.CustomerUltimateParent = "Microsoft Corporation" }, "", ""},
		{"ErrNoEndUse", func(s *tollgate.DomesticShipment) { s.EndUse = " " }, tollgate.EINVALID, "end_use"},
		// Names are compared, not guessed: another spelling needs the
		// customer's parent recorded.
		{"OK/OtherSpelling", func(s *tollgate.DomesticShipment) { s.Customer = "Nvidia Corp." }, "", ""},
		{"ErrExporterByName", func(s *tollgate.DomesticShipment) { s.Customer = "NVIDIA  Corporation" }, tollgate.EPRECONDITION,
			`the customer is the exporter NVIDIA Corporation or an affiliate (they share the name or ultimate parent "NVIDIACORPORATION")`},
		{"ErrAffiliate", func(s *tollgate.DomesticShipment) {
			s.Customer, s.CustomerUltimateParent = "NVIDIA Cloud LLC", "nvidia corporation"
		},
			tollgate.EPRECONDITION, "only end-use customers count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := usShipment("s1", 100, "2026-01-10")
			s.Customer = "Microsoft Corporation"
			tt.change(&s)
			err := CheckUSCustomer(exporter, s)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("CheckUSCustomer() = %v", err)
				}
				return
			}
			wantError(t, err, tt.code, tt.part)
		})
	}
	// A parent shared through the exporter's own parent.
	exporter.UltimateParent = "Holding Inc"
	s := usShipment("s1", 100, "2026-01-10")
	s.Customer, s.CustomerUltimateParent = "Sister Cloud", "Holding, Inc."
	wantError(t, CheckUSCustomer(exporter, s), tollgate.EPRECONDITION, `"HOLDINGINC"`)
}
