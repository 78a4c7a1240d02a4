package shipping

import (
	"bytes"
	"crypto/ed25519"
	"slices"
	"strings"
	"testing"
	"time"

	"tollgate"
)

func TestJudge(t *testing.T) {
	tests := []struct {
		name      string
		fp8       float64 // measured FP8 TFLOPS
		bw        float64
		tolerance int
		pass      bool
		finding   string
	}{
		{"OK/AsStated", 1979, 4800, 0, true, "measured TPP 15832 is within the stated 15832 plus 0% tolerance"},
		{"OK/WithinTolerance", 1998, 4848, 100, true, "within"},
		{"OK/AtTheLimit", 1979 * 1.02, 4896, 200, true, "within"},
		{"Fail/TPP", 2000, 4800, 100, false, "measured TPP 16000 exceeds the stated 15832 plus 1% tolerance (15990.32) by 9.68"},
		{"Fail/Bandwidth", 1979, 4900, 100, false, "measured DRAM bandwidth 4900 GB/s exceeds the stated 4800 GB/s plus 1% tolerance (4848 GB/s) by 52 GB/s"},
		{"OK/Below", 1500, 4000, 0, true, "within"},
		// The rule's limits hold whatever the tolerance: TPP 21,600 and
		// 6,600 GB/s against the H200's spec at 40% pass the tolerance
		// and fail the rule.
		{"Fail/TPPLimit", 2700, 4800, 4000, false, "measured TPP 21600 is not below the rule's limit of 21000"},
		{"Fail/BandwidthLimit", 1979, 6600, 4000, false, "measured DRAM bandwidth 6600 GB/s is not below the rule's limit of 6500 GB/s"},
		{"Fail/AtTheTPPLimit", 2625, 4800, 4000, false, "measured TPP 21000 is not below the rule's limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tollgate.LabReport{
				Number: "LAB-1", LabOrgID: "org-lab", TechnicianUserID: "u", ExporterOrgID: "org-nv", ApplicationID: "app-1",
				Product: "H200", Units: tollgate.Units{Lot: "L", Count: 5}, Examined: 5, SamplingPlan: "every unit",
				Method: "m", ToleranceBP: tt.tolerance,
				Measured:                  []tollgate.PeakThroughput{{Precision: "FP8", Value: tt.fp8, BitLength: 8}},
				MeasuredDRAMBandwidthGBps: tt.bw, TestedAt: t0,
			}
			got, err := Judge(r, h200(), DefaultReviewRules())
			if err != nil {
				t.Fatal(err)
			}
			if got.Pass != tt.pass || !strings.Contains(strings.Join(got.Findings, "; "), tt.finding) {
				t.Errorf("Judge() = pass %t, findings %q; want pass %t mentioning %q", got.Pass, got.Findings, tt.pass, tt.finding)
			}
			if got.SpecTPP != 15832 || got.SpecDRAMBandwidthGBps != 4800 {
				t.Errorf("spec figures %v, %v; want 15832, 4800", got.SpecTPP, got.SpecDRAMBandwidthGBps)
			}
		})
	}
	if _, err := Judge(tollgate.LabReport{}, h200(), DefaultReviewRules()); tollgate.ErrorCode(err) != tollgate.EINVALID {
		t.Errorf("Judge(empty) = %v, want invalid", err)
	}
	key, priv := labKey("lab")
	r := mustSignedReport(t, key, priv, "LAB-1", tollgate.Units{Lot: "L", Count: 1}, 4800)
	if _, err := Judge(r, tollgate.Chip{}, DefaultReviewRules()); errField(t, err, tollgate.EINVALID) != "spec.vendor" {
		t.Errorf("Judge(bad spec) = %v, want spec.vendor", err)
	}
}

