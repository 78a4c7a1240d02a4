package classify_test

import (
	"fmt"
	"time"

	"tollgate"
	"tollgate/classify"
)

// Classify an H200-class chip for export from the US to China, once before
// and once after the January 2026 H200 rule and Section 232 duty.
func ExampleRulebook_Classify() {
	chip := tollgate.Chip{
		Vendor: "Nvidia", Model: "H200 SXM", DataCenter: true,
		Peaks:      []tollgate.PeakThroughput{{Precision: "FP8", Value: 1979, BitLength: 8}},
		DieAreaMM2: 814, DRAMBandwidthGBps: 4800, USAvailable: "2024-04-01",
	}
	rules := classify.Default()
	for _, asOf := range []string{"2025-12-01", "2026-02-01"} {
		date, _ := time.Parse(time.DateOnly, asOf)
		c, err := rules.Classify(classify.Request{Chip: chip, To: "CN", AsOf: date})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %s TPP %v PD %.2f, %s, band %d, heading %q, %d bp, %d certifications\n",
			c.AsOf, c.ECCN, c.TPP, *c.PD, c.Destination.ReviewPolicy, c.Tariff.Band, c.Tariff.Heading, c.Tariff.RateBP, len(c.Destination.Conditions))
	}
	// Output:
	// 2025-12-01: 3A090.a TPP 15832 PD 19.45, presumption_of_denial, band 0, heading "", 0 bp, 0 certifications
	// 2026-02-01: 3A090.a TPP 15832 PD 19.45, case_by_case, band 1, heading "9903.79.01", 2500 bp, 6 certifications
}

// Section232 is what shipping calls for each import entry.
func ExampleRulebook_Section232() {
	entry, _ := time.Parse(time.DateOnly, "2026-03-02")
	t, err := classify.Default().Section232(classify.TariffInput{
		TPP: 20919.2, DRAMBandwidthGBps: 6000, HTS: "8471.50.0150", EntryDate: entry,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Band, t.Heading, t.RateBP)
	// Output: 2 9903.79.01 2500
}
