package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"tollgate"
)

var _ tollgate.PartyService = (*DB)(nil)

const partyColumns = `id, org_id, role, type, legal_name, other_names, addresses, country,
	headquarters_country, ultimate_parent, identifiers, screening_status, created_at, updated_at`

// FindPartyByID implements tollgate.PartyService.
func (db *DB) FindPartyByID(ctx context.Context, id string) (*tollgate.Party, error) {
	var p *tollgate.Party
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		p, err = findPartyByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindPartyByID: %w", err)
	}
	return p, nil
}

// FindParties implements tollgate.PartyService.
func (db *DB) FindParties(ctx context.Context, filter tollgate.PartyFilter) ([]*tollgate.Party, string, error) {
	var (
		parties []*tollgate.Party
		next    string
	)
	err := db.View(ctx, func(tx *Tx) (err error) {
		parties, next, err = findParties(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store.FindParties: %w", err)
	}
	return parties, next, nil
}

// CreateParty implements tollgate.PartyService.
func (db *DB) CreateParty(ctx context.Context, p *tollgate.Party) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("store.CreateParty: %w", err)
	}
	if err := db.Update(ctx, func(tx *Tx) error { return createParty(ctx, tx, p) }); err != nil {
		return fmt.Errorf("store.CreateParty: %w", err)
	}
	return nil
}

// UpdateParty implements tollgate.PartyService.
func (db *DB) UpdateParty(ctx context.Context, id string, upd tollgate.PartyUpdate) (*tollgate.Party, error) {
	var p *tollgate.Party
	err := db.Update(ctx, func(tx *Tx) (err error) {
		p, err = updateParty(ctx, tx, id, upd)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.UpdateParty: %w", err)
	}
	return p, nil
}

func findPartyByID(ctx context.Context, tx *Tx, id string) (*tollgate.Party, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "party %q not found", id)
	}
	p, err := scanParty(tx.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "party %q not found", id)
	}
	return p, err
}

func findParties(ctx context.Context, tx *Tx, filter tollgate.PartyFilter) ([]*tollgate.Party, string, error) {
	limit, err := pageLimit(filter.Limit)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeCursor(filter.Cursor, validID)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT ` + partyColumns + ` FROM parties WHERE 1 = 1`
	var args []any
	switch {
	case filter.OrgID == "":
	case !validID(filter.OrgID):
		return nil, "", nil // no organization has that id, so none of its parties match
	default:
		q += ` AND org_id = ?`
		args = append(args, filter.OrgID)
	}
	if filter.Role != "" {
		if !filter.Role.Valid() {
			return nil, "", tollgate.FieldErrorf("role", "unknown party role %q", filter.Role)
		}
		q += ` AND role = ?`
		args = append(args, string(filter.Role))
	}
	if filter.Status != "" {
		if !filter.Status.Valid() {
			return nil, "", tollgate.FieldErrorf("status", "unknown screening status %q", filter.Status)
		}
		q += ` AND screening_status = ?`
		args = append(args, string(filter.Status))
	}
	if after != "" {
		q += ` AND id > ?`
		args = append(args, after)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit+1)
	parties, err := queryAll(ctx, tx, scanParty, q, args...)
	if err != nil {
		return nil, "", err
	}
	parties, next := page(parties, limit, func(p *tollgate.Party) string { return p.ID })
	return parties, next, nil
}

func createParty(ctx context.Context, tx *Tx, p *tollgate.Party) error {
	org, err := findOrgByID(ctx, tx, p.OrgID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return tollgate.FieldErrorf("org_id", "no organization %q", p.OrgID)
	} else if err != nil {
		return err
	}
	if org.Kind != tollgate.OrgExporter {
		return tollgate.FieldErrorf("org_id", "organization %q is a %s; parties belong to exporters", org.ID, org.Kind)
	}
	p.ID = newID()
	p.Status = tollgate.ScreeningUnscreened
	p.CreatedAt, p.UpdatedAt = tx.now, tx.now
	_, err = tx.ExecContext(ctx, `INSERT INTO parties (`+partyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, partyArgs(tx, p)...)
	if err != nil {
		return err
	}
	return tx.Audit(ctx, "party.create", "party", p.ID, nil, p)
}

func updateParty(ctx context.Context, tx *Tx, id string, upd tollgate.PartyUpdate) (*tollgate.Party, error) {
	p, err := findPartyByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	old := *p // applyPartyUpdate replaces slices, never changes them in place
	before := screenedFields(p)
	applyPartyUpdate(p, upd)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if screenedFields(p) != before {
		p.Status = tollgate.ScreeningUnscreened
	}
	p.UpdatedAt = tx.now
	_, err = tx.ExecContext(ctx, `UPDATE parties SET role = ?, type = ?, legal_name = ?, other_names = ?,
		addresses = ?, country = ?, headquarters_country = ?, ultimate_parent = ?, identifiers = ?,
		screening_status = ?, updated_at = ? WHERE id = ?`, append(partyArgs(tx, p)[2:12], tx.Time(p.UpdatedAt), p.ID)...)
	if err != nil {
		return nil, err
	}
	return p, tx.Audit(ctx, "party.update", "party", p.ID, &old, p)
}

func applyPartyUpdate(p *tollgate.Party, upd tollgate.PartyUpdate) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if upd.Role != nil {
		p.Role = *upd.Role
	}
	if upd.Type != nil {
		p.Type = *upd.Type
	}
	set(&p.LegalName, upd.LegalName)
	set(&p.Country, upd.Country)
	set(&p.HeadquartersCountry, upd.HeadquartersCountry)
	set(&p.UltimateParent, upd.UltimateParent)
	if upd.OtherNames != nil {
		p.OtherNames = *upd.OtherNames
	}
	if upd.Addresses != nil {
		p.Addresses = *upd.Addresses
	}
	if upd.Identifiers != nil {
		p.Identifiers = *upd.Identifiers
	}
}

// screenedFields returns what screening looks at in p, so that a change to
// any of it can be detected.
func screenedFields(p *tollgate.Party) string {
	b, _ := json.Marshal([]any{p.Type, p.LegalName, p.OtherNames, p.Addresses, p.Country,
		p.HeadquartersCountry, p.UltimateParent, p.Identifiers})
	return string(b)
}

// partyArgs returns p's column values in partyColumns order.
func partyArgs(tx *Tx, p *tollgate.Party) []any {
	return []any{p.ID, p.OrgID, string(p.Role), string(p.Type), p.LegalName,
		jsonValue{nonNil(p.OtherNames)}, jsonValue{nonNil(p.Addresses)}, p.Country,
		p.HeadquartersCountry, p.UltimateParent, jsonValue{nonNil(p.Identifiers)},
		string(p.Status), tx.Time(p.CreatedAt), tx.Time(p.UpdatedAt)}
}

func scanParty(s scanner) (*tollgate.Party, error) {
	var p tollgate.Party
	if err := s.Scan(&p.ID, &p.OrgID, &p.Role, &p.Type, &p.LegalName,
		jsonColumn{&p.OtherNames}, jsonColumn{&p.Addresses}, &p.Country,
		&p.HeadquartersCountry, &p.UltimateParent, jsonColumn{&p.Identifiers}, &p.Status,
		timeColumn{&p.CreatedAt}, timeColumn{&p.UpdatedAt}); err != nil {
		return nil, err
	}
	if len(p.OtherNames) == 0 {
		p.OtherNames = nil
	}
	if len(p.Addresses) == 0 {
		p.Addresses = nil
	}
	if len(p.Identifiers) == 0 {
		p.Identifiers = nil
	}
	return &p, nil
}
