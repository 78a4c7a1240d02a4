package shipping

import (
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/classify"
)

// h200Entry is the example: 1,000 H200s entered at $25,000 each.
func h200Entry() tollgate.ImportEntry {
	e := lotImport("ABC-1234567-6", "TW-LOT-1", 1000)
	e.DutyCents, e.DutyStatus, e.PaymentReference, e.PaidOn = 0, "", "", time.Time{}
	return e
}

func h100() tollgate.Chip {
	c := h200()
	c.Model, c.DRAMBandwidthGBps = "H100 SXM", 3350
	return c
}

func TestDuty(t *testing.T) {
	rules := classify.Default()
	tests := []struct {
		name    string
		mutate  func(e *tollgate.ImportEntry)
		chip    tollgate.Chip
		heading string
		cents   int64
		bound   bool
	}{
		{"OK/H200Band1", func(e *tollgate.ImportEntry) {}, h200(), "9903.79.01", 625_000_000, false},
		{"OK/DataCenterExemption", func(e *tollgate.ImportEntry) {
			e.Exemption, e.EndUseCertification = "9903.79.03", "US data center end-use certificate DC-17"
		}, h200(), "9903.79.03", 0, true},
		{"OK/NoBand", func(e *tollgate.ImportEntry) {}, h100(), "9903.79.02", 0, false},
		{"OK/NoBandExemptionStillBinds", func(e *tollgate.ImportEntry) {
			e.Exemption, e.EndUseCertification = "99037905", "US R&D end-use certificate"
		}, h100(), "9903.79.02", 0, true},
		{"OK/OutOfScopeHTS", func(e *tollgate.ImportEntry) { e.HTS = "8542.31.0000" }, h200(), "", 0, false},
		{"OK/BeforeTheDuty", func(e *tollgate.ImportEntry) { e.EntryDate = day("2026-01-14") }, h200(), "", 0, false},
		{"OK/FirstDay", func(e *tollgate.ImportEntry) { e.EntryDate = day("2026-01-15") }, h200(), "9903.79.01", 625_000_000, false},
		// 25% of 10 cents is 2.5 cents: half-up gives 3.
		{"OK/RoundHalfUp", func(e *tollgate.ImportEntry) { e.EnteredValueCents = 10 }, h200(), "9903.79.01", 3, false},
		{"OK/RoundDown", func(e *tollgate.ImportEntry) { e.EnteredValueCents = 9 }, h200(), "9903.79.01", 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := h200Entry()
			tt.mutate(&e)
			line, err := Duty(rules, e, tt.chip)
			if err != nil {
				t.Fatalf("Duty() = %v", err)
			}
			if line.Tariff.Heading != tt.heading || line.DutyCents != tt.cents || line.Bound != tt.bound {
				t.Errorf("Duty() = heading %q, %d cents, bound %t; want %q, %d, %t (reasons %q)",
					line.Tariff.Heading, line.DutyCents, line.Bound, tt.heading, tt.cents, tt.bound, line.Tariff.Reasons)
			}
		})
	}
}

// TestDutyUnknownFigures: a chip whose DRAM bandwidth or TPP is unknown
// and could place it in a band pays the band's duty, labelled as assumed.
func TestDutyUnknownFigures(t *testing.T) {
	for name, edit := range map[string]func(c *tollgate.Chip){
		"DRAMUnknown": func(c *tollgate.Chip) { c.DRAMBandwidthGBps = 0 },
		"TPPUnknown":  func(c *tollgate.Chip) { c.Peaks = nil },
	} {
		t.Run(name, func(t *testing.T) {
			c := h200()
			edit(&c)
			line, err := Duty(classify.Default(), h200Entry(), c)
			if err != nil {
				t.Fatal(err)
			}
			if line.Tariff.Heading != "9903.79.01" || !line.Tariff.Assumed || line.DutyCents == 0 {
				t.Errorf("heading %s, assumed %t, duty %d; want 9903.79.01, assumed, the 25%% duty", line.Tariff.Heading, line.Tariff.Assumed, line.DutyCents)
			}
		})
	}
}

func TestDutyErrors(t *testing.T) {
	rules := classify.Default()
	tests := []struct {
		name   string
		mutate func(e *tollgate.ImportEntry, c *tollgate.Chip)
		field  string
	}{
		{"ErrNotAnExemption", func(e *tollgate.ImportEntry, c *tollgate.Chip) {
			e.Exemption, e.EndUseCertification = "9903.79.01", "cert"
		}, "exemption"},
		{"ErrEntry", func(e *tollgate.ImportEntry, c *tollgate.Chip) { e.EnteredValueCents = 0 }, "entered_value_cents"},
		{"ErrChip", func(e *tollgate.ImportEntry, c *tollgate.Chip) { c.DRAMBandwidthGBps = -1 }, "chip.dram_bandwidth_gbps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, c := h200Entry(), h200()
			tt.mutate(&e, &c)
			_, err := Duty(rules, e, c)
			if got := errField(t, err, tollgate.EINVALID); got != tt.field {
				t.Errorf("Duty() = %v; field %q, want %q", err, got, tt.field)
			}
		})
	}
	if _, err := Duty(nil, h200Entry(), h200()); tollgate.ErrorCode(err) != tollgate.EINTERNAL {
		t.Errorf("Duty(nil rules) = %v, want internal", err)
	}
}

