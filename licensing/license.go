package licensing

import (
	"fmt"
	"slices"
	"time"

	"tollgate"
)

// Config holds the settings of the licensing rules that are policy rather
// than law, so that an installation can change them without a code change.
type Config struct {
	// LicenseValidityYears is the validity of a license when the decision
	// does not set one, and the longest a decision may set: 4 years by
	// default (15 CFR 750.7(g); regime.md §9).
	LicenseValidityYears int `json:"license_validity_years"`
	// MaxDocumentBytes bounds a supporting document's size.
	MaxDocumentBytes int64 `json:"max_document_bytes"`
	// DocumentTypes are the accepted content types of supporting documents.
	DocumentTypes []string `json:"document_types"`
}

// DefaultConfig returns the defaults: 4-year licenses, PDF documents of at
// most 25 MiB.
func DefaultConfig() Config {
	return Config{
		LicenseValidityYears: 4,
		MaxDocumentBytes:     25 << 20,
		DocumentTypes:        []string{"application/pdf"},
	}
}

// Validate checks that every setting is usable.
func (c Config) Validate() error {
	switch {
	case c.LicenseValidityYears < 1 || c.LicenseValidityYears > 20:
		return tollgate.FieldErrorf("license_validity_years", "must be 1 to 20; got %d", c.LicenseValidityYears)
	case c.MaxDocumentBytes < 1:
		return tollgate.FieldErrorf("max_document_bytes", "must be positive; got %d", c.MaxDocumentBytes)
	case len(c.DocumentTypes) == 0 || slices.Contains(c.DocumentTypes, ""):
		return tollgate.FieldErrorf("document_types", "at least one content type, none empty")
	}
	return nil
}

// ValidityPeriod returns the default validity of a license issued on day
// from: from's day through the day before the same date cfg's years later.
// A 4-year license issued 2026-02-10 is valid through 2030-02-09; one issued
// on 2028-02-29 through 2032-02-28.
func ValidityPeriod(cfg Config, from time.Time) (validFrom, validTo time.Time) {
	validFrom = civilDate(from)
	return validFrom, validFrom.AddDate(cfg.LicenseValidityYears, 0, 0).AddDate(0, 0, -1)
}

// LicenseFromDecision builds the license that app's approval issues: the
// decision's number, items (with the application's ECCN and description),
// conditions and validity (cfg's default from the decision day when the
// decision sets none), the application's parties and destination. The
// caller assigns the ID. It returns ECONFLICT when app holds no approval.
func LicenseFromDecision(cfg Config, app tollgate.Application) (tollgate.License, error) {
	d := app.Decision
	if d == nil || !d.Outcome.IssuesLicense() {
		return tollgate.License{}, fmt.Errorf("licensing.LicenseFromDecision: %w",
			tollgate.Errorf(tollgate.ECONFLICT, "application %s is %s: no license to issue", app.ControlNumber, app.State))
	}
	if err := cfg.Validate(); err != nil {
		return tollgate.License{}, fmt.Errorf("licensing.LicenseFromDecision: %w", err)
	}
	from, to := d.ValidFrom, d.ValidTo
	if from.IsZero() {
		from, to = ValidityPeriod(cfg, d.At)
	}
	items := slices.Clone(d.Items)
	for i := range items {
		for _, it := range app.Items {
			if it.Product() != items[i].Product {
				continue
			}
			if items[i].ECCN == "" {
				items[i].ECCN = it.ECCN
			}
			if items[i].Description == "" {
				items[i].Description = it.Description
			}
		}
	}
	lic := tollgate.License{
		Number:        d.LicenseNumber,
		HolderOrgID:   app.Parties.Applicant,
		ApplicationID: app.ID,
		ControlNumber: app.ControlNumber,
		Parties:       app.Parties,
		Destination:   app.Destination,
		Items:         items,
		ValidFrom:     from,
		ValidTo:       to,
		Conditions:    cloneDecision(*d).Conditions,
		Status:        tollgate.LicenseActive,
		IssuedAt:      d.At,
	}
	if !d.StandsAt.IsZero() {
		lic.IssuedAt = d.StandsAt // an escalated case's decision issues its license when it stands
	}
	if err := lic.Validate(); err != nil {
		return tollgate.License{}, fmt.Errorf("licensing.LicenseFromDecision: %w", err)
	}
	return lic, nil
}

// Consumption is a quantity and value of one product taken from a license:
// a shipment, or a reservation not yet shipped or released.
type Consumption struct {
	Product    string `json:"product"`
	Units      int64  `json:"units"`
	ValueCents int64  `json:"value_cents"`
}

// Remaining is what is left of one licensed item after its consumptions.
type Remaining struct {
	Product        string `json:"product"`
	LicensedUnits  int64  `json:"licensed_units"`
	LicensedCents  int64  `json:"licensed_cents"`
	UsedUnits      int64  `json:"used_units"`
	UsedCents      int64  `json:"used_cents"`
	RemainingUnits int64  `json:"remaining_units"`
	RemainingCents int64  `json:"remaining_cents"`
}

