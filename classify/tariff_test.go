package classify_test

import (
	"errors"
	"math"
	"testing"

	"tollgate"
	"tollgate/classify"
)

// TestSection232Bands checks both bands at every edge: all four bounds are
// strict inequalities.
func TestSection232Bands(t *testing.T) {
	tests := []struct {
		name    string
		tpp, bw float64
		band    int
	}{
		{"H200", 15832, 4800, 1},
		{"MI325X", 20919.2, 6000, 2},
		{"B1_TPPLowAt", 14000, 4800, 0},
		{"B1_TPPLowAbove", 14000.01, 4800, 1},
		{"B1_TPPHighBelow", 17499.99, 4800, 1},
		{"B1_TPPHighAt", 17500, 4800, 0},
		{"B1_BWLowAt", 15832, 4500, 0},
		{"B1_BWLowAbove", 15832, 4501, 1},
		{"B1_BWHighBelow", 15832, 4999, 1},
		{"B1_BWHighAt", 15832, 5000, 0},
		{"B2_TPPLowAt", 20800, 6000, 0},
		{"B2_TPPLowAbove", 20801, 6000, 2},
		{"B2_TPPHighBelow", 21099, 6000, 2},
		{"B2_TPPHighAt", 21100, 6000, 0},
		{"B2_BWLowAt", 20919, 5800, 0},
		{"B2_BWLowAbove", 20919, 5801, 2},
		{"B2_BWHighBelow", 20919, 6199, 2},
		{"B2_BWHighAt", 20919, 6200, 0},
		{"H100", 15832, 3350, 0},
		{"B200", 36000, 8000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := classify.Default().Section232(classify.TariffInput{TPP: tt.tpp, DRAMBandwidthGBps: tt.bw, HTS: "8473.30", EntryDate: day("2026-02-01")})
			if err != nil {
				t.Fatalf("Section232() = %v", err)
			}
			wantHeading, wantRate := "9903.79.02", 0
			if tt.band > 0 {
				wantHeading, wantRate = "9903.79.01", 2500
			}
			if got.Band != tt.band || got.Heading != wantHeading || got.RateBP != wantRate {
				t.Errorf("band %d, heading %s, rate %d; want %d, %s, %d (%v)", got.Band, got.Heading, got.RateBP, tt.band, wantHeading, wantRate, got.Reasons)
			}
			if !got.InScope || got.Citation == "" {
				t.Errorf("in scope %v, citation %q; want true and a citation", got.InScope, got.Citation)
			}
		})
	}
}

func TestSection232Entry(t *testing.T) {
	tests := []struct {
		name, hts, exemption, date string
		inScope                    bool
		band                       int
		heading                    string
		rate                       int
	}{
		{"DayBeforeDuty", "8473.30", "", "2026-01-14", false, 0, "", 0},
		{"DutyEffectiveDay", "8473.30", "", "2026-01-15", true, 1, "9903.79.01", 2500},
		{"Computer8471.50", "8471.50.0150", "", "2026-03-01", true, 1, "9903.79.01", 2500},
		{"Unit8471.80", "84718010", "", "2026-03-01", true, 1, "9903.79.01", 2500},
		{"ICOutOfScope", "8542.31.0000", "", "2026-03-01", false, 0, "", 0},
		{"ExemptionDataCenter", "8473.30", "9903.79.03", "2026-03-01", true, 1, "9903.79.03", 0},
		{"ExemptionRAndD", "8473.30", "99037905", "2026-03-01", true, 1, "9903.79.05", 0},
		{"ExemptionPublicSector", "8473.30", "9903.79.09", "2026-03-01", true, 1, "9903.79.09", 0},
		{"ExemptionOutOfScope", "8542.31", "9903.79.05", "2026-03-01", false, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := classify.Default().Section232(classify.TariffInput{TPP: 15832, DRAMBandwidthGBps: 4800, HTS: tt.hts, Exemption: tt.exemption, EntryDate: day(tt.date)})
			if err != nil {
				t.Fatalf("Section232() = %v", err)
			}
			if got.InScope != tt.inScope || got.Band != tt.band || got.Heading != tt.heading || got.RateBP != tt.rate {
				t.Errorf("in scope %v, band %d, heading %q, rate %d; want %v, %d, %q, %d (%v)",
					got.InScope, got.Band, got.Heading, got.RateBP, tt.inScope, tt.band, tt.heading, tt.rate, got.Reasons)
			}
			if len(got.Reasons) == 0 {
				t.Error("no reasons given")
			}
		})
	}
}

func TestSection232Errors(t *testing.T) {
	ok := classify.TariffInput{TPP: 15832, DRAMBandwidthGBps: 4800, HTS: "8473.30", EntryDate: day("2026-03-01")}
	tests := []struct {
		name  string
		edit  func(*classify.TariffInput)
		field string
	}{
		{"NaNTPP", func(in *classify.TariffInput) { in.TPP = math.NaN() }, "tpp"},
		{"NegativeBW", func(in *classify.TariffInput) { in.DRAMBandwidthGBps = -1 }, "dram_bandwidth_gbps"},
		{"NoHTS", func(in *classify.TariffInput) { in.HTS = "" }, "hts"},
		{"ShortHTS", func(in *classify.TariffInput) { in.HTS = "8473" }, "hts"},
		{"LetterHTS", func(in *classify.TariffInput) { in.HTS = "8473.3O" }, "hts"},
		{"DutyHeadingAsExemption", func(in *classify.TariffInput) { in.Exemption = "9903.79.01" }, "exemption"},
		{"NoSuchExemption", func(in *classify.TariffInput) { in.Exemption = "9903.79.10" }, "exemption"},
		{"MalformedExemption", func(in *classify.TariffInput) { in.Exemption = "data center" }, "exemption"},
		{"NoEntryDate", func(in *classify.TariffInput) { in.EntryDate = day("0001-01-01") }, "entry_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.edit(&in)
			_, err := classify.Default().Section232(in)
			var te *tollgate.Error
			if !errors.As(err, &te) || te.Field != tt.field {
				t.Errorf("Section232() = %v, want an error on field %q", err, tt.field)
			}
		})
	}
}

func TestNormalizeHTS(t *testing.T) {
	tests := []struct{ in, want string }{
		{"8473.30", "8473.30"},
		{"847330", "8473.30"},
		{"8473.30.11", "8473.30.11"},
		{"8473.30.1180", "8473.30.1180"},
		{" 8471500150 ", "8471.50.0150"},
	}
	for _, tt := range tests {
		got, err := classify.NormalizeHTS(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeHTS(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestClassifyDefaultsHTS(t *testing.T) {
	c := mustClassify(t, classify.Request{Chip: h200Like()})
	if c.Tariff.HTS != "8473.30" || !containsReason(c, "no HTS code given: assumed 8473.30") {
		t.Errorf("HTS %q, reasons %q; want the default 8473.30 and a reason saying so", c.Tariff.HTS, c.Reasons)
	}
	c = mustClassify(t, classify.Request{Chip: h200Like(), HTS: "8542.31"})
	if c.Tariff.Band != 0 || c.Tariff.Heading != "" || !containsReason(c, "outside the Section 232 chip duty") {
		t.Errorf("out-of-scope HTS: band %d heading %q reasons %q; want band 0, no heading, a reason", c.Tariff.Band, c.Tariff.Heading, c.Reasons)
	}
}
