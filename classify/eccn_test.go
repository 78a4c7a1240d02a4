package classify_test

import (
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/classify"
)

// testChip is a chip whose TPP is exactly tpp (one 1-bit peak), with the
// given die area (0: unknown) and DRAM bandwidth, available in the US since
// 2024.
func testChip(tpp, die, bw float64, dataCenter bool) tollgate.Chip {
	return tollgate.Chip{
		Vendor: "Test", Model: "T1", DataCenter: dataCenter,
		Peaks:      []tollgate.PeakThroughput{{Precision: "TPP", Value: tpp, BitLength: 1}},
		DieAreaMM2: die, DRAMBandwidthGBps: bw, USAvailable: "2024-01-01",
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// mustClassify classifies req with the default rulebook or fails tb.
func mustClassify(tb testing.TB, req classify.Request) tollgate.Classification {
	tb.Helper()
	if req.AsOf.IsZero() {
		req.AsOf = day("2026-06-01")
	}
	c, err := classify.Default().Classify(req)
	if err != nil {
		tb.Fatalf("Classify(%s) = %v", req.Chip.Model, err)
	}
	return c
}

// TestECCNBoundaries checks every 3A090 threshold just below, at and just
// above it. PD values are exact quotients (2960/500 = 5.92).
func TestECCNBoundaries(t *testing.T) {
	tests := []struct {
		name     string
		tpp, die float64
		dc       bool
		want     string
	}{
		// 3A090.a by TPP alone (die unknown: TPP decides); below 4,800 an
		// unknown die leaves .a possible, which is assumed.
		{"TPP4800Below", 4799, 0, true, "3A090.a"},
		{"TPP1600BelowDieUnknown", 1599, 0, true, ""},
		{"TPP4800At", 4800, 0, true, "3A090.a"},
		{"TPP4800Above", 4801, 0, true, "3A090.a"},
		// 3A090.a by TPP >= 1600 and PD >= 5.92.
		{"A_TPP1600Below", 1599, 100, true, ""},
		{"A_TPP1600At", 1600, 100, true, "3A090.a"},
		{"A_TPP1600Above", 1601, 100, true, "3A090.a"},
		{"A_PD5.92Below", 1773, 300, true, "3A090.b"}, // PD 5.91: falls to .b (PD >= 3.2)
		{"A_PD5.92At", 1776, 300, true, "3A090.a"},
		{"A_PD5.92Above", 1779, 300, true, "3A090.a"},
		// 3A090.b: 2400 <= TPP < 4800 with 1.6 <= PD < 5.92.
		{"B_TPP2400Below", 2399, 1500, true, ""},
		{"B_TPP2400At", 2400, 1500, true, "3A090.b"},
		{"B_TPP2400Above", 2401, 1500, true, "3A090.b"},
		{"B_PD1.6Below", 3198, 2000, true, ""},
		{"B_PD1.6At", 3200, 2000, true, "3A090.b"},
		{"B_PD1.6Above", 3202, 2000, true, "3A090.b"},
		{"B_TPP4800Below", 4799, 1000, true, "3A090.b"},
		{"B_TPP4800At", 4800, 1000, true, "3A090.a"},
		{"B_PD5.92Below", 2955, 500, true, "3A090.b"},
		{"B_PD5.92At", 2960, 500, true, "3A090.a"},
		// 3A090.b: TPP >= 1600 with 3.2 <= PD < 5.92.
		{"B2_TPP1600Below", 1599, 499.6875, true, ""}, // PD 3.2
		{"B2_TPP1600At", 1600, 500, true, "3A090.b"},
		{"B2_PD3.2Below", 2000, 626, true, ""},
		{"B2_PD3.2At", 2000, 625, true, "3A090.b"},
		{"B2_PD3.2Above", 2000, 624, true, "3A090.b"},
		// Not designed or marketed for data centers: TPP >= 4800 only.
		{"NonDC4800Below", 4799, 100, false, ""},
		{"NonDC4800At", 4800, 100, false, "3A090.a"},
		{"NonDC4800Above", 4801, 0, false, "3A090.a"},
		{"NonDCHighPD", 4000, 100, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustClassify(t, classify.Request{Chip: testChip(tt.tpp, tt.die, 1000, tt.dc)})
			if c.ECCN != tt.want {
				t.Errorf("ECCN = %q, want %q; reasons:\n%s", c.ECCN, tt.want, strings.Join(c.Reasons, "\n"))
			}
			if got, want := c.Controlled, tt.want != ""; got != want {
				t.Errorf("Controlled = %v, want %v", got, want)
			}
		})
	}
}

func TestECCNSystem(t *testing.T) {
	tests := []struct {
		tpp, die float64
		want     string
	}{
		{4800, 0, "4A090.a"},
		{2400, 1500, "4A090.b"},
		{1000, 0, ""},
	}
	for _, tt := range tests {
		c := mustClassify(t, classify.Request{Chip: testChip(tt.tpp, tt.die, 1000, true), System: true})
		if c.ECCN != tt.want {
			t.Errorf("system with TPP %v: ECCN = %q, want %q", tt.tpp, c.ECCN, tt.want)
		}
	}
}

func TestPDUnknownIsReported(t *testing.T) {
	for _, tpp := range []float64{1000, 2000, 36000} {
		c := mustClassify(t, classify.Request{Chip: testChip(tpp, 0, 1000, true)})
		if c.PD != nil {
			t.Errorf("TPP %v: PD = %v, want nil (unknown)", tpp, *c.PD)
		}
		if !containsReason(c, "PD unknown") {
			t.Errorf("TPP %v: reasons do not say PD is unknown:\n%s", tpp, strings.Join(c.Reasons, "\n"))
		}
	}
}

func TestMeasure(t *testing.T) {
	c := tollgate.Chip{Peaks: []tollgate.PeakThroughput{
		{Precision: "BF16", Value: 989.5, BitLength: 16},
		{Precision: "FP8", Value: 2614.9, BitLength: 8},
		{Precision: "FP4", Value: 4000, BitLength: 4},
	}, DieAreaMM2: 1000}
	p := classify.Measure(c)
	if p.TPP != 20919.2 || p.Precision != "FP8" {
		t.Errorf("Measure() TPP = %v (%s), want 20919.2 (FP8)", p.TPP, p.Precision)
	}
	if !p.PDKnown || p.PD != 20.9192 {
		t.Errorf("Measure() PD = %v, %v, want 20.9192, true", p.PD, p.PDKnown)
	}
}

func containsReason(c tollgate.Classification, part string) bool {
	for _, r := range c.Reasons {
		if strings.Contains(r, part) {
			return true
		}
	}
	return false
}
