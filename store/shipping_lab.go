package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
)

const labKeyColumns = `id, lab_org_id, public_key, created_at, revoked_at`

// InsertLabKey registers k, a validated public key of a lab, as created
// now. A key already registered is ECONFLICT.
func (tx *Tx) InsertLabKey(ctx context.Context, k *tollgate.LabKey) error {
	k.CreatedAt, k.RevokedAt = tx.now, time.Time{}
	_, err := tx.ExecContext(ctx, `INSERT INTO lab_keys (`+labKeyColumns+`) VALUES (?, ?, ?, ?, NULL)`,
		k.ID, k.LabOrgID, k.PublicKey, tx.Time(k.CreatedAt))
	switch {
	case err != nil && tx.d.uniqueViolation(err):
		return tollgate.Errorf(tollgate.ECONFLICT, "lab key %s is already registered", k.ID)
	case err != nil && isForeignKeyViolation(err):
		return tollgate.Errorf(tollgate.ENOTFOUND, "organization %q not found", k.LabOrgID)
	}
	return err
}

// FindLabKey returns the registered lab key id; lock locks it until the
// transaction ends. ENOTFOUND when there is none.
func (tx *Tx) FindLabKey(ctx context.Context, id string, lock bool) (*tollgate.LabKey, error) {
	q := `SELECT ` + labKeyColumns + ` FROM lab_keys WHERE id = ?`
	if lock {
		q += tx.d.forUpdate
	}
	k, err := scanLabKey(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "lab key %q not found", id)
	}
	return k, err
}

// RevokeLabKey marks lab key id revoked now: it verifies nothing recorded
// from now on. Revoking a revoked key is ECONFLICT.
func (tx *Tx) RevokeLabKey(ctx context.Context, id string) (*tollgate.LabKey, error) {
	k, err := tx.FindLabKey(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if !k.RevokedAt.IsZero() {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "lab key %s was already revoked", id)
	}
	k.RevokedAt = tx.now
	_, err = tx.ExecContext(ctx, `UPDATE lab_keys SET revoked_at = ? WHERE id = ?`, tx.Time(k.RevokedAt), id)
	return k, err
}

