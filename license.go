package tollgate

import (
	"strings"
	"time"
)

// DecisionOutcome is how the licensing agency disposes of an application
// (15 CFR 748.6(c), 750.4).
type DecisionOutcome string

// Decision outcomes. Approve and approve-in-part issue a license.
const (
	DecisionApprove       DecisionOutcome = "approve"
	DecisionApproveInPart DecisionOutcome = "approve_in_part"
	DecisionDeny          DecisionOutcome = "deny"
	DecisionReturn        DecisionOutcome = "return_without_action"
)

// DecisionOutcomes lists every outcome.
func DecisionOutcomes() []DecisionOutcome {
	return []DecisionOutcome{DecisionApprove, DecisionApproveInPart, DecisionDeny, DecisionReturn}
}

// State returns the application state the outcome leads to, or "" for an
// unknown outcome.
func (o DecisionOutcome) State() ApplicationState {
	switch o {
	case DecisionApprove:
		return ApplicationApproved
	case DecisionApproveInPart:
		return ApplicationApprovedInPart
	case DecisionDeny:
		return ApplicationDenied
	case DecisionReturn:
		return ApplicationReturned
	}
	return ""
}

// IssuesLicense reports whether the outcome results in a license.
func (o DecisionOutcome) IssuesLicense() bool {
	return o == DecisionApprove || o == DecisionApproveInPart
}

// ApplicationDecision is the final disposition of an application. For an
// approval it carries everything the license is made from: its number, the
// licensed quantity and value per product, the validity period (zero dates
// mean the configured default) and the conditions (riders). A denial or a
// return carries its reasons.
type ApplicationDecision struct {
	Outcome       DecisionOutcome `json:"outcome"`
	LicenseNumber string          `json:"license_number,omitempty"`
	Items         []LicenseItem   `json:"items,omitempty"`
	ValidFrom     time.Time       `json:"valid_from,omitzero"`
	ValidTo       time.Time       `json:"valid_to,omitzero"`
	Conditions    []Condition     `json:"conditions,omitempty"`
	Reasons       []string        `json:"reasons,omitempty"`
	// ByCommittee marks a decision of the Operating Committee's chair on an
	// escalated application; Level, one of an appeal level's.
	ByCommittee bool        `json:"by_committee,omitempty"`
	Level       AppealLevel `json:"level,omitempty"`
	DecidedBy   string      `json:"decided_by"`
	At          time.Time   `json:"at"`
	// StandsAt is when an escalated case's decision became final (its
	// appeal window closed, or the President decided); zero for a
	// decision that is final when made.
	StandsAt time.Time `json:"stands_at,omitzero"`
}

// LicenseStatus is the standing of a license. Revoked and suspended are set
// by the agency and stored; exhausted and expired follow from the remaining
// quantity and the validity dates, and are derived (licensing.Status).
type LicenseStatus string

// License statuses.
const (
	LicenseActive    LicenseStatus = "active"
	LicenseExhausted LicenseStatus = "exhausted"
	LicenseExpired   LicenseStatus = "expired"
	LicenseRevoked   LicenseStatus = "revoked"
	LicenseSuspended LicenseStatus = "suspended"
)

// Valid reports whether s is a known status.
func (s LicenseStatus) Valid() bool {
	switch s {
	case LicenseActive, LicenseExhausted, LicenseExpired, LicenseRevoked, LicenseSuspended:
		return true
	}
	return false
}

// LicenseItem is one product a license (or an approval) covers, with the
// licensed quantity and value: shipments deplete both.
type LicenseItem struct {
	Product     string `json:"product"` // a ProductKey
	ECCN        string `json:"eccn,omitempty"`
	Description string `json:"description,omitempty"`
	Quantity    int64  `json:"quantity"`
	ValueCents  int64  `json:"value_cents"`
}

