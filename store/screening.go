package store

import (
	"context"
	"database/sql"
	"fmt"

	"tollgate"
)

var _ tollgate.ScreeningService = (*DB)(nil)

// RecordScreening implements tollgate.ScreeningService.
func (db *DB) RecordScreening(ctx context.Context, s *tollgate.Screening) (*tollgate.ScreeningDiff, error) {
	s.Hits = tollgate.NormalizeHits(s.Hits)
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("store.RecordScreening: %w", err)
	}
	seen := make(map[string]bool, len(s.ListVersionIDs))
	for _, id := range s.ListVersionIDs {
		if seen[id] {
			return nil, fmt.Errorf("store.RecordScreening: %w", tollgate.FieldErrorf("list_version_ids", "version %q named twice", id))
		}
		seen[id] = true
	}
	var diff *tollgate.ScreeningDiff
	err := db.Update(ctx, func(tx *Tx) (err error) {
		diff, err = recordScreening(ctx, tx, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.RecordScreening: %w", err)
	}
	return diff, nil
}

func recordScreening(ctx context.Context, tx *Tx, s *tollgate.Screening) (*tollgate.ScreeningDiff, error) {
	party, err := findPartyByID(ctx, tx, s.PartyID)
	if err != nil {
		return nil, err
	}
	for _, id := range s.ListVersionIDs {
		if _, err := findListVersionByID(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	prev, err := latestScreening(ctx, tx, party.ID)
	if err != nil && tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		return nil, err
	}
	s.ID, s.ScreenedAt = newID(), tx.now
	if err := insertScreening(ctx, tx, s); err != nil {
		return nil, err
	}
	decisions, err := partyDecisions(ctx, tx, party.ID)
	if err != nil {
		return nil, err
	}
	attachDecisions(s.Hits, decisions)
	diff := &tollgate.ScreeningDiff{
		Screening:    s,
		StatusBefore: party.Status,
		StatusAfter:  tollgate.DeriveScreeningStatus(s.Hits),
	}
	var prevHits []tollgate.Hit
	if prev != nil {
		attachDecisions(prev.Hits, decisions)
		diff.PreviousID, prevHits = prev.ID, prev.Hits
	}
	diff.New, diff.Gone, diff.Changed = tollgate.DiffHits(prevHits, s.Hits)
	if err := setPartyStatus(ctx, tx, party, diff.StatusAfter); err != nil {
		return nil, err
	}
	err = tx.AuditDetails(ctx, "party.screen", "screening", s.ID, nil, s, map[string]any{
		"party_id": party.ID, "status_before": diff.StatusBefore, "status_after": diff.StatusAfter,
		"hits": len(s.Hits), "list_version_ids": s.ListVersionIDs,
	})
	return diff, err
}

func insertScreening(ctx context.Context, tx *Tx, s *tollgate.Screening) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO screenings (id, party_id, screened_at, threshold) VALUES (?, ?, ?, ?)`,
		s.ID, s.PartyID, tx.Time(s.ScreenedAt), s.Threshold); err != nil {
		return err
	}
	for i, v := range s.ListVersionIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO screening_list_versions (screening_id, position, version_id) VALUES (?, ?, ?)`,
			s.ID, i+1, v); err != nil {
			return err
		}
	}
	for i := range s.Hits {
		h := &s.Hits[i]
		var expl any
		if len(h.Explanation) > 0 {
			expl = string(h.Explanation)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO screening_hits (screening_id, seq, list, source_id, entity_digest,
			name, matched_name, score, explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, i+1, h.List, h.SourceID, h.EntityDigest, h.Name, h.MatchedName, h.Score, expl); err != nil {
			return err
		}
	}
	return nil
}

// setPartyStatus sets party's screening status and, when it changes,
// records the change in the audit log.
func setPartyStatus(ctx context.Context, tx *Tx, party *tollgate.Party, status tollgate.ScreeningStatus) error {
	if party.Status == status {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE parties SET screening_status = ? WHERE id = ?`, string(status), party.ID); err != nil {
		return err
	}
	after := *party
	after.Status = status
	return tx.AuditDetails(ctx, "party.status", "party", party.ID, party, &after,
		map[string]any{"status_before": party.Status, "status_after": status})
}

// FindScreeningByID implements tollgate.ScreeningService.
func (db *DB) FindScreeningByID(ctx context.Context, id string) (*tollgate.Screening, error) {
	var s *tollgate.Screening
	err := db.View(ctx, func(tx *Tx) (err error) {
		if !validID(id) {
			return tollgate.Errorf(tollgate.ENOTFOUND, "screening %q not found", id)
		}
		ss, err := queryScreenings(ctx, tx, `SELECT id, party_id, screened_at, threshold FROM screenings WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if len(ss) == 0 {
			return tollgate.Errorf(tollgate.ENOTFOUND, "screening %q not found", id)
		}
		s = ss[0]
		return withDecisions(ctx, tx, s.PartyID, ss)
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindScreeningByID: %w", err)
	}
	return s, nil
}

