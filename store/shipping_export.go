package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tollgate"
)

const exportColumns = `id, exporter_org_id, license_id, license_number, order_id, product, lot, count, value_cents,
	destination, state, reserved_by, reserved_at, expires_at, filing_reference, exported_on, shipped_by, shipped_at,
	void_reason, released_by, released_at, lab_report_id, reviewed_at`

// InsertExport stores e, a reservation made by package shipping's Reserve
// under the locks of its license, product and order, with the serials it
// names, assigning its ID, and adds its units and value to the reserved
// counters of the license item, the order and the exporter's product and
// destination. A counter pushed past its limit (which Reserve's checks
// should have refused) is ELIMIT: the schema's CHECK constraints hold the
// license's and the order's quantities even against a bug.
func (tx *Tx) InsertExport(ctx context.Context, e *tollgate.Export) error {
	e.ID = newID()
	tx.wrote = true
	tx.exports = append(tx.exports, *e)
	if !tx.grouped || tx.careful {
		if err := tx.flushExports(ctx); err != nil {
			return err
		}
	}
	return tx.moveCounters(ctx, e, e.Units.Count, e.ValueCents, 0, 0)
}

// flushExports inserts the reservations InsertExport staged: in a group's
// transaction all of them at once, many rows a statement, when the group
// commits or before a statement on the exports (see Tx.statement).
func (tx *Tx) flushExports(ctx context.Context) error {
	return tx.pipeline(ctx, tx.exportStmts())
}

// exportStmts returns the statements that write what InsertExport and
// UpdateExport staged (the inserts first), and forgets it.
func (tx *Tx) exportStmts() []pipeStmt {
	return append(tx.insertStmts(), tx.updateStmts()...)
}

// insertStmts returns the statements that insert the reservations
// InsertExport staged, and forgets them.
func (tx *Tx) insertStmts() []pipeStmt {
	staged := tx.exports
	if len(staged) == 0 {
		return nil
	}
	tx.exports = nil
	rows := make([][]any, len(staged))
	var serials [][]any
	for i := range staged {
		e := &staged[i]
		rows[i] = []any{e.ID, e.ExporterOrgID, e.LicenseID, e.LicenseNumber, e.OrderID, e.Product, e.Units.Lot, e.Units.Count,
			e.ValueCents, e.Destination, string(e.State), e.ReservedBy, tx.Time(e.ReservedAt), tx.Time(e.ExpiresAt),
			e.FilingReference, tx.nullTime(e.ExportedOn), e.ShippedBy, tx.nullTime(e.ShippedAt), e.VoidReason, e.ReleasedBy,
			tx.nullTime(e.ReleasedAt), nullString(e.LabReportID), tx.nullTime(e.ReviewedAt)}
		for j, s := range e.Units.Serials {
			serials = append(serials, []any{e.ID, j + 1, e.ExporterOrgID, e.Product, s})
		}
	}
	notFound := func(_ int64, err error) error {
		if isForeignKeyViolation(err) {
			e := staged[0]
			if len(staged) == 1 {
				return tollgate.Errorf(tollgate.ENOTFOUND, "license %q or order %q not found", e.LicenseID, e.OrderID)
			}
			return tollgate.Errorf(tollgate.ENOTFOUND, "a license or order of %d reservations not found", len(staged))
		}
		return err
	}
	return append(insertStmts(`INSERT INTO exports (`+exportColumns+`) VALUES `, 23, rows, notFound),
		insertStmts(`INSERT INTO export_serials (export_id, position, exporter_org_id, product, serial) VALUES `, 5, serials, nil)...)
}

// UpdateExport stores e after package shipping's Ship, Void or Expire
// changed it from state from (reserved), and moves its units and value in
// the counters: from reserved to shipped, or out of reserved.
func (tx *Tx) UpdateExport(ctx context.Context, from tollgate.ExportState, e *tollgate.Export) error {
	if from != tollgate.ExportReserved || e.State == tollgate.ExportReserved {
		return fmt.Errorf("store.UpdateExport: export %s: %s to %s is not a transition the store knows", e.ID, from, e.State)
	}
	tx.wrote = true
	tx.updates = append(tx.updates, *e)
	if !tx.grouped || tx.careful {
		if err := tx.flushExports(ctx); err != nil {
			return err
		}
	}
	units, cents := e.Units.Count, e.ValueCents
	if e.State == tollgate.ExportShipped {
		return tx.moveCounters(ctx, e, -units, -cents, units, cents)
	}
	return tx.moveCounters(ctx, e, -units, -cents, 0, 0)
}

