package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"slices"
	"strings"

	"tollgate"
)

// auditedTable is a table whose rows the audit log records: the object
// type its records name, and how to read its live objects in the form the
// use cases give Tx.Audit, so that Reconcile digests them exactly as the
// writer did (auditState).
type auditedTable struct {
	objectType string
	table      string
	// read returns up to limit objects with keys above after, in key
	// order (the order of object ids in the audit log's index).
	read func(ctx context.Context, tx *Tx, after string, limit int) ([]liveObject, error)
}

// liveObject is one row of an audited table as its audit records see it.
type liveObject struct {
	id string
	v  any
	// columns names the row's columns that disagree with v, for tables
	// that keep an object as a document with some of its fields copied
	// into columns for queries.
	columns []string
}

// auditedTables lists every table the audit log covers, by the object
// type of its records. A use case that audits a new object type adds its
// table here; the Reconcile test of package storetest, which plays the
// demo, fails until it does.
var auditedTables = []auditedTable{
	keyed("org", "orgs", `SELECT `+orgColumns+` FROM orgs`, scanOrg, nil),
	keyed("party", "parties", `SELECT `+partyColumns+` FROM parties`, scanParty, nil),
	keyed("user", "users", `SELECT `+userColumns+` FROM users`, scanUser, nil),
	keyed("token", "tokens", `SELECT `+tokenColumns+` FROM tokens`, scanToken, nil),
	keyed("session", "sessions", `SELECT `+sessionColumns+` FROM sessions`, scanSession, nil),
	keyed("list_version", "list_versions", `SELECT `+listVersionColumns+` FROM list_versions v`, scanListVersion, nil),
	keyed("screening", "screenings", `SELECT id, party_id, screened_at, threshold FROM screenings`, scanScreeningRow,
		func(ctx context.Context, tx *Tx, ss []*tollgate.Screening) error {
			for _, s := range ss {
				if err := loadScreeningDetails(ctx, tx, s); err != nil {
					return err
				}
			}
			return nil
		}),
	keyed("hit_decision", "hit_decisions", `SELECT `+decisionColumns+` FROM hit_decisions`, scanDecision, nil),
	{objectType: "application", table: "applications", read: readApplications},
	{objectType: "application_assignment", table: "application_assignments", read: readAssignments},
	{objectType: "license", table: "licenses", read: readLicenses},
	{objectType: "licensing_agency", table: "licensing_agencies", read: readAgencies},
	keyed("lab_key", "lab_keys", `SELECT `+labKeyColumns+` FROM lab_keys`, scanLabKey, nil),
	keyed("lab_report", "lab_reports", `SELECT `+labReportColumns+` FROM lab_reports`, scanLabReport,
		func(ctx context.Context, tx *Tx, rs []*tollgate.LabReport) error {
			return withSerials(ctx, tx, "lab_report_serials", "report_id", rs, func(r *tollgate.LabReport) *tollgate.Units { return &r.Units })
		}),
	keyed("import_entry", "import_entries", `SELECT `+importColumns+` FROM import_entries`,
		func(s scanner) (*tollgate.ImportEntry, error) { return scanImport(s) },
		func(ctx context.Context, tx *Tx, es []*tollgate.ImportEntry) error {
			return withSerials(ctx, tx, "import_serials", "import_id", es, func(e *tollgate.ImportEntry) *tollgate.Units { return &e.Units })
		}),
	keyed("export", "exports", `SELECT `+exportColumns+` FROM exports`,
		func(s scanner) (*tollgate.Export, error) { return scanExport(s) },
		func(ctx context.Context, tx *Tx, es []*tollgate.Export) error {
			return withSerials(ctx, tx, "export_serials", "export_id", es, func(e *tollgate.Export) *tollgate.Units { return &e.Units })
		}),
	keyed("engagement", "engagements", `SELECT `+engagementColumns+` FROM engagements`, scanEngagement, nil),
	keyed("us_shipment", "us_shipments", `SELECT `+usShipmentColumns+` FROM us_shipments`, scanUSShipment, nil),
	keyed("order", "orders", `SELECT `+orderColumns+` FROM orders`,
		func(s scanner) (*tollgate.Order, error) { return scanOrder(s, &UnitCounters{}) },
		func(ctx context.Context, tx *Tx, os []*tollgate.Order) error { return tx.loadOrderHistories(ctx, os) }),
}

