package licensing

import (
	"testing"

	"tollgate"
)

func TestNumberSeries(t *testing.T) {
	tests := []struct {
		series NumberSeries
		seq    uint64
		want   string
		code   string
	}{
		{ControlNumbers, 1, "Z000001", ""},
		{ControlNumbers, 123456, "Z123456", ""},
		{ControlNumbers, 999_999, "Z999999", ""},
		{ControlNumbers, 1_000_000, "Y000001", ""},
		{ControlNumbers, ControlNumbers.Capacity(), "V999999", ""},
		{ControlNumbers, ControlNumbers.Capacity() + 1, "", tollgate.ELIMIT},
		{ControlNumbers, 0, "", tollgate.EINVALID},
		{LicenseNumbers, 1, "D000001", ""},
		{LicenseNumbers, 2_000_000, "F000002", ""},
	}
	for _, tt := range tests {
		got, err := tt.series.Format(tt.seq)
		if errCode(err) != tt.code || got != tt.want {
			t.Errorf("%s.Format(%d) = %q, %v; want %q, code %q", tt.series.Name, tt.seq, got, err, tt.want, tt.code)
		}
		if tt.code != "" {
			continue
		}
		seq, err := tt.series.Parse(got)
		if err != nil || seq != tt.seq {
			t.Errorf("%s.Parse(%q) = %d, %v; want %d", tt.series.Name, got, seq, err, tt.seq)
		}
	}
}

func TestParseNumberErrors(t *testing.T) {
	for _, s := range []string{"", "Z", "Z00001", "Z0000001", "Z000000", "z000001", "A000001", "D000001", "Z00000a", "Z 00001", "ZZ00001"} {
		if _, err := ControlNumbers.Parse(s); errCode(err) != tollgate.EINVALID {
			t.Errorf("Parse(%q): got %v, want invalid", s, err)
		}
	}
	if !ValidLicenseNumber("A123456") || ValidLicenseNumber("A000000") || ValidLicenseNumber("a123456") {
		t.Error("ValidLicenseNumber accepts a letter and six digits, not all zero, only")
	}
}

func FuzzParseControlNumber(f *testing.F) {
	for _, s := range []string{"Z000001", "Y999999", "V123456", "D000001", "", "Z00000\x00", "Z-00001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, err := ControlNumbers.Parse(s)
		if err != nil {
			if errCode(err) != tollgate.EINVALID {
				t.Fatalf("Parse(%q): got %v, want invalid", s, err)
			}
			return
		}
		back, err := ControlNumbers.Format(seq)
		if err != nil || back != s {
			t.Fatalf("Parse(%q) = %d, which formats as %q, %v", s, seq, back, err)
		}
	})
}

func FuzzFormatLicenseNumber(f *testing.F) {
	for _, seq := range []uint64{0, 1, 999_999, 1_000_000, 4_999_995, 4_999_996, 1 << 63} {
		f.Add(seq)
	}
	f.Fuzz(func(t *testing.T, seq uint64) {
		s, err := LicenseNumbers.Format(seq)
		if err != nil {
			if seq != 0 && seq <= LicenseNumbers.Capacity() {
				t.Fatalf("Format(%d): %v", seq, err)
			}
			return
		}
		if !ValidLicenseNumber(s) {
			t.Fatalf("Format(%d) = %q, not a valid license number", seq, s)
		}
		if back, err := LicenseNumbers.Parse(s); err != nil || back != seq {
			t.Fatalf("Parse(Format(%d) = %q) = %d, %v", seq, s, back, err)
		}
	})
}