// TestDutyPerLine shows that duty rounds on each line: two lines of 10
// cents pay 3 + 3 cents where one line of 20 would pay 5.
func TestDutyPerLine(t *testing.T) {
	rules := classify.Default()
	var sum int64
	for line := 1; line <= 2; line++ {
		e := h200Entry()
		e.Line, e.EnteredValueCents = line, 10
		d, err := Duty(rules, e, h200())
		if err != nil {
			t.Fatal(err)
		}
		sum += d.DutyCents
	}
	whole := h200Entry()
	whole.EnteredValueCents = 20
	d, err := Duty(rules, whole, h200())
	if err != nil {
		t.Fatal(err)
	}
	if sum != 6 || d.DutyCents != 5 {
		t.Errorf("per line: %d cents, whole: %d; want 6 and 5", sum, d.DutyCents)
	}
}

func TestRoundHalfUp(t *testing.T) {
	tests := []struct{ n, d, want int64 }{
		{0, 10000, 0}, {4999, 10000, 0}, {5000, 10000, 1}, {5001, 10000, 1}, {15000, 10000, 2},
		{25000, 10000, 3}, {-5000, 10000, -1}, {-4999, 10000, 0}, {7, 2, 4}, {6, 4, 2}, {5, 4, 1},
	}
	for _, tt := range tests {
		if got := roundHalfUp(tt.n, tt.d); got != tt.want {
			t.Errorf("roundHalfUp(%d, %d) = %d, want %d", tt.n, tt.d, got, tt.want)
		}
	}
	if _, err := applyRate(tollgate.MaxEnteredValueCents+1, 2500); err == nil {
		t.Errorf("applyRate beyond MaxEnteredValueCents succeeded")
	}
	if got, err := applyRate(tollgate.MaxEnteredValueCents, 10000); err != nil || got != tollgate.MaxEnteredValueCents {
		t.Errorf("applyRate(max, 100%%) = %d, %v; want %d", got, err, int64(tollgate.MaxEnteredValueCents))
	}
}

func TestAssessAndPay(t *testing.T) {
	rules := classify.Default()
	e := h200Entry()
	e.HTS = "847330"
	got, err := Assess(rules, e, h200())
	if err != nil {
		t.Fatal(err)
	}
	if got.HTS != "8473.30" || got.Heading != "9903.79.01" || got.Band != 1 || got.RateBP != 2500 ||
		got.DutyCents != 625_000_000 || got.DutyStatus != tollgate.DutyOwed || got.Bound {
		t.Errorf("Assess() = %+v; want HTS 8473.30, heading 9903.79.01, band 1, 2500 bp, 625000000 cents owed", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("assessed entry does not validate: %v", err)
	}
	if _, err := PayDuty(got, "", day("2026-02-05")); errField(t, err, tollgate.EINVALID) != "payment_reference" {
		t.Errorf("PayDuty without reference = %v", err)
	}
	paid, err := PayDuty(got, "ACH 2026-0205-17", day("2026-02-05"))
	if err != nil || paid.DutyStatus != tollgate.DutyPaid || paid.PaymentReference != "ACH 2026-0205-17" {
		t.Fatalf("PayDuty() = %+v, %v", paid, err)
	}
	if _, err := PayDuty(paid, "again", day("2026-02-06")); tollgate.ErrorCode(err) != tollgate.ECONFLICT || !strings.Contains(err.Error(), "already paid") {
		t.Errorf("PayDuty twice = %v, want conflict", err)
	}
	e.Exemption, e.EndUseCertification = "9903.79.03", "DC cert"
	exempt, err := Assess(rules, e, h200())
	if err != nil || exempt.DutyStatus != tollgate.DutyNone || !exempt.Bound || exempt.DutyCents != 0 {
		t.Fatalf("Assess(exempt) = %+v, %v; want no duty, bound", exempt, err)
	}
	if _, err := PayDuty(exempt, "ACH", day("2026-02-05")); tollgate.ErrorCode(err) != tollgate.ECONFLICT {
		t.Errorf("PayDuty(no duty) = %v, want conflict", err)
	}
}
