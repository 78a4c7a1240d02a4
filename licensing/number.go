package licensing

import (
	"fmt"
	"strings"

	"tollgate"
)

// NumberSeries generates human numbers of the form letter + six digits
// (15 CFR 748.6(b) for the Application Control Number; design.md uses the
// same shape for license numbers). The numbers are a pure function of a
// sequence number that the store hands out, so the same sequence always
// gives the same number and uniqueness is the sequence's.
//
// Each letter carries 999,999 numbers (000000 is never used); when one
// letter is used up the series moves to the next letter in Letters.
type NumberSeries struct {
	// Name is used in error messages ("control number", "license number").
	Name string
	// Letters are the prefixes in the order they are used. The control and
	// license series use disjoint letters, so that no control number can be
	// mistaken for a license number.
	Letters string
}

// perLetter is how many numbers one letter of a series carries.
const perLetter = 999_999

// The two series tollgate uses.
var (
	// ControlNumbers are Application Control Numbers, Z000001 first.
	ControlNumbers = NumberSeries{Name: "control number", Letters: "ZYXWV"}
	// LicenseNumbers are license numbers, D000001 first.
	LicenseNumbers = NumberSeries{Name: "license number", Letters: "DEFGH"}
)

// Capacity returns how many numbers the series can give.
func (s NumberSeries) Capacity() uint64 { return uint64(len(s.Letters)) * perLetter }

// Format returns the number for sequence seq (1-based). It returns an
// EINVALID error for 0 and an ELIMIT error past the series' capacity.
func (s NumberSeries) Format(seq uint64) (string, error) {
	if seq == 0 {
		return "", tollgate.FieldErrorf("sequence", "must be at least 1")
	}
	if seq > s.Capacity() {
		return "", tollgate.Errorf(tollgate.ELIMIT, "%s series exhausted: sequence %d exceeds %d", s.Name, seq, s.Capacity())
	}
	i := (seq - 1) / perLetter
	n := (seq-1)%perLetter + 1
	return fmt.Sprintf("%c%06d", s.Letters[i], n), nil
}

// Parse returns the sequence number that number was formatted from. It
// accepts exactly what Format produces: one of the series' letters followed
// by six digits, not all zero.
func (s NumberSeries) Parse(number string) (uint64, error) {
	if !wellFormedNumber(number) {
		return 0, tollgate.FieldErrorf(fieldName(s.Name), "%q is not a letter followed by six digits (such as %c000001)", number, s.Letters[0])
	}
	i := strings.IndexByte(s.Letters, number[0])
	if i < 0 {
		return 0, tollgate.FieldErrorf(fieldName(s.Name), "%q does not start with one of the letters %s", number, s.Letters)
	}
	var n uint64
	for _, c := range number[1:] {
		n = n*10 + uint64(c-'0')
	}
	return uint64(i)*perLetter + n, nil
}

// ControlNumber returns the Application Control Number for sequence seq.
func ControlNumber(seq uint64) (string, error) { return ControlNumbers.Format(seq) }

// LicenseNumber returns the license number for sequence seq.
func LicenseNumber(seq uint64) (string, error) { return LicenseNumbers.Format(seq) }

// ValidLicenseNumber reports whether s has the shape of a license number
// (an upper-case letter and six digits, not all zero). A licensing officer
// may record a number issued outside tollgate, so any letter is accepted.
func ValidLicenseNumber(s string) bool { return wellFormedNumber(s) }

func wellFormedNumber(s string) bool {
	if len(s) != 7 || s[0] < 'A' || s[0] > 'Z' || s[1:] == "000000" {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func fieldName(seriesName string) string { return strings.ReplaceAll(seriesName, " ", "_") }
