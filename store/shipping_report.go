package store

import (
	"context"
	"fmt"

	"tollgate"
)

// ShippingRecords are all of one exporter's shipping records, complete
// with serials and histories: what package shipping's Report summarises.
type ShippingRecords struct {
	Shipments []tollgate.DomesticShipment `json:"shipments"`
	Imports   []tollgate.ImportEntry      `json:"imports"`
	Exports   []tollgate.Export           `json:"exports"`
	Orders    []tollgate.Order            `json:"orders"`
}

// ShippingRecordsOf returns every shipping record of exporter, as one
// snapshot.
func (db *DB) ShippingRecordsOf(ctx context.Context, exporterOrgID string) (*ShippingRecords, error) {
	recs := &ShippingRecords{}
	err := db.View(ctx, func(tx *Tx) error {
		*recs = ShippingRecords{}
		if !validID(exporterOrgID) {
			return nil
		}
		return tx.loadShippingRecords(ctx, exporterOrgID, recs)
	})
	if err != nil {
		return nil, fmt.Errorf("store.ShippingRecordsOf: %w", err)
	}
	return recs, nil
}

func (tx *Tx) loadShippingRecords(ctx context.Context, exporter string, recs *ShippingRecords) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+usShipmentColumns+` FROM us_shipments WHERE exporter_org_id = ? ORDER BY id`, exporter)
	if err != nil {
		return err
	}
	for rows.Next() {
		s, err := scanUSShipment(rows)
		if err != nil {
			rows.Close()
			return err
		}
		recs.Shipments = append(recs.Shipments, *s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if recs.Imports, err = tx.queryImports(ctx, `SELECT `+importColumns+` FROM import_entries WHERE exporter_org_id = ? ORDER BY id`, exporter); err != nil {
		return err
	}
	imports := make(map[string]*tollgate.Units, len(recs.Imports))
	for i := range recs.Imports {
		imports[recs.Imports[i].ID] = &recs.Imports[i].Units
	}
	if err := tx.loadSerials(ctx, `SELECT import_id, serial FROM import_serials WHERE exporter_org_id = ? ORDER BY import_id, position`, exporter, imports); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+exportColumns+` FROM exports WHERE exporter_org_id = ? ORDER BY id`, exporter)
	if err != nil {
		return err
	}
	for rows.Next() {
		e, err := scanExport(rows)
		if err != nil {
			rows.Close()
			return err
		}
		recs.Exports = append(recs.Exports, *e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	exports := make(map[string]*tollgate.Units, len(recs.Exports))
	for i := range recs.Exports {
		exports[recs.Exports[i].ID] = &recs.Exports[i].Units
	}
	if err := tx.loadSerials(ctx, `SELECT export_id, serial FROM export_serials WHERE exporter_org_id = ? ORDER BY export_id, position`, exporter, exports); err != nil {
		return err
	}
	return tx.loadOrders(ctx, exporter, recs)
}

// loadSerials appends the (owner id, serial) rows of q to the units of
// each owner.
func (tx *Tx) loadSerials(ctx context.Context, q, exporter string, units map[string]*tollgate.Units) error {
	rows, err := tx.QueryContext(ctx, q, exporter)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, serial string
		if err := rows.Scan(&id, &serial); err != nil {
			return err
		}
		if u := units[id]; u != nil {
			u.Serials = append(u.Serials, serial)
		}
	}
	return rows.Err()
}

func (tx *Tx) loadOrders(ctx context.Context, exporter string, recs *ShippingRecords) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE exporter_org_id = ? ORDER BY id`, exporter)
	if err != nil {
		return err
	}
	var orders []*tollgate.Order
	for rows.Next() {
		o, err := scanOrder(rows, &UnitCounters{})
		if err != nil {
			rows.Close()
			return err
		}
		orders = append(orders, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := tx.loadOrderHistories(ctx, orders); err != nil {
		return err
	}
	for _, o := range orders {
		recs.Orders = append(recs.Orders, *o)
	}
	return nil
}
