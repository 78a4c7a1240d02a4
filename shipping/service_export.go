package shipping

import (
	"context"
	"time"

	"tollgate"
	"tollgate/licensing"
	"tollgate/store"
)

// ReserveRequest asks to reserve units for an export: the order they ship
// on, the license they ship under (the order's when empty), and the units
// (serials, or a count of a lot). The exporter, product, destination and
// value follow from the order.
type ReserveRequest struct {
	OrderID   string         `json:"order_id"`
	LicenseID string         `json:"license_id,omitempty"`
	Units     tollgate.Units `json:"units"`
}

// Reserve reserves req's units, license quantity and value, order quantity
// and cap room, as the caller, and returns the reservation. It takes the
// locks in the store's order (license, the exporter's product, order),
// releases reservations of the product that have expired (which stands
// even when this reservation is refused), reads the counters, and lets
// CheckReserve decide: a refusal names the check that failed (ELIMIT with
// the limit and by how much, EPRECONDITION for a missing step such as a
// lab report, ECONFLICT for units already taken or bound).
//
// What the locks do not protect (the license's terms, the order, the
// parties' screening, the units' imports and lab reports) is read before
// them, in a read transaction of its own, so that the serialised write
// transaction holds its locks as briefly as possible. Whatever of it can
// change under the locks (the license's status, the order's state, license
// and PRC status) is read again there. Concurrent reservations run as one
// set (service_batch.go).
func (s *Service) Reserve(ctx context.Context, req ReserveRequest) (*tollgate.Export, error) {
	if err := req.Units.Validate(); err != nil {
		err.Field = "units." + err.Field
		return nil, wrap("Reserve", err)
	}
	c := &reserveCall{ctx: ctx, req: req}
	if s.db.InRequestTransaction(ctx) {
		s.runSet([]setCall{{reserve: c}})
	} else if err := s.queue(ctx, setCall{reserve: c}); err != nil {
		return nil, wrap("Reserve", err)
	}
	if c.err != nil {
		return nil, wrap("Reserve", c.err)
	}
	return c.out, nil
}

// reserveFacts is what a reservation reads before its locks.
type reserveFacts struct {
	licenseID string
	lic       *store.StoredLicense
	order     *tollgate.Order
	in        ReserveInput // parties, list versions, imports, lab reports and keys
	err       error        // why the reservation cannot be made, found before the locks
}

// lockReserve takes the reservation's locks, releases the product's expired
// reservations, and completes the facts read before the locks into
// CheckReserve's input: the license and order as they are now, the
// license's usage, the order's held units, the exports holding any of the
// units, and the cap's figures.
func (s *Service) lockReserve(ctx context.Context, tx *store.Tx, f reserveFacts, units tollgate.Units, held *heldUnits) (ReserveInput, error) {
	in, lic, order := f.in, f.lic, f.order
	status, changed, err := tx.LockLicenseStatus(ctx, lic.ID)
	if err != nil {
		return in, err
	}
	if status != lic.Status || !changed.Equal(lic.StatusChangedAt) {
		if lic, err = tx.License(ctx, lic.ID); err != nil {
			return in, err
		}
	}
	usUnits, err := tx.LockCap(ctx, order.ExporterOrgID, order.Product)
	if err != nil {
		return in, err
	}
	if _, err := s.expireScope(ctx, tx, order.ExporterOrgID, order.Product); err != nil {
		return in, err
	}
	lock, err := tx.LockOrderUnits(ctx, order.ID)
	if err != nil {
		return in, err
	}
	if lock.State != order.State || lock.LicenseID != order.LicenseID || lock.PRC != order.PRCStatus() {
		if order, _, err = tx.FindOrder(ctx, order.ID, false); err != nil {
			return in, err
		}
	}
	now := tx.Now()
	in.Config, in.Now, in.License, in.Order = s.cfg, now, lic.License, *order
	in.OrderHeldUnits, in.USUnits = lock.Units.Held(), usUnits
	value, _ := tollgate.UnitValue(units.Count, order.UnitPriceCents)
	in.Request = tollgate.Export{ExporterOrgID: order.ExporterOrgID, LicenseID: lic.ID, OrderID: order.ID,
		Product: order.Product, Units: units, ValueCents: value, Destination: order.Destination, ReservedBy: actor(ctx)}
	if _, ok := lic.Item(order.Product); ok {
		_, u, err := tx.LicenseItem(ctx, lic.ID, order.Product)
		if err != nil {
			return in, err
		}
		in.LicenseUsed = []licensing.Consumption{{Product: u.Product, Units: u.UsedUnits(), ValueCents: u.UsedCents()}}
	}
	if units.BySerial() {
		in.Units.Exports = held.exports // of the set's serials: CheckReserve ignores the others
	} else if in.Units.Exports, err = tx.ExportsOfUnits(ctx, order.ExporterOrgID, order.Product, units, now); err != nil {
		return in, err
	}
	china, err := tx.DestinationUnits(ctx, order.ExporterOrgID, order.Product, s.cfg.CapDestinations)
	in.ChinaHeldUnits = china.Held()
	return in, err
}

