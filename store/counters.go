package store

import (
	"context"
	"fmt"
	"strings"

	"tollgate"
)

// The shipping counters: the reserved and shipped figures of a license
// item, an order and an exporter's product to a destination, which every
// reservation, shipment, void and expiry moves. A group's transaction
// (store/group.go) runs many of those use cases on the same license and
// product one after the other; instead of updating the same rows for each
// of them, it adds their changes up in memory and writes each row once,
// when the group commits. Reads stay exact: the three reads that the use
// cases check limits against (LicenseItem, LockOrderUnits,
// DestinationUnits) add the pending changes to what they read, and any
// other statement that mentions a counter table writes the pending changes
// first. Elsewhere (a plain transaction, or a group run again with a
// savepoint per function) the changes are written at once.

// counterRow names one row of counters: its table and key.
type counterRow struct {
	table      string // license_items, orders or export_totals
	k1, k2, k3 string
}

// counterChange is what is pending for one row, with the export that last
// moved it and what the row is, for an error's message.
type counterChange struct {
	reservedUnits, reservedCents, shippedUnits, shippedCents int64

	exportID, what, product string
}

// counterChanges are the pending changes of a transaction, in the order
// their rows were first changed.
type counterChanges struct {
	rows []counterRow
	m    map[counterRow]*counterChange
}

func (c *counterChanges) empty() bool { return c == nil || len(c.rows) == 0 }

// get returns the pending change of row, or a zero one.
func (c *counterChanges) get(row counterRow) counterChange {
	if c == nil || c.m[row] == nil {
		return counterChange{}
	}
	return *c.m[row]
}

func (c *counterChanges) add(row counterRow, ch counterChange) {
	if c.m == nil {
		c.m = map[counterRow]*counterChange{}
	}
	p := c.m[row]
	if p == nil {
		p = &counterChange{}
		c.m[row] = p
		c.rows = append(c.rows, row)
	}
	p.reservedUnits += ch.reservedUnits
	p.reservedCents += ch.reservedCents
	p.shippedUnits += ch.shippedUnits
	p.shippedCents += ch.shippedCents
	p.exportID, p.what, p.product = ch.exportID, ch.what, ch.product
}

func licenseItemRow(licenseID, product string) counterRow {
	return counterRow{table: "license_items", k1: licenseID, k2: product}
}

func orderRow(id string) counterRow { return counterRow{table: "orders", k1: id} }

func totalsRow(exporterOrgID, product, destination string) counterRow {
	return counterRow{table: "export_totals", k1: exporterOrgID, k2: product, k3: destination}
}

// moveCounters adds to the reserved and shipped counters of e's license
// item, order and exporter's product and destination: in a group's
// transaction when it commits, else now. The schema's CHECK constraints
// refuse a counter taken past its limit (which the use case's checks
// should have refused first): that is ELIMIT.
func (tx *Tx) moveCounters(ctx context.Context, e *tollgate.Export, reservedUnits, reservedCents, shippedUnits, shippedCents int64) error {
	if tx.counters == nil {
		tx.counters = &counterChanges{}
	}
	base := counterChange{exportID: e.ID, product: e.Product}
	with := func(what string, cents bool) counterChange {
		ch := base
		ch.what, ch.reservedUnits, ch.shippedUnits = what, reservedUnits, shippedUnits
		if cents {
			ch.reservedCents, ch.shippedCents = reservedCents, shippedCents
		}
		return ch
	}
	tx.counters.add(licenseItemRow(e.LicenseID, e.Product), with("license "+e.LicenseNumber, true))
	tx.counters.add(orderRow(e.OrderID), with("order "+e.OrderID, false))
	tx.counters.add(totalsRow(e.ExporterOrgID, e.Product, e.Destination), with("the destination totals", false))
	tx.wrote = true
	if tx.grouped && !tx.careful {
		return nil
	}
	return tx.flushCounters(ctx)
}

// flushCounters writes the pending counter changes, one statement a row,
// and forgets the counter reads remembered before them.
func (tx *Tx) flushCounters(ctx context.Context) error {
	return tx.pipeline(ctx, tx.counterStmts())
}

