package shipping

import (
	"fmt"
	"strings"
	"time"

	"tollgate"
)

// Expired reports whether reservation e has expired at now: it was marked
// expired, or it is still reserved and now is at or past its ExpiresAt. An
// expired reservation holds nothing, whether or not a sweep has marked it.
func Expired(e tollgate.Export, now time.Time) bool {
	return e.State == tollgate.ExportExpired || (e.State == tollgate.ExportReserved && !now.Before(e.ExpiresAt))
}

// Ship completes reservation e: the export left on exportedOn (a date, not
// after now's and not before the reservation's) under the export filing
// reference, recorded by actor at now. Shipping consumes what the
// reservation held, for good. A reservation that is not reserved or has
// expired is ECONFLICT; a missing reference, date or actor is EINVALID; a
// reservation without its lab review, or whose review is older than
// rules.MaxAge on the export date, is EPRECONDITION.
func Ship(e tollgate.Export, reference string, exportedOn time.Time, actor string, now time.Time, rules ReviewRules) (tollgate.Export, error) {
	if err := checkOpen("ship", e, now); err != nil {
		return e, fmt.Errorf("shipping.Ship: %w", err)
	}
	day := civilDate(exportedOn)
	switch {
	case e.LabReportID == "" || e.ReviewedAt.IsZero():
		return e, fmt.Errorf("shipping.Ship: %w", tollgate.Errorf(tollgate.EPRECONDITION,
			"reservation %s names no lab review of its units (it predates per-shipment reviews): void it and reserve again", e.ID))
	case !exportedOn.IsZero():
		if err := CheckReviewAge(e.LabReportID, e.ReviewedAt, day, rules); err != nil {
			return e, fmt.Errorf("shipping.Ship: %w", err)
		}
	}
	switch {
	case strings.TrimSpace(reference) == "":
		return e, fmt.Errorf("shipping.Ship: %w", tollgate.FieldErrorf("filing_reference", "required: the export filing's reference"))
	case exportedOn.IsZero():
		return e, fmt.Errorf("shipping.Ship: %w", tollgate.FieldErrorf("exported_on", "required"))
	case day.After(civilDate(now)):
		return e, fmt.Errorf("shipping.Ship: %w", tollgate.FieldErrorf("exported_on", "%s is in the future", day.Format(time.DateOnly)))
	case day.Before(civilDate(e.ReservedAt)):
		return e, fmt.Errorf("shipping.Ship: %w", tollgate.FieldErrorf("exported_on", "%s precedes the reservation", day.Format(time.DateOnly)))
	case actor == "":
		return e, fmt.Errorf("shipping.Ship: %w", tollgate.FieldErrorf("shipped_by", "required"))
	}
	e.State, e.FilingReference, e.ExportedOn, e.ShippedBy, e.ShippedAt = tollgate.ExportShipped, reference, day, actor, now
	if err := e.Validate(); err != nil {
		return e, fmt.Errorf("shipping.Ship: %w", err)
	}
	return e, nil
}

// Void releases reservation e for reason, by actor at now. A reservation
// that is not reserved or has already expired is ECONFLICT; a missing
// reason or actor is EINVALID.
func Void(e tollgate.Export, reason, actor string, now time.Time) (tollgate.Export, error) {
	if err := checkOpen("void", e, now); err != nil {
		return e, fmt.Errorf("shipping.Void: %w", err)
	}
	switch {
	case strings.TrimSpace(reason) == "":
		return e, fmt.Errorf("shipping.Void: %w", tollgate.FieldErrorf("void_reason", "required"))
	case actor == "":
		return e, fmt.Errorf("shipping.Void: %w", tollgate.FieldErrorf("released_by", "required"))
	}
	e.State, e.VoidReason, e.ReleasedBy, e.ReleasedAt = tollgate.ExportVoided, reason, actor, now
	if err := e.Validate(); err != nil {
		return e, fmt.Errorf("shipping.Void: %w", err)
	}
	return e, nil
}

// Expire marks reservation e expired as of its ExpiresAt, for a sweep
// running at now. A reservation that is not reserved, or not yet expired at
// now, is ECONFLICT.
func Expire(e tollgate.Export, now time.Time) (tollgate.Export, error) {
	switch {
	case e.State != tollgate.ExportReserved:
		return e, fmt.Errorf("shipping.Expire: %w", tollgate.Errorf(tollgate.ECONFLICT, "export %s is %s, not reserved", e.ID, e.State))
	case !Expired(e, now):
		return e, fmt.Errorf("shipping.Expire: %w", tollgate.Errorf(tollgate.ECONFLICT,
			"reservation %s expires at %s", e.ID, e.ExpiresAt.UTC().Format(time.RFC3339)))
	}
	e.State, e.ReleasedAt = tollgate.ExportExpired, e.ExpiresAt
	return e, nil
}

// checkOpen requires a reservation that is reserved and unexpired at now.
func checkOpen(action string, e tollgate.Export, now time.Time) error {
	switch {
	case e.State != tollgate.ExportReserved:
		return tollgate.Errorf(tollgate.ECONFLICT, "cannot %s export %s: it is %s; only a reservation can be shipped or voided", action, e.ID, e.State)
	case Expired(e, now):
		return tollgate.Errorf(tollgate.ECONFLICT, "cannot %s export %s: the reservation expired at %s; reserve again",
			action, e.ID, e.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// civilDate returns t's UTC date at midnight.
func civilDate(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