// updateStmts returns the statements that write the changes of
// reservations UpdateExport staged, and forgets them: in a group's
// transaction all of them with one UPDATE, on SQLite per maxUpdateRows
// with columns that are CASE expressions keyed by id, on PostgreSQL joined
// to arrays of the changes (updateArraysStmt). A reservation that is no
// longer reserved is ECONFLICT.
func (tx *Tx) updateStmts() []pipeStmt {
	const maxUpdateRows = 25 // 17 parameters a row
	staged := tx.updates
	tx.updates = nil
	if tx.d == postgresDialect && len(staged) > 0 {
		return []pipeStmt{tx.updateArraysStmt(staged)}
	}
	var out []pipeStmt
	for len(staged) > 0 {
		batch := staged[:min(len(staged), maxUpdateRows)]
		staged = staged[len(batch):]
		columns := []struct {
			name  string
			value func(e *tollgate.Export) any
		}{
			{"state", func(e *tollgate.Export) any { return string(e.State) }},
			{"filing_reference", func(e *tollgate.Export) any { return e.FilingReference }},
			{"exported_on", func(e *tollgate.Export) any { return tx.nullTime(e.ExportedOn) }},
			{"shipped_by", func(e *tollgate.Export) any { return e.ShippedBy }},
			{"shipped_at", func(e *tollgate.Export) any { return tx.nullTime(e.ShippedAt) }},
			{"void_reason", func(e *tollgate.Export) any { return e.VoidReason }},
			{"released_by", func(e *tollgate.Export) any { return e.ReleasedBy }},
			{"released_at", func(e *tollgate.Export) any { return tx.nullTime(e.ReleasedAt) }},
		}
		var (
			q    strings.Builder
			args []any
		)
		q.WriteString("UPDATE exports SET ")
		for i, c := range columns {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(c.name + " = CASE id")
			for j := range batch {
				q.WriteString(" WHEN ? THEN ?")
				args = append(args, batch[j].ID, c.value(&batch[j]))
			}
			q.WriteString(" END")
		}
		q.WriteString(" WHERE state = 'reserved' AND id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(batch)), ", ") + ")")
		for j := range batch {
			args = append(args, batch[j].ID)
		}
		out = append(out, pipeStmt{query: q.String(), args: args, check: stillReserved(batch)})
	}
	return out
}

// stillReserved checks the update of the reservations staged: each must
// have been reserved still.
func stillReserved(staged []tollgate.Export) func(rows int64, err error) error {
	return func(got int64, err error) error {
		n := int64(len(staged))
		switch {
		case err != nil:
			return err
		case got == n:
			return nil
		case n == 1:
			return tollgate.Errorf(tollgate.ECONFLICT, "export %s is no longer reserved", staged[0].ID)
		}
		return tollgate.Errorf(tollgate.ECONFLICT, "%d of %d exports are no longer reserved", n-got, n)
	}
}

// updateArraysStmt is updateStmts on PostgreSQL: one UPDATE joined to the
// changes, passed as one array a column, so that the statement's text is
// the same however many rows it changes (prepared once per connection,
// and in a keyed transaction planned once).
func (tx *Tx) updateArraysStmt(staged []tollgate.Export) pipeStmt {
	n := len(staged)
	var (
		ids, states, filings, shippedBy, voidReasons, releasedBy = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		exportedOn, shippedAt, releasedAt                        = make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
	)
	orNull := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = t.UTC()
		return &t
	}
	for i := range staged {
		e := &staged[i]
		ids[i], states[i], filings[i], shippedBy[i], voidReasons[i], releasedBy[i] = e.ID, string(e.State), e.FilingReference, e.ShippedBy, e.VoidReason, e.ReleasedBy
		exportedOn[i], shippedAt[i], releasedAt[i] = orNull(e.ExportedOn), orNull(e.ShippedAt), orNull(e.ReleasedAt)
	}
	return pipeStmt{query: `UPDATE exports x SET state = v.state, filing_reference = v.filing_reference,
		exported_on = v.exported_on, shipped_by = v.shipped_by, shipped_at = v.shipped_at, void_reason = v.void_reason,
		released_by = v.released_by, released_at = v.released_at
		FROM unnest(CAST(? AS UUID[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TIMESTAMPTZ[]), CAST(? AS TEXT[]),
			CAST(? AS TIMESTAMPTZ[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TIMESTAMPTZ[]))
			AS v (id, state, filing_reference, exported_on, shipped_by, shipped_at, void_reason, released_by, released_at)
		WHERE x.id = v.id AND x.state = 'reserved'`,
		args:  []any{ids, states, filings, exportedOn, shippedBy, shippedAt, voidReasons, releasedBy, releasedAt},
		check: stillReserved(staged)}
}

