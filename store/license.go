package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"tollgate"
)

// LicenseItemUsage is the consumption accounting of one licensed item: the
// units and value reserved for exports not yet shipped, and those shipped.
// Reserved plus shipped never exceeds the licensed quantity or value, and
// no figure is ever negative (the schema's CHECK constraints hold it even
// against a bug).
type LicenseItemUsage struct {
	Product       string `json:"product"`
	ReservedUnits int64  `json:"reserved_units"`
	ReservedCents int64  `json:"reserved_cents"`
	ShippedUnits  int64  `json:"shipped_units"`
	ShippedCents  int64  `json:"shipped_cents"`
}

// UsedUnits returns the units reserved or shipped.
func (u LicenseItemUsage) UsedUnits() int64 { return u.ReservedUnits + u.ShippedUnits }

// UsedCents returns the value reserved or shipped.
func (u LicenseItemUsage) UsedCents() int64 { return u.ReservedCents + u.ShippedCents }

// StoredLicense is a license as the store keeps it: the license, the
// agency organization that issued it, and the usage of each item in the
// order of License.Items.
type StoredLicense struct {
	tollgate.License
	IssuingOrgID string             `json:"issuing_org_id"`
	Usage        []LicenseItemUsage `json:"usage"`
}

// LicenseFilter selects licenses for FindLicenses. HolderOrgID keeps the
// licenses an organization holds and IssuingOrgID those an agency issued;
// when both are set a license matching either is kept, and when neither is
// every license is.
type LicenseFilter struct {
	HolderOrgID  string
	IssuingOrgID string
	Cursor       string
	Limit        int
}

// UsageChange is a change to one licensed item's accounting, in signed
// deltas: a reservation adds to Reserved*, a shipment moves the same amount
// from Reserved* to Shipped*, a release subtracts from Reserved*.
type UsageChange struct {
	Product       string `json:"product"`
	ReservedUnits int64  `json:"reserved_units"`
	ReservedCents int64  `json:"reserved_cents"`
	ShippedUnits  int64  `json:"shipped_units"`
	ShippedCents  int64  `json:"shipped_cents"`
}