func TestSignVerifyReport(t *testing.T) {
	key, priv := labKey("lab")
	r := mustSignedReport(t, key, priv, "LAB-7", tollgate.Units{Serials: []string{"S2", "S1"}, Count: 2}, 4790)
	if err := VerifyReport(key.PublicKey, r, r.Signature); err != nil {
		t.Fatalf("VerifyReport() = %v", err)
	}
	// The store may keep serials in another order.
	reordered := r
	reordered.Units.Serials = []string{"S1", "S2"}
	reordered.ID, reordered.RecordedBy, reordered.RecordedAt = "other-id", "someone", t0
	if err := VerifyReport(key.PublicKey, reordered, r.Signature); err != nil {
		t.Errorf("VerifyReport(reordered serials, store fields changed) = %v", err)
	}
	tampered := map[string]func(r *tollgate.LabReport){
		"number":     func(r *tollgate.LabReport) { r.Number = "LAB-8" },
		"serials":    func(r *tollgate.LabReport) { r.Units.Serials = []string{"S1", "S3"} },
		"pass":       func(r *tollgate.LabReport) { r.Pass = !r.Pass },
		"measured":   func(r *tollgate.LabReport) { r.Measured[0].Value++ },
		"bandwidth":  func(r *tollgate.LabReport) { r.MeasuredDRAMBandwidthGBps-- },
		"tolerance":  func(r *tollgate.LabReport) { r.ToleranceBP++ },
		"tested_at":  func(r *tollgate.LabReport) { r.TestedAt = r.TestedAt.Add(time.Second) },
		"exporter":   func(r *tollgate.LabReport) { r.ExporterOrgID = "org-amd" },
		"findings":   func(r *tollgate.LabReport) { r.Findings = r.Findings[:1] },
		"spec":       func(r *tollgate.LabReport) { r.SpecTPP++ },
		"method":     func(r *tollgate.LabReport) { r.Method += "." },
		"technician": func(r *tollgate.LabReport) { r.TechnicianUserID = "u-other" },
		"examined":   func(r *tollgate.LabReport) { r.Examined-- },
		"plan":       func(r *tollgate.LabReport) { r.SamplingPlan = "one unit" },
	}
	for name, mutate := range tampered {
		c := r
		c.Measured = slices.Clone(r.Measured)
		c.Units.Serials = slices.Clone(r.Units.Serials)
		mutate(&c)
		if err := VerifyReport(key.PublicKey, c, r.Signature); errField(t, err, tollgate.EINVALID) != "signature" {
			t.Errorf("tampered %s: VerifyReport = %v, want a signature error", name, err)
		}
	}
	for i := range r.Signature {
		sig := bytes.Clone(r.Signature)
		sig[i] ^= 1
		if VerifyReport(key.PublicKey, r, sig) == nil {
			t.Fatalf("signature with byte %d flipped verifies", i)
		}
	}
	other, _ := labKey("other lab")
	if err := VerifyReport(other.PublicKey, r, r.Signature); errField(t, err, tollgate.EINVALID) != "key_id" {
		t.Errorf("VerifyReport(other key) = %v, want key_id", err)
	}
	_, otherPriv := labKey("other lab")
	if _, err := SignReport(otherPriv, r); errField(t, err, tollgate.EINVALID) != "key_id" {
		t.Errorf("SignReport(key not named) = %v, want key_id", err)
	}
	if !bytes.HasPrefix(CanonicalReport(r), []byte(reportContext)) {
		t.Errorf("canonical bytes lack the context line")
	}
}

