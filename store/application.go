package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tollgate"
)

// StoredApplication is a license application as the store keeps it: the
// application itself, its version, and the organizations it is assigned or
// referred to. Version starts at 1 and every UpdateApplication advances it,
// so a change made on a stale copy is refused (optimistic locking).
type StoredApplication struct {
	tollgate.Application
	Version        int64    `json:"version"`
	AssignedOrgIDs []string `json:"assigned_org_ids,omitempty"`
}

// ApplicationFilter selects applications for FindApplications. OrgID keeps
// the applications an organization applied for and AssignedOrgID those
// assigned or referred to an organization; when both are set an
// application matching either is kept (the two halves of an auth scope),
// and when neither is set every application is. States, when given, keeps
// only applications in one of them.
type ApplicationFilter struct {
	OrgID         string
	AssignedOrgID string
	States        []tollgate.ApplicationState
	Cursor        string // opaque; from a previous page
	Limit         int    // 0 means DefaultPageLimit
}

// InsertApplication validates a new draft, checks that its applicant is an
// exporter and that every party it names belongs to that exporter, assigns
// its ID and timestamps, and stores it at version 1. The caller audits.
func (tx *Tx) InsertApplication(ctx context.Context, app *tollgate.Application) (*StoredApplication, error) {
	if app.State == "" {
		app.State = tollgate.ApplicationDraft
	}
	if app.State != tollgate.ApplicationDraft {
		return nil, fmt.Errorf("store.InsertApplication: %w", tollgate.FieldErrorf("state", "a new application is a draft"))
	}
	if err := checkApplication(ctx, tx, app); err != nil {
		return nil, fmt.Errorf("store.InsertApplication: %w", err)
	}
	app.ID = newID()
	app.CreatedAt, app.UpdatedAt = tx.now, tx.now
	sa := &StoredApplication{Application: *app, Version: 1}
	_, err := tx.ExecContext(ctx, `INSERT INTO applications (id, org_id, state, control_number, version, doc,
		created_by, created_at, updated_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		app.ID, app.Parties.Applicant, string(app.State), nullString(app.ControlNumber), sa.Version, jsonValue{&sa.Application},
		app.CreatedBy, tx.Time(app.CreatedAt), tx.Time(app.UpdatedAt), tx.nullTime(app.SubmittedAt))
	if err != nil {
		return nil, fmt.Errorf("store.InsertApplication: %w", err)
	}
	return sa, nil
}

// UpdateApplication stores sa's application if the stored version is still
// sa.Version, and advances sa.Version; another change in between is
// ECONFLICT. The applicant never changes. A control number taken by
// another application is ECONFLICT. The caller audits.
func (tx *Tx) UpdateApplication(ctx context.Context, sa *StoredApplication) error {
	app := &sa.Application
	if err := app.Validate(); err != nil {
		return fmt.Errorf("store.UpdateApplication: %w", err)
	}
	if app.State == tollgate.ApplicationDraft {
		if err := checkApplicationParties(ctx, tx, app); err != nil {
			return fmt.Errorf("store.UpdateApplication: %w", err)
		}
	}
	app.UpdatedAt = tx.now
	res, err := tx.ExecContext(ctx, `UPDATE applications SET state = ?, control_number = ?, version = version + 1,
		doc = ?, updated_at = ?, submitted_at = ? WHERE id = ? AND version = ? AND org_id = ?`,
		string(app.State), nullString(app.ControlNumber), jsonValue{app}, tx.Time(app.UpdatedAt),
		tx.nullTime(app.SubmittedAt), app.ID, sa.Version, app.Parties.Applicant)
	if tx.d.uniqueViolation(err) {
		return fmt.Errorf("store.UpdateApplication: %w", tollgate.Errorf(tollgate.ECONFLICT, "control number %s is taken", app.ControlNumber))
	} else if err != nil {
		return fmt.Errorf("store.UpdateApplication: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store.UpdateApplication: %w", err)
	} else if n == 0 {
		return fmt.Errorf("store.UpdateApplication: %w", tollgate.Errorf(tollgate.ECONFLICT,
			"application %s changed since version %d was read; reload it and try again", app.ID, sa.Version))
	}
	sa.Version++
	return nil
}

// Application returns the application with id, or ENOTFOUND.
func (tx *Tx) Application(ctx context.Context, id string) (*StoredApplication, error) {
	sa, err := findApplication(ctx, tx, id, "")
	if err != nil {
		return nil, fmt.Errorf("store.Application: %w", err)
	}
	return sa, nil
}

// ApplicationForUpdate returns the application with id, locking its row
// until the transaction ends on PostgreSQL (SQLite has one writer), so
// that concurrent changes to one application queue instead of failing late.
func (tx *Tx) ApplicationForUpdate(ctx context.Context, id string) (*StoredApplication, error) {
	sa, err := findApplication(ctx, tx, id, tx.d.forUpdate)
	if err != nil {
		return nil, fmt.Errorf("store.ApplicationForUpdate: %w", err)
	}
	return sa, nil
}

// ApplicationByControlNumber returns the application numbered number (its
// Application Control Number, such as Z000001), or ENOTFOUND.
func (tx *Tx) ApplicationByControlNumber(ctx context.Context, number string) (*StoredApplication, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM applications WHERE control_number = ?`, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store.ApplicationByControlNumber: %w", tollgate.Errorf(tollgate.ENOTFOUND, "application %q not found", number))
	} else if err != nil {
		return nil, fmt.Errorf("store.ApplicationByControlNumber: %w", err)
	}
	sa, err := findApplication(ctx, tx, id, "")
	if err != nil {
		return nil, fmt.Errorf("store.ApplicationByControlNumber: %w", err)
	}
	return sa, nil
}

