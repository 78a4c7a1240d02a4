package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"tollgate"
)

// FindListEntries implements tollgate.ListService.
func (db *DB) FindListEntries(ctx context.Context, filter tollgate.ListEntryFilter) ([]*tollgate.ListEntry, string, error) {
	var (
		entries []*tollgate.ListEntry
		next    string
	)
	err := db.View(ctx, func(tx *Tx) (err error) {
		entries, next, err = findListEntries(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store.FindListEntries: %w", err)
	}
	return entries, next, nil
}

func findListEntries(ctx context.Context, tx *Tx, filter tollgate.ListEntryFilter) ([]*tollgate.ListEntry, string, error) {
	limit, err := pageLimit(filter.Limit)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeCursor(filter.Cursor, seqCursor)
	if err != nil {
		return nil, "", err
	}
	if _, err := findListVersionByID(ctx, tx, filter.VersionID); err != nil {
		return nil, "", err
	}
	q := `SELECT version_id, seq, list, source_id, digest, entity FROM list_entries WHERE version_id = ?`
	args := []any{filter.VersionID}
	if filter.List != "" {
		q += ` AND list = ?`
		args = append(args, filter.List)
	}
	if filter.SourceID != "" {
		q += ` AND source_id = ?`
		args = append(args, filter.SourceID)
	}
	if after != "" {
		n, _ := strconv.Atoi(after)
		q += ` AND seq > ?`
		args = append(args, n)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY seq LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var entries []*tollgate.ListEntry
	for rows.Next() {
		var (
			e    tollgate.ListEntry
			body string
		)
		if err := rows.Scan(&e.VersionID, &e.Seq, &e.List, &e.SourceID, &e.Digest, &body); err != nil {
			return nil, "", err
		}
		if err := json.Unmarshal([]byte(body), &e.Entity); err != nil {
			return nil, "", fmt.Errorf("entry %d of version %s: %w", e.Seq, e.VersionID, err)
		}
		entries = append(entries, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	entries, next := page(entries, limit, func(e *tollgate.ListEntry) string { return strconv.Itoa(e.Seq) })
	return entries, next, nil
}

// ListEntities implements tollgate.ListService.
func (db *DB) ListEntities(ctx context.Context, versionIDs ...string) ([]tollgate.Entity, error) {
	var out []tollgate.Entity
	err := db.View(ctx, func(tx *Tx) error {
		out = nil
		for _, id := range versionIDs {
			v, err := findListVersionByID(ctx, tx, id)
			if err != nil {
				return err
			}
			if out == nil {
				out = make([]tollgate.Entity, 0, v.EntityCount)
			}
			if out, err = appendListEntities(ctx, tx, out, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store.ListEntities: %w", err)
	}
	return out, nil
}

func appendListEntities(ctx context.Context, tx *Tx, out []tollgate.Entity, versionID string) ([]tollgate.Entity, error) {
	rows, err := tx.QueryContext(ctx, `SELECT entity FROM list_entries WHERE version_id = ? ORDER BY seq`, versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var body []byte
	for rows.Next() {
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var e tollgate.Entity
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("entity %d of version %s: %w", len(out)+1, versionID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
