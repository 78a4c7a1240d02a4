package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"tollgate"
)

var _ tollgate.ListService = (*DB)(nil)

// listVersionColumns selects a version and whether it is the newest of its
// source (1 or 0, which both dialects scan as an integer).
const listVersionColumns = `v.id, v.source, v.format, v.digest, v.file_name, v.published, v.counts,
	v.entity_count, v.problem_count, v.imported_at,
	CASE WHEN v.id = (SELECT w.id FROM list_versions w WHERE w.source = v.source ORDER BY w.id DESC LIMIT 1)
	THEN 1 ELSE 0 END`

// entryBatch is how many entries one INSERT writes: 6 values each stays far
// below both databases' limits on bound parameters.
const entryBatch = 500

// entryRow is a list entry encoded for its row.
type entryRow struct {
	list, sourceID, digest, entity string
}

// ImportListVersion implements tollgate.ListService.
func (db *DB) ImportListVersion(ctx context.Context, li *tollgate.ListImport) (*tollgate.ListVersion, bool, error) {
	if err := li.Validate(); err != nil {
		return nil, false, fmt.Errorf("store.ImportListVersion: %w", err)
	}
	// Encode outside the transaction: it is the slow part, and a retried
	// transaction need not repeat it.
	rows := make([]entryRow, len(li.Entities))
	for i := range li.Entities {
		e := &li.Entities[i]
		b, err := json.Marshal(e)
		if err != nil {
			return nil, false, fmt.Errorf("store.ImportListVersion: %w", err)
		}
		rows[i] = entryRow{list: e.List, sourceID: e.SourceID, digest: e.Digest(), entity: string(b)}
	}
	var (
		v       *tollgate.ListVersion
		created bool
	)
	err := db.Update(ctx, func(tx *Tx) (err error) {
		v, created, err = importListVersion(ctx, tx, li, rows)
		return err
	})
	if err != nil && db.d.uniqueViolation(err) {
		// Another import of the same file committed first.
		err = db.View(ctx, func(tx *Tx) (err error) {
			v, err = findListVersionByDigest(ctx, tx, li.Digest)
			return err
		})
		created = false
	}
	if err != nil {
		return nil, false, fmt.Errorf("store.ImportListVersion: %w", err)
	}
	return v, created, nil
}

func importListVersion(ctx context.Context, tx *Tx, li *tollgate.ListImport, rows []entryRow) (*tollgate.ListVersion, bool, error) {
	if v, err := findListVersionByDigest(ctx, tx, li.Digest); err == nil {
		return v, false, nil
	} else if tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		return nil, false, err
	}
	prev, err := currentListVersion(ctx, tx, li.Source)
	if err != nil {
		return nil, false, err
	}
	older := li.OlderThan(prev)
	if older && !li.AllowOlder {
		return nil, false, li.CheckNotOlder(prev)
	}
	v := &tollgate.ListVersion{
		ID:           newID(),
		Source:       li.Source,
		Format:       li.Format,
		Digest:       li.Digest,
		FileName:     baseName(li.FileName),
		Counts:       li.Counts(),
		EntityCount:  len(li.Entities),
		ProblemCount: li.Problems,
		ImportedAt:   tx.now,
		Current:      true,
	}
	if !li.Published.IsZero() {
		v.Published = li.Published.UTC().Truncate(time.Microsecond)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO list_versions (id, source, format, digest, file_name, published,
		counts, entity_count, problem_count, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.Source, v.Format, v.Digest, v.FileName, tx.nullTime(v.Published),
		jsonValue{v.Counts}, v.EntityCount, v.ProblemCount, tx.Time(v.ImportedAt))
	if err != nil {
		return nil, false, err
	}
	for start := 0; start < len(rows); start += entryBatch {
		batch := rows[start:min(start+entryBatch, len(rows))]
		args := make([]any, 0, 6*len(batch))
		for i, r := range batch {
			args = append(args, v.ID, start+i+1, r.list, r.sourceID, r.digest, r.entity)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO list_entries (version_id, seq, list, source_id, digest, entity) VALUES `+
			placeholders(len(batch), 6), args...); err != nil {
			return nil, false, err
		}
	}
	details := map[string]any{"source": v.Source, "digest": v.Digest, "entity_count": v.EntityCount}
	if older {
		details["allow_older"] = true
		details["reason"] = strings.TrimSpace(li.Reason)
		details["replaced_version"] = prev.ID
		details["replaced_published"] = prev.Published.Format(time.DateOnly)
	}
	err = tx.AuditDetails(ctx, "list.import", "list_version", v.ID, nil, v, details)
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// FindListVersionByID implements tollgate.ListService.
func (db *DB) FindListVersionByID(ctx context.Context, id string) (*tollgate.ListVersion, error) {
	var v *tollgate.ListVersion
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		v, err = findListVersionByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindListVersionByID: %w", err)
	}
	return v, nil
}

func findListVersionByID(ctx context.Context, tx *Tx, id string) (*tollgate.ListVersion, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "list version %q not found", id)
	}
	v, err := scanListVersion(tx.QueryRowContext(ctx, `SELECT `+listVersionColumns+` FROM list_versions v WHERE v.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "list version %q not found", id)
	}
	return v, err
}

