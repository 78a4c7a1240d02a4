package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tollgate"
)

// ShippingFilter selects shipping records for the Find… lists, oldest
// first. Zero fields select everything; each list ignores the fields its
// records do not have.
type ShippingFilter struct {
	// ExporterOrgID selects the records of one exporter (every list).
	ExporterOrgID string
	// ImporterOrgID selects import entries filed by one broker;
	// LabOrgID lab keys and reports of one lab.
	ImporterOrgID string
	LabOrgID      string
	// Product selects one product key.
	Product string
	// State selects exports (reserved, shipped, voided, expired) or orders
	// (drafted, licensed, …) in one state.
	State string
	// LicenseID and OrderID select the exports under one license or for
	// one order.
	LicenseID string
	OrderID   string
	Cursor    string
	Limit     int
}

// where appends the filter's conditions on the named columns (empty names
// are not filtered on) and its cursor and limit, returning the query's
// tail and arguments.
func (f ShippingFilter) where(cols map[string]string) (string, []any, int, error) {
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return "", nil, 0, err
	}
	after, err := decodeCursor(f.Cursor, validID)
	if err != nil {
		return "", nil, 0, err
	}
	q, args := ` WHERE 1 = 1`, []any{}
	add := func(key, value string, isID bool) error {
		col := cols[key]
		if col == "" || value == "" {
			return nil
		}
		if isID && !validID(value) {
			return errNoMatch
		}
		q += ` AND ` + col + ` = ?`
		args = append(args, value)
		return nil
	}
	for _, c := range []struct {
		key, value string
		isID       bool
	}{
		{"exporter", f.ExporterOrgID, true}, {"importer", f.ImporterOrgID, true}, {"lab", f.LabOrgID, true},
		{"product", tollgate.ProductKey(f.Product), false}, {"state", f.State, false},
		{"license", f.LicenseID, true}, {"order", f.OrderID, true},
	} {
		if err := add(c.key, c.value, c.isID); err != nil {
			return "", nil, 0, err
		}
	}
	if after != "" {
		q += ` AND id > ?`
		args = append(args, after)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit+1)
	return q, args, limit, nil
}

// errNoMatch is returned by ShippingFilter.where when a filter value can
// match no row (an id that is not an id); lists answer an empty page.
var errNoMatch = errors.New("store: filter matches nothing")

const usShipmentColumns = `id, exporter_org_id, product, units, shipped_on, customer, reference,
	reverses, reason, recorded_by, recorded_at, end_use, customer_ultimate_parent`

// InsertUSShipment stores s, a US shipment or a reversal that the caller
// has validated (and, for a reversal, checked against the shipment it
// reverses with the cap row locked), assigning its ID and recording time,
// and adds its units to the exporter's US units of the product.
func (tx *Tx) InsertUSShipment(ctx context.Context, s *tollgate.DomesticShipment) error {
	s.ID, s.RecordedAt = newID(), tx.now
	var reverses any
	if s.Reverses != "" {
		reverses = s.Reverses
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO us_shipments (`+usShipmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.ExporterOrgID, s.Product, s.Units, tx.Time(s.ShippedOn), s.Customer, s.Reference,
		reverses, s.Reason, s.RecordedBy, tx.Time(s.RecordedAt), s.EndUse, s.CustomerUltimateParent)
	if err != nil {
		if isForeignKeyViolation(err) {
			return tollgate.Errorf(tollgate.ENOTFOUND, "organization %q not found", s.ExporterOrgID)
		}
		return err
	}
	tx.forget(capLockKey(s.ExporterOrgID, s.Product))
	_, err = tx.ExecContext(ctx, `INSERT INTO cap_locks (exporter_org_id, product, us_units) VALUES (?, ?, ?)
		ON CONFLICT (exporter_org_id, product) DO UPDATE SET us_units = cap_locks.us_units + excluded.us_units`,
		s.ExporterOrgID, s.Product, s.Units)
	return err
}

// FindUSShipment returns the US shipment id, ENOTFOUND when there is none.
func (tx *Tx) FindUSShipment(ctx context.Context, id string) (*tollgate.DomesticShipment, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "US shipment %q not found", id)
	}
	s, err := scanUSShipment(tx.QueryRowContext(ctx, `SELECT `+usShipmentColumns+` FROM us_shipments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "US shipment %q not found", id)
	}
	return s, err
}

// USShipmentReversals returns the reversals recorded against shipment id,
// oldest first.
func (tx *Tx) USShipmentReversals(ctx context.Context, id string) ([]tollgate.DomesticShipment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+usShipmentColumns+` FROM us_shipments WHERE reverses = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tollgate.DomesticShipment
	for rows.Next() {
		s, err := scanUSShipment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

// FindUSShipments returns a page of US shipments (and reversals) matching
// filter's exporter and product, oldest first, and the next page's cursor.
func (db *DB) FindUSShipments(ctx context.Context, filter ShippingFilter) ([]*tollgate.DomesticShipment, string, error) {
	return findPage(ctx, db, "store.FindUSShipments", filter, map[string]string{"exporter": "exporter_org_id", "product": "product"},
		`SELECT `+usShipmentColumns+` FROM us_shipments`, scanUSShipment,
		func(s *tollgate.DomesticShipment) string { return s.ID }, nil)
}

// FindUSShipmentByID returns the US shipment id.
func (db *DB) FindUSShipmentByID(ctx context.Context, id string) (*tollgate.DomesticShipment, error) {
	var s *tollgate.DomesticShipment
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		s, err = tx.FindUSShipment(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindUSShipmentByID: %w", err)
	}
	return s, nil
}

func scanUSShipment(s scanner) (*tollgate.DomesticShipment, error) {
	var (
		sh       tollgate.DomesticShipment
		reverses sql.NullString
	)
	if err := s.Scan(&sh.ID, &sh.ExporterOrgID, &sh.Product, &sh.Units, timeColumn{&sh.ShippedOn}, &sh.Customer,
		&sh.Reference, &reverses, &sh.Reason, &sh.RecordedBy, timeColumn{&sh.RecordedAt}, &sh.EndUse, &sh.CustomerUltimateParent); err != nil {
		return nil, err
	}
	sh.Reverses = reverses.String
	return &sh, nil
}
