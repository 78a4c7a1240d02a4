package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tollgate"
)

const orderColumns = `id, exporter_org_id, customer_party_id, reference, product, quantity, unit_price_cents, destination,
	state, license_id, prc_status, cancel_reason, cancelled_at, reserved_units, shipped_units, created_by, created_at, updated_at`

// UnitCounters are the units a license item, an order or an exporter's
// product holds: reserved (and not yet shipped or released) and shipped.
type UnitCounters struct {
	Reserved int64 `json:"reserved"`
	Shipped  int64 `json:"shipped"`
}

// Held returns the units held: reserved plus shipped.
func (c UnitCounters) Held() int64 { return c.Reserved + c.Shipped }

// InsertOrder stores o, a new order the caller has validated, with its
// history, assigning its ID and times. A reference the exporter already
// used is ECONFLICT; a customer that does not exist is ENOTFOUND.
func (tx *Tx) InsertOrder(ctx context.Context, o *tollgate.Order) error {
	if !validID(o.CustomerPartyID) {
		return tollgate.Errorf(tollgate.ENOTFOUND, "party %q not found", o.CustomerPartyID)
	}
	o.ID, o.CreatedAt, o.UpdatedAt = newID(), tx.now, tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO orders (`+orderColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
		o.ID, o.ExporterOrgID, o.CustomerPartyID, o.Reference, o.Product, o.Quantity, o.UnitPriceCents, o.Destination,
		string(o.State), nullString(o.LicenseID), string(o.PRCStatus()), nullString(string(o.CancelReason)),
		tx.nullTime(o.CancelledAt), o.CreatedBy, tx.Time(o.CreatedAt), tx.Time(o.UpdatedAt))
	switch {
	case err != nil && tx.d.uniqueViolation(err):
		return tollgate.Errorf(tollgate.ECONFLICT, "the exporter already has an order %s", o.Reference)
	case err != nil && isForeignKeyViolation(err):
		return tollgate.Errorf(tollgate.ENOTFOUND, "exporter %q, customer %q or license %q not found", o.ExporterOrgID, o.CustomerPartyID, o.LicenseID)
	case err != nil:
		return err
	}
	return tx.appendOrderHistory(ctx, &tollgate.Order{ID: o.ID}, o)
}

// SaveOrder stores the changes from before to after, the same order after
// package shipping's TransitionOrder or SetPRCStatus: its state, license,
// PRC status and cancellation, and the history entries after added.
func (tx *Tx) SaveOrder(ctx context.Context, before, after *tollgate.Order) error {
	_, err := tx.ExecContext(ctx, `UPDATE orders SET state = ?, license_id = ?, prc_status = ?, cancel_reason = ?,
		cancelled_at = ?, updated_at = ? WHERE id = ?`,
		string(after.State), nullString(after.LicenseID), string(after.PRCStatus()), nullString(string(after.CancelReason)),
		tx.nullTime(after.CancelledAt), tx.Time(after.UpdatedAt), after.ID)
	if err != nil {
		if isForeignKeyViolation(err) {
			return tollgate.Errorf(tollgate.ENOTFOUND, "license %q not found", after.LicenseID)
		}
		return err
	}
	return tx.appendOrderHistory(ctx, before, after)
}

// appendOrderHistory inserts the history and PRC history entries after
// has beyond before's.
func (tx *Tx) appendOrderHistory(ctx context.Context, before, after *tollgate.Order) error {
	for i := len(before.History); i < len(after.History); i++ {
		c := after.History[i]
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_changes (order_id, seq, event, from_state, to_state, note, actor, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, after.ID, i+1, c.Event, string(c.From), string(c.To), c.Note, c.Actor, tx.Time(c.At)); err != nil {
			return err
		}
	}
	for i := len(before.PRCHistory); i < len(after.PRCHistory); i++ {
		c := after.PRCHistory[i]
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_prc_changes (order_id, seq, status, reference, date, note, recorded_by, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, after.ID, i+1, string(c.Status), c.Reference, tx.nullTime(c.Date), c.Note,
			c.RecordedBy, tx.Time(c.At)); err != nil {
			return err
		}
	}
	return nil
}

// FindOrder returns order id with its histories and the units its exports
// hold; lock locks it until the transaction ends. ENOTFOUND when there is
// none.
func (tx *Tx) FindOrder(ctx context.Context, id string, lock bool) (*tollgate.Order, UnitCounters, error) {
	if !validID(id) {
		return nil, UnitCounters{}, tollgate.Errorf(tollgate.ENOTFOUND, "order %q not found", id)
	}
	q := `SELECT ` + orderColumns + ` FROM orders WHERE id = ?`
	if lock {
		q += tx.d.forUpdate
	}
	var units UnitCounters
	o, err := scanOrder(tx.QueryRowContext(ctx, q, id), &units)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, UnitCounters{}, tollgate.Errorf(tollgate.ENOTFOUND, "order %q not found", id)
	}
	if err != nil {
		return nil, UnitCounters{}, err
	}
	if err := tx.loadOrderHistories(ctx, []*tollgate.Order{o}); err != nil {
		return nil, UnitCounters{}, err
	}
	return o, units, nil
}

// loadOrderHistories fills in the history and PRC history of orders.
func (tx *Tx) loadOrderHistories(ctx context.Context, orders []*tollgate.Order) error {
	byID := make(map[string]*tollgate.Order, len(orders))
	ids := make([]string, len(orders))
	for i, o := range orders {
		byID[o.ID], ids[i] = o, o.ID
	}
	return inBatches(ids, func(marks string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT order_id, event, from_state, to_state, note, actor, at
			FROM order_changes WHERE order_id IN (`+marks+`) ORDER BY order_id, seq`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id string
				c  tollgate.OrderChange
			)
			if err := rows.Scan(&id, &c.Event, &c.From, &c.To, &c.Note, &c.Actor, timeColumn{&c.At}); err != nil {
				rows.Close()
				return err
			}
			byID[id].History = append(byID[id].History, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT order_id, status, reference, date, note, recorded_by, at
			FROM order_prc_changes WHERE order_id IN (`+marks+`) ORDER BY order_id, seq`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id string
				c  tollgate.PRCStatusChange
			)
			if err := rows.Scan(&id, &c.Status, &c.Reference, timeColumn{&c.Date}, &c.Note, &c.RecordedBy, timeColumn{&c.At}); err != nil {
				return err
			}
			o := byID[id]
			o.PRCHistory = append(o.PRCHistory, c)
			o.PRC = c
		}
		return rows.Err()
	})
}

// FindOrders returns a page of orders matching filter's exporter, product
// and state, oldest first, with their histories, and the next page's
// cursor.
func (db *DB) FindOrders(ctx context.Context, filter ShippingFilter) ([]*tollgate.Order, string, error) {
	return findPage(ctx, db, "store.FindOrders", filter, map[string]string{"exporter": "exporter_org_id", "product": "product", "state": "state"},
		`SELECT `+orderColumns+` FROM orders`, func(s scanner) (*tollgate.Order, error) { return scanOrder(s, &UnitCounters{}) },
		func(o *tollgate.Order) string { return o.ID }, func(tx *Tx, page []*tollgate.Order) error { return tx.loadOrderHistories(ctx, page) })
}

// FindOrderByID returns order id with its histories and the units its
// exports hold.
func (db *DB) FindOrderByID(ctx context.Context, id string) (*tollgate.Order, UnitCounters, error) {
	var (
		o     *tollgate.Order
		units UnitCounters
	)
	err := db.View(ctx, func(tx *Tx) (err error) {
		o, units, err = tx.FindOrder(ctx, id, false)
		return err
	})
	if err != nil {
		return nil, UnitCounters{}, fmt.Errorf("store.FindOrderByID: %w", err)
	}
	return o, units, nil
}

func scanOrder(s scanner, units *UnitCounters) (*tollgate.Order, error) {
	var (
		o                     tollgate.Order
		license, cancelReason sql.NullString
		prc                   string
	)
	if err := s.Scan(&o.ID, &o.ExporterOrgID, &o.CustomerPartyID, &o.Reference, &o.Product, &o.Quantity, &o.UnitPriceCents,
		&o.Destination, &o.State, &license, &prc, &cancelReason, timeColumn{&o.CancelledAt}, &units.Reserved, &units.Shipped,
		&o.CreatedBy, timeColumn{&o.CreatedAt}, timeColumn{&o.UpdatedAt}); err != nil {
		return nil, err
	}
	o.LicenseID, o.CancelReason = license.String, tollgate.CancelReason(cancelReason.String)
	return &o, nil
}

// OrderKey returns the exporter, product and license of order id without
// locking it: what a use case needs to take the locks that come before the
// order's (license, cap) in the lock order.
func (tx *Tx) OrderKey(ctx context.Context, id string) (exporterOrgID, product, licenseID string, err error) {
	if !validID(id) {
		return "", "", "", tollgate.Errorf(tollgate.ENOTFOUND, "order %q not found", id)
	}
	var license sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT exporter_org_id, product, license_id FROM orders WHERE id = ?`, id).
		Scan(&exporterOrgID, &product, &license)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", tollgate.Errorf(tollgate.ENOTFOUND, "order %q not found", id)
	}
	return exporterOrgID, product, license.String, err
}