func TestCheckReport(t *testing.T) {
	key, priv := labKey("lab")
	ss := serials("S", 3)
	imports := []tollgate.ImportEntry{serialImport("ABC-1234567-6", ss), lotImport("ABC-1234568-4", "LOT-A", 50)}
	good := mustSignedReport(t, key, priv, "LAB-1", tollgate.Units{Serials: ss, Count: 3}, 4790)
	lot := mustSignedReport(t, key, priv, "LAB-2", tollgate.Units{Lot: "LOT-A", Count: 10}, 4790)
	tests := []struct {
		name   string
		report tollgate.LabReport
		key    func(k *tollgate.LabKey)
		code   string
		part   string
	}{
		{"OK/serials", good, nil, "", ""},
		{"OK/lot", lot, nil, "", ""},
		{"ErrOtherLab", good, func(k *tollgate.LabKey) { k.LabOrgID = "org-lab-2" }, tollgate.EINVALID, "registered with lab org-lab-2"},
		{"ErrRevoked", good, func(k *tollgate.LabKey) { k.RevokedAt = day("2026-02-01") }, tollgate.EINVALID, "revoked"},
		{"ErrUnsigned", func() tollgate.LabReport { r := good; r.Signature = nil; return r }(), nil, tollgate.EINVALID, "does not verify"},
		{"ErrJudgment", resign(t, good, priv, func(r *tollgate.LabReport) { r.Pass = true; r.MeasuredDRAMBandwidthGBps = 9000 }),
			nil, tollgate.EINVALID, "not the rule's"},
		{"ErrNeverImported", mustSignedReport(t, key, priv, "LAB-3", tollgate.Units{Serials: []string{"S-0", "X-9"}, Count: 2}, 4790),
			nil, tollgate.EPRECONDITION, "units never imported as H200: X-9 (1 units)"},
		{"ErrLotTooSmall", mustSignedReport(t, key, priv, "LAB-4", tollgate.Units{Lot: "LOT-A", Count: 51}, 4790),
			nil, tollgate.EPRECONDITION, "covers 51 units of lot LOT-A, of which 50 were imported"},
		// The agency, not the lab, sets the tolerance (5% by default).
		{"ErrToleranceAboveAgency", resign(t, good, priv, func(r *tollgate.LabReport) { r.ToleranceBP = 4000; *r = rejudge(t, *r) }),
			nil, tollgate.EPRECONDITION, "applies a 40% tolerance; the licensing agency allows at most 5%"},
		{"ErrSampleBelowMinimum", resign(t, lot, priv, func(r *tollgate.LabReport) { r.Examined, r.SamplingPlan = 2, "2 of 10, random" }),
			nil, tollgate.EPRECONDITION, "examined 2 of 10 units (sampling plan: 2 of 10, random); the licensing agency's minimum is 10 (100% of the units)"},
		{"ErrTestedBeforeEntry", resign(t, good, priv, func(r *tollgate.LabReport) { r.TestedAt = day("2026-01-31") }),
			nil, tollgate.EPRECONDITION, "tested 2026-01-31, covers units that entered the US after it"},
		{"ErrLotTestedBeforeEntry", resign(t, lot, priv, func(r *tollgate.LabReport) { r.TestedAt = day("2026-01-31") }),
			nil, tollgate.EPRECONDITION, "of which 0 had entered the US by then"},
		{"ErrLotUnknown", mustSignedReport(t, key, priv, "LAB-5", tollgate.Units{Lot: "LOT-Z", Count: 1}, 4790),
			nil, tollgate.EPRECONDITION, "of which 0 were imported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := key
			if tt.key != nil {
				tt.key(&k)
			}
			err := CheckReport(tt.report, h200(), k, imports, DefaultReviewRules())
			if tt.code == "" {
				if err != nil {
					t.Fatalf("CheckReport() = %v", err)
				}
				return
			}
			wantError(t, err, tt.code, tt.part)
		})
	}
}

