package tollgate

// Plausible maxima for the quantities and amounts one record carries. A
// year of the world's output of AI accelerators is some millions of units
// and some hundreds of billions of dollars; the bounds leave ample room
// for that in one record while keeping every sum the reports and the cap
// make (millions of records) far from int64 overflow, on either store.
const (
	// MaxUnits bounds the units of one record: a shipment, an import
	// line, an order, an application or license item, a reservation.
	MaxUnits = 100_000_000
	// MaxCents bounds one amount in US cents ($1 trillion): a unit
	// price, an order's or item's total, a license's value.
	MaxCents = 100_000_000_000_000
)

// CheckUnits returns an EINVALID error naming field unless 1 ≤ n ≤
// MaxUnits.
func CheckUnits(field string, n int64) *Error {
	switch {
	case n <= 0:
		return FieldErrorf(field, "must be positive")
	case n > MaxUnits:
		return FieldErrorf(field, "is %d, more than the %d units one record may carry", n, int64(MaxUnits))
	}
	return nil
}

// CheckCents returns an EINVALID error naming field unless 1 ≤ n ≤
// MaxCents.
func CheckCents(field string, n int64) *Error {
	switch {
	case n <= 0:
		return FieldErrorf(field, "must be positive")
	case n > MaxCents:
		return FieldErrorf(field, "is %d, more than the %d cents ($1 trillion) one amount may be", n, int64(MaxCents))
	}
	return nil
}