// RemainingOf returns, for every item of lic in order, the licensed, used
// and remaining units and value after consumed. A consumption of a product
// the license does not cover, or with negative figures, is EINVALID.
// Remaining figures are negative when consumptions exceed the license (which
// the store must never let happen).
func RemainingOf(lic tollgate.License, consumed []Consumption) ([]Remaining, error) {
	out := make([]Remaining, len(lic.Items))
	for i, it := range lic.Items {
		out[i] = Remaining{Product: it.Product, LicensedUnits: it.Quantity, LicensedCents: it.ValueCents}
	}
	for i, c := range consumed {
		field := fmt.Sprintf("consumed[%d]", i)
		j := slices.IndexFunc(out, func(r Remaining) bool { return r.Product == tollgate.ProductKey(c.Product) })
		switch {
		case j < 0:
			return nil, fmt.Errorf("licensing.RemainingOf: %w", tollgate.FieldErrorf(field+".product", "license %s does not cover %q", lic.Number, c.Product))
		case c.Units < 0 || c.ValueCents < 0:
			return nil, fmt.Errorf("licensing.RemainingOf: %w", tollgate.FieldErrorf(field, "units and value must not be negative"))
		}
		out[j].UsedUnits += c.Units
		out[j].UsedCents += c.ValueCents
	}
	for i := range out {
		out[i].RemainingUnits = out[i].LicensedUnits - out[i].UsedUnits
		out[i].RemainingCents = out[i].LicensedCents - out[i].UsedCents
	}
	return out, nil
}

// CheckConsume returns nil when req fits in what remains, else an ELIMIT
// error naming the limit (units or value) and by how much req exceeds it.
func CheckConsume(remaining []Remaining, req Consumption) error {
	product := tollgate.ProductKey(req.Product)
	j := slices.IndexFunc(remaining, func(r Remaining) bool { return r.Product == product })
	switch {
	case j < 0:
		return fmt.Errorf("licensing.CheckConsume: %w", tollgate.FieldErrorf("product", "the license does not cover %q", req.Product))
	case req.Units <= 0 || req.ValueCents < 0:
		return fmt.Errorf("licensing.CheckConsume: %w", tollgate.FieldErrorf("units", "must be positive, with a value not negative"))
	}
	r := remaining[j]
	if req.Units > r.RemainingUnits {
		return fmt.Errorf("licensing.CheckConsume: %w", tollgate.Errorf(tollgate.ELIMIT,
			"license quantity exceeded for %s: %d units requested, %d remain (over by %d)", product, req.Units, max(0, r.RemainingUnits), req.Units-r.RemainingUnits))
	}
	if req.ValueCents > r.RemainingCents {
		return fmt.Errorf("licensing.CheckConsume: %w", tollgate.Errorf(tollgate.ELIMIT,
			"license value exceeded for %s: %d cents requested, %d remain (over by %d)", product, req.ValueCents, max(0, r.RemainingCents), req.ValueCents-r.RemainingCents))
	}
	return nil
}

// Status returns the status of lic as of asOf: revoked or suspended when the
// agency set it; expired after the last day of validity; exhausted when no
// units (or no value) remain of any item; else active. Expiry is checked
// before exhaustion because an expired license can never ship again,
// whatever remains.
func Status(lic tollgate.License, remaining []Remaining, asOf time.Time) tollgate.LicenseStatus {
	switch lic.Status {
	case tollgate.LicenseRevoked, tollgate.LicenseSuspended:
		return lic.Status
	}
	if civilDate(asOf).After(civilDate(lic.ValidTo)) {
		return tollgate.LicenseExpired
	}
	for _, r := range remaining {
		if r.RemainingUnits > 0 && r.RemainingCents > 0 {
			return tollgate.LicenseActive
		}
	}
	return tollgate.LicenseExhausted
}

// PendingAcknowledgment is a party that a condition binds and that has not
// acknowledged it yet.
type PendingAcknowledgment struct {
	ConditionID string             `json:"condition_id"`
	Role        tollgate.PartyRole `json:"role"`
	PartyID     string             `json:"party_id"`
}

// UnacknowledgedConditions returns, condition by condition, every party in a
// role the condition binds that has not acknowledged it. The applicant role
// is the license holder. No shipment may leave until this is empty.
func UnacknowledgedConditions(lic tollgate.License) []PendingAcknowledgment {
	var out []PendingAcknowledgment
	for _, c := range lic.Conditions {
		for _, role := range c.Binds {
			for _, id := range lic.Parties.WithRole(role) {
				if !c.Acknowledged(role, id) {
					out = append(out, PendingAcknowledgment{ConditionID: c.ID, Role: role, PartyID: id})
				}
			}
		}
	}
	return out
}

// CheckUsable returns nil when lic may be shipped against on asOf: its
// status (Status) is active, its validity has begun, and every condition has
// been acknowledged by the parties it binds. Otherwise EPRECONDITION says why.
func CheckUsable(lic tollgate.License, remaining []Remaining, asOf time.Time) error {
	if s := Status(lic, remaining, asOf); s != tollgate.LicenseActive {
		return fmt.Errorf("licensing.CheckUsable: %w", tollgate.Errorf(tollgate.EPRECONDITION, "license %s is %s", lic.Number, s))
	}
	if civilDate(asOf).Before(civilDate(lic.ValidFrom)) {
		return fmt.Errorf("licensing.CheckUsable: %w", tollgate.Errorf(tollgate.EPRECONDITION,
			"license %s is valid from %s", lic.Number, civilDate(lic.ValidFrom).Format(dateLayout)))
	}
	if pending := UnacknowledgedConditions(lic); len(pending) > 0 {
		e := tollgate.Errorf(tollgate.EPRECONDITION, "license %s has %d unacknowledged condition binding(s), first: condition %s by %s %s",
			lic.Number, len(pending), pending[0].ConditionID, pending[0].Role, pending[0].PartyID)
		e.Details = pending
		return fmt.Errorf("licensing.CheckUsable: %w", e)
	}
	return nil
}
