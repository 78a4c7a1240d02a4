package store

import (
	"context"
	"fmt"
	"strings"
)

// counterChecks are the queries CheckShippingCounters runs: each returns
// one row per violation, described by its text columns. The counters are
// recomputed from the rows they summarise, so a lost or doubled update
// shows up as a difference.
var counterChecks = []struct {
	name string
	q    string
}{
	{"license item counters differ from its exports", `SELECT i.license_id, i.product FROM license_items i
		LEFT JOIN (SELECT license_id, product,
			sum(CASE WHEN state = 'reserved' THEN count ELSE 0 END) AS ru,
			sum(CASE WHEN state = 'reserved' THEN value_cents ELSE 0 END) AS rc,
			sum(CASE WHEN state = 'shipped' THEN count ELSE 0 END) AS su,
			sum(CASE WHEN state = 'shipped' THEN value_cents ELSE 0 END) AS sc
			FROM exports GROUP BY license_id, product) x ON x.license_id = i.license_id AND x.product = i.product
		WHERE i.reserved_units <> coalesce(x.ru, 0) OR i.reserved_cents <> coalesce(x.rc, 0)
			OR i.shipped_units <> coalesce(x.su, 0) OR i.shipped_cents <> coalesce(x.sc, 0)`},
	{"license item over its quantity or value", `SELECT license_id, product FROM license_items
		WHERE reserved_units + shipped_units > quantity OR reserved_cents + shipped_cents > value_cents
			OR reserved_units < 0 OR reserved_cents < 0 OR shipped_units < 0 OR shipped_cents < 0`},
	{"order counters differ from its exports", `SELECT o.id, o.reference FROM orders o
		LEFT JOIN (SELECT order_id,
			sum(CASE WHEN state = 'reserved' THEN count ELSE 0 END) AS ru,
			sum(CASE WHEN state = 'shipped' THEN count ELSE 0 END) AS su
			FROM exports GROUP BY order_id) x ON x.order_id = o.id
		WHERE o.reserved_units <> coalesce(x.ru, 0) OR o.shipped_units <> coalesce(x.su, 0)
			OR o.reserved_units + o.shipped_units > o.quantity`},
	{"destination totals differ from the exports", `SELECT t.exporter_org_id, t.product FROM export_totals t
		LEFT JOIN (SELECT exporter_org_id, product, destination,
			sum(CASE WHEN state = 'reserved' THEN count ELSE 0 END) AS ru,
			sum(CASE WHEN state = 'shipped' THEN count ELSE 0 END) AS su
			FROM exports GROUP BY exporter_org_id, product, destination) x
			ON x.exporter_org_id = t.exporter_org_id AND x.product = t.product AND x.destination = t.destination
		WHERE t.reserved_units <> coalesce(x.ru, 0) OR t.shipped_units <> coalesce(x.su, 0)`},
	{"US units differ from the US shipments", `SELECT c.exporter_org_id, c.product FROM cap_locks c
		LEFT JOIN (SELECT exporter_org_id, product, sum(units) AS n FROM us_shipments GROUP BY exporter_org_id, product) s
			ON s.exporter_org_id = c.exporter_org_id AND s.product = c.product
		WHERE c.us_units <> coalesce(s.n, 0)`},
	{"serial held by two exports", `SELECT s.exporter_org_id, s.serial FROM export_serials s JOIN exports x ON x.id = s.export_id
		WHERE x.state = 'shipped' OR (x.state = 'reserved' AND x.expires_at > ?)
		GROUP BY s.exporter_org_id, s.product, s.serial HAVING count(*) > 1`},
	{"exported serial not imported for export", `SELECT s.exporter_org_id, s.serial FROM export_serials s
		JOIN exports x ON x.id = s.export_id
		LEFT JOIN import_serials i ON i.exporter_org_id = s.exporter_org_id AND i.product = s.product AND i.serial = s.serial
		LEFT JOIN import_entries e ON e.id = i.import_id
		WHERE (x.state = 'shipped' OR (x.state = 'reserved' AND x.expires_at > ?)) AND (i.serial IS NULL OR e.bound)`},
	{"lot exported beyond its imported units", `SELECT x.exporter_org_id, x.lot FROM
		(SELECT exporter_org_id, product, lot, sum(count) AS n FROM exports
			WHERE lot <> '' AND (state = 'shipped' OR (state = 'reserved' AND expires_at > ?))
			GROUP BY exporter_org_id, product, lot) x
		LEFT JOIN (SELECT exporter_org_id, product, lot, sum(count) AS n FROM import_entries
			WHERE lot <> '' AND NOT bound GROUP BY exporter_org_id, product, lot) i
			ON i.exporter_org_id = x.exporter_org_id AND i.product = x.product AND i.lot = x.lot
		WHERE x.n > coalesce(i.n, 0)`},
}

// CheckShippingCounters recomputes every shipping counter from the rows it
// summarises and checks the limits the schema cannot express, as of the
// transaction's time:
// license items and orders within their quantity and value, no serial held
// by two exports, no unit exported that was not imported (or was bound by
// an exemption). It returns one line per violation, none when the store is
// consistent. The 50% cap, a rule with settings, is package shipping's to
// check (Service.Verify).
func (db *DB) CheckShippingCounters(ctx context.Context) ([]string, error) {
	var out []string
	err := db.View(ctx, func(tx *Tx) error {
		out = out[:0]
		for _, c := range counterChecks {
			var args []any
			for range strings.Count(c.q, "?") {
				args = append(args, tx.Time(tx.now))
			}
			rows, err := tx.QueryContext(ctx, c.q, args...)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			for rows.Next() {
				var a, b string
				if err := rows.Scan(&a, &b); err != nil {
					rows.Close()
					return err
				}
				out = append(out, fmt.Sprintf("%s: %s %s", c.name, a, b))
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store.CheckShippingCounters: %w", err)
	}
	return out, nil
}

// CapRow is one exporter's product as the cap sees it: its US units and the
// units reserved and shipped to each destination.
type CapRow struct {
	ExporterOrgID string                  `json:"exporter_org_id"`
	Product       string                  `json:"product"`
	USUnits       int64                   `json:"us_units"`
	Destinations  map[string]UnitCounters `json:"destinations"`
}

// CapRows returns every exporter's product that has US shipments or
// exports, for checking the cap.
func (db *DB) CapRows(ctx context.Context) ([]CapRow, error) {
	var out []CapRow
	err := db.View(ctx, func(tx *Tx) error {
		out = out[:0]
		idx := map[[2]string]int{}
		rows, err := tx.QueryContext(ctx, `SELECT exporter_org_id, product, us_units FROM cap_locks ORDER BY exporter_org_id, product`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r CapRow
			if err := rows.Scan(&r.ExporterOrgID, &r.Product, &r.USUnits); err != nil {
				rows.Close()
				return err
			}
			r.Destinations = map[string]UnitCounters{}
			idx[[2]string{r.ExporterOrgID, r.Product}] = len(out)
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT exporter_org_id, product, destination, reserved_units, shipped_units FROM export_totals`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				exporter, product, dest string
				c                       UnitCounters
			)
			if err := rows.Scan(&exporter, &product, &dest, &c.Reserved, &c.Shipped); err != nil {
				return err
			}
			i, ok := idx[[2]string{exporter, product}]
			if !ok {
				i = len(out)
				idx[[2]string{exporter, product}] = i
				out = append(out, CapRow{ExporterOrgID: exporter, Product: product, Destinations: map[string]UnitCounters{}})
			}
			out[i].Destinations[dest] = c
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store.CapRows: %w", err)
	}
	return out, nil
}
