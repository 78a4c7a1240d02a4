package shipping

import (
	"testing"
	"time"

	"tollgate"
	"tollgate/classify"
	"tollgate/licensing"
)

// oneUnit narrows the fixture's request to serial S-0.
func oneUnit(t *testing.T, in *ReserveInput) {
	key, priv := labKey("lab")
	in.Request.Units = tollgate.Units{Serials: []string{"S-0"}, Count: 1}
	in.Request.ValueCents = 2_700_000
	in.Units.Reports = append(in.Units.Reports, mustSignedReport(t, key, priv, "LAB-S-0", in.Request.Units, 4790))
}

// byLot switches the fixture to 500 units of lot L imported, 100 of them
// tested and requested.
func byLot(t *testing.T) func(in *ReserveInput) {
	return func(in *ReserveInput) {
		key, priv := labKey("lab")
		in.Units.Imports = []tollgate.ImportEntry{lotImport("ABC-1234568-4", "L", 500)}
		in.Units.Reports = []tollgate.LabReport{mustSignedReport(t, key, priv, "LAB-L", tollgate.Units{Lot: "L", Count: 100}, 4790)}
		in.Request.Units = tollgate.Units{Lot: "L", Count: 100}
	}
}

func heldExport(id string, state tollgate.ExportState, units tollgate.Units) tollgate.Export {
	e := validReservation()
	e.ID, e.State, e.Units, e.ValueCents = id, state, units, units.Count*2_700_000
	e.ReservedAt, e.ExpiresAt = t0.Add(-time.Hour), t0.Add(time.Hour)
	if state == tollgate.ExportShipped {
		e.FilingReference, e.ExportedOn, e.ShippedBy, e.ShippedAt = "X20260302000001", day("2026-03-02"), "u-1", t0
	}
	return e
}

// prc returns a recorded PRC status change.
func prc(s tollgate.PRCStatus) tollgate.PRCStatusChange {
	return tollgate.PRCStatusChange{Status: s, RecordedBy: "u-1", At: day("2026-01-30")}
}