// Ship records that reservation id left the US on exportedOn (a UTC date)
// under the export filing reference, as the caller: what it held is
// consumed for good. When the order's units have all shipped the order
// becomes shipped. A reservation that is not open (shipped, voided,
// expired) is ECONFLICT.
func (s *Service) Ship(ctx context.Context, id, reference string, exportedOn time.Time) (*tollgate.Export, error) {
	c := &shipCall{ctx: ctx, id: id, reference: reference, exportedOn: exportedOn}
	if s.db.InRequestTransaction(ctx) {
		s.runSet([]setCall{{ship: c}})
	} else if err := s.queue(ctx, setCall{ship: c}); err != nil {
		return nil, wrap("Ship", err)
	}
	if c.err != nil {
		return nil, wrap("Ship", c.err)
	}
	return c.out, nil
}

// recordShip stores shipped, the shipment of reservation e, audits it, and
// when the order's units have all shipped (o is the order under its lock)
// marks the order shipped. Any failure is a failure of the transaction.
func (s *Service) recordShip(ctx context.Context, tx *store.Tx, e *tollgate.Export, shipped tollgate.Export, o store.OrderLock) error {
	if err := tx.UpdateExport(ctx, e.State, &shipped); err != nil {
		return err
	}
	if err := tx.AuditDetails(ctx, "export.ship", "export", e.ID, e, shipped, map[string]any{
		"filing_reference": shipped.FilingReference, "units": shipped.Units.Count, "value_cents": shipped.ValueCents}); err != nil {
		return err
	}
	if o.Units.Shipped+shipped.Units.Count < o.Quantity || o.State != tollgate.OrderLicensed {
		return nil
	}
	order, _, err := tx.FindOrder(ctx, e.OrderID, true)
	if err != nil {
		return err
	}
	return s.applyOrderEvent(ctx, tx, order, OrderEvent{Kind: OrderEventShip, Actor: actor(ctx), At: tx.Now(),
		Note: "every unit shipped; last export " + e.ID})
}

// Void releases reservation id for reason, as the caller. A reservation
// that is not open is ECONFLICT.
func (s *Service) Void(ctx context.Context, id, reason string) (*tollgate.Export, error) {
	var out tollgate.Export
	err := s.lockExport(ctx, id, func(tx *store.Tx, e *tollgate.Export, _ store.OrderLock) error {
		voided, err := Void(*e, reason, actor(ctx), tx.Now())
		if err != nil {
			return err
		}
		if err := tx.UpdateExport(ctx, e.State, &voided); err != nil {
			return err
		}
		out = voided
		return tx.AuditDetails(ctx, "export.void", "export", id, e, voided, map[string]any{"reason": reason})
	})
	if err != nil {
		return nil, wrap("Void", err)
	}
	return &out, nil
}

