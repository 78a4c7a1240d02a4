package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tollgate"
)

var _ tollgate.OrgService = (*DB)(nil)

const orgColumns = `id, kind, name, country, created_at, updated_at, ultimate_parent`

// FindOrgByID implements tollgate.OrgService.
func (db *DB) FindOrgByID(ctx context.Context, id string) (*tollgate.Org, error) {
	var org *tollgate.Org
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		org, err = findOrgByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindOrgByID: %w", err)
	}
	return org, nil
}

// FindOrgs implements tollgate.OrgService.
func (db *DB) FindOrgs(ctx context.Context, filter tollgate.OrgFilter) ([]*tollgate.Org, string, error) {
	var (
		orgs []*tollgate.Org
		next string
	)
	err := db.View(ctx, func(tx *Tx) (err error) {
		orgs, next, err = findOrgs(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store.FindOrgs: %w", err)
	}
	return orgs, next, nil
}

// CreateOrg implements tollgate.OrgService.
func (db *DB) CreateOrg(ctx context.Context, org *tollgate.Org) error {
	if err := org.Validate(); err != nil {
		return fmt.Errorf("store.CreateOrg: %w", err)
	}
	err := db.Update(ctx, func(tx *Tx) error { return createOrg(ctx, tx, org) })
	if err != nil {
		return fmt.Errorf("store.CreateOrg: %w", err)
	}
	return nil
}

// UpdateOrg implements tollgate.OrgService.
func (db *DB) UpdateOrg(ctx context.Context, id string, upd tollgate.OrgUpdate) (*tollgate.Org, error) {
	var org *tollgate.Org
	err := db.Update(ctx, func(tx *Tx) (err error) {
		org, err = updateOrg(ctx, tx, id, upd)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.UpdateOrg: %w", err)
	}
	return org, nil
}

// Org returns the organization with id, or ENOTFOUND.
func (tx *Tx) Org(ctx context.Context, id string) (*tollgate.Org, error) {
	return findOrgByID(ctx, tx, id)
}

func findOrgByID(ctx context.Context, tx *Tx, id string) (*tollgate.Org, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "organization %q not found", id)
	}
	row := tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = ?`, id)
	org, err := scanOrg(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "organization %q not found", id)
	}
	return org, err
}

func findOrgs(ctx context.Context, tx *Tx, filter tollgate.OrgFilter) ([]*tollgate.Org, string, error) {
	limit, err := pageLimit(filter.Limit)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeCursor(filter.Cursor, validID)
	if err != nil {
		return nil, "", err
	}
	if filter.Kind != "" && !filter.Kind.Valid() {
		return nil, "", tollgate.FieldErrorf("kind", "unknown organization kind %q", filter.Kind)
	}
	q := `SELECT ` + orgColumns + ` FROM orgs WHERE 1 = 1`
	var args []any
	if filter.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, string(filter.Kind))
	}
	if after != "" {
		q += ` AND id > ?`
		args = append(args, after)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit+1)
	orgs, err := queryAll(ctx, tx, scanOrg, q, args...)
	if err != nil {
		return nil, "", err
	}
	orgs, next := page(orgs, limit, func(o *tollgate.Org) string { return o.ID })
	return orgs, next, nil
}

func createOrg(ctx context.Context, tx *Tx, org *tollgate.Org) error {
	org.ID = newID()
	org.CreatedAt, org.UpdatedAt = tx.now, tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO orgs (`+orgColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		org.ID, string(org.Kind), org.Name, org.Country, tx.Time(org.CreatedAt), tx.Time(org.UpdatedAt), org.UltimateParent)
	if err != nil {
		return err
	}
	return tx.Audit(ctx, "org.create", "org", org.ID, nil, org)
}

func updateOrg(ctx context.Context, tx *Tx, id string, upd tollgate.OrgUpdate) (*tollgate.Org, error) {
	org, err := findOrgByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	before := *org
	if upd.Name != nil {
		org.Name = *upd.Name
	}
	if upd.Country != nil {
		org.Country = *upd.Country
	}
	if upd.UltimateParent != nil {
		org.UltimateParent = *upd.UltimateParent
	}
	if err := org.Validate(); err != nil {
		return nil, err
	}
	org.UpdatedAt = tx.now
	_, err = tx.ExecContext(ctx, `UPDATE orgs SET name = ?, country = ?, ultimate_parent = ?, updated_at = ? WHERE id = ?`,
		org.Name, org.Country, org.UltimateParent, tx.Time(org.UpdatedAt), org.ID)
	if err != nil {
		return nil, err
	}
	return org, tx.Audit(ctx, "org.update", "org", org.ID, &before, org)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanOrg(s scanner) (*tollgate.Org, error) {
	var org tollgate.Org
	if err := s.Scan(&org.ID, &org.Kind, &org.Name, &org.Country,
		timeColumn{&org.CreatedAt}, timeColumn{&org.UpdatedAt}, &org.UltimateParent); err != nil {
		return nil, err
	}
	return &org, nil
}

// page trims a result fetched with limit+1 rows to limit and returns the
// cursor of the next page, or "" when there is none.
func page[T any](items []T, limit int, key func(T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, encodeCursor(key(items[limit-1]))
}