// InsertLicense validates lic, assigns its ID and stores it with its items
// (nothing reserved or shipped) and conditions (without acknowledgments),
// issued by the agency organization issuingOrgID. A license number already
// used, or a second license for one application, is ECONFLICT. The caller
// audits.
func (tx *Tx) InsertLicense(ctx context.Context, lic *tollgate.License, issuingOrgID string) error {
	if err := lic.Validate(); err != nil {
		return fmt.Errorf("store.InsertLicense: %w", err)
	}
	lic.ID = newID()
	_, err := tx.ExecContext(ctx, `INSERT INTO licenses (id, number, holder_org_id, issuing_org_id, application_id,
		control_number, destination, parties, valid_from, valid_to, status, status_reason, status_changed_at, issued_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		lic.ID, lic.Number, lic.HolderOrgID, issuingOrgID, lic.ApplicationID, lic.ControlNumber, lic.Destination,
		jsonValue{lic.Parties}, tx.Time(lic.ValidFrom), tx.Time(lic.ValidTo), string(lic.Status), lic.StatusReason,
		tx.nullTime(lic.StatusChangedAt), tx.Time(lic.IssuedAt))
	if tx.d.uniqueViolation(err) {
		return fmt.Errorf("store.InsertLicense: %w", tollgate.Errorf(tollgate.ECONFLICT,
			"license number %s is taken, or application %s already has a license", lic.Number, lic.ApplicationID))
	} else if err != nil {
		return fmt.Errorf("store.InsertLicense: %w", err)
	}
	for i, it := range lic.Items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO license_items (license_id, seq, product, eccn, description,
			quantity, value_cents, reserved_units, reserved_cents, shipped_units, shipped_cents)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0)`,
			lic.ID, i+1, it.Product, it.ECCN, it.Description, it.Quantity, it.ValueCents); err != nil {
			return fmt.Errorf("store.InsertLicense: item %s: %w", it.Product, err)
		}
	}
	for i, c := range lic.Conditions {
		if len(c.Acknowledgments) > 0 {
			return fmt.Errorf("store.InsertLicense: %w", tollgate.FieldErrorf(fmt.Sprintf("conditions[%d].acknowledgments", i), "a new license has no acknowledgments"))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO license_conditions (license_id, condition_id, seq, text, binds, lab_tolerance_bp)
			VALUES (?, ?, ?, ?, ?, ?)`, lic.ID, c.ID, i+1, c.Text, jsonValue{c.Binds}, c.LabToleranceBP); err != nil {
			return fmt.Errorf("store.InsertLicense: condition %s: %w", c.ID, err)
		}
	}
	return nil
}

// License returns the license with id, or ENOTFOUND.
func (tx *Tx) License(ctx context.Context, id string) (*StoredLicense, error) {
	if !validID(id) {
		return nil, fmt.Errorf("store.License: %w", tollgate.Errorf(tollgate.ENOTFOUND, "license %q not found", id))
	}
	ls, err := queryLicenses(ctx, tx, `WHERE id = ?`, id)
	return oneLicense(ls, err, id, "store.License")
}

// LicenseForUpdate returns the license with id, locking its row until the
// transaction ends on PostgreSQL, so that changes to one license (its
// status, its usage, its acknowledgments) queue.
func (tx *Tx) LicenseForUpdate(ctx context.Context, id string) (*StoredLicense, error) {
	if !validID(id) {
		return nil, fmt.Errorf("store.LicenseForUpdate: %w", tollgate.Errorf(tollgate.ENOTFOUND, "license %q not found", id))
	}
	ls, err := queryLicenses(ctx, tx, `WHERE id = ?`+tx.d.forUpdate, id)
	return oneLicense(ls, err, id, "store.LicenseForUpdate")
}

// LicenseByNumber returns the license numbered number, or ENOTFOUND.
func (tx *Tx) LicenseByNumber(ctx context.Context, number string) (*StoredLicense, error) {
	ls, err := queryLicenses(ctx, tx, `WHERE number = ?`, number)
	return oneLicense(ls, err, number, "store.LicenseByNumber")
}

func oneLicense(ls []*StoredLicense, err error, key, op string) (*StoredLicense, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("%s: %w", op, tollgate.Errorf(tollgate.ENOTFOUND, "license %q not found", key))
	}
	return ls[0], nil
}

// FindLicenses returns one page of the licenses matching f, oldest first,
// and the cursor of the next page ("" on the last page).
func (tx *Tx) FindLicenses(ctx context.Context, f LicenseFilter) ([]*StoredLicense, string, error) {
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, "", fmt.Errorf("store.FindLicenses: %w", err)
	}
	after, err := decodeCursor(f.Cursor, validID)
	if err != nil {
		return nil, "", fmt.Errorf("store.FindLicenses: %w", err)
	}
	where, args := `WHERE 1 = 1`, []any{}
	if f.HolderOrgID != "" || f.IssuingOrgID != "" {
		var scope []string
		if validID(f.HolderOrgID) {
			scope, args = append(scope, `holder_org_id = ?`), append(args, f.HolderOrgID)
		}
		if validID(f.IssuingOrgID) {
			scope, args = append(scope, `issuing_org_id = ?`), append(args, f.IssuingOrgID)
		}
		if len(scope) == 0 {
			return nil, "", nil
		}
		where += ` AND (` + strings.Join(scope, ` OR `) + `)`
	}
	if after != "" {
		where, args = where+` AND id > ?`, append(args, after)
	}
	ls, err := queryLicenses(ctx, tx, where+` ORDER BY id LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("store.FindLicenses: %w", err)
	}
	ls, next := page(ls, limit, func(l *StoredLicense) string { return l.ID })
	return ls, next, nil
}

// SetLicenseStatus stores the license's status (active, suspended or
// revoked) with its reason, stamped with the transaction's time. The
// caller decides which changes are allowed, and audits.
func (tx *Tx) SetLicenseStatus(ctx context.Context, id string, status tollgate.LicenseStatus, reason string) error {
	switch status {
	case tollgate.LicenseActive, tollgate.LicenseSuspended, tollgate.LicenseRevoked:
	default:
		return fmt.Errorf("store.SetLicenseStatus: %w", tollgate.FieldErrorf("status", "must be active, suspended or revoked; got %q", status))
	}
	tx.forget(licenseLockKey(id))
	res, err := tx.ExecContext(ctx, `UPDATE licenses SET status = ?, status_reason = ?, status_changed_at = ? WHERE id = ?`,
		string(status), reason, tx.Time(tx.now), id)
	if err != nil {
		return fmt.Errorf("store.SetLicenseStatus: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store.SetLicenseStatus: %w", tollgate.Errorf(tollgate.ENOTFOUND, "license %q not found", id))
	}
	return nil
}

