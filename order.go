package tollgate

import (
	"strings"
	"time"
)

// OrderState is where an order from a Chinese customer stands. Package
// shipping's order state machine is the only code that changes it.
type OrderState string

// Order states: drafted → licensed → shipped → delivered, or cancelled.
const (
	OrderDrafted   OrderState = "drafted"
	OrderLicensed  OrderState = "licensed"
	OrderShipped   OrderState = "shipped"
	OrderDelivered OrderState = "delivered"
	OrderCancelled OrderState = "cancelled"
)

// OrderStates lists every order state in lifecycle order.
var OrderStates = []OrderState{OrderDrafted, OrderLicensed, OrderShipped, OrderDelivered, OrderCancelled}

// Valid reports whether s is one of OrderStates.
func (s OrderState) Valid() bool {
	for _, v := range OrderStates {
		if s == v {
			return true
		}
	}
	return false
}

// CancelReason is why an order was cancelled: the revenue report sums lost
// revenue by it.
type CancelReason string

// Cancellation reasons.
const (
	CancelLicenseDenied    CancelReason = "license_denied"    // the US denied (or returned) the license
	CancelPRCBlocked       CancelReason = "prc_blocked"       // China blocked or restricted the purchase
	CancelCustomerWithdrew CancelReason = "customer_withdrew" // the customer withdrew the order
)

// CancelReasons lists every reason, in a stable order.
var CancelReasons = []CancelReason{CancelLicenseDenied, CancelPRCBlocked, CancelCustomerWithdrew}

// Valid reports whether r is one of CancelReasons.
func (r CancelReason) Valid() bool {
	for _, v := range CancelReasons {
		if r == v {
			return true
		}
	}
	return false
}

// PRCStatus is the Chinese side's standing on an order (regime.md §7).
type PRCStatus string

// PRC statuses.
const (
	PRCUnknown          PRCStatus = "unknown"            // nothing known yet
	PRCApproved         PRCStatus = "approved"           // Beijing approved the purchase (reference and date)
	PRCRestricted       PRCStatus = "restricted"         // state guidance to buy domestic chips
	PRCBlockedAtCustoms PRCStatus = "blocked_at_customs" // Chinese customs will not admit the chips
)

// PRCStatuses lists every PRC status, in a stable order.
var PRCStatuses = []PRCStatus{PRCUnknown, PRCApproved, PRCRestricted, PRCBlockedAtCustoms}

