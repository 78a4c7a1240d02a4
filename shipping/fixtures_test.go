package shipping

import (
	"crypto/ed25519"
	"crypto/sha256"
	"slices"
	"strconv"
	"time"

	"tollgate"
)

// fataler is what fixtures need of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

// t0 is the fixtures' "now": after the H200 rule and the Section 232 duty.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// h200 is the H200 as the license application states it.
func h200() tollgate.Chip {
	return tollgate.Chip{
		Vendor: "Nvidia", Model: "H200 SXM", DataCenter: true,
		Peaks:      []tollgate.PeakThroughput{{Precision: "FP8", Value: 1979, BitLength: 8}, {Precision: "BF16", Value: 989.5, BitLength: 16}},
		DieAreaMM2: 814, DRAMBandwidthGBps: 4800, USAvailable: "2024-04-01",
	}
}

// labKey returns a deterministic lab key pair named by seed.
func labKey(seed string) (tollgate.LabKey, ed25519.PrivateKey) {
	s := sha256.Sum256([]byte(seed))
	priv := ed25519.NewKeyFromSeed(s[:])
	pub := priv.Public().(ed25519.PublicKey)
	return tollgate.LabKey{ID: tollgate.LabKeyID(pub), LabOrgID: "org-lab", PublicKey: pub, CreatedAt: day("2026-01-01")}, priv
}

func serials(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + "-" + strconv.Itoa(i)
	}
	return out
}

func serialImport(entry string, ss []string) tollgate.ImportEntry {
	return tollgate.ImportEntry{
		ID: "imp-" + entry, ImporterOrgID: "org-broker", ExporterOrgID: "org-nv", ImporterOfRecord: "Nvidia Corp",
		EntryNumber: entry, Line: 1, EntryDate: day("2026-02-02"), Product: "H200",
		Units: tollgate.Units{Serials: ss, Count: int64(len(ss))}, CountryOfOrigin: "TW", HTS: "8473.30.1180",
		EnteredValueCents: int64(len(ss)) * 2_500_000, DutyCents: int64(len(ss)) * 625_000, DutyStatus: tollgate.DutyPaid,
		PaymentReference: "ACH-" + entry, PaidOn: day("2026-02-03"),
	}
}

func lotImport(entry, lot string, n int64) tollgate.ImportEntry {
	e := serialImport(entry, nil)
	e.Units = tollgate.Units{Lot: lot, Count: n}
	e.EnteredValueCents, e.DutyCents = n*2_500_000, n*625_000
	return e
}

// mustSignedReport returns a judged report on units, signed with priv,
// tested on 20 Feb 2026 plus a minute per character of its number (so that
// "LAB" precedes "LAB-1", which precedes "LAB-RETEST").
func mustSignedReport(t fataler, key tollgate.LabKey, priv ed25519.PrivateKey, number string, units tollgate.Units, bw float64) tollgate.LabReport {
	t.Helper()
	r := tollgate.LabReport{
		ID: "lr-" + number, Number: number, LabOrgID: key.LabOrgID, TechnicianUserID: "u-tech", ExporterOrgID: "org-nv",
		ApplicationID: "app-1", Product: "H200", Units: units, Examined: units.Count, SamplingPlan: "every unit",
		Measured:                  []tollgate.PeakThroughput{{Precision: "FP8", Value: 1985, BitLength: 8}},
		MeasuredDRAMBandwidthGBps: bw, Method: "dense FP8 GEMM sweep; HBM copy bandwidth", ToleranceBP: 100,
		TestedAt: day("2026-02-20").Add(time.Duration(len(number)) * time.Minute), KeyID: key.ID,
		RecordedAt: day("2026-02-21"),
	}
	r, err := Judge(r, h200(), DefaultReviewRules())
	if err != nil {
		t.Fatal(err)
	}
	if r.Signature, err = SignReport(priv, r); err != nil {
		t.Fatal(err)
	}
	return r
}

func license() tollgate.License {
	return tollgate.License{
		ID: "lic-1", Number: "D000001", HolderOrgID: "org-nv", ApplicationID: "app-1", ControlNumber: "Z000001",
		Parties:     tollgate.ApplicationParties{Applicant: "org-nv", Purchaser: "p-bd", UltimateConsignee: "p-bd", EndUsers: []string{"p-bd-dc"}},
		Destination: "CN",
		Items:       []tollgate.LicenseItem{{Product: "H200", ECCN: "3A090.a", Quantity: 20_000, ValueCents: 20_000 * 2_700_000}},
		ValidFrom:   day("2026-02-10"), ValidTo: day("2030-02-09"), Status: tollgate.LicenseActive,
		Conditions: []tollgate.Condition{{ID: "C1", Text: "No remote access by unauthorized parties.",
			Binds: []tollgate.PartyRole{tollgate.RoleEndUser},
			Acknowledgments: []tollgate.Acknowledgment{{Role: tollgate.RoleEndUser, PartyID: "p-bd-dc", SignedBy: "Li Wei",
				RecordedBy: "u-1", At: day("2026-02-11")}}}},
	}
}

func licensedOrder(qty int64) tollgate.Order {
	return tollgate.Order{
		ID: "o-1", ExporterOrgID: "org-nv", CustomerPartyID: "p-bd", Reference: "PO-1", Product: "H200",
		Quantity: qty, UnitPriceCents: 2_700_000, Destination: "CN", State: tollgate.OrderLicensed, LicenseID: "lic-1",
		CreatedAt: day("2026-01-29"),
	}
}

func clearParties() []PartyStanding {
	var out []PartyStanding
	for _, id := range []string{"p-bd", "p-bd-dc"} {
		out = append(out, PartyStanding{PartyID: id, Status: tollgate.ScreeningClear, ListVersionIDs: []string{"lv-csl", "lv-sdn"}})
	}
	return out
}

// reserveFixture returns an input that passes: 100 serial-numbered H200s
// imported, tested and signed, a licensed order of 100, clear parties and
// 10,000 US units.
func reserveFixture(t fataler) ReserveInput {
	key, priv := labKey("lab")
	ss := serials("S", 100)
	units := tollgate.Units{Serials: slices.Clone(ss), Count: 100}
	return ReserveInput{
		Config: DefaultConfig(), Now: t0,
		Request: tollgate.Export{ExporterOrgID: "org-nv", LicenseID: "lic-1", OrderID: "o-1", Product: "H200",
			Units: units, ValueCents: 100 * 2_700_000, Destination: "CN", ReservedBy: "u-1"},
		License: license(), Order: licensedOrder(100),
		Parties: clearParties(), CurrentListVersionIDs: []string{"lv-csl", "lv-sdn"},
		Units: UnitFacts{
			Imports: []tollgate.ImportEntry{serialImport("ABC-1234567-6", slices.Clone(ss))},
			Reports: []tollgate.LabReport{mustSignedReport(t, key, priv, "LAB-1", tollgate.Units{Serials: slices.Clone(ss), Count: 100}, 4790)},
			LabKeys: []tollgate.LabKey{key},
		},
		USUnits: 10_000,
	}
}