// FindLabKeys returns the keys registered with lab labOrgID (every lab's
// when it is empty), oldest first.
func (db *DB) FindLabKeys(ctx context.Context, labOrgID string) ([]*tollgate.LabKey, error) {
	var out []*tollgate.LabKey
	err := db.View(ctx, func(tx *Tx) error {
		q, args := `SELECT `+labKeyColumns+` FROM lab_keys`, []any{}
		if labOrgID != "" {
			if !validID(labOrgID) {
				return nil
			}
			q, args = q+` WHERE lab_org_id = ?`, append(args, labOrgID)
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY created_at, id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanLabKey(rows)
			if err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindLabKeys: %w", err)
	}
	return out, nil
}

func scanLabKey(s scanner) (*tollgate.LabKey, error) {
	var k tollgate.LabKey
	if err := s.Scan(&k.ID, &k.LabOrgID, &k.PublicKey, timeColumn{&k.CreatedAt}, timeColumn{&k.RevokedAt}); err != nil {
		return nil, err
	}
	return &k, nil
}

const labReportColumns = `id, number, lab_org_id, technician_user_id, exporter_org_id, application_id, product, lot, count,
	measured, measured_dram_bandwidth_gbps, method, tolerance_bp, tested_at, measured_tpp, spec_tpp,
	spec_dram_bandwidth_gbps, pass, findings, key_id, signature, recorded_by, recorded_at, examined, sampling_plan`

// InsertLabReport stores r, a lab report the caller has checked (package
// shipping's CheckReport) with r.RecordedAt set to the transaction's time,
// with the serial numbers it covers, assigning its ID. A report number the
// lab already used is ECONFLICT.
func (tx *Tx) InsertLabReport(ctx context.Context, r *tollgate.LabReport) error {
	if !validID(r.ApplicationID) {
		return tollgate.Errorf(tollgate.ENOTFOUND, "application %q not found", r.ApplicationID)
	}
	r.ID, r.RecordedAt = newID(), tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO lab_reports (`+labReportColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Number, r.LabOrgID, r.TechnicianUserID, r.ExporterOrgID, r.ApplicationID, r.Product, r.Units.Lot,
		r.Units.Count, jsonValue{nonNil(r.Measured)}, r.MeasuredDRAMBandwidthGBps, r.Method, r.ToleranceBP,
		tx.Time(r.TestedAt), r.MeasuredTPP, r.SpecTPP, r.SpecDRAMBandwidthGBps, r.Pass, jsonValue{nonNil(r.Findings)},
		r.KeyID, r.Signature, r.RecordedBy, tx.Time(r.RecordedAt), r.Examined, r.SamplingPlan)
	switch {
	case err != nil && tx.d.uniqueViolation(err):
		return tollgate.Errorf(tollgate.ECONFLICT, "lab report %s is already recorded", r.Number)
	case err != nil && isForeignKeyViolation(err):
		return tollgate.Errorf(tollgate.ENOTFOUND, "report %s names an organization, application or key that does not exist", r.Number)
	case err != nil:
		return err
	}
	rows := make([][]any, len(r.Units.Serials))
	for i, s := range r.Units.Serials {
		rows[i] = []any{r.ID, i + 1, r.ExporterOrgID, r.Product, s}
	}
	return insertRows(ctx, tx, `INSERT INTO lab_report_serials (report_id, position, exporter_org_id, product, serial) VALUES `, 5, rows)
}

// LabReportsOfUnits returns every lab report on exporter's product, judged
// against applicationID, that covers any of units (or their lot), complete
// with all its serials, and the keys that signed them. known, when not
// nil, is offered each report of serials read without its serials: when it
// fills them in and returns true, they are not read (package shipping
// remembers the serials of reports whose signatures verified).
func (tx *Tx) LabReportsOfUnits(ctx context.Context, exporter, product, applicationID string, units tollgate.Units,
	known func(r *tollgate.LabReport) bool) ([]tollgate.LabReport, []tollgate.LabKey, error) {
	if !validID(applicationID) {
		return nil, nil, nil
	}
	var reports []tollgate.LabReport
	if !units.BySerial() {
		rs, err := tx.queryLabReports(ctx, `SELECT `+labReportColumns+` FROM lab_reports
			WHERE exporter_org_id = ? AND product = ? AND lot = ? AND application_id = ? ORDER BY id`,
			tx.planEach([]any{exporter, product, units.Lot, applicationID})...)
		if err != nil {
			return nil, nil, err
		}
		reports = rs
	} else {
		seen := map[string]bool{}
		err := tx.serialsIn("s.serial", units.Serials, func(cond string, args []any) error {
			rs, err := tx.queryLabReports(ctx, `SELECT `+labReportColumns+` FROM lab_reports
				WHERE application_id = ? AND id IN (SELECT s.report_id FROM lab_report_serials s
					WHERE s.exporter_org_id = ? AND s.product = ? AND `+cond+`)`,
				tx.planEach(append([]any{applicationID, exporter, product}, args...))...)
			for _, r := range rs {
				if !seen[r.ID] { // a report may cover serials of several batches
					seen[r.ID] = true
					reports = append(reports, r)
				}
			}
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		slices.SortFunc(reports, func(a, b tollgate.LabReport) int { return strings.Compare(a.ID, b.ID) })
		var unknown []*tollgate.LabReport
		for i := range reports {
			if r := &reports[i]; r.Units.Lot == "" && (known == nil || !known(r)) {
				unknown = append(unknown, r)
			}
		}
		if err := tx.loadReportSerials(ctx, unknown); err != nil {
			return nil, nil, err
		}
	}
	var keyIDs []string
	for _, r := range reports {
		if !slices.Contains(keyIDs, r.KeyID) {
			keyIDs = append(keyIDs, r.KeyID)
		}
	}
	var keys []tollgate.LabKey
	err := inBatches(keyIDs, func(marks string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+labKeyColumns+` FROM lab_keys WHERE id IN (`+marks+`) ORDER BY id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanLabKey(rows)
			if err != nil {
				return err
			}
			keys = append(keys, *k)
		}
		return rows.Err()
	})
	return reports, keys, err
}