// Validate checks a licensed item: a product, a well-formed ECCN if any, and
// positive quantity and value.
func (it LicenseItem) Validate() *Error {
	switch {
	case it.Product == "" || it.Product != ProductKey(it.Product):
		return FieldErrorf("product", "required, as a product key (trimmed, upper case); got %q", it.Product)
	case it.ECCN != "" && !ValidECCN(it.ECCN):
		return FieldErrorf("eccn", "%q is not an ECCN", it.ECCN)
	case CheckUnits("quantity", it.Quantity) != nil:
		return CheckUnits("quantity", it.Quantity)
	case CheckCents("value_cents", it.ValueCents) != nil:
		return CheckCents("value_cents", it.ValueCents)
	}
	return nil
}

// Condition is a rider on a license. The licensee must pass it to the
// parties in the roles it binds, and each of them must acknowledge it before
// the first shipment.
type Condition struct {
	ID    string      `json:"id"`
	Text  string      `json:"text"`
	Binds []PartyRole `json:"binds"`
	// LabToleranceBP, when positive, tightens the tolerance of the lab
	// reviews of the license's exports below the agency's default: a
	// review that applied more covers no export under the license.
	LabToleranceBP  int              `json:"lab_tolerance_bp,omitempty"`
	Acknowledgments []Acknowledgment `json:"acknowledgments,omitempty"`
}

// Validate checks a condition: an id, a text, and at least one bound role
// (RoleApplicant or a party role), none twice.
func (c Condition) Validate() *Error {
	switch {
	case strings.TrimSpace(c.ID) == "":
		return FieldErrorf("id", "required")
	case strings.TrimSpace(c.Text) == "":
		return FieldErrorf("text", "required")
	case CheckText("text", c.Text) != nil:
		return CheckText("text", c.Text).(*Error)
	case len(c.Text) > maxApplicationTextLen:
		return FieldErrorf("text", "longer than %d characters", maxApplicationTextLen)
	case len(c.Binds) == 0:
		return FieldErrorf("binds", "a condition binds at least one party role")
	case c.LabToleranceBP < 0 || c.LabToleranceBP > MaxToleranceBP:
		return FieldErrorf("lab_tolerance_bp", "must be 0 (none) to %d; got %d", MaxToleranceBP, c.LabToleranceBP)
	}
	seen := map[PartyRole]bool{}
	for i, r := range c.Binds {
		if r != RoleApplicant && !r.Valid() {
			return FieldErrorf(fieldIndex("binds", i), "unknown party role %q", r)
		}
		if seen[r] {
			return FieldErrorf(fieldIndex("binds", i), "role %q named twice", r)
		}
		seen[r] = true
	}
	for i, a := range c.Acknowledgments {
		if err := a.Validate(); err != nil {
			err.Field = fieldIndex("acknowledgments", i) + "." + err.Field
			return err
		}
	}
	return nil
}

// Acknowledged reports whether the party with id in role has acknowledged c.
func (c Condition) Acknowledged(role PartyRole, id string) bool {
	for _, a := range c.Acknowledgments {
		if a.Role == role && a.PartyID == id {
			return true
		}
	}
	return false
}

// Acknowledgment records that a party bound by a condition acknowledged it:
// who signed for the party, the signed document's digest when there is one,
// the user who recorded it, and when.
type Acknowledgment struct {
	Role           PartyRole `json:"role"`
	PartyID        string    `json:"party_id"`
	SignedBy       string    `json:"signed_by"`
	DocumentDigest string    `json:"document_digest,omitempty"`
	RecordedBy     string    `json:"recorded_by"`
	At             time.Time `json:"at"`
}

// Validate checks that an acknowledgment names its party, signatory,
// recorder and time.
func (a Acknowledgment) Validate() *Error {
	switch {
	case a.Role != RoleApplicant && !a.Role.Valid():
		return FieldErrorf("role", "unknown party role %q", a.Role)
	case a.PartyID == "":
		return FieldErrorf("party_id", "required")
	case strings.TrimSpace(a.SignedBy) == "":
		return FieldErrorf("signed_by", "required")
	case a.DocumentDigest != "" && !IsHexDigest(a.DocumentDigest):
		return FieldErrorf("document_digest", "must be a lowercase hex SHA-256")
	case a.RecordedBy == "":
		return FieldErrorf("recorded_by", "required")
	case a.At.IsZero():
		return FieldErrorf("at", "required")
	}
	return nil
}

