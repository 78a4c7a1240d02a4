package shipping_test

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"tollgate"
	"tollgate/classify"
	"tollgate/shipping"
)

func date(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

var h200 = tollgate.Chip{
	Vendor: "Nvidia", Model: "H200 SXM", DataCenter: true,
	Peaks:      []tollgate.PeakThroughput{{Precision: "FP8", Value: 1979, BitLength: 8}},
	DieAreaMM2: 814, DRAMBandwidthGBps: 4800, USAvailable: "2024-04-01",
}

// 1,000 H200s entered at $25,000 each pay 25% under heading 9903.79.01;
// under the US data-center exemption they pay nothing and are bound.
func ExampleDuty() {
	entry := tollgate.ImportEntry{
		ImporterOrgID: "org-broker", ExporterOrgID: "org-nv", ImporterOfRecord: "Nvidia Corp",
		EntryNumber: "ABC-1234567-6", Line: 1, EntryDate: date("2026-02-02"), Product: "H200",
		Units: tollgate.Units{Lot: "TW-2026-01", Count: 1000}, CountryOfOrigin: "TW", HTS: "8473.30.1180",
		EnteredValueCents: 1000 * 2_500_000,
	}
	rules := classify.Default()
	line, _ := shipping.Duty(rules, entry, h200)
	fmt.Printf("%s: $%d.%02d, bound %t\n", line.Tariff.Heading, line.DutyCents/100, line.DutyCents%100, line.Bound)

	entry.Exemption, entry.EndUseCertification = "9903.79.03", "US data center end-use certificate"
	line, _ = shipping.Duty(rules, entry, h200)
	fmt.Printf("%s: $%d.%02d, bound %t\n", line.Tariff.Heading, line.DutyCents/100, line.DutyCents%100, line.Bound)
	// Output:
	// 9903.79.01: $6250000.00, bound false
	// 9903.79.03: $0.00, bound true
}

// A reservation passes every check, or fails naming the first limit hit:
// here the lab report is missing, then the 50% cap is reached.
func ExampleCheckReserve() {
	now := date("2026-03-02").Add(9 * time.Hour)
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	key := tollgate.LabKey{ID: tollgate.LabKeyID(pub), LabOrgID: "org-lab", PublicKey: pub, CreatedAt: date("2026-01-01")}
	lot := tollgate.Units{Lot: "TW-2026-01", Count: 10}

	in := shipping.ReserveInput{
		Config: shipping.DefaultConfig(), Now: now,
		Request: tollgate.Export{ExporterOrgID: "org-nv", LicenseID: "lic-1", OrderID: "o-1", Product: "H200",
			Units: lot, ValueCents: 10 * 2_700_000, Destination: "CN", ReservedBy: "u-1"},
		License: tollgate.License{ID: "lic-1", Number: "D000001", HolderOrgID: "org-nv", ApplicationID: "app-1",
			Parties:     tollgate.ApplicationParties{Applicant: "org-nv", Purchaser: "p-bd", UltimateConsignee: "p-bd"},
			Destination: "CN", Items: []tollgate.LicenseItem{{Product: "H200", Quantity: 1000, ValueCents: 1000 * 2_700_000}},
			ValidFrom: date("2026-02-10"), ValidTo: date("2030-02-09"), Status: tollgate.LicenseActive},
		Order: tollgate.Order{ID: "o-1", ExporterOrgID: "org-nv", CustomerPartyID: "p-bd", Reference: "PO-1", Product: "H200",
			Quantity: 1000, UnitPriceCents: 2_700_000, Destination: "CN", State: tollgate.OrderLicensed, LicenseID: "lic-1"},
		Parties:               []shipping.PartyStanding{{PartyID: "p-bd", Status: tollgate.ScreeningClear, ListVersionIDs: []string{"lv-1"}}},
		CurrentListVersionIDs: []string{"lv-1"},
		Units: shipping.UnitFacts{Imports: []tollgate.ImportEntry{{ExporterOrgID: "org-nv", Product: "H200",
			EntryNumber: "ABC-1234567-6", Line: 1, Units: tollgate.Units{Lot: "TW-2026-01", Count: 1000}}}},
		USUnits: 10_000, ChinaHeldUnits: 4_990,
	}
	fmt.Println(tollgate.ErrorMessage(shipping.CheckReserve(in)))

	report, _ := shipping.Judge(tollgate.LabReport{
		Number: "LAB-1", LabOrgID: "org-lab", TechnicianUserID: "u-tech", ExporterOrgID: "org-nv", ApplicationID: "app-1",
		Product: "H200", Units: lot, Examined: lot.Count, SamplingPlan: "every unit",
		Method: "dense FP8 GEMM; HBM copy", ToleranceBP: 100, TestedAt: date("2026-02-20"),
		Measured: []tollgate.PeakThroughput{{Precision: "FP8", Value: 1985, BitLength: 8}}, MeasuredDRAMBandwidthGBps: 4790,
		KeyID: key.ID,
	}, h200, shipping.DefaultReviewRules())
	report.Signature, _ = shipping.SignReport(priv, report)
	in.Units.Reports, in.Units.LabKeys = []tollgate.LabReport{report}, []tollgate.LabKey{key}
	fmt.Println(shipping.CheckReserve(in))

	in.ChinaHeldUnits = 4_995
	fmt.Println(tollgate.ErrorMessage(shipping.CheckReserve(in)))
	// Output:
	// no passing signed lab review of exactly 10 units of lot TW-2026-01: every shipment is reviewed, and a review covers only the units it names
	// <nil>
	// 50% cap on China and Macau shipments exceeded for H200: 10000 US units allow 5000; 4995 held, 10 requested (over by 5)
}
