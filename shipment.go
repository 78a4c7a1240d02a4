package tollgate

import (
	"strings"
	"time"
)

// DomesticShipment is one shipment of a product to a US customer for US end
// use: the denominator of the H200 rule's 50% cap (regime.md §3). Entries
// are never edited: a correction is a reversal, a new entry with negative
// units that names the entry it corrects, so the sum of an exporter's
// entries is always the units it shipped to US customers.
type DomesticShipment struct {
	ID            string `json:"id"`
	ExporterOrgID string `json:"exporter_org_id"`
	Product       string `json:"product"` // a ProductKey
	// Units is positive for a shipment and negative for a reversal.
	Units int64 `json:"units"`
	// ShippedOn is the shipment's date (UTC midnight); a reversal carries
	// the date of the shipment it corrects.
	ShippedOn time.Time `json:"shipped_on"`
	// Customer names the US end-use customer, CustomerUltimateParent its
	// ultimate parent's legal name when it has one, and EndUse what the
	// customer uses the units for in the US: only shipments to end-use
	// customers count, never to the exporter itself or an affiliate
	// (package shipping's CheckUSCustomer). Reference is the exporter's
	// own reference (invoice, delivery note).
	Customer               string `json:"customer"`
	CustomerUltimateParent string `json:"customer_ultimate_parent,omitempty"`
	EndUse                 string `json:"end_use"`
	Reference              string `json:"reference"`
	// Reverses is the ID of the shipment a reversal corrects, and Reason
	// says why; both are empty on a shipment.
	Reverses   string    `json:"reverses,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	RecordedBy string    `json:"recorded_by,omitempty"`
	RecordedAt time.Time `json:"recorded_at,omitzero"`
}

// IsReversal reports whether s corrects an earlier shipment.
func (s *DomesticShipment) IsReversal() bool { return s.Reverses != "" }

// Validate checks a shipment or a reversal: exporter, product key, non-zero
// units, a date, customer and reference; a reversal has negative units, names
// the shipment it reverses and says why; a shipment has positive units,
// neither, and an end use.
func (s *DomesticShipment) Validate() error {
	switch {
	case s.ExporterOrgID == "":
		return FieldErrorf("exporter_org_id", "required")
	case s.Product == "" || s.Product != ProductKey(s.Product):
		return FieldErrorf("product", "required, as a product key (trimmed, upper case); got %q", s.Product)
	case s.Units == 0:
		return FieldErrorf("units", "must not be zero")
	case s.Units > MaxUnits || s.Units < -MaxUnits:
		return FieldErrorf("units", "is %d, more than the %d units one record may carry", s.Units, int64(MaxUnits))
	case s.ShippedOn.IsZero():
		return FieldErrorf("shipped_on", "required")
	case CheckDate("shipped_on", s.ShippedOn) != nil:
		return CheckDate("shipped_on", s.ShippedOn)
	}
	if err := validateNameField("customer", s.Customer, true); err != nil {
		return err
	}
	if err := validateNameField("reference", s.Reference, true); err != nil {
		return err
	}
	if err := validateNameField("customer_ultimate_parent", s.CustomerUltimateParent, false); err != nil {
		return err
	}
	if err := validateNameField("end_use", s.EndUse, s.Reverses == ""); err != nil {
		return err
	}
	switch {
	case s.Reverses == "" && s.Units < 0:
		return FieldErrorf("units", "negative units are a reversal, which names the shipment it reverses")
	case s.Reverses == "" && s.Reason != "":
		return FieldErrorf("reason", "only a reversal has a reason")
	case s.Reverses != "" && s.Units > 0:
		return FieldErrorf("units", "a reversal has negative units")
	case s.Reverses != "" && s.Reverses == s.ID:
		return FieldErrorf("reverses", "a shipment cannot reverse itself")
	case s.Reverses != "" && strings.TrimSpace(s.Reason) == "":
		return FieldErrorf("reason", "a reversal says why")
	}
	return validateNameField("reason", s.Reason, false)
}

// Reversal returns the entry that reverses units of s (all of them when
// units is 0), dated like s, for the caller to complete with an ID, the
// recorder and the time. Whether s may still be reversed by that much is
// package shipping's CheckReversal.
func (s *DomesticShipment) Reversal(units int64, reason string) DomesticShipment {
	if units == 0 {
		units = s.Units
	}
	return DomesticShipment{
		ExporterOrgID: s.ExporterOrgID,
		Product:       s.Product,
		Units:         -units,
		ShippedOn:     s.ShippedOn,
		Customer:      s.Customer,
		Reference:     s.Reference,
		EndUse:        s.EndUse,
		Reverses:      s.ID,
		// The parent is the original's: its affiliation was judged then.
		CustomerUltimateParent: s.CustomerUltimateParent,
		Reason:                 reason,
	}
}