// currentListVersion returns the current version of source, or nil when
// the source has none.
func currentListVersion(ctx context.Context, tx *Tx, source string) (*tollgate.ListVersion, error) {
	v, err := scanListVersion(tx.QueryRowContext(ctx, `SELECT `+listVersionColumns+` FROM list_versions v
		WHERE v.source = ? ORDER BY v.id DESC LIMIT 1`, source))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

func findListVersionByDigest(ctx context.Context, tx *Tx, digest string) (*tollgate.ListVersion, error) {
	v, err := scanListVersion(tx.QueryRowContext(ctx, `SELECT `+listVersionColumns+` FROM list_versions v WHERE v.digest = ?`, digest))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "no list version with digest %s", digest)
	}
	return v, err
}

// FindListVersions implements tollgate.ListService.
func (db *DB) FindListVersions(ctx context.Context, filter tollgate.ListVersionFilter) ([]*tollgate.ListVersion, string, error) {
	var (
		vs   []*tollgate.ListVersion
		next string
	)
	err := db.View(ctx, func(tx *Tx) error {
		limit, err := pageLimit(filter.Limit)
		if err != nil {
			return err
		}
		before, err := decodeCursor(filter.Cursor, validID)
		if err != nil {
			return err
		}
		q, args := `SELECT `+listVersionColumns+` FROM list_versions v WHERE 1 = 1`, []any{}
		if filter.Source != "" {
			q += ` AND v.source = ?`
			args = append(args, filter.Source)
		}
		if before != "" {
			q += ` AND v.id < ?`
			args = append(args, before)
		}
		vs, err = queryListVersions(ctx, tx, q+` ORDER BY v.id DESC LIMIT ?`, append(args, limit+1)...)
		vs, next = page(vs, limit, func(v *tollgate.ListVersion) string { return v.ID })
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store.FindListVersions: %w", err)
	}
	return vs, next, nil
}

// CurrentListVersions implements tollgate.ListService.
func (db *DB) CurrentListVersions(ctx context.Context) ([]*tollgate.ListVersion, error) {
	var vs []*tollgate.ListVersion
	err := db.View(ctx, func(tx *Tx) (err error) {
		vs, err = queryListVersions(ctx, tx, `SELECT `+listVersionColumns+` FROM list_versions v
			WHERE v.id = (SELECT w.id FROM list_versions w WHERE w.source = v.source ORDER BY w.id DESC LIMIT 1)`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.CurrentListVersions: %w", err)
	}
	// Sort here: the two databases collate text differently.
	slices.SortFunc(vs, func(a, b *tollgate.ListVersion) int {
		switch {
		case a.Source < b.Source:
			return -1
		case a.Source > b.Source:
			return 1
		}
		return 0
	})
	return vs, nil
}

func queryListVersions(ctx context.Context, tx *Tx, q string, args ...any) ([]*tollgate.ListVersion, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []*tollgate.ListVersion
	for rows.Next() {
		v, err := scanListVersion(rows)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

func scanListVersion(s scanner) (*tollgate.ListVersion, error) {
	var (
		v       tollgate.ListVersion
		current int
	)
	if err := s.Scan(&v.ID, &v.Source, &v.Format, &v.Digest, &v.FileName, timeColumn{&v.Published},
		jsonColumn{&v.Counts}, &v.EntityCount, &v.ProblemCount, timeColumn{&v.ImportedAt}, &current); err != nil {
		return nil, err
	}
	v.Current = current == 1
	if v.Counts == nil {
		v.Counts = map[string]int{}
	}
	return &v, nil
}

// baseName returns the last element of a file path, or "" for none.
func baseName(path string) string {
	if path == "" {
		return ""
	}
	return filepath.Base(path)
}

// seqCursor reports whether s is a cursor key of list entries: a positive
// decimal position.
func seqCursor(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && strconv.Itoa(n) == s
}
