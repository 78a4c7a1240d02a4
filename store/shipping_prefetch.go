package store

import (
	"context"
	"slices"
)

// SetLocks names the locks a set of reservations and shipments takes
// first, and the counters it reads under them (package shipping's
// writeSet): the licenses (LockLicenseStatus), the exporters' product caps
// (LockCap), the orders (LockOrderUnits), the license items (LicenseItem)
// and the destinations' totals (DestinationUnits).
type SetLocks struct {
	Licenses []string
	Caps     []OfProduct // exporter, product
	Orders   []string
	Items    []OfProduct // license, product
	Totals   []OfProduct // exporter, product: the totals of Destinations
	// Destinations are the destinations whose totals Totals reads.
	Destinations []string
}

// OfProduct names a product of an owner: an exporter's, or a license's.
type OfProduct struct{ Owner, Product string }

// PrefetchSetLocks takes the locks and reads of l, in the store's lock
// order (licenses, caps, orders, then the counters), and remembers what
// they read as the calls it names remember it, so that those calls find
// it: on PostgreSQL in a group's transaction, in one round trip instead
// of one a call. Elsewhere it does nothing, and the calls do it
// themselves. What is remembered already, or read by no row (a cap not
// made yet, a license or order that does not exist), is left to the
// calls.
func (tx *Tx) PrefetchSetLocks(ctx context.Context, l SetLocks) error {
	if tx.conn == nil || !tx.grouped {
		return nil
	}
	var stmts []pipeStmt
	for _, id := range distinct(l.Licenses) {
		if key := licenseLockKey(id); validID(id) && !tx.remembers(key) {
			stmts = append(stmts, rememberRow(tx, key, licenseLockQuery+tx.d.forUpdate, []any{id}, scanLicenseLock))
		}
	}
	for _, c := range distinct(l.Caps) {
		if key := capLockKey(c.Owner, c.Product); validID(c.Owner) && !tx.remembers(key) {
			stmts = append(stmts, rememberRow(tx, key, capLockQuery+tx.d.forUpdate, []any{c.Owner, c.Product},
				scanCapLock))
		}
	}
	var orders []string
	for _, id := range validIDs(l.Orders) {
		if !tx.remembers(orderLockKey(id)) {
			orders = append(orders, id)
		}
	}
	_ = inBatches(orders, func(marks string, args []any) error {
		stmts = append(stmts, pipeStmt{query: orderLocksQuery(marks) + tx.d.forUpdate, args: args, scan: func(rows rowScanner) error {
			for rows.Next() {
				id, lock, err := scanOrderLock(rows)
				if err != nil {
					return err
				}
				tx.note(orderLockKey(id), lock)
			}
			return nil
		}})
		return nil
	})
	for _, it := range distinct(l.Items) {
		if key := licenseItemKey(it.Owner, it.Product); validID(it.Owner) && !tx.remembers(key) {
			stmts = append(stmts, rememberRow(tx, key, licenseItemQuery, []any{it.Owner, it.Product},
				func(s scanner) (licenseItemRead, error) { return scanLicenseItem(s, it.Product) }))
		}
	}
	if n := len(l.Destinations); n > 0 && n <= maxInArgs { // one statement, as DestinationUnits's
		_ = inBatches(l.Destinations, func(marks string, dests []any) error {
			for _, t := range distinct(l.Totals) {
				if key := destinationKey(t.Owner, t.Product, l.Destinations); validID(t.Owner) && !tx.remembers(key) {
					stmts = append(stmts, rememberRow(tx, key, destinationQuery(marks), append([]any{t.Owner, t.Product}, dests...),
						scanUnitCounters))
				}
			}
			return nil
		})
	}
	return tx.pipeline(ctx, stmts)
}

// rememberRow returns the statement that reads one row with scan and
// remembers it under key (see remember); no row remembers nothing.
func rememberRow[T any](tx *Tx, key, query string, args []any, scan func(s scanner) (T, error)) pipeStmt {
	return pipeStmt{query: query, args: args, scan: func(rows rowScanner) error {
		if !rows.Next() {
			return nil
		}
		v, err := scan(rows)
		if err == nil {
			tx.note(key, v)
		}
		return err
	}}
}

// remembers reports whether a locking read of this group's transaction
// remembers key.
func (tx *Tx) remembers(key string) bool {
	_, ok := tx.memo[key]
	return ok
}

// note remembers v under key, as remember does.
func (tx *Tx) note(key string, v any) {
	if tx.memo == nil {
		tx.memo = map[string]any{}
	}
	tx.memo[key] = v
}

// distinct returns xs without repeats, in their first order.
func distinct[T comparable](xs []T) []T {
	var out []T
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