func findApplication(ctx context.Context, tx *Tx, id, suffix string) (*StoredApplication, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "application %q not found", id)
	}
	sa, err := scanApplication(tx.QueryRowContext(ctx, `SELECT version, doc FROM applications WHERE id = ?`+suffix, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "application %q not found", id)
	} else if err != nil {
		return nil, err
	}
	if err := loadAssignments(ctx, tx, []*StoredApplication{sa}); err != nil {
		return nil, err
	}
	return sa, nil
}

// FindApplications returns one page of the applications matching f, oldest
// first, and the cursor of the next page ("" on the last page).
func (tx *Tx) FindApplications(ctx context.Context, f ApplicationFilter) ([]*StoredApplication, string, error) {
	apps, next, err := findApplications(ctx, tx, f)
	if err != nil {
		return nil, "", fmt.Errorf("store.FindApplications: %w", err)
	}
	return apps, next, nil
}

func findApplications(ctx context.Context, tx *Tx, f ApplicationFilter) ([]*StoredApplication, string, error) {
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeCursor(f.Cursor, validID)
	if err != nil {
		return nil, "", err
	}
	q, args := `SELECT version, doc FROM applications WHERE 1 = 1`, []any{}
	if f.OrgID != "" || f.AssignedOrgID != "" {
		var scope []string
		if validID(f.OrgID) {
			scope, args = append(scope, `org_id = ?`), append(args, f.OrgID)
		}
		if validID(f.AssignedOrgID) {
			scope = append(scope, `id IN (SELECT application_id FROM application_assignments WHERE org_id = ?)`)
			args = append(args, f.AssignedOrgID)
		}
		if len(scope) == 0 {
			return nil, "", nil // no organization has such an id
		}
		q += ` AND (` + strings.Join(scope, ` OR `) + `)`
	}
	if len(f.States) > 0 {
		for i, s := range f.States {
			if !s.Valid() {
				return nil, "", tollgate.FieldErrorf(fmt.Sprintf("states[%d]", i), "unknown application state %q", s)
			}
			args = append(args, string(s))
		}
		q += ` AND state IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(f.States)), ", ") + `)`
	}
	if after != "" {
		q, args = q+` AND id > ?`, append(args, after)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	var apps []*StoredApplication
	for rows.Next() {
		sa, err := scanApplication(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		apps = append(apps, sa)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	apps, next := page(apps, limit, func(sa *StoredApplication) string { return sa.ID })
	return apps, next, loadAssignments(ctx, tx, apps)
}

// AssignApplication records that the application is assigned or referred
// to the organization orgID (which must exist), for reason. Assigning it
// twice to one organization keeps the first assignment.
func (tx *Tx) AssignApplication(ctx context.Context, appID, orgID, reason string) error {
	if _, err := findOrgByID(ctx, tx, orgID); err != nil {
		return fmt.Errorf("store.AssignApplication: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO application_assignments (application_id, org_id, reason, assigned_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (application_id, org_id) DO NOTHING`, appID, orgID, reason, tx.Time(tx.now))
	if err != nil {
		return fmt.Errorf("store.AssignApplication: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err // assigned before
	}
	// An assignment grants the organization's reviewers the application
	// (auth's Assigned rule): it is recorded as an object of its own.
	a := &applicationAssignment{ApplicationID: appID, OrgID: orgID, Reason: reason, AssignedAt: tx.now}
	return tx.Audit(ctx, "application.assign", "application_assignment", a.AuditID(), nil, a)
}

