package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"tollgate"
)

// DestinationUnits returns the units of exporter's product reserved and
// shipped to any of destinations (the cap's: China and Macau), with the
// changes pending in a group's transaction.
func (tx *Tx) DestinationUnits(ctx context.Context, exporterOrgID, product string, destinations []string) (UnitCounters, error) {
	if !validID(exporterOrgID) || len(destinations) == 0 {
		return UnitCounters{}, nil
	}
	c, err := remember(tx, destinationKey(exporterOrgID, product, destinations), func() (UnitCounters, error) {
		var c UnitCounters
		err := inBatches(destinations, func(marks string, args []any) error {
			part, err := scanUnitCounters(tx.queryRowCounting(ctx, destinationQuery(marks), append([]any{exporterOrgID, product}, args...)...))
			c.Reserved, c.Shipped = c.Reserved+part.Reserved, c.Shipped+part.Shipped
			return err
		})
		return c, err
	})
	for _, d := range slices.Compact(slices.Sorted(slices.Values(destinations))) {
		ch := tx.counters.get(totalsRow(exporterOrgID, product, d))
		c.Reserved += ch.reservedUnits
		c.Shipped += ch.shippedUnits
	}
	return c, err
}

func destinationKey(exporterOrgID, product string, destinations []string) string {
	return counterMemo + "totals " + exporterOrgID + "\x00" + product + "\x00" + strings.Join(destinations, "\x00")
}

// destinationQuery sums the totals of the destinations marks stands for.
func destinationQuery(marks string) string {
	return `SELECT coalesce(sum(reserved_units), 0), coalesce(sum(shipped_units), 0)
		FROM export_totals WHERE exporter_org_id = ? AND product = ? AND destination IN (` + marks + `)`
}

func scanUnitCounters(s scanner) (c UnitCounters, err error) {
	err = s.Scan(&c.Reserved, &c.Shipped)
	return c, err
}

// USUnits returns the exporter's US units of product without locking them.
func (tx *Tx) USUnits(ctx context.Context, exporterOrgID, product string) (int64, error) {
	var n int64
	if !validID(exporterOrgID) {
		return 0, nil
	}
	err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(us_units), 0) FROM cap_locks WHERE exporter_org_id = ? AND product = ?`,
		exporterOrgID, product).Scan(&n)
	return n, err
}

// PartyScreening is a party's screening standing: its derived status and
// the list versions its latest screening used (none when never screened).
type PartyScreening struct {
	PartyID        string                   `json:"party_id"`
	Status         tollgate.ScreeningStatus `json:"status"`
	ListVersionIDs []string                 `json:"list_version_ids"`
}

// PartyScreenings returns the standing of each party of ids that exists,
// in the order of their ids.
func (tx *Tx) PartyScreenings(ctx context.Context, ids []string) ([]PartyScreening, error) {
	var valid []string
	for _, id := range ids {
		if validID(id) && !slices.Contains(valid, id) {
			valid = append(valid, id)
		}
	}
	var out []PartyScreening
	err := inBatches(valid, func(marks string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT p.id, p.screening_status, v.version_id FROM parties p
			LEFT JOIN screening_list_versions v ON v.screening_id =
				(SELECT s.id FROM screenings s WHERE s.party_id = p.id ORDER BY s.id DESC LIMIT 1)
			WHERE p.id IN (`+marks+`) ORDER BY p.id, v.position`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id      string
				status  tollgate.ScreeningStatus
				version sql.NullString
			)
			if err := rows.Scan(&id, &status, &version); err != nil {
				return err
			}
			if n := len(out); n == 0 || out[n-1].PartyID != id {
				out = append(out, PartyScreening{PartyID: id, Status: status})
			}
			if version.Valid {
				last := &out[len(out)-1]
				last.ListVersionIDs = append(last.ListVersionIDs, version.String)
			}
		}
		return rows.Err()
	})
	return out, err
}

// CurrentListVersionIDs returns the id of the current (latest) version of
// each list source.
func (tx *Tx) CurrentListVersionIDs(ctx context.Context) ([]string, error) {
	var ids []string
	err := tx.collect(ctx, &ids, `SELECT v.id FROM list_versions v
		WHERE v.id = (SELECT w.id FROM list_versions w WHERE w.source = v.source ORDER BY w.id DESC LIMIT 1)`)
	slices.Sort(ids)
	return ids, err
}