func TestCheckReserve(t *testing.T) {
	key, priv := labKey("lab")
	tests := []struct {
		name   string
		mutate func(in *ReserveInput)
		code   string
		parts  []string
	}{
		{"OK", func(in *ReserveInput) {}, "", nil},
		{"OK/Lot", byLot(t), "", nil},
		{"OK/PRCRestrictedIsNotRefused", func(in *ReserveInput) { in.Order.PRC = prc(tollgate.PRCRestricted) }, "", nil},
		{"OK/ExpiredReservationReleasesUnits", func(in *ReserveInput) {
			e := heldExport("e-old", tollgate.ExportReserved, tollgate.Units{Serials: []string{"S-5"}, Count: 1})
			e.ExpiresAt = t0
			in.Units.Exports = []tollgate.Export{e}
		}, "", nil},
		{"OK/RetestAfterFailure", func(in *ReserveInput) {
			failed := mustSignedReport(t, key, priv, "LAB", in.Request.Units, 4900) // tested earlier (shorter number)
			in.Units.Reports = append(in.Units.Reports, failed)
		}, "", nil},

		{"ErrRequest", func(in *ReserveInput) { in.Request.Units.Count = 0 }, tollgate.EINVALID, []string{"units.count"}},
		{"ErrLicenseRecord", func(in *ReserveInput) { in.License.Items = nil }, tollgate.EINVALID, []string{"license.items"}},
		{"ErrOrderRecord", func(in *ReserveInput) { in.Order.Quantity = 0 }, tollgate.EINVALID, []string{"order.quantity"}},
		{"ErrLicenseID", func(in *ReserveInput) { in.Request.LicenseID = "lic-9" }, tollgate.EINVALID, []string{"license_id"}},
		{"ErrLicenseHolder", func(in *ReserveInput) { in.License.HolderOrgID = "org-amd" }, tollgate.EINVALID, []string{`license_id: license "lic-1" not found`}},
		{"ErrDestination", func(in *ReserveInput) { in.Request.Destination = "MO" }, tollgate.EINVALID, []string{"is for CN, not MO"}},
		{"ErrProductNotLicensed", func(in *ReserveInput) { in.License.Items[0].Product = "H100" }, tollgate.EINVALID, []string{"does not cover H200"}},

		{"ErrLicenseExpired", func(in *ReserveInput) { in.License.ValidTo = day("2026-03-01") }, tollgate.EPRECONDITION, []string{"D000001 is expired"}},
		{"ErrLicenseRevoked", func(in *ReserveInput) { in.License.Status = tollgate.LicenseRevoked }, tollgate.EPRECONDITION, []string{"revoked"}},
		{"ErrLicenseNotYetValid", func(in *ReserveInput) { in.License.ValidFrom = day("2026-03-03") }, tollgate.EPRECONDITION, []string{"valid from 2026-03-03"}},
		{"ErrConditionsUnacknowledged", func(in *ReserveInput) { in.License.Conditions[0].Acknowledgments = nil }, tollgate.EPRECONDITION,
			[]string{"unacknowledged condition", "condition C1 by end_user p-bd-dc"}},

		{"ErrPartyUnscreened", func(in *ReserveInput) { in.Parties = in.Parties[:1] }, tollgate.EPRECONDITION, []string{"p-bd-dc (end_user) has not been screened"}},
		{"ErrPartyPending", func(in *ReserveInput) { in.Parties[1].Status = tollgate.ScreeningPendingReview }, tollgate.EPRECONDITION, []string{"is pending_review"}},
		{"ErrPartyBlocked", func(in *ReserveInput) { in.Parties[0].Status = tollgate.ScreeningBlocked }, tollgate.EPRECONDITION, []string{"p-bd (purchaser) is blocked"}},
		{"ErrPartyStaleLists", func(in *ReserveInput) { in.CurrentListVersionIDs = append(in.CurrentListVersionIDs, "lv-el-2026-03") },
			tollgate.EPRECONDITION, []string{"current list version lv-el-2026-03", "re-screen"}},
		{"ErrCustomerNotOnLicense", func(in *ReserveInput) { in.Order.CustomerPartyID = "p-alibaba" }, tollgate.EPRECONDITION, []string{"p-alibaba is not a party"}},

		{"ErrOrderDrafted", func(in *ReserveInput) { in.Order.State = tollgate.OrderDrafted }, tollgate.EPRECONDITION, []string{"drafted"}},
		{"ErrOrderCancelled", func(in *ReserveInput) {
			in.Order.State, in.Order.CancelReason, in.Order.CancelledAt = tollgate.OrderCancelled, tollgate.CancelCustomerWithdrew, t0
		}, tollgate.ECONFLICT, []string{"is cancelled"}},
		{"ErrOrderOtherLicense", func(in *ReserveInput) { in.Order.LicenseID = "lic-2" }, tollgate.EINVALID, []string{"ships under license"}},
		{"ErrOrderOtherProduct", func(in *ReserveInput) { in.Order.Product = "MI325X" }, tollgate.EINVALID, []string{"order_id"}},
		{"ErrPRCBlocked", func(in *ReserveInput) { in.Order.PRC = prc(tollgate.PRCBlockedAtCustoms) }, tollgate.EPRECONDITION, []string{"PRC status is blocked_at_customs"}},
		{"ErrValue", func(in *ReserveInput) { in.Request.ValueCents-- }, tollgate.EINVALID, []string{"value_cents", "want 100 units x 2700000 cents"}},
		{"ErrOrderQuantity", func(in *ReserveInput) { in.OrderHeldUnits = 1 }, tollgate.ELIMIT, []string{"order quantity exceeded", "over by 1"}},

		{"ErrNeverImported", func(in *ReserveInput) { in.Units.Imports[0].Units.Serials[7] = "T-7" }, tollgate.EPRECONDITION,
			[]string{"units never imported as H200: S-7 (1 units)"}},
		{"ErrBoundByExemption", func(in *ReserveInput) {
			in.Units.Imports[0].Exemption, in.Units.Imports[0].EndUseCertification, in.Units.Imports[0].Bound = "9903.79.03", "DC", true
		}, tollgate.ECONFLICT, []string{"bound to a US end use by exemption 9903.79.03", "S-0, S-1", "and 90 more (100 units)"}},
		{"ErrAlreadyShipped", func(in *ReserveInput) {
			in.Units.Exports = []tollgate.Export{heldExport("e-old", tollgate.ExportShipped, tollgate.Units{Serials: []string{"S-5", "S-6"}, Count: 2})}
		}, tollgate.ECONFLICT, []string{"already shipped or reserved: S-5, S-6 (2 units)"}},
		{"ErrAlreadyReserved", func(in *ReserveInput) {
			in.Units.Exports = []tollgate.Export{heldExport("e-old", tollgate.ExportReserved, tollgate.Units{Serials: []string{"S-9"}, Count: 1})}
		}, tollgate.ECONFLICT, []string{"already shipped or reserved: S-9"}},
		{"ErrNoLabReport", func(in *ReserveInput) { in.Units.Reports = nil }, tollgate.EPRECONDITION,
			[]string{"no passing signed lab review of exactly serials S-0, S-1"}},
		{"ErrFailedLabReport", func(in *ReserveInput) {
			in.Units.Reports = []tollgate.LabReport{mustSignedReport(t, key, priv, "LAB-1", in.Request.Units, 4900)}
		}, tollgate.EPRECONDITION, []string{"lab report LAB-1 on serials S-0", "failed (measured DRAM bandwidth 4900 GB/s exceeds"}},
		{"ErrFailureAfterPass", func(in *ReserveInput) {
			in.Units.Reports = append(in.Units.Reports, mustSignedReport(t, key, priv, "LAB-RETEST", in.Request.Units, 4900))
		}, tollgate.EPRECONDITION, []string{"lab report LAB-RETEST", "failed"}},
		{"ErrFailureOfSomeUnitsAfterPass", func(in *ReserveInput) {
			in.Units.Reports = append(in.Units.Reports, mustSignedReport(t, key, priv, "LAB-RETEST", tollgate.Units{Serials: []string{"S-42"}, Count: 1}, 4900))
		}, tollgate.EPRECONDITION, []string{"lab report LAB-RETEST on serials S-0", "failed"}},
		{"ErrPartialCoverage", func(in *ReserveInput) {
			in.Units.Reports = []tollgate.LabReport{mustSignedReport(t, key, priv, "LAB-1", tollgate.Units{Serials: serials("S", 99), Count: 99}, 4790)}
		}, tollgate.EPRECONDITION, []string{"no passing signed lab review of exactly"}},
		// Every shipment is reviewed: a review of more units than the
		// export's does not cover it either.
		{"ErrReviewOfMoreUnits", func(in *ReserveInput) { oneUnit(t, in); in.Units.Reports = in.Units.Reports[:1] }, tollgate.EPRECONDITION,
			[]string{"no passing signed lab review of exactly serials S-0: every shipment is reviewed"}},
		{"ErrUnsignedReport", func(in *ReserveInput) { in.Units.Reports[0].Signature = nil }, tollgate.EPRECONDITION, []string{"signed lab review"}},
		{"ErrUnregisteredKey", func(in *ReserveInput) { in.Units.LabKeys = nil }, tollgate.EPRECONDITION, []string{"signed lab review"}},
		{"ErrRevokedKey", func(in *ReserveInput) { in.Units.LabKeys[0].RevokedAt = day("2026-02-15") }, tollgate.EPRECONDITION, []string{"signed lab review"}},
		{"ErrOtherApplication", func(in *ReserveInput) { in.License.ApplicationID = "app-2" }, tollgate.EPRECONDITION, []string{"signed lab review"}},
		{"ErrReviewTooOld", func(in *ReserveInput) { in.Now = day("2026-03-23") }, tollgate.EPRECONDITION,
			[]string{"lab report LAB-1 was tested on 2026-02-20, 31 days before the shipment on 2026-03-23; the licensing agency allows at most 30 days"}},
		{"ErrLicenseTightensTolerance", func(in *ReserveInput) { in.License.Conditions[0].LabToleranceBP = 50 }, tollgate.EPRECONDITION,
			[]string{"lab report LAB-1 applies a 1% tolerance; the licensing agency allows at most 0.5%"}},
		{"ErrSampleBelowMinimum", func(in *ReserveInput) {
			in.Units.Reports[0] = resign(t, in.Units.Reports[0], priv, func(r *tollgate.LabReport) { r.Examined = 50 })
		}, tollgate.EPRECONDITION, []string{"lab report LAB-1 examined 50 of 100 units", "minimum is 100"}},
		// The rule's limits hold whatever a report says of itself.
		{"ErrMeasuredAboveLimit", func(in *ReserveInput) {
			in.Units.Reports[0] = resign(t, in.Units.Reports[0], priv, func(r *tollgate.LabReport) { r.MeasuredTPP = 21_600 })
		}, tollgate.EPRECONDITION, []string{"lab report LAB-1 measured TPP 21600, not below the rule's limit of 21000 (BIS final rule"}},
		{"ErrBandwidthAboveLimit", func(in *ReserveInput) {
			in.Units.Reports[0] = resign(t, in.Units.Reports[0], priv, func(r *tollgate.LabReport) { r.MeasuredDRAMBandwidthGBps = 6_600 })
		}, tollgate.EPRECONDITION, []string{"measured DRAM bandwidth 6600 GB/s, not below the rule's limit of 6500 GB/s"}},

		{"ErrLicenseQuantity", func(in *ReserveInput) {
			in.LicenseUsed = []licensing.Consumption{{Product: "H200", Units: 19_950, ValueCents: 1}}
		}, tollgate.ELIMIT, []string{"license quantity exceeded for H200", "100 units requested, 50 remain (over by 50)"}},
		{"ErrLicenseValue", func(in *ReserveInput) {
			in.LicenseUsed = []licensing.Consumption{{Product: "H200", Units: 1, ValueCents: 20_000*2_700_000 - 100*2_700_000 + 1}}
		}, tollgate.ELIMIT, []string{"license value exceeded for H200", "over by 1"}},
		{"ErrCap", func(in *ReserveInput) { in.ChinaHeldUnits = 4_950 }, tollgate.ELIMIT,
			[]string{"50% cap", "10000 US units allow 5000; 4950 held, 100 requested (over by 50)"}},
		{"ErrCapNoUSShipments", func(in *ReserveInput) { in.USUnits = 0 }, tollgate.ELIMIT, []string{"50% cap", "allow 0"}},

		{"ErrLotNeverImported", func(in *ReserveInput) { byLot(t)(in); in.Request.Units.Lot = "M" }, tollgate.EPRECONDITION, []string{"lot M was never imported"}},
		{"ErrLotTooFewImported", func(in *ReserveInput) {
			byLot(t)(in)
			in.Request.Units.Count, in.Request.ValueCents, in.Order.Quantity = 501, 501*2_700_000, 501
		}, tollgate.EPRECONDITION,
			[]string{"501 units requested, only 500 imported for export (short by 1)"}},
		{"ErrLotHeld", func(in *ReserveInput) {
			byLot(t)(in)
			in.Units.Exports = []tollgate.Export{heldExport("e-old", tollgate.ExportShipped, tollgate.Units{Lot: "L", Count: 450})}
		}, tollgate.ECONFLICT, []string{"100 units requested, 50 available", "450 already shipped or reserved; short by 50"}},
		{"ErrLotBound", func(in *ReserveInput) {
			byLot(t)(in)
			exempt := lotImport("ABC-1234569-2", "L", 300)
			exempt.Exemption, exempt.EndUseCertification, exempt.Bound = "9903.79.05", "R&D", true
			in.Units.Imports = append(in.Units.Imports, exempt)
			in.Units.Exports = []tollgate.Export{heldExport("e-old", tollgate.ExportShipped, tollgate.Units{Lot: "L", Count: 450})}
		}, tollgate.ECONFLICT, []string{"300 are bound to a US end use by exemption 9903.79.05"}},
		{"ErrLotNoReport", func(in *ReserveInput) { byLot(t)(in); in.Units.Reports = nil }, tollgate.EPRECONDITION,
			[]string{"no passing signed lab review of exactly 100 units of lot L"}},
		// A report on a lot covered the whole lot however few units it
		// named; now it covers an export of exactly its count.
		{"ErrLotReviewOfFewerUnits", func(in *ReserveInput) {
			byLot(t)(in)
			in.Units.Reports = []tollgate.LabReport{mustSignedReport(t, key, priv, "LAB-L", tollgate.Units{Lot: "L", Count: 20}, 4790)}
		}, tollgate.EPRECONDITION, []string{"no passing signed lab review of exactly 100 units of lot L"}},
		// One review, one export: a lot's review bound to an export that
		// holds covers no other.
		{"ErrLotReviewCoversAnotherExport", func(in *ReserveInput) {
			byLot(t)(in)
			e := heldExport("e-old", tollgate.ExportShipped, tollgate.Units{Lot: "L", Count: 100})
			e.LabReportID = in.Units.Reports[0].ID
			in.Units.Exports = []tollgate.Export{e}
		}, tollgate.EPRECONDITION, []string{"every passing lab review of exactly 100 units of lot L already covers another export (LAB-L (export e-old))"}},
		{"OK/LotReviewOfVoidedExport", func(in *ReserveInput) {
			byLot(t)(in)
			e := heldExport("e-old", tollgate.ExportReserved, tollgate.Units{Lot: "L", Count: 100})
			e.State, e.VoidReason, e.ReleasedBy, e.ReleasedAt = tollgate.ExportVoided, "changed plans", "u-1", t0
			e.LabReportID = in.Units.Reports[0].ID
			in.Units.Exports = []tollgate.Export{e}
		}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := reserveFixture(t)
			tt.mutate(&in)
			err := CheckReserve(in)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("CheckReserve() = %v", err)
				}
				return
			}
			wantError(t, err, tt.code, tt.parts...)
		})
	}
}