// counterStmts returns the statements that write the pending counter
// changes, forgets them, and forgets the counter reads remembered before
// them.
func (tx *Tx) counterStmts() []pipeStmt {
	c := tx.counters
	if c.empty() {
		return nil
	}
	tx.counters = nil
	tx.forgetCounterReads()
	var (
		out    []pipeStmt
		orders []counterRow
	)
	for _, row := range c.rows {
		ch := c.m[row]
		if *ch == (counterChange{exportID: ch.exportID, what: ch.what, product: ch.product}) {
			continue // moved and moved back
		}
		if row.table == "orders" {
			orders = append(orders, row)
			continue
		}
		var (
			q    string
			args []any
		)
		switch row.table {
		case "license_items":
			q = `UPDATE license_items SET reserved_units = reserved_units + ?, reserved_cents = reserved_cents + ?,
				shipped_units = shipped_units + ?, shipped_cents = shipped_cents + ? WHERE license_id = ? AND product = ?`
			args = []any{ch.reservedUnits, ch.reservedCents, ch.shippedUnits, ch.shippedCents, row.k1, row.k2}
		case "export_totals":
			q = `UPDATE export_totals SET reserved_units = reserved_units + ?, shipped_units = shipped_units + ?
				WHERE exporter_org_id = ? AND product = ? AND destination = ?`
			args = []any{ch.reservedUnits, ch.shippedUnits, row.k1, row.k2, row.k3}
			if ch.reservedUnits >= 0 && ch.shippedUnits >= 0 {
				// The first reservation creates the row. (A CHECK
				// constraint applies to the row an upsert proposes,
				// so an upsert could not take a negative change.)
				q = `INSERT INTO export_totals (exporter_org_id, product, destination, reserved_units, shipped_units)
					VALUES (?, ?, ?, ?, ?) ON CONFLICT (exporter_org_id, product, destination) DO UPDATE SET
					reserved_units = export_totals.reserved_units + excluded.reserved_units,
					shipped_units = export_totals.shipped_units + excluded.shipped_units`
				args = []any{row.k1, row.k2, row.k3, ch.reservedUnits, ch.shippedUnits}
			}
		}
		out = append(out, pipeStmt{query: q, args: args, check: func(n int64, err error) error {
			switch {
			case isCheckViolation(err):
				return tollgate.Errorf(tollgate.ELIMIT, "export %s would take %s past its quantity or value", ch.exportID, ch.what)
			case err != nil:
				return err
			case n != 1:
				return fmt.Errorf("store: export %s: no counter row of %s for %s", ch.exportID, ch.what, ch.product)
			}
			return nil
		}})
	}
	return append(out, orderCounterStmts(c, orders)...)
}

// orderCounterStmts returns the statements that write the pending changes
// of the orders' counters, a set's many orders in one statement (per
// maxOrderRows): each is a distinct row, and one UPDATE with CASE
// expressions keyed by id moves them all.
func orderCounterStmts(c *counterChanges, orders []counterRow) []pipeStmt {
	const maxOrderRows = 100 // 5 parameters an order
	var out []pipeStmt
	for len(orders) > 0 {
		batch := orders[:min(len(orders), maxOrderRows)]
		orders = orders[len(batch):]
		var reserved, shipped, ids strings.Builder
		var rArgs, sArgs, idArgs []any
		for i, row := range batch {
			ch := c.m[row]
			reserved.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			shipped.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			if i > 0 {
				ids.WriteString(", ")
			}
			ids.WriteString("?")
			rArgs = append(rArgs, row.k1, ch.reservedUnits)
			sArgs = append(sArgs, row.k1, ch.shippedUnits)
			idArgs = append(idArgs, row.k1)
		}
		q := `UPDATE orders SET reserved_units = reserved_units + CASE id` + reserved.String() + ` ELSE 0 END,
			shipped_units = shipped_units + CASE id` + shipped.String() + ` ELSE 0 END WHERE id IN (` + ids.String() + `)`
		out = append(out, pipeStmt{query: q, args: append(append(rArgs, sArgs...), idArgs...), check: func(n int64, err error) error {
			switch {
			case isCheckViolation(err) && len(batch) == 1:
				ch := c.m[batch[0]]
				return tollgate.Errorf(tollgate.ELIMIT, "export %s would take %s past its quantity or value", ch.exportID, ch.what)
			case isCheckViolation(err):
				return tollgate.Errorf(tollgate.ELIMIT, "the exports of %d orders would take one past its quantity", len(batch))
			case err != nil:
				return err
			case n != int64(len(batch)):
				return fmt.Errorf("store: %d of %d orders' counter rows found", n, len(batch))
			}
			return nil
		}})
	}
	return out
}

// flushBefore writes what the group's transaction holds back (staged
// reservations, counter changes) that query may read or write.
func (tx *Tx) flushBefore(ctx context.Context, query string) error {
	var stmts []pipeStmt
	if strings.Contains(query, "export") {
		stmts = tx.exportStmts()
	}
	if mentionsCounters(query) {
		stmts = append(stmts, tx.counterStmts()...)
	}
	// What a flush writes is the earlier functions' work: should it fail,
	// the function that caused it spoils the group's transaction, even
	// when it failed on a read (the pipeline notes that it wrote).
	return tx.pipeline(ctx, stmts)
}

// flushAll writes everything the group's transaction holds back, in one
// pipeline.
func (tx *Tx) flushAll(ctx context.Context) error {
	return tx.pipeline(ctx, tx.heldBack())
}

// heldBack returns the statements that write everything the group's
// transaction holds back, and forgets it.
func (tx *Tx) heldBack() []pipeStmt {
	return append(tx.exportStmts(), tx.counterStmts()...)
}

// forgetCounterReads forgets the counter reads remembered so far.
func (tx *Tx) forgetCounterReads() {
	for key := range tx.memo {
		if strings.HasPrefix(key, counterMemo) {
			delete(tx.memo, key)
		}
	}
}

// counterMemo prefixes the memo keys of counter reads, which a flush makes
// stale.
const counterMemo = "counter "

// mentionsCounters reports whether query may read or write a counter
// table, before which the pending changes must be written.
func mentionsCounters(query string) bool {
	return strings.Contains(query, "license_items") || strings.Contains(query, "orders") ||
		strings.Contains(query, "export_totals")
}