// OpenReservations returns the exports of order id still marked reserved.
func (tx *Tx) OpenReservations(ctx context.Context, orderID string) ([]tollgate.Export, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+exportColumns+` FROM exports WHERE order_id = ? AND state = 'reserved' ORDER BY id`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tollgate.Export
	for rows.Next() {
		e, err := scanExport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// OrderLock is what LockOrderUnits reads of an order under its lock: what
// may have changed since the order was read without it, and the units its
// exports hold.
type OrderLock struct {
	State     tollgate.OrderState
	LicenseID string
	PRC       tollgate.PRCStatus
	Quantity  int64
	Units     UnitCounters
}

// LockOrderUnits locks order id and returns its state, license, PRC
// status, quantity and held units (with the changes pending in a group's
// transaction), without its histories. In a group's transaction an order
// locked before (LockOrders) is not read again until it changes.
func (tx *Tx) LockOrderUnits(ctx context.Context, id string) (OrderLock, error) {
	if !validID(id) {
		return OrderLock{}, tollgate.Errorf(tollgate.ENOTFOUND, "order %q not found", id)
	}
	l, err := remember(tx, orderLockKey(id), func() (OrderLock, error) {
		locks, err := tx.lockOrders(ctx, []string{id})
		l, ok := locks[id]
		if err == nil && !ok {
			err = tollgate.Errorf(tollgate.ENOTFOUND, "order %q not found", id)
		}
		return l, err
	})
	ch := tx.counters.get(orderRow(id))
	l.Units.Reserved += ch.reservedUnits
	l.Units.Shipped += ch.shippedUnits
	return l, err
}

func orderLockKey(id string) string { return counterMemo + "order " + id }

// LockOrders locks the orders of ids with one statement (per maxInArgs)
// and, in a group's transaction, remembers what LockOrderUnits would read
// of them, so that a set of use cases on many orders takes their locks
// at once; there, orders locked already are not locked again.
func (tx *Tx) LockOrders(ctx context.Context, ids []string) error {
	var lock []string
	for _, id := range validIDs(ids) {
		if !tx.grouped || !tx.remembers(orderLockKey(id)) { // locked already
			lock = append(lock, id)
		}
	}
	locks, err := tx.lockOrders(ctx, lock)
	if err != nil || !tx.grouped {
		return err
	}
	for id, l := range locks {
		tx.note(orderLockKey(id), l)
	}
	return nil
}

// lockOrders locks the orders of ids and reads what LockOrderUnits
// returns of them, as stored (without pending changes), by id.
func (tx *Tx) lockOrders(ctx context.Context, ids []string) (map[string]OrderLock, error) {
	out := make(map[string]OrderLock, len(ids))
	err := inBatches(ids, func(marks string, args []any) error {
		rows, err := tx.queryCounting(ctx, orderLocksQuery(marks)+tx.d.forUpdate, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			id, l, err := scanOrderLock(rows)
			if err != nil {
				return err
			}
			out[id] = l
		}
		return rows.Err()
	})
	return out, err
}

// orderLocksQuery selects what LockOrderUnits reads of the orders whose
// ids marks stands for.
func orderLocksQuery(marks string) string {
	return `SELECT id, state, license_id, prc_status, quantity, reserved_units, shipped_units FROM orders WHERE id IN (` + marks + `)`
}

func scanOrderLock(s scanner) (string, OrderLock, error) {
	var (
		id      string
		l       OrderLock
		license sql.NullString
	)
	err := s.Scan(&id, &l.State, &license, &l.PRC, &l.Quantity, &l.Units.Reserved, &l.Units.Shipped)
	l.LicenseID = license.String
	return id, l, err
}