// applicationAssignment is a row of application_assignments as its record
// states it.
type applicationAssignment struct {
	ApplicationID string    `json:"application_id"`
	OrgID         string    `json:"org_id"`
	Reason        string    `json:"reason"`
	AssignedAt    time.Time `json:"assigned_at"`
}

// AuditID returns the assignment's object id in the audit log:
// "<application id>/<organization id>".
func (a *applicationAssignment) AuditID() string { return a.ApplicationID + "/" + a.OrgID }

// loadAssignments fills in the AssignedOrgIDs of apps, in the order the
// organizations were assigned.
func loadAssignments(ctx context.Context, tx *Tx, apps []*StoredApplication) error {
	if len(apps) == 0 {
		return nil
	}
	byID := make(map[string]*StoredApplication, len(apps))
	args := make([]any, len(apps))
	for i, sa := range apps {
		byID[sa.ID], args[i] = sa, sa.ID
	}
	rows, err := tx.QueryContext(ctx, `SELECT application_id, org_id FROM application_assignments
		WHERE application_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(apps)), ", ")+`)
		ORDER BY assigned_at, org_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var appID, orgID string
		if err := rows.Scan(&appID, &orgID); err != nil {
			return err
		}
		if sa := byID[appID]; sa != nil {
			sa.AssignedOrgIDs = append(sa.AssignedOrgIDs, orgID)
		}
	}
	return rows.Err()
}

func scanApplication(s scanner) (*StoredApplication, error) {
	var (
		sa  StoredApplication
		doc string
	)
	if err := s.Scan(&sa.Version, &doc); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), &sa.Application); err != nil {
		return nil, fmt.Errorf("store: application document: %w", err)
	}
	return &sa, nil
}

// checkApplication validates app and its references: the applicant is an
// exporter organization and every party belongs to it.
func checkApplication(ctx context.Context, tx *Tx, app *tollgate.Application) error {
	if err := app.Validate(); err != nil {
		return err
	}
	org, err := findOrgByID(ctx, tx, app.Parties.Applicant)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return tollgate.FieldErrorf("parties.applicant", "no organization %q", app.Parties.Applicant)
	} else if err != nil {
		return err
	}
	if org.Kind != tollgate.OrgExporter {
		return tollgate.FieldErrorf("parties.applicant", "organization %q is a %s; applicants are exporters", org.ID, org.Kind)
	}
	return checkApplicationParties(ctx, tx, app)
}

// checkApplicationParties requires every party the application names to be
// a party of the applicant in the store.
func checkApplicationParties(ctx context.Context, tx *Tx, app *tollgate.Application) error {
	for _, ref := range app.Parties.List() {
		if ref.Role == tollgate.RoleApplicant {
			continue
		}
		field := "parties." + string(ref.Role)
		p, err := findPartyByID(ctx, tx, ref.ID)
		r := tollgate.Ref{Field: field, Kind: "party", ID: ref.ID}
		if err := r.Resolve(err, err == nil && p.OrgID == app.Parties.Applicant); err != nil {
			return err
		}
	}
	return nil
}

// nullString returns NULL for "", so that UNIQUE columns may hold many
// absent values.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