// ExportKey returns the license, exporter, product and order of export id
// without locking it: what a use case needs to take the locks that come
// before the export's.
func (tx *Tx) ExportKey(ctx context.Context, id string) (licenseID, exporterOrgID, product, orderID string, err error) {
	if !validID(id) {
		return "", "", "", "", tollgate.Errorf(tollgate.ENOTFOUND, "export %q not found", id)
	}
	err = tx.QueryRowContext(ctx, `SELECT license_id, exporter_org_id, product, order_id FROM exports WHERE id = ?`, id).
		Scan(&licenseID, &exporterOrgID, &product, &orderID)
	if errors.Is(err, sql.ErrNoRows) {
		err = tollgate.Errorf(tollgate.ENOTFOUND, "export %q not found", id)
	}
	return licenseID, exporterOrgID, product, orderID, err
}

// FindExport returns export id with its serials; lock locks it until the
// transaction ends. ENOTFOUND when there is none.
func (tx *Tx) FindExport(ctx context.Context, id string, lock bool) (*tollgate.Export, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "export %q not found", id)
	}
	q := `SELECT ` + exportColumns + ` FROM exports WHERE id = ?`
	if lock {
		q += tx.d.forUpdate
	}
	e, err := scanExport(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "export %q not found", id)
	}
	if err != nil || e.Units.Lot != "" {
		return e, err
	}
	err = tx.collect(ctx, &e.Units.Serials, `SELECT serial FROM export_serials WHERE export_id = ? ORDER BY position`, id)
	return e, err
}

// LockExportState locks export id and returns its state: for a use case
// that read the export before its locks, to tell whether it changed since
// (while reserved, nothing else of an export changes). ENOTFOUND when there
// is none.
func (tx *Tx) LockExportState(ctx context.Context, id string) (tollgate.ExportState, error) {
	var state tollgate.ExportState
	if !validID(id) {
		return state, tollgate.Errorf(tollgate.ENOTFOUND, "export %q not found", id)
	}
	err := tx.QueryRowContext(ctx, `SELECT state FROM exports WHERE id = ?`+tx.d.forUpdate, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		err = tollgate.Errorf(tollgate.ENOTFOUND, "export %q not found", id)
	}
	return state, err
}

