package tollgate

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on the units an import, a lab report or an export may name.
const (
	// MaxSerials bounds the serial numbers of one record (a large import
	// entry of single chips).
	MaxSerials = 100_000
	// MaxSerialLen bounds one serial number or lot code in bytes.
	MaxSerialLen = 64
	// MaxEnteredValueCents bounds an entered value ($1 trillion), so that
	// duty arithmetic in basis points cannot overflow an int64.
	MaxEnteredValueCents = MaxCents
)

// Units names physical chips: either by serial number (Count equals the
// number of serials) or as Count units of a lot. A record names units one
// way or the other, never both, so that units counted by serial and units
// counted by lot can never be the same chips counted twice.
type Units struct {
	Serials []string `json:"serials,omitempty"`
	Lot     string   `json:"lot,omitempty"`
	Count   int64    `json:"count"`
}

// BySerial reports whether u names its units by serial number.
func (u Units) BySerial() bool { return len(u.Serials) > 0 }

// Validate checks that u names units one way: distinct, trimmed serials of
// at most MaxSerialLen bytes with Count equal to their number, or a lot code
// with a positive Count.
func (u Units) Validate() *Error {
	switch {
	case len(u.Serials) > 0 && u.Lot != "":
		return FieldErrorf("lot", "give serial numbers or a lot, not both")
	case len(u.Serials) == 0 && u.Lot == "":
		return FieldErrorf("serials", "serial numbers or a lot are required")
	case len(u.Serials) > MaxSerials:
		return FieldErrorf("serials", "more than %d serial numbers", MaxSerials)
	case u.Lot != "" && !validUnitCode(u.Lot):
		return FieldErrorf("lot", "%q is not a lot code (1 to %d printable characters, no surrounding space)", u.Lot, MaxSerialLen)
	case CheckUnits("count", u.Count) != nil:
		return CheckUnits("count", u.Count)
	case len(u.Serials) > 0 && u.Count != int64(len(u.Serials)):
		return FieldErrorf("count", "is %d, want the number of serials, %d", u.Count, len(u.Serials))
	}
	seen := make(map[string]bool, len(u.Serials))
	for i, s := range u.Serials {
		if !validUnitCode(s) {
			return FieldErrorf(fieldIndex("serials", i), "%q is not a serial number (1 to %d printable characters, no surrounding space)", s, MaxSerialLen)
		}
		if seen[s] {
			return FieldErrorf(fieldIndex("serials", i), "%q named twice", s)
		}
		seen[s] = true
	}
	return nil
}