// License is an export license issued on an approved application. Its
// validity runs from ValidFrom to ValidTo inclusive, both UTC dates (midnight).
//
// Where licenses live (names agreed between licensing and shipping): the
// store's Tx reads one with its items, conditions and acknowledgments
// (License, LicenseByNumber, and LicenseForUpdate, which locks it for the
// rest of the transaction) as a store.StoredLicense, whose Usage holds,
// per item in Items order, the units and cents reserved and shipped
// (store.LicenseItemUsage). Shipping moves those counters with
// Tx.ChangeLicenseUsage(ctx, licenseID, store.UsageChange{Product,
// ReservedUnits, ReservedCents, ShippedUnits, ShippedCents}) in signed
// deltas, which refuses a negative figure (EINVALID) or more than the
// license grants (ELIMIT); the caller audits its own use case.
// licensing.Consumptions turns the usage into what RemainingOf reads.
type License struct {
	ID            string             `json:"id"`
	Number        string             `json:"number"`
	HolderOrgID   string             `json:"holder_org_id"`
	ApplicationID string             `json:"application_id"`
	ControlNumber string             `json:"control_number"`
	Parties       ApplicationParties `json:"parties"`
	Destination   string             `json:"destination"`
	Items         []LicenseItem      `json:"items"`
	ValidFrom     time.Time          `json:"valid_from"`
	ValidTo       time.Time          `json:"valid_to"`
	Conditions    []Condition        `json:"conditions,omitempty"`
	// Status is what the store keeps: active, revoked or suspended. Use
	// licensing.Status for the status as of a date, which adds exhausted and
	// expired.
	Status          LicenseStatus `json:"status"`
	StatusReason    string        `json:"status_reason,omitempty"`
	StatusChangedAt time.Time     `json:"status_changed_at,omitzero"`
	IssuedAt        time.Time     `json:"issued_at"`
}

// Item returns the licensed item of product (a ProductKey).
func (l *License) Item(product string) (LicenseItem, bool) {
	for _, it := range l.Items {
		if it.Product == product {
			return it, true
		}
	}
	return LicenseItem{}, false
}

// Validate checks that a license is complete and consistent: number, holder,
// application, at least one item (each product once), a validity period that
// does not end before it starts, valid conditions with distinct ids, and a
// stored status of active, revoked or suspended.
func (l *License) Validate() error {
	switch {
	case l.Number == "":
		return FieldErrorf("number", "required")
	case l.HolderOrgID == "":
		return FieldErrorf("holder_org_id", "required")
	case l.ApplicationID == "":
		return FieldErrorf("application_id", "required")
	case len(l.Items) == 0:
		return FieldErrorf("items", "a license covers at least one item")
	case l.ValidFrom.IsZero() || l.ValidTo.IsZero():
		return FieldErrorf("valid_to", "a validity period is required")
	case l.ValidTo.Before(l.ValidFrom):
		return FieldErrorf("valid_to", "ends before valid_from")
	case CheckDate("valid_from", l.ValidFrom) != nil:
		return CheckDate("valid_from", l.ValidFrom)
	case CheckDate("valid_to", l.ValidTo) != nil:
		return CheckDate("valid_to", l.ValidTo)
	case l.Status != LicenseActive && l.Status != LicenseRevoked && l.Status != LicenseSuspended:
		return FieldErrorf("status", "stored status must be active, revoked or suspended; got %q", l.Status)
	}
	products := map[string]bool{}
	for i, it := range l.Items {
		if err := it.Validate(); err != nil {
			err.Field = fieldIndex("items", i) + "." + err.Field
			return err
		}
		if products[it.Product] {
			return FieldErrorf(fieldIndex("items", i)+".product", "%q licensed twice", it.Product)
		}
		products[it.Product] = true
	}
	ids := map[string]bool{}
	for i, c := range l.Conditions {
		if err := c.Validate(); err != nil {
			err.Field = fieldIndex("conditions", i) + "." + err.Field
			return err
		}
		if ids[c.ID] {
			return FieldErrorf(fieldIndex("conditions", i)+".id", "%q used twice", c.ID)
		}
		ids[c.ID] = true
	}
	return nil
}