// rejudge judges r again under the default rules.
func rejudge(t *testing.T, r tollgate.LabReport) tollgate.LabReport {
	t.Helper()
	r, err := Judge(r, h200(), DefaultReviewRules())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// resign changes r and signs it again, so that only the change is wrong.
func resign(t *testing.T, r tollgate.LabReport, priv ed25519.PrivateKey, change func(r *tollgate.LabReport)) tollgate.LabReport {
	t.Helper()
	change(&r)
	sig, err := SignReport(priv, r)
	if err != nil {
		t.Fatal(err)
	}
	r.Signature = sig
	return r
}

func TestCheckIndependence(t *testing.T) {
	lab := tollgate.Org{ID: "org-lab", Kind: tollgate.OrgLab, Name: "Bay Area Test Lab, Inc.", Country: "US"}
	exporter := tollgate.Org{ID: "org-nv", Kind: tollgate.OrgExporter, Name: "NVIDIA Corporation", Country: "US"}
	consignee := &tollgate.Party{ID: "p-bd", LegalName: "Beijing ByteDance Technology Co., Ltd.", UltimateParent: "ByteDance Ltd."}
	tests := []struct {
		name      string
		lab       func(o *tollgate.Org)
		exporter  func(o *tollgate.Org)
		consignee *tollgate.Party
		part      string
	}{
		{"OK", nil, nil, consignee, ""},
		{"OK/NoConsignee", nil, nil, nil, ""},
		{"OK/OwnParents", func(o *tollgate.Org) { o.UltimateParent = "Test Holdings LLC" }, func(o *tollgate.Org) { o.UltimateParent = "NVIDIA Corporation" }, consignee, ""},
		{"ErrAbroad", func(o *tollgate.Org) { o.Country = "TW" }, nil, consignee, "located in TW: the rule asks for a third-party lab in the US"},
		{"ErrIsExporter", func(o *tollgate.Org) { o.ID = "org-nv" }, nil, consignee, "is the exporter"},
		{"ErrExporterParent", func(o *tollgate.Org) { o.UltimateParent = "NVIDIA Corp." }, func(o *tollgate.Org) { o.Name = "NVIDIA Corp" }, consignee,
			`not independent of the exporter NVIDIA Corp: they share the name or ultimate parent "NVIDIACORP"`},
		{"ErrSharedParent", func(o *tollgate.Org) { o.UltimateParent = "Big Holdings" }, func(o *tollgate.Org) { o.UltimateParent = "BIG holdings" }, consignee,
			"not independent of the exporter"},
		{"ErrConsigneeParent", func(o *tollgate.Org) { o.UltimateParent = "ByteDance Ltd" }, nil, consignee,
			"not independent of the consignee Beijing ByteDance Technology Co., Ltd."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, e := lab, exporter
			if tt.lab != nil {
				tt.lab(&l)
			}
			if tt.exporter != nil {
				tt.exporter(&e)
			}
			err := CheckIndependence(l, e, tt.consignee)
			if tt.part == "" {
				if err != nil {
					t.Fatalf("CheckIndependence() = %v", err)
				}
				return
			}
			wantError(t, err, tollgate.EPRECONDITION, tt.part)
		})
	}
}

func TestReviewRules(t *testing.T) {
	r := DefaultReviewRules()
	if r.MaxTPP != 21000 || r.MaxDRAMBandwidthGBps != 6500 || r.ToleranceBP != 500 || r.MinExaminedBP != 10000 || r.MaxAge != 30*24*time.Hour {
		t.Errorf("DefaultReviewRules() = %+v; want 21000, 6500 GB/s, 5%%, every unit, 30 days", r)
	}
	lic := license()
	if got := r.ToleranceFor(lic); got != 500 {
		t.Errorf("ToleranceFor(no condition) = %d, want 500", got)
	}
	lic.Conditions[0].LabToleranceBP = 200
	if got := r.ToleranceFor(lic); got != 200 {
		t.Errorf("ToleranceFor(condition of 2%%) = %d, want 200", got)
	}
	lic.Conditions[0].LabToleranceBP = 900 // a condition never loosens it
	if got := r.ToleranceFor(lic); got != 500 {
		t.Errorf("ToleranceFor(condition of 9%%) = %d, want 500", got)
	}
	r.MinExaminedBP = 1000
	// Rounded up to whole units, without overflow for the largest lots.
	for n, want := range map[int64]int64{1: 1, 10: 1, 11: 2, 100: 10, 1<<62 + 1: 1<<62/10 + 1} {
		if got := r.MinExamined(n); got != want {
			t.Errorf("MinExamined(%d) at 10%% = %d, want %d", n, got, want)
		}
	}
	bad := DefaultReviewRules()
	bad.MaxAge = time.Hour
	if err := bad.Validate(); errField(t, err, tollgate.EINVALID) != "review.max_age" {
		t.Errorf("Validate(1h) = %v, want review.max_age", err)
	}
}
