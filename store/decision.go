package store

import (
	"context"
	"fmt"

	"tollgate"
)

const decisionColumns = `id, party_id, list, source_id, entity_digest, kind, reason, decided_by, decided_at`

// DecideHit implements tollgate.ScreeningService.
func (db *DB) DecideHit(ctx context.Context, d *tollgate.HitDecision) (tollgate.ScreeningStatus, error) {
	if err := d.Validate(); err != nil {
		return "", fmt.Errorf("store.DecideHit: %w", err)
	}
	var status tollgate.ScreeningStatus
	err := db.Update(ctx, func(tx *Tx) (err error) {
		status, err = decideHit(ctx, tx, d)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store.DecideHit: %w", err)
	}
	return status, nil
}

func decideHit(ctx context.Context, tx *Tx, d *tollgate.HitDecision) (tollgate.ScreeningStatus, error) {
	party, err := findPartyByID(ctx, tx, d.PartyID)
	if err != nil {
		return "", err
	}
	latest, err := latestScreening(ctx, tx, party.ID)
	if err != nil {
		return "", err
	}
	found := false
	for _, h := range latest.Hits {
		if h.List == d.List && h.SourceID == d.SourceID && h.EntityDigest == d.EntityDigest {
			found = true
			break
		}
	}
	if !found {
		return "", tollgate.Errorf(tollgate.ENOTFOUND,
			"the latest screening of party %q has no hit on %s %s with entity digest %s", party.ID, d.List, d.SourceID, d.EntityDigest)
	}
	d.ID, d.DecidedAt = newID(), tx.now
	if _, err := tx.ExecContext(ctx, `INSERT INTO hit_decisions (`+decisionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.PartyID, d.List, d.SourceID, d.EntityDigest, string(d.Kind), d.Reason, d.DecidedBy, tx.Time(d.DecidedAt)); err != nil {
		return "", err
	}
	decisions, err := partyDecisions(ctx, tx, party.ID)
	if err != nil {
		return "", err
	}
	attachDecisions(latest.Hits, decisions)
	status := tollgate.DeriveScreeningStatus(latest.Hits)
	if party.Status == tollgate.ScreeningUnscreened {
		// The party changed after its latest screening: a decision on an old
		// hit cannot clear it; only a new screening can.
		status = tollgate.ScreeningUnscreened
	}
	err = tx.AuditDetails(ctx, "hit.decide", "hit_decision", d.ID, nil, d, map[string]any{
		"party_id": party.ID, "kind": d.Kind, "list": d.List, "source_id": d.SourceID,
	})
	if err != nil {
		return "", err
	}
	if err := setPartyStatus(ctx, tx, party, status); err != nil {
		return "", err
	}
	return status, nil
}

// FindHitDecisions implements tollgate.ScreeningService.
func (db *DB) FindHitDecisions(ctx context.Context, filter tollgate.HitDecisionFilter) ([]*tollgate.HitDecision, string, error) {
	var (
		ds   []*tollgate.HitDecision
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
		q, args := `SELECT `+decisionColumns+` FROM hit_decisions WHERE party_id = ?`, []any{filter.PartyID}
		if before != "" {
			q += ` AND id < ?`
			args = append(args, before)
		}
		if ds, err = queryDecisions(ctx, tx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit+1)...); err != nil {
			return err
		}
		ds, next = page(ds, limit, func(d *tollgate.HitDecision) string { return d.ID })
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store.FindHitDecisions: %w", err)
	}
	return ds, next, nil
}

// partyDecisions returns every decision taken on the party's hits.
func partyDecisions(ctx context.Context, tx *Tx, partyID string) ([]*tollgate.HitDecision, error) {
	return queryDecisions(ctx, tx, `SELECT `+decisionColumns+` FROM hit_decisions WHERE party_id = ?`, partyID)
}

func queryDecisions(ctx context.Context, tx *Tx, q string, args ...any) ([]*tollgate.HitDecision, error) {
	return queryAll(ctx, tx, scanDecision, q, args...)
}

// attachDecisions sets each hit's Decision to the one in force.
func attachDecisions(hits []tollgate.Hit, decisions []*tollgate.HitDecision) {
	for i := range hits {
		hits[i].Decision = tollgate.DecisionInForce(&hits[i], decisions)
	}
}

// withDecisions attaches the decisions in force to the hits of screenings
// of one party.
func withDecisions(ctx context.Context, tx *Tx, partyID string, ss []*tollgate.Screening) error {
	if len(ss) == 0 {
		return nil
	}
	decisions, err := partyDecisions(ctx, tx, partyID)
	if err != nil {
		return err
	}
	for _, s := range ss {
		attachDecisions(s.Hits, decisions)
	}
	return nil
}

func scanDecision(s scanner) (*tollgate.HitDecision, error) {
	var d tollgate.HitDecision
	if err := s.Scan(&d.ID, &d.PartyID, &d.List, &d.SourceID, &d.EntityDigest, &d.Kind,
		&d.Reason, &d.DecidedBy, timeColumn{&d.DecidedAt}); err != nil {
		return nil, err
	}
	return &d, nil
}
