package store

import (
	"context"
	"slices"

	"tollgate"
)

// Reads by many ids at once, for package shipping's batches of
// reservations and shipments: one statement (per maxInArgs ids) instead of
// one per id. Ids that name nothing are absent from the results.

// validIDs returns the distinct valid ids of ids.
func validIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if validID(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// LicensesByID returns the licenses of ids, by id, as License reads them.
func (tx *Tx) LicensesByID(ctx context.Context, ids []string) (map[string]*StoredLicense, error) {
	out := map[string]*StoredLicense{}
	err := inBatches(validIDs(ids), func(marks string, args []any) error {
		ls, err := queryLicenses(ctx, tx, `WHERE id IN (`+marks+`)`, args...)
		for _, l := range ls {
			out[l.ID] = l
		}
		return err
	})
	return out, err
}

// OrdersByID returns the orders of ids, by id, as FindOrder reads them.
func (tx *Tx) OrdersByID(ctx context.Context, ids []string) (map[string]*tollgate.Order, error) {
	out := map[string]*tollgate.Order{}
	var orders []*tollgate.Order
	err := inBatches(validIDs(ids), func(marks string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var units UnitCounters
			o, err := scanOrder(rows, &units)
			if err != nil {
				return err
			}
			out[o.ID] = o
			orders = append(orders, o)
		}
		return rows.Err()
	})
	if err != nil || len(orders) == 0 {
		return out, err
	}
	return out, tx.loadOrderHistories(ctx, orders)
}

// ExportsByID returns the exports of ids, by id, with their serials: the
// exports and then their serials, on PostgreSQL in one round trip
// (pipeline.go).
func (tx *Tx) ExportsByID(ctx context.Context, ids []string) (map[string]*tollgate.Export, error) {
	out := map[string]*tollgate.Export{}
	var stmts []pipeStmt
	_ = inBatches(validIDs(ids), func(marks string, args []any) error {
		stmts = append(stmts, pipeStmt{query: `SELECT ` + exportColumns + ` FROM exports WHERE id IN (` + marks + `)`, args: args,
			scan: func(rows rowScanner) error {
				for rows.Next() {
					e, err := scanExport(rows)
					if err != nil {
						return err
					}
					out[e.ID] = e
				}
				return nil
			}},
			pipeStmt{query: `SELECT export_id, serial FROM export_serials WHERE export_id IN (` + marks + `) ORDER BY export_id, position`,
				args: args, scan: func(rows rowScanner) error {
					for rows.Next() {
						var id, serial string
						if err := rows.Scan(&id, &serial); err != nil {
							return err
						}
						if e := out[id]; e != nil {
							e.Units.Serials = append(e.Units.Serials, serial)
						}
					}
					return nil
				}})
		return nil
	})
	if len(stmts) == 0 {
		return out, nil
	}
	ctx, err := tx.statement(ctx, stmts[0].query, false) // what a group's transaction holds back of the exports first
	if err != nil {
		return out, err
	}
	return out, tx.pipeline(ctx, stmts)
}

// LockExportStates locks the exports of ids and returns their states, by
// id: for a batch of shipments that read the exports before their locks,
// to tell which changed since.
func (tx *Tx) LockExportStates(ctx context.Context, ids []string) (map[string]tollgate.ExportState, error) {
	out := map[string]tollgate.ExportState{}
	err := inBatches(validIDs(ids), func(marks string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, state FROM exports WHERE id IN (`+marks+`)`+tx.d.forUpdate, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id    string
				state tollgate.ExportState
			)
			if err := rows.Scan(&id, &state); err != nil {
				return err
			}
			out[id] = state
		}
		return rows.Err()
	})
	return out, err
}