// AddAcknowledgment records a's acknowledgment of the license's condition
// conditionID. The condition must exist (ENOTFOUND); a party acknowledging
// the same condition in the same role twice is ECONFLICT. Whether the
// condition binds the party is the caller's check.
func (tx *Tx) AddAcknowledgment(ctx context.Context, licenseID, conditionID string, a tollgate.Acknowledgment) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("store.AddAcknowledgment: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM license_conditions WHERE license_id = ? AND condition_id = ?`,
		licenseID, conditionID).Scan(&n); err != nil {
		return fmt.Errorf("store.AddAcknowledgment: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store.AddAcknowledgment: %w", tollgate.Errorf(tollgate.ENOTFOUND, "license %s has no condition %q", licenseID, conditionID))
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO license_acknowledgments (license_id, condition_id, role, party_id,
		signed_by, document_digest, recorded_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		licenseID, conditionID, string(a.Role), a.PartyID, a.SignedBy, a.DocumentDigest, a.RecordedBy, tx.Time(a.At))
	if tx.d.uniqueViolation(err) {
		return fmt.Errorf("store.AddAcknowledgment: %w", tollgate.Errorf(tollgate.ECONFLICT,
			"%s %s has already acknowledged condition %s", a.Role, a.PartyID, conditionID))
	} else if err != nil {
		return fmt.Errorf("store.AddAcknowledgment: %w", err)
	}
	return nil
}

// ChangeLicenseUsage applies ch to the accounting of one item of the
// license and returns the item's usage after it. A product the license
// does not cover is EINVALID; a change that would leave a figure negative
// is EINVALID (more released or shipped than was reserved); one that would
// take more than the license grants is ELIMIT, naming the units or value
// left. Shipping calls it in the transaction of its own use case (which
// audits it), after LicenseForUpdate.
func (tx *Tx) ChangeLicenseUsage(ctx context.Context, licenseID string, ch UsageChange) (LicenseItemUsage, error) {
	product := tollgate.ProductKey(ch.Product)
	var qty, value int64
	u := LicenseItemUsage{Product: product}
	err := tx.QueryRowContext(ctx, `SELECT quantity, value_cents, reserved_units, reserved_cents, shipped_units, shipped_cents
		FROM license_items WHERE license_id = ? AND product = ?`+tx.d.forUpdate, licenseID, product).
		Scan(&qty, &value, &u.ReservedUnits, &u.ReservedCents, &u.ShippedUnits, &u.ShippedCents)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("store.ChangeLicenseUsage: %w", tollgate.FieldErrorf("product", "license %s does not cover %q", licenseID, ch.Product))
	} else if err != nil {
		return u, fmt.Errorf("store.ChangeLicenseUsage: %w", err)
	}
	next := LicenseItemUsage{Product: product,
		ReservedUnits: u.ReservedUnits + ch.ReservedUnits, ReservedCents: u.ReservedCents + ch.ReservedCents,
		ShippedUnits: u.ShippedUnits + ch.ShippedUnits, ShippedCents: u.ShippedCents + ch.ShippedCents}
	switch {
	case next.ReservedUnits < 0 || next.ReservedCents < 0 || next.ShippedUnits < 0 || next.ShippedCents < 0:
		return u, fmt.Errorf("store.ChangeLicenseUsage: %w", tollgate.FieldErrorf("usage",
			"the change would leave a negative figure for %s (reserved %d units / %d cents, shipped %d units / %d cents)",
			product, u.ReservedUnits, u.ReservedCents, u.ShippedUnits, u.ShippedCents))
	case next.UsedUnits() > qty:
		return u, fmt.Errorf("store.ChangeLicenseUsage: %w", tollgate.Errorf(tollgate.ELIMIT,
			"license quantity exceeded for %s: %d of %d units left", product, qty-u.UsedUnits(), qty))
	case next.UsedCents() > value:
		return u, fmt.Errorf("store.ChangeLicenseUsage: %w", tollgate.Errorf(tollgate.ELIMIT,
			"license value exceeded for %s: %d of %d cents left", product, value-u.UsedCents(), value))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE license_items SET reserved_units = ?, reserved_cents = ?, shipped_units = ?,
		shipped_cents = ? WHERE license_id = ? AND product = ?`, next.ReservedUnits, next.ReservedCents,
		next.ShippedUnits, next.ShippedCents, licenseID, product); err != nil {
		return u, fmt.Errorf("store.ChangeLicenseUsage: %w", err)
	}
	return next, nil
}

// LicensedUsage sums the reserved and shipped units of product over the
// licenses holderOrgID holds to any of destinations: what the exporter has
// exported (or holds for export) to them under licenses.
func (tx *Tx) LicensedUsage(ctx context.Context, holderOrgID, product string, destinations []string) (reserved, shipped int64, err error) {
	if !validID(holderOrgID) || len(destinations) == 0 {
		return 0, 0, nil
	}
	args := []any{holderOrgID, tollgate.ProductKey(product)}
	for _, d := range destinations {
		args = append(args, d)
	}
	err = tx.QueryRowContext(ctx, `SELECT coalesce(sum(i.reserved_units), 0), coalesce(sum(i.shipped_units), 0)
		FROM license_items i JOIN licenses l ON l.id = i.license_id
		WHERE l.holder_org_id = ? AND i.product = ? AND l.destination IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(destinations)), ", ")+`)`, args...).Scan(&reserved, &shipped)
	if err != nil {
		return 0, 0, fmt.Errorf("store.LicensedUsage: %w", err)
	}
	return reserved, shipped, nil
}

