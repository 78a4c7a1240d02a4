package tollgate

import (
	"math"
	"time"
)

// ExportState is where an export to China or Macau stands in its two
// phases, like a ledger's pending transfer: reserved (units, license
// quantity and value, and cap room held), then shipped (consumed) or voided
// or expired (released).
type ExportState string

// Export states. Reserved is the only state that changes.
const (
	ExportReserved ExportState = "reserved"
	ExportShipped  ExportState = "shipped"
	ExportVoided   ExportState = "voided"
	ExportExpired  ExportState = "expired"
)

// Valid reports whether s is a known export state.
func (s ExportState) Valid() bool {
	switch s {
	case ExportReserved, ExportShipped, ExportVoided, ExportExpired:
		return true
	}
	return false
}

// Export is an export of units of one product under one license, for one
// order. It is created reserved, when every check of package shipping's
// CheckReserve passes, and holds what it reserved until it is shipped (with
// the export filing's reference and date), voided, or expires at ExpiresAt.
type Export struct {
	ID            string `json:"id"`
	ExporterOrgID string `json:"exporter_org_id"`
	LicenseID     string `json:"license_id"`
	LicenseNumber string `json:"license_number"`
	OrderID       string `json:"order_id"`
	Product       string `json:"product"` // a ProductKey
	Units         Units  `json:"units"`
	// ValueCents is the export's value (units x the order's unit price),
	// which depletes the license's value.
	ValueCents int64 `json:"value_cents"`
	// Destination is the country of ultimate destination (CN, HK or MO).
	Destination string      `json:"destination"`
	State       ExportState `json:"state"`
	// LabReportID is the lab review that covers exactly these units,
	// chosen when reserved (no other export that holds may use it), and
	// ReviewedAt its test time: the export must leave within the agency's
	// maximum age of the review.
	LabReportID string    `json:"lab_report_id"`
	ReviewedAt  time.Time `json:"reviewed_at"`
	ReservedBy  string    `json:"reserved_by"`
	ReservedAt  time.Time `json:"reserved_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	// FilingReference is the export filing's reference (the AES internal
	// transaction number of the Electronic Export Information) and
	// ExportedOn the date of export; both are set when shipped.
	FilingReference string    `json:"filing_reference,omitempty"`
	ExportedOn      time.Time `json:"exported_on,omitzero"`
	ShippedBy       string    `json:"shipped_by,omitempty"`
	ShippedAt       time.Time `json:"shipped_at,omitzero"`
	// ReleasedAt is when a void or an expiry released the reservation;
	// VoidReason says why it was voided.
	VoidReason string    `json:"void_reason,omitempty"`
	ReleasedBy string    `json:"released_by,omitempty"`
	ReleasedAt time.Time `json:"released_at,omitzero"`
}

// Validate checks an export in any state: the reservation's fields always,
// and the filing reference and date once shipped, the reason once voided,
// the release time once voided or expired.
func (e *Export) Validate() error {
	switch {
	case e.ExporterOrgID == "":
		return FieldErrorf("exporter_org_id", "required")
	case e.LicenseID == "":
		return FieldErrorf("license_id", "required")
	case e.OrderID == "":
		return FieldErrorf("order_id", "required")
	case e.Product == "" || e.Product != ProductKey(e.Product):
		return FieldErrorf("product", "required, as a product key (trimmed, upper case); got %q", e.Product)
	}
	if err := e.Units.Validate(); err != nil {
		err.Field = "units." + err.Field
		return err
	}
	switch {
	case CheckCents("value_cents", e.ValueCents) != nil:
		return CheckCents("value_cents", e.ValueCents)
	case !IsCountryCode(e.Destination):
		return FieldErrorf("destination", "must be an ISO 3166-1 alpha-2 code such as CN; got %q", e.Destination)
	case !e.State.Valid():
		return FieldErrorf("state", "must be reserved, shipped, voided or expired; got %q", e.State)
	case e.ReservedBy == "":
		return FieldErrorf("reserved_by", "required")
	case e.ReservedAt.IsZero():
		return FieldErrorf("reserved_at", "required")
	case !e.ExpiresAt.After(e.ReservedAt):
		return FieldErrorf("expires_at", "must be after reserved_at")
	}
	return e.validateState()
}

func (e *Export) validateState() error {
	shipped := e.State == ExportShipped
	released := e.State == ExportVoided || e.State == ExportExpired
	switch {
	case shipped != (e.FilingReference != ""):
		return FieldErrorf("filing_reference", "required exactly when shipped")
	case shipped != !e.ExportedOn.IsZero():
		return FieldErrorf("exported_on", "required exactly when shipped")
	case CheckDate("exported_on", e.ExportedOn) != nil:
		return CheckDate("exported_on", e.ExportedOn)
	case shipped != !e.ShippedAt.IsZero():
		return FieldErrorf("shipped_at", "required exactly when shipped")
	case released != !e.ReleasedAt.IsZero():
		return FieldErrorf("released_at", "required exactly when voided or expired")
	case (e.State == ExportVoided) != (e.VoidReason != ""):
		return FieldErrorf("void_reason", "required exactly when voided")
	}
	if err := validateNameField("filing_reference", e.FilingReference, false); err != nil {
		return err
	}
	return validateNameField("void_reason", e.VoidReason, false)
}

// UnitValue returns units x unitPriceCents, or false when the product
// overflows or either is not positive.
func UnitValue(units, unitPriceCents int64) (int64, bool) {
	if units <= 0 || unitPriceCents <= 0 || units > math.MaxInt64/unitPriceCents {
		return 0, false
	}
	return units * unitPriceCents, true
}
