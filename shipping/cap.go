package shipping

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
	"tollgate/licensing"
)

// USUnits returns the units of product that exporter shipped to US customers
// on or before through (all of them when through is zero): the plain sum of
// its shipments and reversals.
func USUnits(shipments []tollgate.DomesticShipment, exporter, product string, through time.Time) int64 {
	var n int64
	for i := range shipments {
		s := &shipments[i]
		if s.ExporterOrgID == exporter && s.Product == product && (through.IsZero() || !s.ShippedOn.After(through)) {
			n += s.Units
		}
	}
	return n
}

// CheckUSCustomer returns nil when sh may count toward exporter's US units,
// the cap's denominator: the rule counts units shipped to US end-use
// customers, so a shipment to the exporter itself or to an affiliate (the
// customer's name or ultimate parent is the exporter's name or ultimate
// parent, compared without case, punctuation or spacing) is EPRECONDITION,
// and a shipment must state its end use.
func CheckUSCustomer(exporter tollgate.Org, sh tollgate.DomesticShipment) error {
	if strings.TrimSpace(sh.EndUse) == "" {
		return tollgate.FieldErrorf("end_use", "required: the US end use the customer puts the units to")
	}
	own := entityNames(exporter.Name, exporter.UltimateParent)
	for _, n := range entityNames(sh.Customer, sh.CustomerUltimateParent) {
		if slices.Contains(own, n) {
			return tollgate.Errorf(tollgate.EPRECONDITION, "US shipment to %s does not count toward the cap: the customer is the exporter %s or an affiliate (they share the name or ultimate parent %q); only end-use customers count",
				sh.Customer, exporter.Name, n)
		}
	}
	return nil
}

// CheckReversal returns nil when reversal may correct original, given the
// reversals of original already recorded: original is a shipment (not a
// reversal) of the same exporter and product that reversal names, and the
// reversals together never take more units than original shipped. A
// reversal that would is ECONFLICT saying by how much.
func CheckReversal(original, reversal tollgate.DomesticShipment, prior []tollgate.DomesticShipment) error {
	if err := reversal.Validate(); err != nil {
		return fmt.Errorf("shipping.CheckReversal: %w", err)
	}
	switch {
	case !reversal.IsReversal():
		return fmt.Errorf("shipping.CheckReversal: %w", tollgate.FieldErrorf("reverses", "required: a correction names the shipment it reverses"))
	case reversal.Reverses != original.ID:
		return fmt.Errorf("shipping.CheckReversal: %w", tollgate.FieldErrorf("reverses", "names %q, not shipment %q", reversal.Reverses, original.ID))
	case original.IsReversal():
		return fmt.Errorf("shipping.CheckReversal: %w", tollgate.Errorf(tollgate.ECONFLICT, "shipment %s is itself a reversal; reverse the original", original.ID))
	case original.ExporterOrgID != reversal.ExporterOrgID || original.Product != reversal.Product:
		return fmt.Errorf("shipping.CheckReversal: %w", tollgate.FieldErrorf("product", "a reversal keeps the exporter and product of the shipment it reverses"))
	}
	left := original.Units
	for _, p := range prior {
		if p.Reverses == original.ID {
			left += p.Units
		}
	}
	if -reversal.Units > left {
		return fmt.Errorf("shipping.CheckReversal: %w", tollgate.Errorf(tollgate.ECONFLICT,
			"shipment %s has %d units left to reverse; %d requested (over by %d)", original.ID, left, -reversal.Units, -reversal.Units-left))
	}
	return nil
}

// CapUnits returns the China cap for usUnits US units: floor(usUnits x
// capBP / 10000), and 0 when usUnits is not positive.
func CapUnits(usUnits int64, capBP int) int64 {
	if usUnits <= 0 {
		return 0
	}
	// Split to keep the product inside an int64 for any usUnits.
	return usUnits/10000*int64(capBP) + usUnits%10000*int64(capBP)/10000
}

