package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"tollgate"
)

const importColumns = `id, importer_org_id, exporter_org_id, importer_of_record, entry_number, line, entry_date,
	product, lot, count, country_of_origin, hts, entered_value_cents, exemption, end_use_certification,
	heading, band, rate_bp, duty_cents, bound, duty_status, payment_reference, paid_on, recorded_by, recorded_at`

// InsertImport stores e, an import entry the caller has validated and
// assessed (package shipping's Assess), with its serial numbers, assigning
// its ID and recording time. An entry line its filer (importer) already
// recorded (entry numbers are issued per filer), or a serial
// the exporter already imported as the product, is ECONFLICT naming it.
func (tx *Tx) InsertImport(ctx context.Context, e *tollgate.ImportEntry) error {
	if err := tx.checkNewSerials(ctx, e.ExporterOrgID, e.Product, e.Units.Serials); err != nil {
		return err
	}
	e.ID, e.RecordedAt = newID(), tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO import_entries (`+importColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.ImporterOrgID, e.ExporterOrgID, e.ImporterOfRecord, e.EntryNumber, e.Line, tx.Time(e.EntryDate),
		e.Product, e.Units.Lot, e.Units.Count, e.CountryOfOrigin, e.HTS, e.EnteredValueCents, e.Exemption,
		e.EndUseCertification, e.Heading, e.Band, e.RateBP, e.DutyCents, e.Bound, string(e.DutyStatus),
		e.PaymentReference, tx.nullTime(e.PaidOn), e.RecordedBy, tx.Time(e.RecordedAt))
	switch {
	case err != nil && tx.d.uniqueViolation(err):
		return tollgate.Errorf(tollgate.ECONFLICT, "entry %s line %d is already recorded", e.EntryNumber, e.Line)
	case err != nil && isForeignKeyViolation(err):
		return tollgate.Errorf(tollgate.ENOTFOUND, "importer %q or exporter %q: organization not found", e.ImporterOrgID, e.ExporterOrgID)
	case err != nil:
		return err
	}
	rows := make([][]any, len(e.Units.Serials))
	for i, s := range e.Units.Serials {
		rows[i] = []any{e.ExporterOrgID, e.Product, s, e.ID, i + 1}
	}
	err = insertRows(ctx, tx, `INSERT INTO import_serials (exporter_org_id, product, serial, import_id, position) VALUES `, 5, rows)
	if err != nil && tx.d.uniqueViolation(err) {
		// Another entry with some of these serials committed after the
		// check above.
		return &tollgate.Error{Code: tollgate.ECONFLICT, Field: "units.serials",
			Message: "some serial numbers were imported as " + e.Product + " by another entry just now"}
	}
	return err
}

// checkNewSerials returns ECONFLICT naming the serials of product that
// exporter has already imported.
func (tx *Tx) checkNewSerials(ctx context.Context, exporter, product string, serials []string) error {
	var dup []string
	err := inBatches(serials, func(marks string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT serial FROM import_serials WHERE exporter_org_id = ? AND product = ? AND serial IN (`+marks+`)`,
			append([]any{exporter, product}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			dup = append(dup, s)
		}
		return rows.Err()
	})
	if err != nil || len(dup) == 0 {
		return err
	}
	named := dup[:min(len(dup), 10)]
	e := tollgate.Errorf(tollgate.ECONFLICT, "serial numbers already imported as %s: %s (%d in all)", product, strings.Join(named, ", "), len(dup))
	e.Details = map[string]any{"serials": dup}
	e.Field = "units.serials"
	return e
}

// FindImport returns import entry id with its serial numbers; lock locks
// it until the transaction ends. ENOTFOUND when there is none.
func (tx *Tx) FindImport(ctx context.Context, id string, lock bool) (*tollgate.ImportEntry, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "import entry %q not found", id)
	}
	q := `SELECT ` + importColumns + ` FROM import_entries WHERE id = ?`
	if lock {
		q += tx.d.forUpdate
	}
	e, err := scanImport(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "import entry %q not found", id)
	}
	if err != nil || e.Units.Lot != "" {
		return e, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT serial FROM import_serials WHERE import_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		e.Units.Serials = append(e.Units.Serials, s)
	}
	return e, rows.Err()
}