// LatestScreening implements tollgate.ScreeningService.
func (db *DB) LatestScreening(ctx context.Context, partyID string) (*tollgate.Screening, error) {
	var s *tollgate.Screening
	err := db.View(ctx, func(tx *Tx) (err error) {
		if _, err := findPartyByID(ctx, tx, partyID); err != nil {
			return err
		}
		if s, err = latestScreening(ctx, tx, partyID); err != nil {
			return err
		}
		return withDecisions(ctx, tx, partyID, []*tollgate.Screening{s})
	})
	if err != nil {
		return nil, fmt.Errorf("store.LatestScreening: %w", err)
	}
	return s, nil
}

// FindScreenings implements tollgate.ScreeningService.
func (db *DB) FindScreenings(ctx context.Context, filter tollgate.ScreeningFilter) ([]*tollgate.Screening, string, error) {
	var (
		ss   []*tollgate.Screening
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
		if _, err := findPartyByID(ctx, tx, filter.PartyID); err != nil {
			return err
		}
		q, args := `SELECT id, party_id, screened_at, threshold FROM screenings WHERE party_id = ?`, []any{filter.PartyID}
		if before != "" {
			q += ` AND id < ?`
			args = append(args, before)
		}
		if ss, err = queryScreenings(ctx, tx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit+1)...); err != nil {
			return err
		}
		ss, next = page(ss, limit, func(s *tollgate.Screening) string { return s.ID })
		return withDecisions(ctx, tx, filter.PartyID, ss)
	})
	if err != nil {
		return nil, "", fmt.Errorf("store.FindScreenings: %w", err)
	}
	return ss, next, nil
}

// latestScreening returns the party's newest screening with its hits (no
// decisions attached), or ENOTFOUND.
func latestScreening(ctx context.Context, tx *Tx, partyID string) (*tollgate.Screening, error) {
	ss, err := queryScreenings(ctx, tx, `SELECT id, party_id, screened_at, threshold FROM screenings
		WHERE party_id = ? ORDER BY id DESC LIMIT 1`, partyID)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "party %q has not been screened", partyID)
	}
	return ss[0], nil
}

// queryScreenings runs a query selecting screenings and loads the list
// versions and hits of each.
func queryScreenings(ctx context.Context, tx *Tx, q string, args ...any) ([]*tollgate.Screening, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var ss []*tollgate.Screening
	for rows.Next() {
		s, err := scanScreeningRow(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ss = append(ss, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, s := range ss {
		if err := loadScreeningDetails(ctx, tx, s); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

func loadScreeningDetails(ctx context.Context, tx *Tx, s *tollgate.Screening) error {
	rows, err := tx.QueryContext(ctx, `SELECT version_id FROM screening_list_versions WHERE screening_id = ? ORDER BY position`, s.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		s.ListVersionIDs = append(s.ListVersionIDs, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT list, source_id, entity_digest, name, matched_name, score, explanation
		FROM screening_hits WHERE screening_id = ? ORDER BY seq`, s.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			h    tollgate.Hit
			expl sql.NullString
		)
		if err := rows.Scan(&h.List, &h.SourceID, &h.EntityDigest, &h.Name, &h.MatchedName, &h.Score, &expl); err != nil {
			return err
		}
		if expl.Valid {
			h.Explanation = []byte(expl.String)
		}
		s.Hits = append(s.Hits, h)
	}
	return rows.Err()
}

// scanScreeningRow scans a screening's own columns (id, party_id,
// screened_at, threshold); its list versions and hits are loaded apart.
func scanScreeningRow(s scanner) (*tollgate.Screening, error) {
	sc := &tollgate.Screening{ListVersionIDs: []string{}, Hits: []tollgate.Hit{}}
	if err := s.Scan(&sc.ID, &sc.PartyID, timeColumn{&sc.ScreenedAt}, &sc.Threshold); err != nil {
		return nil, err
	}
	return sc, nil
}
