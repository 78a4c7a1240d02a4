package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"tollgate"
	"tollgate/auditlog"
)

// auditExportPage is how many records one query of AuditRecords reads.
const auditExportPage = 5000

var _ auditlog.HashReader = (*DB)(nil)

// AuditSize returns the number of records in the audit log: the size of
// the tree that a checkpoint made now would name.
func (db *DB) AuditSize(ctx context.Context) (int64, error) {
	var size int64
	err := db.viewOne(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT size FROM audit_size WHERE id = 1`).Scan(&size)
	})
	if err != nil {
		return 0, fmt.Errorf("store.AuditSize: %w", err)
	}
	return size, nil
}

// ReadHashes implements auditlog.HashReader over the committed log, so
// that checkpoints, proofs and exports work on the DB. Stored hashes never
// change once committed, so batches need no common snapshot.
func (db *DB) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	var hs []tlog.Hash
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		hs, err = readHashes(ctx, tx, indexes)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.ReadHashes: %w", err)
	}
	return hs, nil
}

// AuditRecords yields the canonical encodings of the records from
// sequence number from on, in sequence order, exactly as stored: what
// auditlog.Export writes into a bundle. It reads auditExportPage records
// per query, so a large log is not held in memory.
func (db *DB) AuditRecords(ctx context.Context, from int64) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		next := from
		for {
			var page [][]byte
			err := db.viewOne(ctx, func(tx *Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT seq, canonical FROM audit_records WHERE seq >= ? ORDER BY seq LIMIT ?`, next, auditExportPage)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var b []byte
					if err := rows.Scan(&next, &b); err != nil {
						return err
					}
					page = append(page, b)
				}
				return rows.Err()
			})
			if err != nil {
				yield(nil, fmt.Errorf("store.AuditRecords: %w", err))
				return
			}
			for _, b := range page {
				if !yield(b, nil) {
					return
				}
			}
			if len(page) < auditExportPage {
				return
			}
			next++
		}
	}
}

// FindAuditRecords returns a page of the audit records that filter
// selects, oldest first, and the cursor of the next page ("" at the end).
// Each entry holds the record, its canonical encoding as stored and its
// leaf hash.
func (db *DB) FindAuditRecords(ctx context.Context, filter tollgate.AuditFilter) ([]auditlog.Entry, string, error) {
	var (
		entries []auditlog.Entry
		next    string
	)
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		entries, next, err = findAuditRecords(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store.FindAuditRecords: %w", err)
	}
	return entries, next, nil
}

func findAuditRecords(ctx context.Context, tx *Tx, filter tollgate.AuditFilter) ([]auditlog.Entry, string, error) {
	if err := filter.Validate(); err != nil {
		return nil, "", err
	}
	limit, err := pageLimit(filter.Limit)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeCursor(filter.Cursor, auditSeqCursor)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT seq, canonical FROM audit_records WHERE 1 = 1`
	var args []any
	for _, c := range [...]struct{ column, v string }{
		{"action", filter.Action}, {"object_type", filter.ObjectType}, {"object_id", filter.ObjectID},
		{"user_id", filter.UserID}, {"org_id", filter.OrgID},
	} {
		if c.v != "" {
			q += ` AND ` + c.column + ` = ?`
			args = append(args, c.v)
		}
	}
	if !filter.Since.IsZero() {
		q += ` AND time >= ?`
		args = append(args, tx.Time(filter.Since))
	}
	if !filter.Until.IsZero() {
		q += ` AND time < ?`
		args = append(args, tx.Time(filter.Until))
	}
	if after != "" {
		n, _ := strconv.ParseInt(after, 10, 64)
		q += ` AND seq > ?`
		args = append(args, n)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY seq LIMIT ? OFFSET ?`, append(args, limit+1, filter.Offset)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var entries []auditlog.Entry
	for rows.Next() {
		var (
			seq   int64
			canon []byte
		)
		if err := rows.Scan(&seq, &canon); err != nil {
			return nil, "", err
		}
		rec, err := auditlog.ParseRecord(canon)
		if err != nil {
			return nil, "", fmt.Errorf("audit record %d is not a canonical record: %w", seq, err)
		}
		entries = append(entries, auditlog.Entry{Record: rec, Canonical: canon, LeafHash: auditlog.LeafHash(canon)})
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	entries, next := page(entries, limit, func(e auditlog.Entry) string { return strconv.FormatInt(e.Record.Seq, 10) })
	return entries, next, nil
}

// auditSeqCursor reports whether s is a cursor key of audit records: a
// non-negative decimal sequence number without leading zeros.
func auditSeqCursor(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n >= 0 && strconv.FormatInt(n, 10) == s
}

// FindAuditRecord returns the record with sequence number seq, or an
// ENOTFOUND error.
func (db *DB) FindAuditRecord(ctx context.Context, seq int64) (auditlog.Entry, error) {
	var canon []byte
	err := db.viewOne(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT canonical FROM audit_records WHERE seq = ?`, seq).Scan(&canon)
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = tollgate.Errorf(tollgate.ENOTFOUND, "audit record %d not found", seq)
	}
	if err != nil {
		return auditlog.Entry{}, fmt.Errorf("store.FindAuditRecord: %w", err)
	}
	rec, err := auditlog.ParseRecord(canon)
	if err != nil {
		return auditlog.Entry{}, fmt.Errorf("store.FindAuditRecord: audit record %d is not a canonical record: %w", seq, err)
	}
	return auditlog.Entry{Record: rec, Canonical: canon, LeafHash: auditlog.LeafHash(canon)}, nil
}
