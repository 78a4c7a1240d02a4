package store

import (
	"context"
	"fmt"
	"maps"
	"time"

	"tollgate/auditlog"
)

// AuditRetention returns the audit records whose retention period (five
// years from the end of their transaction, 15 CFR 762.6) has run out as of
// asOf, in sequence order. Nothing is deleted: tollgate never deletes or
// changes a record; the report tells a records officer what could go.
//
// ends gives the end of the transaction of the objects whose end the
// caller knows (the zero time for one still open, such as a live license);
// for any other object the transaction ends with the object's last record,
// and a record that names no object ends with itself (see
// auditlog.PastRetention). A record is never reported before five years
// from its own time, so a given end earlier than a record does not shorten
// that record's retention.
func (db *DB) AuditRetention(ctx context.Context, asOf time.Time, ends map[auditlog.ObjectKey]time.Time) ([]auditlog.Retained, error) {
	cutoff := asOf.AddDate(-auditlog.RetentionYears, 0, 0)
	var (
		recs []auditlog.Record
		all  map[auditlog.ObjectKey]time.Time
	)
	err := db.View(ctx, func(tx *Tx) (err error) {
		if recs, err = auditRecordsBefore(ctx, tx, cutoff); err != nil {
			return err
		}
		all, err = auditObjectEnds(ctx, tx, cutoff)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.AuditRetention: %w", err)
	}
	maps.Copy(all, ends)
	return auditlog.PastRetention(recs, all, asOf), nil
}

// auditRecordsBefore returns the records made at or before cutoff: the
// only ones that can be past retention.
func auditRecordsBefore(ctx context.Context, tx *Tx, cutoff time.Time) ([]auditlog.Record, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, canonical FROM audit_records WHERE time <= ? ORDER BY seq`, tx.Time(cutoff))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var recs []auditlog.Record
	for rows.Next() {
		var (
			seq   int64
			canon []byte
		)
		if err := rows.Scan(&seq, &canon); err != nil {
			return nil, err
		}
		r, err := auditlog.ParseRecord(canon)
		if err != nil {
			return nil, fmt.Errorf("audit record %d is not a canonical record: %w", seq, err)
		}
		recs = append(recs, r)
	}
	return recs, rows.Err()
}

// auditObjectEnds returns, for each object with a record at or before
// cutoff, the time of its last record anywhere in the log.
func auditObjectEnds(ctx context.Context, tx *Tx, cutoff time.Time) (map[auditlog.ObjectKey]time.Time, error) {
	rows, err := tx.QueryContext(ctx, `SELECT object_type, object_id, MAX(time) FROM audit_records
		WHERE object_id <> '' GROUP BY object_type, object_id HAVING MIN(time) <= ?`, tx.Time(cutoff))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ends := make(map[auditlog.ObjectKey]time.Time)
	for rows.Next() {
		var (
			k   auditlog.ObjectKey
			end time.Time
		)
		if err := rows.Scan(&k.Type, &k.ID, timeColumn{&end}); err != nil {
			return nil, err
		}
		ends[k] = end
	}
	return ends, rows.Err()
}
