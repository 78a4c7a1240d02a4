package shipping

import (
	"context"
	"time"

	"tollgate"
	"tollgate/licensing"
	"tollgate/store"
)

// CreateOrder records o, a drafted order from a customer (a party of the
// exporter's) for units of one product at a unit price, as the caller, and
// returns it as stored. A reference the exporter already used is
// ECONFLICT.
func (s *Service) CreateOrder(ctx context.Context, o tollgate.Order) (*tollgate.Order, error) {
	if err := s.identify(&o.Product); err != nil {
		return nil, wrap("CreateOrder", err)
	}
	o.State, o.CreatedBy = tollgate.OrderDrafted, actor(ctx)
	o.LicenseID, o.CancelReason, o.CancelledAt, o.History = "", "", time.Time{}, nil
	o.PRC, o.PRCHistory = tollgate.PRCStatusChange{}, nil
	if err := o.Validate(); err != nil {
		return nil, wrap("CreateOrder", err)
	}
	err := s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		p, _, err := tx.PartyScreening(ctx, o.CustomerPartyID)
		ref := tollgate.Ref{Field: "customer_party_id", Kind: "party", ID: o.CustomerPartyID}
		if err := ref.Resolve(err, err == nil && p.OrgID == o.ExporterOrgID); err != nil {
			return err
		}
		if err := tx.InsertOrder(ctx, &o); err != nil {
			return err
		}
		return tx.Audit(ctx, "order.create", "order", o.ID, nil, o)
	})
	if err != nil {
		return nil, wrap("CreateOrder", err)
	}
	return &o, nil
}

// ApplyOrderEvent applies ev to order id as the caller, now, and returns
// the order after it: license (ev.LicenseID: a license of the exporter for
// the order's product and destination), deliver, or cancel (ev.Reason;
// the order's open reservations are voided with it). Shipping is not an
// event a caller sends: an order ships when its last units do.
func (s *Service) ApplyOrderEvent(ctx context.Context, id string, ev OrderEvent) (*tollgate.Order, error) {
	if ev.Kind == OrderEventShip {
		return nil, wrap("ApplyOrderEvent", tollgate.FieldErrorf("kind", "an order ships when the exports of all its units have shipped"))
	}
	var out *tollgate.Order
	err := s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		exporter, product, licenseID, err := tx.OrderKey(ctx, id)
		if err != nil {
			return err
		}
		if licenseID != "" {
			if _, err := tx.LicenseForUpdate(ctx, licenseID); err != nil {
				return err
			}
			if _, err := tx.LockCap(ctx, exporter, product); err != nil {
				return err
			}
		}
		order, _, err := tx.FindOrder(ctx, id, true)
		if err != nil {
			return err
		}
		ev.Actor, ev.At = actor(ctx), tx.Now()
		switch ev.Kind {
		case OrderEventLicense:
			if err := checkOrderLicense(ctx, tx, order, ev.LicenseID); err != nil {
				return err
			}
		case OrderEventCancel:
			if err := voidOrderReservations(ctx, tx, order, ev); err != nil {
				return err
			}
		}
		if err := s.applyOrderEvent(ctx, tx, order, ev); err != nil {
			return err
		}
		out = order
		return nil
	})
	if err != nil {
		return nil, wrap("ApplyOrderEvent", err)
	}
	return out, nil
}

// applyOrderEvent transitions order (locked by the caller) by ev, stores
// and audits the change, and leaves the order after it in *order.
func (s *Service) applyOrderEvent(ctx context.Context, tx *store.Tx, order *tollgate.Order, ev OrderEvent) error {
	next, err := TransitionOrder(*order, ev)
	if err != nil {
		return err
	}
	if err := tx.SaveOrder(ctx, order, &next); err != nil {
		return err
	}
	details := map[string]any{"event": string(ev.Kind)}
	if ev.Reason != "" {
		details["reason"] = string(ev.Reason)
	}
	if err := tx.AuditDetails(ctx, "order."+string(ev.Kind), "order", order.ID, order, next, details); err != nil {
		return err
	}
	*order = next
	return nil
}

// checkOrderLicense requires licenseID to be a license of the order's
// exporter, for its destination and product, that is still in force.
func checkOrderLicense(ctx context.Context, tx *store.Tx, order *tollgate.Order, licenseID string) error {
	if licenseID == "" {
		return tollgate.FieldErrorf("license_id", "required to license an order")
	}
	lic, err := tx.License(ctx, licenseID)
	ref := tollgate.Ref{Field: "license_id", Kind: "license", ID: licenseID}
	if err := ref.Resolve(err, err == nil && lic.HolderOrgID == order.ExporterOrgID); err != nil {
		return err
	}
	switch st := licensing.Status(lic.License, nil, tx.Now()); {
	case lic.Destination != order.Destination:
		return tollgate.FieldErrorf("license_id", "license %s is for %s, the order for %s", lic.Number, lic.Destination, order.Destination)
	case st == tollgate.LicenseRevoked || st == tollgate.LicenseSuspended || st == tollgate.LicenseExpired:
		return tollgate.Errorf(tollgate.EPRECONDITION, "license %s is %s", lic.Number, st)
	}
	if _, ok := lic.Item(order.Product); !ok {
		return tollgate.FieldErrorf("license_id", "license %s does not cover %s", lic.Number, order.Product)
	}
	return nil
}

// voidOrderReservations voids the open reservations of an order being
// cancelled, releasing what they hold.
func voidOrderReservations(ctx context.Context, tx *store.Tx, order *tollgate.Order, ev OrderEvent) error {
	open, err := tx.OpenReservations(ctx, order.ID)
	if err != nil {
		return err
	}
	for i := range open {
		e := &open[i]
		var done tollgate.Export
		if Expired(*e, tx.Now()) {
			done, err = Expire(*e, tx.Now())
		} else {
			done, err = Void(*e, "order cancelled: "+string(ev.Reason), ev.Actor, tx.Now())
		}
		if err != nil {
			return err
		}
		if err := tx.UpdateExport(ctx, e.State, &done); err != nil {
			return err
		}
		action := "export.void"
		if done.State == tollgate.ExportExpired {
			action = "export.expire"
		}
		if err := tx.Audit(ctx, action, "export", e.ID, e, done); err != nil {
			return err
		}
	}
	return nil
}

// SetPRCStatus records the PRC's standing on order id — approved (with the
// approval's reference and date), restricted, blocked at customs, or back
// to unknown — as the caller, now, and returns the order after it. An
// order whose customer is blocked at customs cannot reserve units.
func (s *Service) SetPRCStatus(ctx context.Context, id string, c tollgate.PRCStatusChange) (*tollgate.Order, error) {
	if !c.Date.IsZero() {
		c.Date = civilDate(c.Date)
	}
	var out tollgate.Order
	err := s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		order, _, err := tx.FindOrder(ctx, id, true)
		if err != nil {
			return err
		}
		c.RecordedBy, c.At = actor(ctx), tx.Now()
		if out, err = SetPRCStatus(*order, c); err != nil {
			return err
		}
		if err := tx.SaveOrder(ctx, order, &out); err != nil {
			return err
		}
		return tx.AuditDetails(ctx, "order.prc_status", "order", id, order, out, map[string]any{
			"status": string(c.Status), "reference": c.Reference})
	})
	if err != nil {
		return nil, wrap("SetPRCStatus", err)
	}
	return &out, nil
}
