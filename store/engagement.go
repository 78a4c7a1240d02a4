package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"tollgate"
)

var _ tollgate.EngagementService = (*DB)(nil)

const engagementColumns = `id, exporter_org_id, engaged_org_id, kind, starts_on, ends_on, application_ids, lots,
	created_by, created_at, updated_at`

// CreateEngagement implements tollgate.EngagementService.
func (db *DB) CreateEngagement(ctx context.Context, e *tollgate.Engagement) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("store.CreateEngagement: %w", err)
	}
	err := db.Update(ctx, func(tx *Tx) error { return createEngagement(ctx, tx, e) })
	if err != nil {
		return fmt.Errorf("store.CreateEngagement: %w", err)
	}
	return nil
}

// FindEngagementByID implements tollgate.EngagementService.
func (db *DB) FindEngagementByID(ctx context.Context, id string) (*tollgate.Engagement, error) {
	var e *tollgate.Engagement
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		e, err = findEngagement(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindEngagementByID: %w", err)
	}
	return e, nil
}

// FindEngagements implements tollgate.EngagementService.
func (db *DB) FindEngagements(ctx context.Context, filter tollgate.EngagementFilter) ([]*tollgate.Engagement, string, error) {
	var (
		out  []*tollgate.Engagement
		next string
	)
	err := db.View(ctx, func(tx *Tx) (err error) {
		out, next, err = findEngagements(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store.FindEngagements: %w", err)
	}
	return out, next, nil
}

// EndEngagement implements tollgate.EngagementService.
func (db *DB) EndEngagement(ctx context.Context, id string, on time.Time) (*tollgate.Engagement, error) {
	var e *tollgate.Engagement
	err := db.Update(ctx, func(tx *Tx) (err error) {
		e, err = endEngagement(ctx, tx, id, on)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.EndEngagement: %w", err)
	}
	return e, nil
}

// EngagedOrgs implements tollgate.EngagementService.
func (db *DB) EngagedOrgs(ctx context.Context, w tollgate.EngagementScope) ([]string, error) {
	var out []string
	err := db.View(ctx, func(tx *Tx) (err error) {
		out, err = tx.EngagedOrgs(ctx, w)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.EngagedOrgs: %w", err)
	}
	return out, nil
}

// EngagedOrgs returns the organizations engaged under an engagement that
// covers w, sorted, inside the transaction: a use case checks the writer
// against them in the transaction that writes.
func (tx *Tx) EngagedOrgs(ctx context.Context, w tollgate.EngagementScope) ([]string, error) {
	if !validID(w.ExporterOrgID) || !w.Kind.Valid() || w.Day.IsZero() {
		return nil, nil
	}
	y, m, d := w.Day.UTC().Date()
	day := tx.Time(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	engs, err := queryAll(ctx, tx, scanEngagement, `SELECT `+engagementColumns+` FROM engagements
		WHERE exporter_org_id = ? AND kind = ? AND starts_on <= ? AND (ends_on IS NULL OR ends_on >= ?)`,
		w.ExporterOrgID, string(w.Kind), day, day)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range engs {
		if e.Covers(w) && !slices.Contains(out, e.EngagedOrgID) {
			out = append(out, e.EngagedOrgID)
		}
	}
	slices.Sort(out)
	return out, nil
}

func createEngagement(ctx context.Context, tx *Tx, e *tollgate.Engagement) error {
	exporter, err := findOrgByID(ctx, tx, e.ExporterOrgID)
	if err != nil {
		return err
	}
	engaged, err := findOrgByID(ctx, tx, e.EngagedOrgID)
	if err != nil {
		return err
	}
	want := e.Kind.EngagedOrgKind()
	switch {
	case exporter.Kind != tollgate.OrgExporter:
		return tollgate.FieldErrorf("exporter_org_id", "%s is %s, not an exporter", exporter.Name, exporter.Kind)
	case engaged.Kind != want:
		return tollgate.FieldErrorf("engaged_org_id", "%s is %s; an engagement for %s engages a %s", engaged.Name, engaged.Kind, e.Kind, want)
	case e.Kind == tollgate.EngageTests && engaged.Country != "US":
		return tollgate.FieldErrorf("engaged_org_id", "%s is located in %s; the rule requires a US lab", engaged.Name, engaged.Country)
	}
	// An engagement limited to applications names the exporter's own: any
	// other is answered as one that does not exist.
	for _, id := range e.ApplicationIDs {
		app, err := findApplication(ctx, tx, id, "")
		ref := tollgate.Ref{Field: "application_ids", Kind: "application", ID: id}
		if err := ref.Resolve(err, err == nil && app.Parties.Applicant == e.ExporterOrgID); err != nil {
			return err
		}
	}
	e.ID, e.CreatedBy = newID(), tollgate.SystemUserID
	if p := tollgate.PrincipalFrom(ctx); p != nil && p.UserID != "" {
		e.CreatedBy = p.UserID
	}
	e.CreatedAt, e.UpdatedAt = tx.now, tx.now
	e.ApplicationIDs, e.Lots = nonNil(e.ApplicationIDs), nonNil(e.Lots)
	_, err = tx.ExecContext(ctx, `INSERT INTO engagements (`+engagementColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.ExporterOrgID, e.EngagedOrgID, string(e.Kind), tx.Time(e.StartsOn), tx.nullTime(e.EndsOn),
		jsonValue{e.ApplicationIDs}, jsonValue{e.Lots}, e.CreatedBy, tx.Time(e.CreatedAt), tx.Time(e.UpdatedAt))
	if err != nil {
		return err
	}
	return tx.AuditDetails(ctx, "engagement.create", "engagement", e.ID, nil, e, map[string]any{
		"exporter_org_id": e.ExporterOrgID, "engaged_org_id": e.EngagedOrgID, "kind": string(e.Kind)})
}

func findEngagement(ctx context.Context, tx *Tx, id string, lock bool) (*tollgate.Engagement, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "engagement %q not found", id)
	}
	q := `SELECT ` + engagementColumns + ` FROM engagements WHERE id = ?`
	if lock {
		q += tx.d.forUpdate
	}
	e, err := scanEngagement(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "engagement %q not found", id)
	}
	return e, err
}

func findEngagements(ctx context.Context, tx *Tx, f tollgate.EngagementFilter) ([]*tollgate.Engagement, string, error) {
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeCursor(f.Cursor, validID)
	if err != nil {
		return nil, "", err
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, "", tollgate.FieldErrorf("kind", "must be imports or tests; got %q", f.Kind)
	}
	q, args := `SELECT `+engagementColumns+` FROM engagements WHERE 1 = 1`, []any{}
	for _, c := range []struct{ col, v string }{{"exporter_org_id", f.ExporterOrgID}, {"engaged_org_id", f.EngagedOrgID}} {
		if c.v == "" {
			continue
		}
		if !validID(c.v) {
			return nil, "", nil
		}
		q, args = q+` AND `+c.col+` = ?`, append(args, c.v)
	}
	if f.Kind != "" {
		q, args = q+` AND kind = ?`, append(args, string(f.Kind))
	}
	if !f.InForceOn.IsZero() {
		y, m, d := f.InForceOn.UTC().Date()
		day := tx.Time(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
		q, args = q+` AND starts_on <= ? AND (ends_on IS NULL OR ends_on >= ?)`, append(args, day, day)
	}
	if after != "" {
		q, args = q+` AND id > ?`, append(args, after)
	}
	engs, err := queryAll(ctx, tx, scanEngagement, q+` ORDER BY id LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	engs, next := page(engs, limit, func(e *tollgate.Engagement) string { return e.ID })
	return engs, next, nil
}

func endEngagement(ctx context.Context, tx *Tx, id string, on time.Time) (*tollgate.Engagement, error) {
	e, err := findEngagement(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	y, m, d := on.UTC().Date()
	on = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case on.Before(e.StartsOn):
		return nil, tollgate.FieldErrorf("ends_on", "%s is before the engagement's start %s", on.Format(time.DateOnly), e.StartsOn.Format(time.DateOnly))
	case !e.EndsOn.IsZero() && !e.EndsOn.After(on):
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "engagement %s already ends on %s", e.ID, e.EndsOn.Format(time.DateOnly))
	}
	before := *e
	e.EndsOn, e.UpdatedAt = on, tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE engagements SET ends_on = ?, updated_at = ? WHERE id = ?`,
		tx.Time(e.EndsOn), tx.Time(e.UpdatedAt), e.ID); err != nil {
		return nil, err
	}
	return e, tx.AuditDetails(ctx, "engagement.end", "engagement", e.ID, &before, e, map[string]any{"ends_on": on.Format(time.DateOnly)})
}

func scanEngagement(s scanner) (*tollgate.Engagement, error) {
	var e tollgate.Engagement
	if err := s.Scan(&e.ID, &e.ExporterOrgID, &e.EngagedOrgID, &e.Kind, timeColumn{&e.StartsOn}, timeColumn{&e.EndsOn},
		jsonColumn{&e.ApplicationIDs}, jsonColumn{&e.Lots}, &e.CreatedBy, timeColumn{&e.CreatedAt}, timeColumn{&e.UpdatedAt}); err != nil {
		return nil, err
	}
	e.ApplicationIDs, e.Lots = nonNil(e.ApplicationIDs), nonNil(e.Lots)
	return &e, nil
}

// FindOrg returns organization id inside the transaction, or ENOTFOUND: a
// use case that writes for an organization checks what it is (a lab's
// country) in the transaction that writes.
func (tx *Tx) FindOrg(ctx context.Context, id string) (*tollgate.Org, error) {
	return findOrgByID(ctx, tx, id)
}

// FindUser returns user id inside the transaction, or ENOTFOUND: a use
// case naming a user (a lab report's technician) checks the user's
// organization, roles and state in the transaction that writes.
func (tx *Tx) FindUser(ctx context.Context, id string) (*tollgate.User, error) {
	return findUserByID(ctx, tx, id)
}
