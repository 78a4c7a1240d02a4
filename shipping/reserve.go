package shipping

import (
	"fmt"
	"slices"
	"time"

	"tollgate"
	"tollgate/licensing"
)

// PartyStanding is a party's screening standing as the store knows it at
// reservation time: its derived status and the list versions its latest
// screening used.
type PartyStanding struct {
	PartyID        string                   `json:"party_id"`
	Status         tollgate.ScreeningStatus `json:"status"`
	ListVersionIDs []string                 `json:"list_version_ids"`
}

// ReserveInput is everything CheckReserve decides on. A store fills it
// inside the transaction that writes the reservation, after taking the locks
// that serialize reservations on the same license and the same exporter's
// product; the sums (LicenseUsed, OrderHeldUnits, USUnits, ChinaHeldUnits)
// may come from SQL aggregates, as long as they count what this package's
// helpers named beside each field count.
type ReserveInput struct {
	Config Config    `json:"config"`
	Now    time.Time `json:"now"`
	// Request is the export to reserve: exporter, license, order, product,
	// units, value, destination and the user reserving. State, times and
	// the shipping fields are ignored; Reserve sets them.
	Request tollgate.Export  `json:"request"`
	License tollgate.License `json:"license"`
	Order   tollgate.Order   `json:"order"`
	// Parties holds the standing of every party the license names and of
	// the order's customer; CurrentListVersionIDs the list versions in
	// force, all of which a party's latest screening must have used.
	Parties               []PartyStanding `json:"parties"`
	CurrentListVersionIDs []string        `json:"current_list_version_ids"`
	Units                 UnitFacts       `json:"units"`
	// LicenseUsed is what exports under the license that hold at Now take
	// from it (LicenseConsumption).
	LicenseUsed []licensing.Consumption `json:"license_used"`
	// OrderHeldUnits is the units the order's exports hold at Now
	// (OrderUnitsHeld).
	OrderHeldUnits int64 `json:"order_held_units"`
	// USUnits is the exporter's US units of the product (USUnits, through
	// Now); ChinaHeldUnits the units its exports of the product to the cap's
	// destinations hold at Now (ChinaUnitsHeld).
	USUnits        int64 `json:"us_units"`
	ChinaHeldUnits int64 `json:"china_held_units"`
}

// CheckReserve returns nil when in.Request may be reserved, or the first
// failing check as a *tollgate.Error, in this order:
//   - EINVALID: a malformed request, license or order, or a request that
//     does not match its license
//     (holder, destination, product) or order (exporter, product,
//     destination, license, value = units x unit price);
//   - EPRECONDITION: the license is not usable (revoked, suspended, expired,
//     not yet valid, conditions not acknowledged); a party is not clear or
//     was not screened against the current lists; the order is not yet
//     licensed or the PRC status refuses it; units were never imported or
//     lack their own lab review (coverReview: a passing, signed review of
//     exactly these units, below the rule's limits, within the agency's
//     tolerance, sampling and age, bound to no other export);
//   - ECONFLICT: the order is past shipping; units are bound to a US end use
//     by an exemption, or already shipped or reserved;
//   - ELIMIT: the order's quantity, the license's remaining quantity or
//     value, or the cap would be exceeded; the message names the limit and
//     by how much, and Details carries LimitExceeded for the order and the
//     cap.
func CheckReserve(in ReserveInput) error {
	if _, err := checkReserve(in); err != nil {
		return fmt.Errorf("shipping.CheckReserve: %w", err)
	}
	return nil
}

// Reserve returns the reservation in.Request becomes when CheckReserve
// passes: reserved at in.Now, expiring after the configured TTL, with the
// license's number and the lab review that covers its units. The caller
// assigns the ID and persists it.
func Reserve(in ReserveInput) (tollgate.Export, error) {
	e, err := checkReserve(in)
	if err != nil {
		return tollgate.Export{}, fmt.Errorf("shipping.Reserve: %w", err)
	}
	return e, nil
}

func reservation(in ReserveInput) tollgate.Export {
	e := in.Request
	e.LabReportID, e.ReviewedAt = "", time.Time{}
	e.LicenseNumber = in.License.Number
	e.State, e.ReservedAt, e.ExpiresAt = tollgate.ExportReserved, in.Now, in.Now.Add(in.Config.ReservationTTL)
	e.FilingReference, e.ExportedOn, e.ShippedBy, e.ShippedAt = "", time.Time{}, "", time.Time{}
	e.VoidReason, e.ReleasedBy, e.ReleasedAt = "", "", time.Time{}
	return e
}

// checkReserve returns the reservation in.Request becomes, with its review,
// or the first failing check.
func checkReserve(in ReserveInput) (tollgate.Export, error) {
	var none tollgate.Export
	if err := in.Config.Validate(); err != nil {
		return none, prefixField("config.", err)
	}
	if in.Now.IsZero() {
		return none, tollgate.FieldErrorf("now", "required")
	}
	req := reservation(in)
	if err := req.Validate(); err != nil {
		return none, err
	}
	if err := in.License.Validate(); err != nil {
		return none, prefixField("license.", err)
	}
	if err := in.Order.Validate(); err != nil {
		return none, prefixField("order.", err)
	}
	checks := []func(ReserveInput) error{checkLicenseMatch, checkLicenseUsable, checkParties, checkOrder}
	for _, check := range checks {
		if err := check(in); err != nil {
			return none, err
		}
	}
	review, err := checkUnits(req, in.License, in.Units, in.Now, in.Config.Review)
	if err != nil {
		return none, err
	}
	req.LabReportID, req.ReviewedAt = review.ID, review.TestedAt
	remaining, err := licensing.RemainingOf(in.License, in.LicenseUsed)
	if err != nil {
		return none, err
	}
	if err := licensing.CheckConsume(remaining, licensing.Consumption{Product: req.Product, Units: req.Units.Count, ValueCents: req.ValueCents}); err != nil {
		return none, err
	}
	if in.Config.capped(req.Destination) {
		if err := CheckCap(NewCapPosition(in.Config, req.Product, in.USUnits, in.ChinaHeldUnits), req.Units.Count); err != nil {
			return none, err
		}
	}
	return req, nil
}