// ExpiredReservations returns up to limit (0: all) reservations still
// marked reserved whose expiry is at or before now, oldest expiry first: of
// exporter's product when both are given, else of every exporter. They
// hold nothing any more; package shipping's Expire marks them.
func (tx *Tx) ExpiredReservations(ctx context.Context, exporterOrgID, product string, now time.Time, limit int) ([]tollgate.Export, error) {
	// Ids first: there are usually none, and the full rows cost more to
	// select than the index probe.
	q, args := `SELECT id FROM exports WHERE state = 'reserved' AND expires_at <= ?`, []any{tx.Time(now)}
	if exporterOrgID != "" {
		q, args = q+` AND exporter_org_id = ? AND product = ?`, append(args, exporterOrgID, product)
	}
	q += ` ORDER BY expires_at, id`
	if limit > 0 {
		q, args = q+` LIMIT ?`, append(args, limit)
	}
	var ids []string
	if err := tx.collect(ctx, &ids, q, tx.planEach(args)...); err != nil {
		return nil, err
	}
	out := make([]tollgate.Export, 0, len(ids))
	for _, id := range ids {
		e, err := scanExport(tx.QueryRowContext(ctx, `SELECT `+exportColumns+` FROM exports WHERE id = ?`, id))
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, nil
}

// ExportsOfUnits returns the exports of exporter's product that hold any of
// units at now (shipped, or reserved and not expired), with the fields that
// say so (id, exporter, product, state, expiry, units, the lab review
// bound to it): for serials each
// with only the serials it shares with units, for a lot every export of the
// lot.
func (tx *Tx) ExportsOfUnits(ctx context.Context, exporter, product string, units tollgate.Units, now time.Time) ([]tollgate.Export, error) {
	holds := `(x.state = 'shipped' OR (x.state = 'reserved' AND x.expires_at > ?))`
	q, args := `SELECT x.id, x.state, x.expires_at, x.lot, x.count, x.lab_report_id, '' FROM exports x
		WHERE x.exporter_org_id = ? AND x.product = ? AND x.lot = ? AND `+holds, []any{exporter, product, units.Lot, tx.Time(now)}
	byID := map[string]*tollgate.Export{}
	var order []string
	scan := func(cond string, extra []any) error {
		if units.BySerial() {
			q = `SELECT x.id, x.state, x.expires_at, x.lot, x.count, x.lab_report_id, s.serial FROM export_serials s JOIN exports x ON x.id = s.export_id
				WHERE s.exporter_org_id = ? AND s.product = ? AND ` + cond + ` AND ` + holds
			args = append(append([]any{exporter, product}, extra...), tx.Time(now))
		}
		rows, err := tx.QueryContext(ctx, q, tx.planEach(args)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e      = tollgate.Export{ExporterOrgID: exporter, Product: product}
				serial string
				report sql.NullString
			)
			if err := rows.Scan(&e.ID, &e.State, timeColumn{&e.ExpiresAt}, &e.Units.Lot, &e.Units.Count, &report, &serial); err != nil {
				return err
			}
			e.LabReportID = report.String
			if byID[e.ID] == nil {
				if units.BySerial() {
					e.Units.Count = 0
				}
				byID[e.ID] = &e
				order = append(order, e.ID)
			}
			if serial != "" {
				byID[e.ID].Units.Serials = append(byID[e.ID].Units.Serials, serial)
				byID[e.ID].Units.Count++
			}
		}
		return rows.Err()
	}
	var err error
	if units.BySerial() {
		err = tx.serialsIn("s.serial", units.Serials, scan)
	} else {
		err = scan("", nil)
	}
	out := make([]tollgate.Export, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, err
}

// FindExports returns a page of exports matching filter's exporter,
// product, state, license and order, oldest first, without their serials
// (FindExportByID has them), and the next page's cursor.
func (db *DB) FindExports(ctx context.Context, filter ShippingFilter) ([]*tollgate.Export, string, error) {
	return findPage(ctx, db, "store.FindExports", filter, map[string]string{"exporter": "exporter_org_id", "product": "product",
		"state": "state", "license": "license_id", "order": "order_id"},
		`SELECT `+exportColumns+` FROM exports`, func(s scanner) (*tollgate.Export, error) { return scanExport(s) },
		func(e *tollgate.Export) string { return e.ID }, nil)
}

// FindExportByID returns export id with its serials.
func (db *DB) FindExportByID(ctx context.Context, id string) (*tollgate.Export, error) {
	var e *tollgate.Export
	err := db.View(ctx, func(tx *Tx) (err error) {
		e, err = tx.FindExport(ctx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindExportByID: %w", err)
	}
	return e, nil
}

// scanExport scans an export's columns, then extra.
func scanExport(s scanner, extra ...any) (*tollgate.Export, error) {
	var e tollgate.Export
	var report sql.NullString
	dest := []any{&e.ID, &e.ExporterOrgID, &e.LicenseID, &e.LicenseNumber, &e.OrderID, &e.Product, &e.Units.Lot,
		&e.Units.Count, &e.ValueCents, &e.Destination, &e.State, &e.ReservedBy, timeColumn{&e.ReservedAt},
		timeColumn{&e.ExpiresAt}, &e.FilingReference, timeColumn{&e.ExportedOn}, &e.ShippedBy, timeColumn{&e.ShippedAt},
		&e.VoidReason, &e.ReleasedBy, timeColumn{&e.ReleasedAt}, &report, timeColumn{&e.ReviewedAt}}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	e.LabReportID = report.String
	return &e, nil
}