// keyed returns the auditedTable of a table keyed by its id column, read
// with query (SELECT … FROM table, the table aliased v when query uses an
// alias) and scan, the page then completed by complete (rows of other
// tables), which may be nil.
func keyed[T any](objectType, table, query string, scan func(scanner) (*T, error),
	complete func(ctx context.Context, tx *Tx, page []*T) error) auditedTable {
	idCol := "id"
	if len(query) > 2 && query[len(query)-2:] == " v" {
		idCol = "v.id"
	}
	return auditedTable{objectType: objectType, table: table,
		read: func(ctx context.Context, tx *Tx, after string, limit int) ([]liveObject, error) {
			after = idAbove(after)
			objs, err := queryAll(ctx, tx, scan, query+` WHERE `+idCol+` > ? ORDER BY `+idCol+` LIMIT ?`, after, limit)
			if err != nil {
				return nil, err
			}
			if complete != nil {
				if err := complete(ctx, tx, objs); err != nil {
					return nil, err
				}
			}
			out := make([]liveObject, len(objs))
			for i, o := range objs {
				out[i] = liveObject{id: objectID(o), v: o}
			}
			return out, nil
		}}
}

// idAbove returns the key the next page of a table keyed by a UUID starts
// above: after, or for the first page the nil UUID, below every id the
// store makes (PostgreSQL compares a uuid column only with a UUID).
func idAbove(after string) string {
	if after == "" {
		return "00000000-0000-0000-0000-000000000000"
	}
	return after
}

// objectID returns the ID field of an audited object.
func objectID(v any) string {
	switch o := v.(type) {
	case interface{ AuditID() string }:
		return o.AuditID()
	case *tollgate.Org:
		return o.ID
	case *tollgate.Party:
		return o.ID
	case *tollgate.User:
		return o.ID
	case *tollgate.Token:
		return o.ID
	case *tollgate.Session:
		return o.ID
	case *tollgate.ListVersion:
		return o.ID
	case *tollgate.Screening:
		return o.ID
	case *tollgate.HitDecision:
		return o.ID
	case *tollgate.LabKey:
		return o.ID
	case *tollgate.LabReport:
		return o.ID
	case *tollgate.ImportEntry:
		return o.ID
	case *tollgate.Export:
		return o.ID
	case *tollgate.DomesticShipment:
		return o.ID
	case *tollgate.Order:
		return o.ID
	case *tollgate.Engagement:
		return o.ID
	}
	panic("store: objectID: unknown audited object type")
}

// withSerials fills in the serials of the objects whose units are not a
// lot, from table (fk naming the object), in position order: as the
// store's Find… methods do one object at a time.
func withSerials[T any](ctx context.Context, tx *Tx, table, fk string, objs []*T, units func(*T) *tollgate.Units) error {
	index := make(map[string]*tollgate.Units, len(objs))
	var ids []string
	for _, o := range objs {
		if u := units(o); u.Lot == "" {
			id := objectID(o)
			index[id] = u
			ids = append(ids, id)
		}
	}
	return inBatches(ids, func(marks string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+fk+`, serial FROM `+table+` WHERE `+fk+` IN (`+marks+`)
			ORDER BY `+fk+`, position`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, serial string
			if err := rows.Scan(&id, &serial); err != nil {
				return err
			}
			if u := index[id]; u != nil {
				u.Serials = append(u.Serials, serial)
			}
		}
		return rows.Err()
	})
}