// TestReserveCapAt10000: with 10,000 US units, 5,000 China units can be
// reserved and the 5,001st fails naming the 50% cap.
func TestReserveCapAt10000(t *testing.T) {
	in := reserveFixture(t)
	oneUnit(t, &in)
	in.USUnits, in.ChinaHeldUnits = 10_000, 4_999
	if err := CheckReserve(in); err != nil {
		t.Fatalf("the 5,000th unit: %v", err)
	}
	in.ChinaHeldUnits = 5_000
	err := CheckReserve(in)
	wantError(t, err, tollgate.ELIMIT, "50% cap", "over by 1")
	if d, ok := details(t, err).(LimitExceeded); !ok || d.Limit != LimitChinaCap || d.Over != 1 {
		t.Errorf("Details = %#v, want the china_cap limit over by 1", details(t, err))
	}
}

// TestExemptUnitsCannotGoToChina: an entry under the US data-center
// exemption pays no duty and its units cannot be reserved.
func TestExemptUnitsCannotGoToChina(t *testing.T) {
	in := reserveFixture(t)
	entry := in.Units.Imports[0]
	entry.DutyCents, entry.DutyStatus, entry.PaymentReference, entry.PaidOn = 0, "", "", time.Time{}
	entry.Exemption, entry.EndUseCertification = "9903.79.03", "US data center end-use certificate"
	assessed, err := Assess(classify.Default(), entry, h200())
	if err != nil {
		t.Fatal(err)
	}
	if assessed.DutyCents != 0 || !assessed.Bound {
		t.Fatalf("Assess() = %d cents, bound %t; want 0, bound", assessed.DutyCents, assessed.Bound)
	}
	in.Units.Imports[0] = assessed
	wantError(t, CheckReserve(in), tollgate.ECONFLICT, "bound to a US end use by exemption 9903.79.03")
}