func checkLicenseMatch(in ReserveInput) error {
	r, l := in.Request, in.License
	switch {
	case r.LicenseID != l.ID:
		return tollgate.FieldErrorf("license_id", "is %q, but license %s has id %q", r.LicenseID, l.Number, l.ID)
	case r.ExporterOrgID != l.HolderOrgID:
		return tollgate.Ref{Field: "license_id", Kind: "license", ID: r.LicenseID}.Unresolved()
	case r.Destination != l.Destination:
		return tollgate.FieldErrorf("destination", "license %s is for %s, not %s", l.Number, l.Destination, r.Destination)
	}
	if _, ok := l.Item(r.Product); !ok {
		return tollgate.FieldErrorf("product", "license %s does not cover %s", l.Number, r.Product)
	}
	return nil
}

// checkLicenseUsable checks status, validity and conditions; quantity and
// value come later, so that running out is ELIMIT rather than "exhausted".
func checkLicenseUsable(in ReserveInput) error {
	full, err := licensing.RemainingOf(in.License, nil)
	if err != nil {
		return err
	}
	return licensing.CheckUsable(in.License, full, in.Now)
}

// checkParties requires every party of the license, and the order's
// customer, to be clear after a screening against every current list.
func checkParties(in ReserveInput) error {
	refs := slices.DeleteFunc(in.License.Parties.List(), func(p tollgate.PartyRef) bool { return p.Role == tollgate.RoleApplicant })
	customer := in.Order.CustomerPartyID
	if !slices.ContainsFunc(refs, func(p tollgate.PartyRef) bool { return p.ID == customer }) {
		return tollgate.Errorf(tollgate.EPRECONDITION, "the order's customer %s is not a party to license %s", customer, in.License.Number)
	}
	for _, ref := range refs {
		i := slices.IndexFunc(in.Parties, func(s PartyStanding) bool { return s.PartyID == ref.ID })
		if i < 0 {
			return tollgate.Errorf(tollgate.EPRECONDITION, "party %s (%s) has not been screened", ref.ID, ref.Role)
		}
		s := in.Parties[i]
		if s.Status != tollgate.ScreeningClear {
			return tollgate.Errorf(tollgate.EPRECONDITION, "party %s (%s) is %s, not clear", ref.ID, ref.Role, s.Status)
		}
		for _, v := range in.CurrentListVersionIDs {
			if !slices.Contains(s.ListVersionIDs, v) {
				return tollgate.Errorf(tollgate.EPRECONDITION, "party %s (%s) was not screened against current list version %s; re-screen it", ref.ID, ref.Role, v)
			}
		}
	}
	return nil
}

// checkOrder ties the request to its order: same exporter, product,
// destination and license, a licensed order the PRC does not refuse, the
// order's price, and no more units than the order has left.
func checkOrder(in ReserveInput) error {
	r, o := in.Request, in.Order
	switch {
	case r.OrderID != o.ID:
		return tollgate.FieldErrorf("order_id", "is %q, but the order given has id %q", r.OrderID, o.ID)
	case o.ExporterOrgID != r.ExporterOrgID || o.Product != r.Product || o.Destination != r.Destination:
		return tollgate.FieldErrorf("order_id", "order %s is %s's order of %s for %s", o.Reference, o.ExporterOrgID, o.Product, o.Destination)
	case o.State == tollgate.OrderDrafted:
		return tollgate.Errorf(tollgate.EPRECONDITION, "order %s is drafted: it ships once licensed", o.Reference)
	case o.State != tollgate.OrderLicensed:
		return tollgate.Errorf(tollgate.ECONFLICT, "order %s is %s: nothing more ships on it", o.Reference, o.State)
	case o.LicenseID != in.License.ID:
		return tollgate.FieldErrorf("license_id", "order %s ships under license %q, not %s", o.Reference, o.LicenseID, in.License.Number)
	case slices.Contains(in.Config.RefusedPRC, o.PRCStatus()):
		return tollgate.Errorf(tollgate.EPRECONDITION, "order %s: the customer's PRC status is %s", o.Reference, o.PRCStatus())
	}
	want, ok := tollgate.UnitValue(r.Units.Count, o.UnitPriceCents)
	if !ok || r.ValueCents != want {
		return tollgate.FieldErrorf("value_cents", "is %d, want %d units x %d cents = %d", r.ValueCents, r.Units.Count, o.UnitPriceCents, want)
	}
	if in.OrderHeldUnits+r.Units.Count > o.Quantity {
		over := in.OrderHeldUnits + r.Units.Count - o.Quantity
		e := tollgate.Errorf(tollgate.ELIMIT, "order quantity exceeded for order %s: %d ordered, %d held, %d requested (over by %d)",
			o.Reference, o.Quantity, in.OrderHeldUnits, r.Units.Count, over)
		e.Details = LimitExceeded{Limit: LimitOrderQuantity, Product: o.Product, Allowed: o.Quantity, Used: in.OrderHeldUnits, Requested: r.Units.Count, Over: over}
		return e
	}
	return nil
}
