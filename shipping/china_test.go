package shipping

import (
	"slices"
	"sort"
	"testing"

	"tollgate"
	"tollgate/classify"
)

// TestCapDestinationsAgreeWithClassify: for every ISO country code, the
// 50% cap counts exports to it exactly when classify reviews an H200
// export to it under the H200 rule (whose third certification is the cap).
func TestCapDestinationsAgreeWithClassify(t *testing.T) {
	rb := classify.Default()
	cfg := DefaultConfig()
	codes := make([]string, 0, len(rb.CountryCodes))
	for cc := range rb.CountryCodes {
		codes = append(codes, cc)
	}
	sort.Strings(codes)
	var china []string
	for _, cc := range codes {
		c, err := rb.Classify(classify.Request{Chip: h200(), To: cc, AsOf: day("2026-03-01")})
		if err != nil {
			t.Fatalf("%s: %v", cc, err)
		}
		underRule := slices.ContainsFunc(c.Destination.Conditions, func(r tollgate.RequiredCertification) bool { return r.Code == "china_cap_50pct" })
		if underRule {
			china = append(china, cc)
		}
		if got := cfg.capped(cc); got != underRule {
			t.Errorf("%s: cap counts it = %t, classify puts it under the H200 rule = %t", cc, got, underRule)
		}
		if got := classify.IsChinaOrMacau(cc); got != underRule {
			t.Errorf("%s: IsChinaOrMacau = %t, classify puts it under the H200 rule = %t", cc, got, underRule)
		}
	}
	if want := []string{"CN", "HK", "MO"}; !slices.Equal(china, want) {
		t.Errorf("destinations under the H200 rule = %v, want %v", china, want)
	}
}

// hongKong moves the reservation fixture's license, order and request to HK.
func hongKong(in *ReserveInput) {
	in.License.Destination, in.Order.Destination, in.Request.Destination = "HK", "HK", "HK"
}

// TestReserveCapHongKong: an HK reservation is held to the cap as a CN one
// is (it passed with 1,000,000 units held and no US units).
func TestReserveCapHongKong(t *testing.T) {
	for _, dest := range []string{"CN", "HK", "MO"} {
		t.Run(dest, func(t *testing.T) {
			in := reserveFixture(t)
			oneUnit(t, &in)
			in.License.Destination, in.Order.Destination, in.Request.Destination = dest, dest, dest
			in.USUnits, in.ChinaHeldUnits = 0, 1_000_000
			wantError(t, CheckReserve(in), tollgate.ELIMIT, "50% cap")
		})
	}
	t.Run("OK/HKUnderTheCap", func(t *testing.T) {
		in := reserveFixture(t)
		oneUnit(t, &in)
		hongKong(&in)
		in.USUnits, in.ChinaHeldUnits = 10_000, 4_999
		if err := CheckReserve(in); err != nil {
			t.Fatalf("the 5,000th unit to HK: %v", err)
		}
	})
}

// TestReportCountsHongKong: units and revenue shipped to HK are China
// figures of the period report.
func TestReportCountsHongKong(t *testing.T) {
	in := reportFixture()
	periods, err := MonthlyPeriods(day("2026-03-01"), day("2026-04-01"), 1)
	if err != nil {
		t.Fatal(err)
	}
	in.Periods = periods
	base, err := Report(in)
	if err != nil {
		t.Fatal(err)
	}
	hk := shippedExport("e-hk", "o-1", tollgate.Units{Serials: serials("S", 60)[50:], Count: 10}, "2026-03-12")
	hk.Destination = "HK"
	in.Exports = append(in.Exports, hk)
	got, err := Report(in)
	if err != nil {
		t.Fatal(err)
	}
	b, g := base[len(base)-1], got[len(got)-1]
	if g.ChinaUnits != b.ChinaUnits+10 || g.ChinaRevenueCents != b.ChinaRevenueCents+hk.ValueCents || g.ChinaUnitsToDate != b.ChinaUnitsToDate+10 {
		t.Errorf("with 10 HK units: China units %d (to date %d), revenue %d; want %d (%d), %d",
			g.ChinaUnits, g.ChinaUnitsToDate, g.ChinaRevenueCents, b.ChinaUnits+10, b.ChinaUnitsToDate+10, b.ChinaRevenueCents+hk.ValueCents)
	}
}