// lockExport runs fn in a transaction holding, in the store's lock order,
// the export's license, its exporter's product, its order and the export
// itself. The export is read before the locks, in parallel with other
// callers, and read again under them only when its state changed since.
func (s *Service) lockExport(ctx context.Context, id string, fn func(tx *store.Tx, e *tollgate.Export, o store.OrderLock) error) error {
	var before *tollgate.Export
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		before, err = tx.FindExport(ctx, id, false)
		return err
	})
	if err != nil {
		return err
	}
	return s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		if err := tx.LockLicense(ctx, before.LicenseID); err != nil {
			return err
		}
		if _, err := tx.LockCap(ctx, before.ExporterOrgID, before.Product); err != nil {
			return err
		}
		o, err := tx.LockOrderUnits(ctx, before.OrderID)
		if err != nil {
			return err
		}
		state, err := tx.LockExportState(ctx, id)
		if err != nil {
			return err
		}
		e := *before
		if state != before.State {
			cur, err := tx.FindExport(ctx, id, true)
			if err != nil {
				return err
			}
			e = *cur
		}
		return fn(tx, &e, o)
	})
}

// maxLazyExpiries bounds the reservations one reservation releases on its
// way; the sweep releases the rest.
const maxLazyExpiries = 100

// expireScope marks expired up to maxLazyExpiries reservations of
// exporter's product whose time has passed, releasing what they held, and
// returns how many it marked. The caller holds the product's cap lock.
func (s *Service) expireScope(ctx context.Context, tx *store.Tx, exporter, product string) (int, error) {
	n := 0
	// Once per group transaction, whose time is one: those after the
	// first would find nothing more to release, unless it hit the bound.
	err := tx.Once("expire "+exporter+"\x00"+product, func() (bool, error) {
		expired, err := tx.ExpiredReservations(ctx, exporter, product, tx.Now(), maxLazyExpiries)
		if err != nil {
			return false, err
		}
		for i := range expired {
			if err := expireOne(ctx, tx, &expired[i]); err != nil {
				return false, err
			}
		}
		n = len(expired)
		return n < maxLazyExpiries, nil
	})
	return n, err
}

// expireOne marks reservation e expired and audits it.
func expireOne(ctx context.Context, tx *store.Tx, e *tollgate.Export) error {
	done, err := Expire(*e, tx.Now())
	if err != nil {
		return err
	}
	if err := tx.UpdateExport(ctx, e.State, &done); err != nil {
		return err
	}
	return tx.Audit(ctx, "export.expire", "export", e.ID, e, done)
}

// Sweep marks expired every reservation whose time has passed (at most
// limit of them; 0 means no limit), one transaction each with the locks of
// Ship, and returns how many it marked. The server runs it periodically;
// until it does, an expired reservation already holds nothing for the
// checks, and the next reservation of its product releases it.
func (s *Service) Sweep(ctx context.Context, limit int) (int, error) {
	swept := 0
	for {
		var batch []tollgate.Export
		err := s.db.View(ctx, func(tx *store.Tx) (err error) {
			batch, err = tx.ExpiredReservations(ctx, "", "", tx.Now(), 100)
			return err
		})
		if err != nil {
			return swept, wrap("Sweep", err)
		}
		progress := false
		for _, e := range batch {
			marked := false
			err := s.lockExport(ctx, e.ID, func(tx *store.Tx, cur *tollgate.Export, _ store.OrderLock) error {
				marked = false
				if cur.State != tollgate.ExportReserved || !Expired(*cur, tx.Now()) {
					return nil // shipped, voided or swept meanwhile
				}
				marked = true
				return expireOne(ctx, tx, cur)
			})
			if err != nil {
				return swept, wrap("Sweep", err)
			}
			if marked {
				swept, progress = swept+1, true
			}
			if limit > 0 && swept >= limit {
				return swept, nil
			}
		}
		if !progress {
			return swept, nil
		}
	}
}