// readApplications reads applications as their records hold them: the
// document (tollgate.Application), and whether the columns copied from it
// for queries and access checks still agree with it.
func readApplications(ctx context.Context, tx *Tx, after string, limit int) ([]liveObject, error) {
	rows, err := tx.QueryContext(ctx, `SELECT org_id, state, control_number, version, doc FROM applications
		WHERE id > ? ORDER BY id LIMIT ?`, idAbove(after), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []liveObject
	for rows.Next() {
		var (
			org, state string
			control    sql.NullString
		)
		sa, err := scanApplication(scanFirst{rows, []any{&org, &state, &control}})
		if err != nil {
			return nil, err
		}
		o := liveObject{id: sa.ID, v: &sa.Application}
		for _, c := range []struct {
			name       string
			column, in string
		}{{"org_id", org, sa.Parties.Applicant}, {"state", state, string(sa.State)}, {"control_number", control.String, sa.ControlNumber}} {
			if c.column != c.in {
				o.columns = append(o.columns, "column "+c.name)
			}
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, checkDocuments(ctx, tx, out)
}

// checkDocuments checks the stored supporting documents of a page of
// applications against the documents each application lists (name,
// digest, size and type; the content must hash to the digest), naming
// "documents" among the columns of an application whose rows disagree.
func checkDocuments(ctx context.Context, tx *Tx, apps []liveObject) error {
	type doc struct {
		tollgate.SupportingDocument
		sum string
	}
	stored := map[string][]doc{}
	ids := make([]string, len(apps))
	for i, o := range apps {
		ids[i] = o.id
	}
	err := inBatches(ids, func(marks string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT application_id, digest, name, content_type, size, content
			FROM application_documents WHERE application_id IN (`+marks+`) ORDER BY application_id, digest`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				app     string
				d       doc
				content []byte
			)
			if err := rows.Scan(&app, &d.Digest, &d.Name, &d.ContentType, &d.Size, &content); err != nil {
				return err
			}
			sum := sha256.Sum256(content)
			d.sum = hex.EncodeToString(sum[:])
			stored[app] = append(stored[app], d)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	for i := range apps {
		o := &apps[i]
		listed := o.v.(*tollgate.Application).Documents
		rows := stored[o.id]
		ok := len(rows) == len(listed)
		for _, d := range rows {
			ok = ok && d.sum == d.Digest && slices.Contains(listed, d.SupportingDocument)
		}
		if !ok {
			o.columns = append(o.columns, "documents")
		}
	}
	return nil
}

// scanFirst scans the columns first before those its caller scans.
type scanFirst struct {
	s     scanner
	first []any
}

func (f scanFirst) Scan(dest ...any) error { return f.s.Scan(append(f.first, dest...)...) }

// readAssignments reads applications' assignments to organizations, keyed
// "<application id>/<organization id>": fixed-length ids, so that the key's
// order is that of the table's primary key.
func readAssignments(ctx context.Context, tx *Tx, after string, limit int) ([]liveObject, error) {
	app, org, _ := strings.Cut(after, "/")
	app, org = idAbove(app), idAbove(org)
	rows, err := tx.QueryContext(ctx, `SELECT application_id, org_id, reason, assigned_at FROM application_assignments
		WHERE application_id > ? OR application_id = ? AND org_id > ? ORDER BY application_id, org_id LIMIT ?`, app, app, org, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []liveObject
	for rows.Next() {
		var a applicationAssignment
		if err := rows.Scan(&a.ApplicationID, &a.OrgID, &a.Reason, timeColumn{&a.AssignedAt}); err != nil {
			return nil, err
		}
		out = append(out, liveObject{id: a.AuditID(), v: &a})
	}
	return out, rows.Err()
}

// readLicenses reads licenses as their records hold them
// (tollgate.License: no usage, which the shipping counters keep).
func readLicenses(ctx context.Context, tx *Tx, after string, limit int) ([]liveObject, error) {
	ls, err := queryLicenses(ctx, tx, `WHERE id > ? ORDER BY id LIMIT ?`, idAbove(after), limit)
	if err != nil {
		return nil, err
	}
	out := make([]liveObject, len(ls))
	for i, l := range ls {
		out[i] = liveObject{id: l.ID, v: &l.License}
	}
	return out, nil
}

// readAgencies reads the licensing agencies' organizations as
// licensing.SetAgency records them: {"code", "org_id"}.
func readAgencies(ctx context.Context, tx *Tx, after string, limit int) ([]liveObject, error) {
	rows, err := tx.QueryContext(ctx, `SELECT code, org_id FROM licensing_agencies WHERE code > ? ORDER BY code LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []liveObject
	for rows.Next() {
		var code string
		var org sql.NullString
		if err := rows.Scan(&code, &org); err != nil {
			return nil, err
		}
		out = append(out, liveObject{id: code, v: map[string]string{"code": code, "org_id": org.String}})
	}
	return out, rows.Err()
}
