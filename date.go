package tollgate

import "time"

// EarliestDate and LatestDate bound every date tollgate takes (a shipment,
// an import entry, a payment, an export, a test, a license's validity, a
// PRC approval): no chip the regime covers was made before 2000, and a
// date after 2100 is a typo. A date outside them (0000-01-01) is refused
// rather than stored, where it would skew every period it falls in.
var (
	EarliestDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestDate   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// FutureGrace is how far past a service's clock a date of something that
// already happened (a shipment, an entry, a payment) may be: a day, for
// the time zones between the clerk and the server.
const FutureGrace = 24 * time.Hour

// CheckDate returns an EINVALID error naming field unless t is zero (the
// caller decides whether the date is required) or within [EarliestDate,
// LatestDate).
func CheckDate(field string, t time.Time) *Error {
	if !t.IsZero() && (t.Before(EarliestDate) || !t.Before(LatestDate)) {
		return FieldErrorf(field, "%s is not a plausible date: give one from %s to %s", t.UTC().Format(time.DateOnly),
			EarliestDate.Format(time.DateOnly), LatestDate.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	return nil
}

// CheckPastDate is CheckDate for the date of something that has happened
// by now: it may not be more than FutureGrace after now.
func CheckPastDate(field string, t, now time.Time) *Error {
	if err := CheckDate(field, t); err != nil {
		return err
	}
	if t.After(now.Add(FutureGrace)) {
		return FieldErrorf(field, "%s is in the future", t.UTC().Format(time.DateOnly))
	}
	return nil
}
