package tollgate_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"tollgate"
)

// invalidFieldOf returns the field a *tollgate.Error names, or "" for nil.
func invalidFieldOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var te *tollgate.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a *tollgate.Error", err)
	}
	if te.Code != tollgate.EINVALID {
		t.Fatalf("error %v has code %s, want %s", err, te.Code, tollgate.EINVALID)
	}
	return te.Field
}

func TestEntryCheckDigit(t *testing.T) {
	tests := []struct {
		filer, seq string
		want       byte
	}{
		// Worked by hand: A B C 1 2 3 4 5 6 7 → 1 2 3 1 2 3 4 5 6 7; even
		// positions doubled 4 2 6 1 5 (10→1, 14→5) = 18, odd 1+3+2+4+6 =
		// 16; 34 → 6.
		{"ABC", "1234567", '6'},
		{"999", "9999999", '0'},
		{"000", "0000000", '0'},
		// J is 1 like A, S is 2 like B: the same digits as ABC.
		{"JSC", "1234567", '6'},
		// 1 1 2 0 0 0 0 0 0 1: even positions 1 0 0 0 1 doubled = 4, odd
		// positions 1 2 0 0 0 = 3; 7 → 3.
		{"112", "0000001", '3'},
	}
	for _, tt := range tests {
		got, err := tollgate.EntryCheckDigit(tt.filer, tt.seq)
		if err != nil || got != tt.want {
			t.Errorf("EntryCheckDigit(%q, %q) = %c, %v; want %c", tt.filer, tt.seq, got, err, tt.want)
		}
	}
	for _, bad := range [][2]string{{"AB", "1234567"}, {"AB-", "1234567"}, {"abc", "1234567"}, {"ABC", "123456"}, {"ABC", "12345A7"}} {
		if _, err := tollgate.EntryCheckDigit(bad[0], bad[1]); invalidFieldOf(t, err) != "entry_number" {
			t.Errorf("EntryCheckDigit(%q, %q) = %v, want an entry_number error", bad[0], bad[1], err)
		}
	}
}

func TestNormalizeEntryNumber(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"ABC-1234567-6", "ABC-1234567-6"},
		{"abc12345676", "ABC-1234567-6"},
		{" ABC1234567-6 ", "ABC-1234567-6"},
		{"ABC-1234567-7", ""},  // wrong check digit
		{"ABC-123456-6", ""},   // short
		{"AB_-1234567-6", ""},  // special character
		{"ABC-12345678-6", ""}, // long
		{"", ""},
	}
	for _, tt := range tests {
		got, err := tollgate.NormalizeEntryNumber(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("NormalizeEntryNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if err != nil && invalidFieldOf(t, err) != "entry_number" {
			t.Errorf("NormalizeEntryNumber(%q) names field %q, want entry_number", tt.in, invalidFieldOf(t, err))
		}
	}
	_, err := tollgate.NormalizeEntryNumber("ABC-1234567-7")
	if err == nil || !strings.Contains(err.Error(), "want 6") {
		t.Errorf("wrong check digit: got %v, want a message naming the expected digit 6", err)
	}
}

func FuzzNormalizeEntryNumber(f *testing.F) {
	for _, s := range []string{"ABC-1234567-6", "abc12345676", "999-9999999-0", "", "---", "ÄBC-1234567-6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := tollgate.NormalizeEntryNumber(s)
		if err != nil {
			return
		}
		if len(n) != 13 || n[3] != '-' || n[11] != '-' {
			t.Fatalf("NormalizeEntryNumber(%q) = %q, not XXX-NNNNNNN-C", s, n)
		}
		again, err := tollgate.NormalizeEntryNumber(n)
		if err != nil || again != n {
			t.Fatalf("NormalizeEntryNumber(%q) = %q, %v; want it unchanged", n, again, err)
		}
		for d := byte('0'); d <= '9'; d++ {
			if d != n[12] {
				if _, err := tollgate.NormalizeEntryNumber(n[:12] + string(d)); err == nil {
					t.Fatalf("%q with check digit %c accepted", n, d)
				}
			}
		}
	})
}

func TestUnitsValidate(t *testing.T) {
	long := strings.Repeat("x", tollgate.MaxSerialLen+1)
	tests := []struct {
		name  string
		units tollgate.Units
		field string
	}{
		{"OK/serials", tollgate.Units{Serials: []string{"S1", "S2"}, Count: 2}, ""},
		{"OK/lot", tollgate.Units{Lot: "LOT-7", Count: 500}, ""},
		{"ErrBoth", tollgate.Units{Serials: []string{"S1"}, Lot: "L", Count: 1}, "lot"},
		{"ErrNeither", tollgate.Units{Count: 1}, "serials"},
		{"ErrCount", tollgate.Units{Serials: []string{"S1", "S2"}, Count: 3}, "count"},
		{"ErrZeroLot", tollgate.Units{Lot: "L"}, "count"},
		{"ErrDuplicate", tollgate.Units{Serials: []string{"S1", "S1"}, Count: 2}, "serials[1]"},
		{"ErrBlank", tollgate.Units{Serials: []string{" S1"}, Count: 1}, "serials[0]"},
		{"ErrControl", tollgate.Units{Serials: []string{"S\n1"}, Count: 1}, "serials[0]"},
		{"ErrLongLot", tollgate.Units{Lot: long, Count: 1}, "lot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if e := tt.units.Validate(); e != nil {
				err = e
			}
			if got := invalidFieldOf(t, err); got != tt.field {
				t.Errorf("Validate() = %v; got field %q, want %q", err, got, tt.field)
			}
		})
	}
}