func TestReserve(t *testing.T) {
	in := reserveFixture(t)
	res, err := Reserve(in)
	if err != nil {
		t.Fatal(err)
	}
	if res.State != tollgate.ExportReserved || !res.ReservedAt.Equal(t0) || !res.ExpiresAt.Equal(t0.Add(24*time.Hour)) || res.LicenseNumber != "D000001" {
		t.Errorf("Reserve() = %+v; want reserved at t0 for 24h under D000001", res)
	}
	in.ChinaHeldUnits = 5000
	if _, err := Reserve(in); tollgate.ErrorCode(err) != tollgate.ELIMIT {
		t.Errorf("Reserve over the cap = %v, want limit_exceeded", err)
	}
	in = reserveFixture(t)
	in.Config.ReservationTTL = 0
	if _, err := Reserve(in); errField(t, err, tollgate.EINVALID) != "config.reservation_ttl" {
		t.Errorf("Reserve with a bad config = %v", err)
	}
}

// TestReserveNamesItsReview: a reservation names the review that covers
// exactly its units, the latest passing one, and its test time.
func TestReserveNamesItsReview(t *testing.T) {
	in := reserveFixture(t)
	key, priv := labKey("lab")
	retest := mustSignedReport(t, key, priv, "LAB-RETEST", in.Request.Units, 4790)
	in.Units.Reports = append(in.Units.Reports, retest)
	e, err := Reserve(in)
	if err != nil {
		t.Fatal(err)
	}
	if e.LabReportID != retest.ID || !e.ReviewedAt.Equal(retest.TestedAt) {
		t.Errorf("Reserve() names review %q tested %s; want %q tested %s", e.LabReportID, e.ReviewedAt, retest.ID, retest.TestedAt)
	}
}

// TestReserveReviewBeforeEntry: a review tested before its units entered
// the US covers no export, even when it reached the store.
func TestReserveReviewBeforeEntry(t *testing.T) {
	in := reserveFixture(t)
	in.Units.Imports[0].EntryDate = day("2026-02-21") // after the review of 20 Feb
	wantError(t, CheckReserve(in), tollgate.EPRECONDITION, "tested 2026-02-20, covers units that entered the US after it")
}
