package shipping

import (
	"testing"

	"tollgate"
	"tollgate/classify"
)

// BenchmarkCheckReserve measures the pure checks of one reservation of 100
// serial-numbered units covered by one signed lab report: the per-request
// cost a store adds to its transaction (dominated by the Ed25519
// verification of the report).
func BenchmarkCheckReserve(b *testing.B) {
	in := reserveFixture(b)
	for b.Loop() {
		if err := CheckReserve(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckReserveLot is the same for 100 units of a lot.
func BenchmarkCheckReserveLot(b *testing.B) {
	in := reserveFixture(b)
	key, priv := labKey("lab")
	in.Units.Imports = []tollgate.ImportEntry{lotImport("ABC-1234568-4", "L", 500)}
	in.Units.Reports = []tollgate.LabReport{mustSignedReport(b, key, priv, "LAB-L", tollgate.Units{Lot: "L", Count: 100}, 4790)}
	in.Request.Units = tollgate.Units{Lot: "L", Count: 100}
	for b.Loop() {
		if err := CheckReserve(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDuty measures the Section 232 line of one import entry.
func BenchmarkDuty(b *testing.B) {
	rules, entry, chip := classify.Default(), h200Entry(), h200()
	for b.Loop() {
		if _, err := Duty(rules, entry, chip); err != nil {
			b.Fatal(err)
		}
	}
}
