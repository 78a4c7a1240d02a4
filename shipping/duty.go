package shipping

import (
	"fmt"
	"strings"
	"time"

	"tollgate"
	"tollgate/classify"
)

// DutyLine is the Section 232 line of one import entry: the tariff
// treatment classify decided (band, Chapter 99 heading, rate, reasons, the
// rule's citation), the duty on the entered value, and whether the units
// are bound to a US end use.
type DutyLine struct {
	Tariff            tollgate.TariffClassification `json:"tariff"`
	EnteredValueCents int64                         `json:"entered_value_cents"`
	// DutyCents is RateBP of the entered value, rounded half-up to the
	// cent on this line alone (CBP computes duty per line).
	DutyCents int64 `json:"duty_cents"`
	// Bound is true when the importer claimed an end-use exemption: the
	// units are certified for a US end use and may not be exported to
	// China, whether or not the exemption was needed to avoid the duty.
	Bound bool `json:"bound"`
}

// Duty computes the Section 232 line of entry, whose goods are or contain
// chip (the product's specification: its TPP and DRAM bandwidth decide the
// band). The exemption is the entry's own: heading 9903.79.01 pays the
// rule's rate (25%) of the entered value, rounded half-up to the cent;
// 9903.79.02 and the exemption headings 9903.79.03–.09 pay nothing. There
// is no drawback. An invalid entry or chip, or an exemption that is not an
// exemption heading, is EINVALID naming the field.
func Duty(rules *classify.Rulebook, entry tollgate.ImportEntry, chip tollgate.Chip) (DutyLine, error) {
	line, err := duty(rules, entry, chip)
	if err != nil {
		return DutyLine{}, fmt.Errorf("shipping.Duty: %w", err)
	}
	return line, nil
}

func duty(rules *classify.Rulebook, entry tollgate.ImportEntry, chip tollgate.Chip) (DutyLine, error) {
	if rules == nil {
		return DutyLine{}, tollgate.Errorf(tollgate.EINTERNAL, "no rulebook")
	}
	if err := entry.Validate(); err != nil {
		return DutyLine{}, err
	}
	if err := chip.Validate(); err != nil {
		return DutyLine{}, prefixField("chip.", err)
	}
	t, err := rules.Section232(classify.TariffInput{
		TPP:               classify.Measure(chip).TPP,
		DRAMBandwidthGBps: chip.DRAMBandwidthGBps,
		HTS:               entry.HTS,
		Exemption:         entry.Exemption,
		EntryDate:         entry.EntryDate,
	})
	if err != nil {
		return DutyLine{}, err
	}
	cents, err := applyRate(entry.EnteredValueCents, t.RateBP)
	if err != nil {
		return DutyLine{}, err
	}
	return DutyLine{Tariff: t, EnteredValueCents: entry.EnteredValueCents, DutyCents: cents, Bound: entry.Exemption != ""}, nil
}

// applyRate returns rateBP basis points of cents, rounded half-up to the
// cent. Both are non-negative; entered values are bounded by
// tollgate.MaxEnteredValueCents, so the product fits in an int64.
func applyRate(cents int64, rateBP int) (int64, error) {
	if cents < 0 || cents > tollgate.MaxEnteredValueCents || rateBP < 0 || rateBP > 10000 {
		return 0, tollgate.Errorf(tollgate.EINTERNAL, "duty arithmetic out of range: %d cents at %d bp", cents, rateBP)
	}
	return roundHalfUp(cents*int64(rateBP), 10000), nil
}

// roundHalfUp returns n/d rounded to the nearest integer, halves away from
// zero; d is positive.
func roundHalfUp(n, d int64) int64 {
	if n < 0 {
		return -roundHalfUp(-n, d)
	}
	q, r := n/d, n%d
	if r*2 >= d {
		q++
	}
	return q
}

// Assess returns entry with its Section 232 line filled in (normalized HTS
// code and exemption heading, heading, band, rate, duty, bound) and its duty
// status set: owed when duty is due, none otherwise. Errors are Duty's.
func Assess(rules *classify.Rulebook, entry tollgate.ImportEntry, chip tollgate.Chip) (tollgate.ImportEntry, error) {
	entry.DutyStatus, entry.DutyCents, entry.Bound = "", 0, false
	entry.PaymentReference, entry.PaidOn = "", time.Time{}
	line, err := duty(rules, entry, chip)
	if err != nil {
		return tollgate.ImportEntry{}, fmt.Errorf("shipping.Assess: %w", err)
	}
	entry.HTS = line.Tariff.HTS
	if entry.Exemption != "" {
		entry.Exemption, _ = classify.NormalizeHeading(entry.Exemption)
	}
	entry.Heading, entry.Band, entry.RateBP = line.Tariff.Heading, line.Tariff.Band, line.Tariff.RateBP
	entry.DutyCents, entry.Bound = line.DutyCents, line.Bound
	entry.DutyStatus = tollgate.DutyNone
	if line.DutyCents > 0 {
		entry.DutyStatus = tollgate.DutyOwed
	}
	return entry, nil
}

// PayDuty records the payment of an entry's owed duty: its reference and
// date. An entry with no duty owed, or already paid, is ECONFLICT; a missing
// reference or date is EINVALID.
func PayDuty(entry tollgate.ImportEntry, reference string, paidOn time.Time) (tollgate.ImportEntry, error) {
	switch {
	case entry.DutyStatus == tollgate.DutyPaid:
		return entry, fmt.Errorf("shipping.PayDuty: %w", tollgate.Errorf(tollgate.ECONFLICT,
			"the duty on entry %s line %d is already paid (reference %s)", entry.EntryNumber, entry.Line, entry.PaymentReference))
	case entry.DutyStatus != tollgate.DutyOwed:
		return entry, fmt.Errorf("shipping.PayDuty: %w", tollgate.Errorf(tollgate.ECONFLICT,
			"no duty is owed on entry %s line %d", entry.EntryNumber, entry.Line))
	case strings.TrimSpace(reference) == "":
		return entry, fmt.Errorf("shipping.PayDuty: %w", tollgate.FieldErrorf("payment_reference", "required"))
	case paidOn.IsZero():
		return entry, fmt.Errorf("shipping.PayDuty: %w", tollgate.FieldErrorf("paid_on", "required"))
	}
	entry.DutyStatus, entry.PaymentReference, entry.PaidOn = tollgate.DutyPaid, reference, paidOn
	if err := entry.Validate(); err != nil {
		return entry, fmt.Errorf("shipping.PayDuty: %w", err)
	}
	return entry, nil
}

// prefixField prefixes the field of a *tollgate.Error in err's chain.
func prefixField(prefix string, err error) error {
	if te, ok := err.(*tollgate.Error); ok && te.Field != "" {
		cp := *te
		cp.Field = prefix + te.Field
		return &cp
	}
	return err
}