func validUnitCode(s string) bool {
	if s == "" || len(s) > MaxSerialLen || strings.TrimSpace(s) != s || !utf8.ValidString(s) {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0
}

// DutyStatus is where an import entry's Section 232 duty stands.
type DutyStatus string

// Duty statuses. An entry with no duty to pay (heading 9903.79.02, an
// end-use exemption, goods out of scope) is none; otherwise the duty is owed
// until the importer records its payment.
const (
	DutyNone DutyStatus = "none"
	DutyOwed DutyStatus = "owed"
	DutyPaid DutyStatus = "paid"
)

// ImportEntry is one line of a US customs entry of advanced chips: who
// imported what, when, under which HTS code and entry number, at what
// entered value, and the Section 232 duty line tollgate computed for it
// (package shipping). Chips made abroad enter the US here before a US lab
// tests them and before they may be exported.
type ImportEntry struct {
	ID string `json:"id"`
	// ImporterOrgID is the organization of the importer of record (or of
	// the customs broker filing for it); ExporterOrgID the exporter the
	// goods are imported for, whose units they become.
	ImporterOrgID string `json:"importer_org_id"`
	ExporterOrgID string `json:"exporter_org_id"`
	// ImporterOfRecord is the importer of record as customs knows it (name
	// or CBP importer number).
	ImporterOfRecord string `json:"importer_of_record"`
	// EntryNumber is written as customs writes it, XXX-NNNNNNN-C (see
	// NormalizeEntryNumber); Line is the entry summary line, from 1.
	EntryNumber     string    `json:"entry_number"`
	Line            int       `json:"line"`
	EntryDate       time.Time `json:"entry_date"`
	Product         string    `json:"product"` // a ProductKey
	Units           Units     `json:"units"`
	CountryOfOrigin string    `json:"country_of_origin"` // ISO alpha-2
	HTS             string    `json:"hts"`
	// EnteredValueCents is the entered (customs) value of the line in US
	// cents: the base of the ad valorem duty.
	EnteredValueCents int64 `json:"entered_value_cents"`
	// Exemption is the end-use exemption heading the importer claims
	// (9903.79.03 to .09), with the certification documenting the end use.
	// An exemption binds the units to that US end use: they may never be
	// exported to China.
	Exemption           string `json:"exemption,omitempty"`
	EndUseCertification string `json:"end_use_certification,omitempty"`

	// The Section 232 line, computed by package shipping.
	Heading   string `json:"heading,omitempty"`
	Band      int    `json:"band"`
	RateBP    int    `json:"rate_bp"`
	DutyCents int64  `json:"duty_cents"`
	// Bound is true when an exemption binds the units to US end use.
	Bound            bool       `json:"bound"`
	DutyStatus       DutyStatus `json:"duty_status"`
	PaymentReference string     `json:"payment_reference,omitempty"`
	PaidOn           time.Time  `json:"paid_on,omitzero"`

	RecordedBy string    `json:"recorded_by,omitempty"`
	RecordedAt time.Time `json:"recorded_at,omitzero"`
}

// Validate checks what the importer records: organizations, importer of
// record, a well-formed entry number with a correct check digit, a line, an
// entry date, a product, valid units, a country of origin, an HTS code of
// 6, 8 or 10 digits, a positive entered value, an end-use certification
// when an exemption is claimed, and a consistent duty status (a payment
// reference and date exactly when paid).
func (e *ImportEntry) Validate() error {
	switch {
	case e.ImporterOrgID == "":
		return FieldErrorf("importer_org_id", "required")
	case e.ExporterOrgID == "":
		return FieldErrorf("exporter_org_id", "required")
	}
	if err := validateNameField("importer_of_record", e.ImporterOfRecord, true); err != nil {
		return err
	}
	if n, err := NormalizeEntryNumber(e.EntryNumber); err != nil {
		return err
	} else if n != e.EntryNumber {
		return FieldErrorf("entry_number", "write it as %s", n)
	}
	switch {
	case e.Line < 1 || e.Line > 9999:
		return FieldErrorf("line", "must be 1 to 9999; got %d", e.Line)
	case e.EntryDate.IsZero():
		return FieldErrorf("entry_date", "required")
	case CheckDate("entry_date", e.EntryDate) != nil:
		return CheckDate("entry_date", e.EntryDate)
	case e.Product == "" || e.Product != ProductKey(e.Product):
		return FieldErrorf("product", "required, as a product key (trimmed, upper case); got %q", e.Product)
	}
	if err := e.Units.Validate(); err != nil {
		err.Field = "units." + err.Field
		return err
	}
	switch {
	case !IsCountryCode(e.CountryOfOrigin):
		return FieldErrorf("country_of_origin", "must be an ISO 3166-1 alpha-2 code such as TW; got %q", e.CountryOfOrigin)
	case !validHTS(e.HTS):
		return FieldErrorf("hts", "%q is not an HTSUS code of 6, 8 or 10 digits (e.g. 8473.30)", e.HTS)
	case e.EnteredValueCents <= 0:
		return FieldErrorf("entered_value_cents", "must be positive")
	case e.EnteredValueCents > MaxEnteredValueCents:
		return FieldErrorf("entered_value_cents", "more than %d", int64(MaxEnteredValueCents))
	case e.Exemption != "" && strings.TrimSpace(e.EndUseCertification) == "":
		return FieldErrorf("end_use_certification", "required when an end-use exemption is claimed")
	case e.Bound && e.Exemption == "":
		return FieldErrorf("bound", "only an end-use exemption binds units")
	case e.DutyCents < 0:
		return FieldErrorf("duty_cents", "must not be negative")
	}
	return e.validateDutyStatus()
}

func (e *ImportEntry) validateDutyStatus() error {
	switch e.DutyStatus {
	case "", DutyNone:
		if e.DutyCents != 0 {
			return FieldErrorf("duty_status", "is %q but %d cents of duty are due", e.DutyStatus, e.DutyCents)
		}
	case DutyOwed:
		if e.DutyCents == 0 {
			return FieldErrorf("duty_status", "is owed but no duty is due")
		}
	case DutyPaid:
		if e.DutyCents == 0 {
			return FieldErrorf("duty_status", "is paid but no duty is due")
		}
		if strings.TrimSpace(e.PaymentReference) == "" {
			return FieldErrorf("payment_reference", "required when the duty is paid")
		}
		if e.PaidOn.IsZero() {
			return FieldErrorf("paid_on", "required when the duty is paid")
		}
		if err := CheckDate("paid_on", e.PaidOn); err != nil {
			return err
		}
		return nil
	default:
		return FieldErrorf("duty_status", "must be none, owed or paid; got %q", e.DutyStatus)
	}
	if e.PaymentReference != "" || !e.PaidOn.IsZero() {
		return FieldErrorf("payment_reference", "only a paid duty has a payment reference and date")
	}
	return nil
}

// validHTS accepts an HTSUS code of 6, 8 or 10 digits with or without dots;
// package classify normalizes it.
func validHTS(s string) bool {
	digits := strings.ReplaceAll(s, ".", "")
	if len(digits) != 6 && len(digits) != 8 && len(digits) != 10 {
		return false
	}
	return strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// entryAlphaValues converts the letters of an entry filer code to the digits
// the check digit is computed on: A–I are 1–9, J–R are 1–9, S–Z are 2–9.
const entryAlphaValues = "123456789123456789234567890"

// EntryCheckDigit returns the check digit of the entry number made of filer
// (3 letters or digits) and seq (7 digits), or an error naming the bad part.
//
// The algorithm is CBP's (ACE CATAIR, Entry Summary chapter, Table 1, as
// transcribed by third-party ABI software; the CBP text itself was not
// available): convert the filer code's letters to digits (entryAlphaValues),
// double the digits in the even positions of the ten (a product above 9
// counts as the sum of its digits), add all ten, and take what brings the
// sum up to a multiple of ten. It is the Luhn formula over the converted
// digits.
func EntryCheckDigit(filer, seq string) (byte, error) {
	if len(filer) != 3 {
		return 0, FieldErrorf("entry_number", "filer code %q must be 3 letters or digits", filer)
	}
	if len(seq) != 7 || strings.IndexFunc(seq, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, FieldErrorf("entry_number", "transaction number %q must be 7 digits", seq)
	}
	sum := 0
	for i, c := range []byte(filer + seq) {
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'A' && c <= 'Z':
			d = int(entryAlphaValues[c-'A'] - '0')
		default:
			return 0, FieldErrorf("entry_number", "filer code %q must be 3 letters or digits", filer)
		}
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10), nil
}

// NormalizeEntryNumber checks a customs entry number — a 3-character filer
// code, a 7-digit transaction number and a check digit, with or without
// hyphens, letters in either case — and returns it as XXX-NNNNNNN-C. A wrong
// check digit is EINVALID naming the digit expected.
func NormalizeEntryNumber(s string) (string, error) {
	flat := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	if len(flat) != 11 {
		return "", FieldErrorf("entry_number", "%q is not an entry number of the form XXX-NNNNNNN-C", s)
	}
	want, err := EntryCheckDigit(flat[:3], flat[3:10])
	if err != nil {
		return "", err
	}
	if flat[10] != want {
		return "", FieldErrorf("entry_number", "%q has check digit %c, want %c", s, flat[10], want)
	}
	return fmt.Sprintf("%s-%s-%s", flat[:3], flat[3:10], flat[10:]), nil
}