// UpdateImportDuty stores the duty status, payment reference and payment
// date of import entry e.
func (tx *Tx) UpdateImportDuty(ctx context.Context, e *tollgate.ImportEntry) error {
	_, err := tx.ExecContext(ctx, `UPDATE import_entries SET duty_status = ?, payment_reference = ?, paid_on = ? WHERE id = ?`,
		string(e.DutyStatus), e.PaymentReference, tx.nullTime(e.PaidOn), e.ID)
	return err
}

// ImportsOfUnits returns what the import entries of exporter's product say
// about units, as package shipping's UnitFacts needs it: for serials, each
// entry holding any of them with only those serials, and with only the
// fields that decide whether its units may be exported (id, exporter,
// product, exemption, bound); for a lot, every entry of the lot, complete.
func (tx *Tx) ImportsOfUnits(ctx context.Context, exporter, product string, units tollgate.Units) ([]tollgate.ImportEntry, error) {
	if !units.BySerial() {
		return tx.queryImports(ctx, `SELECT `+importColumns+` FROM import_entries
			WHERE exporter_org_id = ? AND product = ? AND lot = ? ORDER BY id`, tx.planEach([]any{exporter, product, units.Lot})...)
	}
	byID := map[string]*tollgate.ImportEntry{}
	var order []string
	err := tx.serialsIn("s.serial", units.Serials, func(cond string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT e.id, e.exemption, e.bound, s.serial
			FROM import_serials s JOIN import_entries e ON e.id = s.import_id
			WHERE s.exporter_org_id = ? AND s.product = ? AND `+cond, tx.planEach(append([]any{exporter, product}, args...))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e      = tollgate.ImportEntry{ExporterOrgID: exporter, Product: product}
				serial string
			)
			if err := rows.Scan(&e.ID, &e.Exemption, &e.Bound, &serial); err != nil {
				return err
			}
			if byID[e.ID] == nil {
				byID[e.ID] = &e
				order = append(order, e.ID)
			}
			byID[e.ID].Units.Serials = append(byID[e.ID].Units.Serials, serial)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := make([]tollgate.ImportEntry, 0, len(order))
	for _, id := range order {
		e := byID[id]
		e.Units.Count = int64(len(e.Units.Serials))
		out = append(out, *e)
	}
	return out, nil
}

func (tx *Tx) queryImports(ctx context.Context, q string, args ...any) ([]tollgate.ImportEntry, error) {
	es, err := queryAll(ctx, tx, func(s scanner) (*tollgate.ImportEntry, error) { return scanImport(s) }, q, args...)
	return values(es), err
}

// FindImports returns a page of import entries matching filter's exporter,
// importer (broker) and product, oldest first, without their serial
// numbers (FindImportByID has them), and the next page's cursor.
func (db *DB) FindImports(ctx context.Context, filter ShippingFilter) ([]*tollgate.ImportEntry, string, error) {
	return findPage(ctx, db, "store.FindImports", filter, map[string]string{"exporter": "exporter_org_id", "importer": "importer_org_id", "product": "product"},
		`SELECT `+importColumns+` FROM import_entries`, func(s scanner) (*tollgate.ImportEntry, error) { return scanImport(s) },
		func(e *tollgate.ImportEntry) string { return e.ID }, nil)
}

// FindImportByID returns import entry id with its serial numbers.
func (db *DB) FindImportByID(ctx context.Context, id string) (*tollgate.ImportEntry, error) {
	var e *tollgate.ImportEntry
	err := db.View(ctx, func(tx *Tx) (err error) {
		e, err = tx.FindImport(ctx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindImportByID: %w", err)
	}
	return e, nil
}

// scanImport scans an import entry's columns, then extra.
func scanImport(s scanner, extra ...any) (*tollgate.ImportEntry, error) {
	var e tollgate.ImportEntry
	dest := []any{&e.ID, &e.ImporterOrgID, &e.ExporterOrgID, &e.ImporterOfRecord, &e.EntryNumber, &e.Line,
		timeColumn{&e.EntryDate}, &e.Product, &e.Units.Lot, &e.Units.Count, &e.CountryOfOrigin, &e.HTS,
		&e.EnteredValueCents, &e.Exemption, &e.EndUseCertification, &e.Heading, &e.Band, &e.RateBP, &e.DutyCents,
		&e.Bound, &e.DutyStatus, &e.PaymentReference, timeColumn{&e.PaidOn}, &e.RecordedBy, timeColumn{&e.RecordedAt}}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return &e, nil
}