// queryLicenses selects licenses with the clause tail (WHERE …) and loads
// their items, usage, conditions and acknowledgments.
func queryLicenses(ctx context.Context, tx *Tx, tail string, args ...any) ([]*StoredLicense, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, number, holder_org_id, issuing_org_id, application_id, control_number,
		destination, parties, valid_from, valid_to, status, status_reason, status_changed_at, issued_at FROM licenses `+tail, args...)
	if err != nil {
		return nil, err
	}
	var ls []*StoredLicense
	for rows.Next() {
		var l StoredLicense
		if err := rows.Scan(&l.ID, &l.Number, &l.HolderOrgID, &l.IssuingOrgID, &l.ApplicationID, &l.ControlNumber,
			&l.Destination, jsonColumn{&l.Parties}, timeColumn{&l.ValidFrom}, timeColumn{&l.ValidTo}, &l.Status,
			&l.StatusReason, timeColumn{&l.StatusChangedAt}, timeColumn{&l.IssuedAt}); err != nil {
			rows.Close()
			return nil, err
		}
		ls = append(ls, &l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, l := range ls {
		if err := loadLicenseDetails(ctx, tx, l); err != nil {
			return nil, err
		}
	}
	return ls, nil
}

func loadLicenseDetails(ctx context.Context, tx *Tx, l *StoredLicense) error {
	rows, err := tx.QueryContext(ctx, `SELECT product, eccn, description, quantity, value_cents, reserved_units,
		reserved_cents, shipped_units, shipped_cents FROM license_items WHERE license_id = ? ORDER BY seq`, l.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			it tollgate.LicenseItem
			u  LicenseItemUsage
		)
		if err := rows.Scan(&it.Product, &it.ECCN, &it.Description, &it.Quantity, &it.ValueCents,
			&u.ReservedUnits, &u.ReservedCents, &u.ShippedUnits, &u.ShippedCents); err != nil {
			rows.Close()
			return err
		}
		u.Product = it.Product
		l.Items, l.Usage = append(l.Items, it), append(l.Usage, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if rows, err = tx.QueryContext(ctx, `SELECT condition_id, text, binds, lab_tolerance_bp FROM license_conditions
		WHERE license_id = ? ORDER BY seq`, l.ID); err != nil {
		return err
	}
	for rows.Next() {
		var c tollgate.Condition
		if err := rows.Scan(&c.ID, &c.Text, jsonColumn{&c.Binds}, &c.LabToleranceBP); err != nil {
			rows.Close()
			return err
		}
		l.Conditions = append(l.Conditions, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if rows, err = tx.QueryContext(ctx, `SELECT condition_id, role, party_id, signed_by, document_digest, recorded_by, at
		FROM license_acknowledgments WHERE license_id = ? ORDER BY at, condition_id, role, party_id`, l.ID); err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			cid string
			a   tollgate.Acknowledgment
		)
		if err := rows.Scan(&cid, &a.Role, &a.PartyID, &a.SignedBy, &a.DocumentDigest, &a.RecordedBy, timeColumn{&a.At}); err != nil {
			return err
		}
		for i := range l.Conditions {
			if l.Conditions[i].ID == cid {
				l.Conditions[i].Acknowledgments = append(l.Conditions[i].Acknowledgments, a)
			}
		}
	}
	return rows.Err()
}