// CapPosition is where an exporter's product stands against the cap: US
// units, the cap they allow, the China and Macau units held (shipped or
// reserved and not expired) and the headroom left, negative when a reversal
// of US shipments has put the held units over the cap.
type CapPosition struct {
	Product   string `json:"product"`
	CapBP     int    `json:"cap_bp"`
	USUnits   int64  `json:"us_units"`
	CapUnits  int64  `json:"cap_units"`
	HeldUnits int64  `json:"held_units"`
	Headroom  int64  `json:"headroom"`
}

// NewCapPosition returns the position of product with usUnits US units and
// heldUnits China and Macau units held.
func NewCapPosition(cfg Config, product string, usUnits, heldUnits int64) CapPosition {
	c := CapUnits(usUnits, cfg.CapBP)
	return CapPosition{Product: product, CapBP: cfg.CapBP, USUnits: usUnits, CapUnits: c, HeldUnits: heldUnits, Headroom: c - heldUnits}
}

// LimitExceeded is the Details of an ELIMIT error: which limit, what it
// allows, what is already used, what was requested and by how much the
// request is over.
type LimitExceeded struct {
	Limit     string `json:"limit"`
	Product   string `json:"product"`
	Allowed   int64  `json:"allowed"`
	Used      int64  `json:"used"`
	Requested int64  `json:"requested"`
	Over      int64  `json:"over"`
}

// Names of the limits in LimitExceeded.
const (
	LimitChinaCap      = "china_cap"
	LimitOrderQuantity = "order_quantity"
)

// CheckCap returns nil when units more China or Macau units fit under the
// cap, else an ELIMIT error naming the cap and by how much it would be
// exceeded.
func CheckCap(p CapPosition, units int64) error {
	if p.HeldUnits+units <= p.CapUnits {
		return nil
	}
	over := p.HeldUnits + units - p.CapUnits
	e := tollgate.Errorf(tollgate.ELIMIT, "%s%% cap on China and Macau shipments exceeded for %s: %d US units allow %d; %d held, %d requested (over by %d)",
		fmtBP(p.CapBP), p.Product, p.USUnits, p.CapUnits, p.HeldUnits, units, over)
	e.Details = LimitExceeded{Limit: LimitChinaCap, Product: p.Product, Allowed: p.CapUnits, Used: p.HeldUnits, Requested: units, Over: over}
	return fmt.Errorf("shipping.CheckCap: %w", e)
}

// fmtBP writes basis points as a percentage: 5000 → "50", 1250 → "12.5".
func fmtBP(bp int) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d.%02d", bp/100, bp%100), "0"), ".")
}

// Holds reports whether e holds its units, license quantity and value and
// cap room at now: shipped, or reserved and not yet expired.
func Holds(e tollgate.Export, now time.Time) bool {
	return e.State == tollgate.ExportShipped || (e.State == tollgate.ExportReserved && !Expired(e, now))
}

// ChinaUnitsHeld returns the units of product held by exporter's exports to
// the cap's destinations at now.
func ChinaUnitsHeld(cfg Config, exports []tollgate.Export, exporter, product string, now time.Time) int64 {
	var n int64
	for _, e := range exports {
		if e.ExporterOrgID == exporter && e.Product == product && cfg.capped(e.Destination) && Holds(e, now) {
			n += e.Units.Count
		}
	}
	return n
}

// LicenseConsumption returns what the exports under license licenseID that
// hold at now take from it, one consumption per export, for
// licensing.RemainingOf.
func LicenseConsumption(exports []tollgate.Export, licenseID string, now time.Time) []licensing.Consumption {
	var out []licensing.Consumption
	for _, e := range exports {
		if e.LicenseID == licenseID && Holds(e, now) {
			out = append(out, licensing.Consumption{Product: e.Product, Units: e.Units.Count, ValueCents: e.ValueCents})
		}
	}
	return out
}

// OrderUnitsHeld returns the units the exports of order orderID hold at now.
func OrderUnitsHeld(exports []tollgate.Export, orderID string, now time.Time) int64 {
	var n int64
	for _, e := range exports {
		if e.OrderID == orderID && Holds(e, now) {
			n += e.Units.Count
		}
	}
	return n
}
