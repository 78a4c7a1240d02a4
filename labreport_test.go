package tollgate_test

import (
	"crypto/ed25519"
	"testing"
	"time"

	"tollgate"
)

func validLabReport() tollgate.LabReport {
	return tollgate.LabReport{
		Number: "LAB-2026-001", LabOrgID: "org-lab", TechnicianUserID: "u-tech", ExporterOrgID: "org-nv",
		ApplicationID: "app-1", Product: "H200", Units: tollgate.Units{Serials: []string{"S1"}, Count: 1},
		Examined: 1, SamplingPlan: "every unit",
		Measured:                  []tollgate.PeakThroughput{{Precision: "FP8", Value: 1979, BitLength: 8}},
		MeasuredDRAMBandwidthGBps: 4790, Method: "MLPerf-style dense GEMM sweep; STREAM-like HBM copy", ToleranceBP: 200,
		TestedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

func TestLabReportValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *tollgate.LabReport)
		field  string
	}{
		{"OK", func(r *tollgate.LabReport) {}, ""},
		{"OK/signed", func(r *tollgate.LabReport) {
			r.KeyID, r.Signature = "0123456789abcdef0123456789abcdef", make([]byte, 64)
		}, ""},
		{"ErrNumber", func(r *tollgate.LabReport) { r.Number = "" }, "number"},
		{"ErrLab", func(r *tollgate.LabReport) { r.LabOrgID = "" }, "lab_org_id"},
		{"ErrTechnician", func(r *tollgate.LabReport) { r.TechnicianUserID = "" }, "technician_user_id"},
		{"ErrExporter", func(r *tollgate.LabReport) { r.ExporterOrgID = "" }, "exporter_org_id"},
		{"ErrApplication", func(r *tollgate.LabReport) { r.ApplicationID = "" }, "application_id"},
		{"ErrProduct", func(r *tollgate.LabReport) { r.Product = "" }, "product"},
		{"ErrUnits", func(r *tollgate.LabReport) { r.Units = tollgate.Units{} }, "units.serials"},
		{"ErrNoneExamined", func(r *tollgate.LabReport) { r.Examined = 0 }, "examined"},
		{"ErrMoreExaminedThanCovered", func(r *tollgate.LabReport) { r.Examined = 2 }, "examined"},
		{"ErrNoSamplingPlan", func(r *tollgate.LabReport) { r.SamplingPlan = " " }, "sampling_plan"},
		{"ErrNoPeaks", func(r *tollgate.LabReport) { r.Measured = nil }, "measured"},
		{"ErrPeakBits", func(r *tollgate.LabReport) { r.Measured[0].BitLength = 16 }, "measured[0].bit_length"},
		{"ErrBandwidth", func(r *tollgate.LabReport) { r.MeasuredDRAMBandwidthGBps = 0 }, "measured_dram_bandwidth_gbps"},
		{"ErrMethod", func(r *tollgate.LabReport) { r.Method = " " }, "method"},
		{"ErrTolerance", func(r *tollgate.LabReport) { r.ToleranceBP = tollgate.MaxToleranceBP + 1 }, "tolerance_bp"},
		{"ErrNegativeTolerance", func(r *tollgate.LabReport) { r.ToleranceBP = -1 }, "tolerance_bp"},
		{"ErrTestedAt", func(r *tollgate.LabReport) { r.TestedAt = time.Time{} }, "tested_at"},
		{"ErrKeyID", func(r *tollgate.LabReport) { r.KeyID = "ABC" }, "key_id"},
		{"ErrSignature", func(r *tollgate.LabReport) { r.Signature = []byte{1, 2} }, "signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validLabReport()
			tt.mutate(&r)
			if got := invalidFieldOf(t, r.Validate()); got != tt.field {
				t.Errorf("Validate() = %v; got field %q, want %q", r.Validate(), got, tt.field)
			}
		})
	}
}

func TestLabKey(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := tollgate.LabKey{ID: tollgate.LabKeyID(pub), LabOrgID: "org-lab", PublicKey: pub, CreatedAt: created}
	if err := k.Validate(); err != nil {
		t.Fatalf("Validate() = %v, want nil", err)
	}
	if got := len(k.ID); got != 32 {
		t.Errorf("len(LabKeyID) = %d, want 32", got)
	}
	bad := k
	bad.ID = "00000000000000000000000000000000"
	if got := invalidFieldOf(t, bad.Validate()); got != "id" {
		t.Errorf("wrong id: field %q, want id", got)
	}
	bad = k
	bad.PublicKey = pub[:31]
	if got := invalidFieldOf(t, bad.Validate()); got != "public_key" {
		t.Errorf("short key: field %q, want public_key", got)
	}
	k.RevokedAt = created.Add(24 * time.Hour)
	if !k.ValidAt(created.Add(time.Hour)) || k.ValidAt(k.RevokedAt) {
		t.Errorf("ValidAt: want valid before revocation and invalid from it")
	}
}