func validImport() tollgate.ImportEntry {
	return tollgate.ImportEntry{
		ImporterOrgID: "org-broker", ExporterOrgID: "org-nv", ImporterOfRecord: "Nvidia Corp",
		EntryNumber: "ABC-1234567-6", Line: 1, EntryDate: time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC),
		Product: "H200", Units: tollgate.Units{Lot: "TW-2026-01", Count: 1000}, CountryOfOrigin: "TW",
		HTS: "8473.30.1180", EnteredValueCents: 2_500_000_000,
	}
}

func TestImportEntryValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(e *tollgate.ImportEntry)
		field  string
	}{
		{"OK", func(e *tollgate.ImportEntry) {}, ""},
		{"OK/owed", func(e *tollgate.ImportEntry) { e.DutyCents, e.DutyStatus = 625_000_000, tollgate.DutyOwed }, ""},
		{"OK/paid", func(e *tollgate.ImportEntry) {
			e.DutyCents, e.DutyStatus, e.PaymentReference, e.PaidOn = 625_000_000, tollgate.DutyPaid, "ACH-1", e.EntryDate
		}, ""},
		{"OK/exempt", func(e *tollgate.ImportEntry) {
			e.Exemption, e.EndUseCertification, e.Bound = "9903.79.03", "DC end-use cert 2026-17", true
		}, ""},
		{"ErrImporter", func(e *tollgate.ImportEntry) { e.ImporterOrgID = "" }, "importer_org_id"},
		{"ErrIOR", func(e *tollgate.ImportEntry) { e.ImporterOfRecord = "" }, "importer_of_record"},
		{"ErrEntryCheckDigit", func(e *tollgate.ImportEntry) { e.EntryNumber = "ABC-1234567-5" }, "entry_number"},
		{"ErrEntryNotCanonical", func(e *tollgate.ImportEntry) { e.EntryNumber = "abc12345676" }, "entry_number"},
		{"ErrLine", func(e *tollgate.ImportEntry) { e.Line = 0 }, "line"},
		{"ErrDate", func(e *tollgate.ImportEntry) { e.EntryDate = time.Time{} }, "entry_date"},
		{"ErrProduct", func(e *tollgate.ImportEntry) { e.Product = "h200" }, "product"},
		{"ErrUnits", func(e *tollgate.ImportEntry) { e.Units.Count = 0 }, "units.count"},
		{"ErrOrigin", func(e *tollgate.ImportEntry) { e.CountryOfOrigin = "Taiwan" }, "country_of_origin"},
		{"ErrHTS", func(e *tollgate.ImportEntry) { e.HTS = "8473.3" }, "hts"},
		{"ErrValue", func(e *tollgate.ImportEntry) { e.EnteredValueCents = 0 }, "entered_value_cents"},
		{"ErrValueHuge", func(e *tollgate.ImportEntry) { e.EnteredValueCents = tollgate.MaxEnteredValueCents + 1 }, "entered_value_cents"},
		{"ErrExemptionUndocumented", func(e *tollgate.ImportEntry) { e.Exemption = "9903.79.03" }, "end_use_certification"},
		{"ErrBoundWithoutExemption", func(e *tollgate.ImportEntry) { e.Bound = true }, "bound"},
		{"ErrOwedNothing", func(e *tollgate.ImportEntry) { e.DutyStatus = tollgate.DutyOwed }, "duty_status"},
		{"ErrNoneButDue", func(e *tollgate.ImportEntry) { e.DutyCents = 5 }, "duty_status"},
		{"ErrPaidNoReference", func(e *tollgate.ImportEntry) { e.DutyCents, e.DutyStatus, e.PaidOn = 5, tollgate.DutyPaid, e.EntryDate }, "payment_reference"},
		{"ErrPaidNoDate", func(e *tollgate.ImportEntry) {
			e.DutyCents, e.DutyStatus, e.PaymentReference = 5, tollgate.DutyPaid, "ACH-1"
		}, "paid_on"},
		{"ErrReferenceUnpaid", func(e *tollgate.ImportEntry) {
			e.DutyCents, e.DutyStatus, e.PaymentReference = 5, tollgate.DutyOwed, "ACH-1"
		}, "payment_reference"},
		{"ErrStatus", func(e *tollgate.ImportEntry) { e.DutyStatus = "waived" }, "duty_status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validImport()
			tt.mutate(&e)
			if got := invalidFieldOf(t, e.Validate()); got != tt.field {
				t.Errorf("Validate() = %v; got field %q, want %q", e.Validate(), got, tt.field)
			}
		})
	}
}
