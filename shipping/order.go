package shipping

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
)

// OrderEventKind names something that happens to an order.
type OrderEventKind string

// Order events.
const (
	// OrderEventLicense: a license covering the order was issued.
	OrderEventLicense OrderEventKind = "license"
	// OrderEventShip: the order's last export shipped.
	OrderEventShip OrderEventKind = "ship"
	// OrderEventDeliver: the customer received the goods.
	OrderEventDeliver OrderEventKind = "deliver"
	// OrderEventCancel: the order was cancelled, with a reason.
	OrderEventCancel OrderEventKind = "cancel"
)

// OrderEventSpec is one row of the order state machine: an event, the
// states that accept it and the state it leads to.
type OrderEventSpec struct {
	Kind OrderEventKind        `json:"kind"`
	From []tollgate.OrderState `json:"from"`
	To   tollgate.OrderState   `json:"to"`
}

// orderSpecs is the order state machine as data.
var orderSpecs = []OrderEventSpec{
	{Kind: OrderEventLicense, From: []tollgate.OrderState{tollgate.OrderDrafted}, To: tollgate.OrderLicensed},
	{Kind: OrderEventShip, From: []tollgate.OrderState{tollgate.OrderLicensed}, To: tollgate.OrderShipped},
	{Kind: OrderEventDeliver, From: []tollgate.OrderState{tollgate.OrderShipped}, To: tollgate.OrderDelivered},
	{Kind: OrderEventCancel, From: []tollgate.OrderState{tollgate.OrderDrafted, tollgate.OrderLicensed}, To: tollgate.OrderCancelled},
}

// OrderEventSpecs returns the order state machine, one row per event.
func OrderEventSpecs() []OrderEventSpec {
	out := slices.Clone(orderSpecs)
	for i := range out {
		out[i].From = slices.Clone(out[i].From)
	}
	return out
}

// AllowedOrderEvents returns the events an order in state s accepts, in
// table order; none for delivered and cancelled orders.
func AllowedOrderEvents(s tollgate.OrderState) []OrderEventKind {
	var out []OrderEventKind
	for _, spec := range orderSpecs {
		if slices.Contains(spec.From, s) {
			out = append(out, spec.Kind)
		}
	}
	return out
}

// OrderEvent is one thing that happens to an order: its kind, who sent it
// and when (the caller's clock), with LicenseID for license and Reason for
// cancel; Note is optional free text kept in the history.
type OrderEvent struct {
	Kind      OrderEventKind        `json:"kind"`
	Actor     string                `json:"actor"`
	At        time.Time             `json:"at"`
	LicenseID string                `json:"license_id,omitempty"`
	Reason    tollgate.CancelReason `json:"reason,omitempty"`
	Note      string                `json:"note,omitempty"`
}

// TransitionOrder applies ev to o and returns the order after it, with the
// change appended to its history. An event the state does not accept is
// ECONFLICT naming the events it would accept; a malformed event (no actor
// or time, a time before the order's last change, no license for license,
// no valid reason for cancel) is EINVALID. Cancelling for prc_blocked
// requires the order's PRC status to be restricted or blocked_at_customs.
func TransitionOrder(o tollgate.Order, ev OrderEvent) (tollgate.Order, error) {
	next, err := transitionOrder(o, ev)
	if err != nil {
		return o, fmt.Errorf("shipping.TransitionOrder: %w", err)
	}
	return next, nil
}

func transitionOrder(o tollgate.Order, ev OrderEvent) (tollgate.Order, error) {
	i := slices.IndexFunc(orderSpecs, func(s OrderEventSpec) bool { return s.Kind == ev.Kind })
	if i < 0 {
		return o, tollgate.FieldErrorf("kind", "unknown order event %q", ev.Kind)
	}
	spec := orderSpecs[i]
	if !slices.Contains(spec.From, o.State) {
		names := make([]string, 0, 4)
		for _, k := range AllowedOrderEvents(o.State) {
			names = append(names, string(k))
		}
		allowed := "none"
		if len(names) > 0 {
			allowed = strings.Join(names, ", ")
		}
		return o, tollgate.Errorf(tollgate.ECONFLICT, "cannot %s: the order is %s; allowed events: %s", ev.Kind, o.State, allowed)
	}
	if err := checkOrderEvent(o, ev); err != nil {
		return o, err
	}
	next := o
	next.History = append(slices.Clone(o.History), tollgate.OrderChange{
		Event: string(ev.Kind), From: o.State, To: spec.To, Note: ev.Note, Actor: ev.Actor, At: ev.At,
	})
	next.State, next.UpdatedAt = spec.To, ev.At
	switch ev.Kind {
	case OrderEventLicense:
		next.LicenseID = ev.LicenseID
	case OrderEventCancel:
		next.CancelReason, next.CancelledAt = ev.Reason, ev.At
	}
	if err := next.Validate(); err != nil {
		return o, err
	}
	return next, nil
}

func checkOrderEvent(o tollgate.Order, ev OrderEvent) error {
	switch {
	case ev.Actor == "":
		return tollgate.FieldErrorf("actor", "required")
	case ev.At.IsZero():
		return tollgate.FieldErrorf("at", "required")
	case ev.At.Before(lastOrderChange(o)):
		return tollgate.FieldErrorf("at", "precedes the order's last change")
	case ev.Kind == OrderEventLicense && ev.LicenseID == "":
		return tollgate.FieldErrorf("license_id", "required to license an order")
	case ev.Kind == OrderEventCancel && !ev.Reason.Valid():
		return tollgate.FieldErrorf("reason", "must be license_denied, prc_blocked or customer_withdrew; got %q", ev.Reason)
	case ev.Kind == OrderEventCancel && ev.Reason == tollgate.CancelPRCBlocked &&
		o.PRCStatus() != tollgate.PRCRestricted && o.PRCStatus() != tollgate.PRCBlockedAtCustoms:
		return tollgate.Errorf(tollgate.ECONFLICT, "order %s cannot be cancelled as prc_blocked: its PRC status is %s; record the PRC status first", o.Reference, o.PRCStatus())
	case len(ev.Note) > tollgate.MaxNameLen:
		return tollgate.FieldErrorf("note", "longer than %d bytes", tollgate.MaxNameLen)
	}
	return nil
}

// lastOrderChange returns the time of the order's latest recorded change.
func lastOrderChange(o tollgate.Order) time.Time {
	last := o.CreatedAt
	if n := len(o.History); n > 0 && o.History[n-1].At.After(last) {
		last = o.History[n-1].At
	}
	if n := len(o.PRCHistory); n > 0 && o.PRCHistory[n-1].At.After(last) {
		last = o.PRCHistory[n-1].At
	}
	return last
}

// SetPRCStatus records a change of the PRC's standing on o — approved with
// the approval's reference and date, restricted, blocked at customs, or back
// to unknown — appending it to the PRC history, in any order state. An
// invalid change, or one dated before the order's last change, is EINVALID.
func SetPRCStatus(o tollgate.Order, c tollgate.PRCStatusChange) (tollgate.Order, error) {
	if err := c.Validate(); err != nil {
		return o, fmt.Errorf("shipping.SetPRCStatus: %w", err)
	}
	if c.At.Before(lastOrderChange(o)) {
		return o, fmt.Errorf("shipping.SetPRCStatus: %w", tollgate.FieldErrorf("at", "precedes the order's last change"))
	}
	next := o
	next.PRC, next.UpdatedAt = c, c.At
	next.PRCHistory = append(slices.Clone(o.PRCHistory), c)
	return next, nil
}