// loadReportSerials fills in the serials of reports: one statement per
// maxInArgs reports.
func (tx *Tx) loadReportSerials(ctx context.Context, reports []*tollgate.LabReport) error {
	index := make(map[string]*tollgate.LabReport, len(reports))
	ids := make([]string, len(reports))
	for i, r := range reports {
		index[r.ID], ids[i] = r, r.ID
	}
	return inBatches(ids, func(marks string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT report_id, serial FROM lab_report_serials WHERE report_id IN (`+marks+`)
			ORDER BY report_id, position`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, serial string
			if err := rows.Scan(&id, &serial); err != nil {
				return err
			}
			r := index[id]
			r.Units.Serials = append(r.Units.Serials, serial)
		}
		return rows.Err()
	})
}

// collect appends the single text column of q's rows to out.
func (tx *Tx) collect(ctx context.Context, out *[]string, q string, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		*out = append(*out, s)
	}
	return rows.Err()
}

// FindLabReport returns lab report id with the serials it covers.
func (tx *Tx) FindLabReport(ctx context.Context, id string) (*tollgate.LabReport, error) {
	if !validID(id) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "lab report %q not found", id)
	}
	r, err := scanLabReport(tx.QueryRowContext(ctx, `SELECT `+labReportColumns+` FROM lab_reports WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "lab report %q not found", id)
	}
	if err != nil || r.Units.Lot != "" {
		return r, err
	}
	err = tx.collect(ctx, &r.Units.Serials, `SELECT serial FROM lab_report_serials WHERE report_id = ? ORDER BY position`, id)
	return r, err
}

func (tx *Tx) queryLabReports(ctx context.Context, q string, args ...any) ([]tollgate.LabReport, error) {
	rs, err := queryAll(ctx, tx, scanLabReport, q, args...)
	return values(rs), err
}

// FindLabReports returns a page of lab reports matching filter's exporter,
// lab and product, oldest first, without their serials (FindLabReportByID
// has them), and the next page's cursor.
func (db *DB) FindLabReports(ctx context.Context, filter ShippingFilter) ([]*tollgate.LabReport, string, error) {
	return findPage(ctx, db, "store.FindLabReports", filter, map[string]string{"exporter": "exporter_org_id", "lab": "lab_org_id", "product": "product"},
		`SELECT `+labReportColumns+` FROM lab_reports`, scanLabReport,
		func(r *tollgate.LabReport) string { return r.ID }, nil)
}

// FindLabReportByID returns lab report id with the serials it covers.
func (db *DB) FindLabReportByID(ctx context.Context, id string) (*tollgate.LabReport, error) {
	var r *tollgate.LabReport
	err := db.View(ctx, func(tx *Tx) (err error) {
		r, err = tx.FindLabReport(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.FindLabReportByID: %w", err)
	}
	return r, nil
}

func scanLabReport(s scanner) (*tollgate.LabReport, error) {
	var r tollgate.LabReport
	if err := s.Scan(&r.ID, &r.Number, &r.LabOrgID, &r.TechnicianUserID, &r.ExporterOrgID, &r.ApplicationID, &r.Product,
		&r.Units.Lot, &r.Units.Count, jsonColumn{&r.Measured}, &r.MeasuredDRAMBandwidthGBps, &r.Method, &r.ToleranceBP,
		timeColumn{&r.TestedAt}, &r.MeasuredTPP, &r.SpecTPP, &r.SpecDRAMBandwidthGBps, &r.Pass, jsonColumn{&r.Findings},
		&r.KeyID, &r.Signature, &r.RecordedBy, timeColumn{&r.RecordedAt}, &r.Examined, &r.SamplingPlan); err != nil {
		return nil, err
	}
	return &r, nil
}