// Valid reports whether s is one of PRCStatuses.
func (s PRCStatus) Valid() bool {
	for _, v := range PRCStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// PRCStatusChange is one entry of an order's PRC history: the status, with
// the approval's reference and date when approved, a note, who recorded it
// and when.
type PRCStatusChange struct {
	Status     PRCStatus `json:"status"`
	Reference  string    `json:"reference,omitempty"`
	Date       time.Time `json:"date,omitzero"`
	Note       string    `json:"note,omitempty"`
	RecordedBy string    `json:"recorded_by"`
	At         time.Time `json:"at"`
}

// Validate checks a PRC status change: a known status, a reference and date
// for an approval, and who recorded it when.
func (c PRCStatusChange) Validate() *Error {
	switch {
	case !c.Status.Valid():
		return FieldErrorf("status", "must be unknown, approved, restricted or blocked_at_customs; got %q", c.Status)
	case c.Status == PRCApproved && strings.TrimSpace(c.Reference) == "":
		return FieldErrorf("reference", "an approval carries its reference")
	case c.Status == PRCApproved && c.Date.IsZero():
		return FieldErrorf("date", "an approval carries its date")
	case CheckDate("date", c.Date) != nil:
		return CheckDate("date", c.Date)
	case CheckLine("reference", c.Reference) != nil:
		return CheckLine("reference", c.Reference).(*Error)
	case CheckText("note", c.Note) != nil:
		return CheckText("note", c.Note).(*Error)
	case len(c.Reference) > MaxNameLen || len(c.Note) > maxApplicationTextLen:
		return FieldErrorf("note", "reference or note too long")
	case c.RecordedBy == "":
		return FieldErrorf("recorded_by", "required")
	case c.At.IsZero():
		return FieldErrorf("at", "required")
	}
	return nil
}

// OrderChange is one entry of an order's history: the event, the states
// before and after, who sent it and when.
type OrderChange struct {
	Event string     `json:"event"`
	From  OrderState `json:"from"`
	To    OrderState `json:"to"`
	Note  string     `json:"note,omitempty"`
	Actor string     `json:"actor"`
	At    time.Time  `json:"at"`
}

// Order is an order from a customer in China or Macau for units of one
// product at a unit price, with its lifecycle and the PRC's standing on it.
type Order struct {
	ID              string `json:"id"`
	ExporterOrgID   string `json:"exporter_org_id"`
	CustomerPartyID string `json:"customer_party_id"`
	// Reference is the exporter's own order reference.
	Reference      string     `json:"reference"`
	Product        string     `json:"product"` // a ProductKey
	Quantity       int64      `json:"quantity"`
	UnitPriceCents int64      `json:"unit_price_cents"`
	Destination    string     `json:"destination"` // China or Macau: CN, HK or MO
	State          OrderState `json:"state"`
	// LicenseID is the license the order ships under, set when licensed.
	LicenseID string `json:"license_id,omitempty"`
	// PRC is the current PRC standing (the last entry of PRCHistory, or
	// unknown when there is none).
	PRC          PRCStatusChange   `json:"prc"`
	PRCHistory   []PRCStatusChange `json:"prc_history,omitempty"`
	CancelReason CancelReason      `json:"cancel_reason,omitempty"`
	CancelledAt  time.Time         `json:"cancelled_at,omitzero"`
	History      []OrderChange     `json:"history,omitempty"`
	CreatedBy    string            `json:"created_by,omitempty"`
	CreatedAt    time.Time         `json:"created_at,omitzero"`
	UpdatedAt    time.Time         `json:"updated_at,omitzero"`
}

// TotalCents returns quantity x unit price (0 if it overflows, which
// Validate refuses).
func (o *Order) TotalCents() int64 {
	v, _ := UnitValue(o.Quantity, o.UnitPriceCents)
	return v
}

// Validate checks an order: exporter, customer, reference, product key,
// positive quantity and unit price whose product fits, a destination, a
// known state, a license once licensed, a cancellation reason and time
// exactly when cancelled, and a valid PRC standing and history.
func (o *Order) Validate() error {
	switch {
	case o.ExporterOrgID == "":
		return FieldErrorf("exporter_org_id", "required")
	case o.CustomerPartyID == "":
		return FieldErrorf("customer_party_id", "required")
	}
	if err := validateNameField("reference", o.Reference, true); err != nil {
		return err
	}
	switch {
	case o.Product == "" || o.Product != ProductKey(o.Product):
		return FieldErrorf("product", "required, as a product key (trimmed, upper case); got %q", o.Product)
	case CheckUnits("quantity", o.Quantity) != nil:
		return CheckUnits("quantity", o.Quantity)
	case CheckCents("unit_price_cents", o.UnitPriceCents) != nil:
		return CheckCents("unit_price_cents", o.UnitPriceCents)
	case o.TotalCents() == 0 || o.TotalCents() > MaxCents:
		return FieldErrorf("unit_price_cents", "quantity times unit price is more than %d cents", int64(MaxCents))
	case !IsCountryCode(o.Destination):
		return FieldErrorf("destination", "must be an ISO 3166-1 alpha-2 code such as CN; got %q", o.Destination)
	case !o.State.Valid():
		return FieldErrorf("state", "unknown order state %q", o.State)
	case (o.State == OrderLicensed || o.State == OrderShipped || o.State == OrderDelivered) && o.LicenseID == "":
		return FieldErrorf("license_id", "required once the order is %s", o.State)
	case (o.State == OrderCancelled) != o.CancelReason.Valid():
		return FieldErrorf("cancel_reason", "one of license_denied, prc_blocked, customer_withdrew exactly when cancelled; got %q", o.CancelReason)
	case (o.State == OrderCancelled) != !o.CancelledAt.IsZero():
		return FieldErrorf("cancelled_at", "required exactly when cancelled")
	}
	if o.PRC.Status == "" && len(o.PRCHistory) == 0 {
		return nil
	}
	if err := o.PRC.Validate(); err != nil {
		err.Field = "prc." + err.Field
		return err
	}
	for i, c := range o.PRCHistory {
		if err := c.Validate(); err != nil {
			err.Field = fieldIndex("prc_history", i) + "." + err.Field
			return err
		}
	}
	return nil
}

// PRCStatus returns the order's current PRC status, unknown when none was
// recorded.
func (o *Order) PRCStatus() PRCStatus {
	if o.PRC.Status == "" {
		return PRCUnknown
	}
	return o.PRC.Status
}
