package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"tollgate"
)

// Shipping use cases (package shipping's Service) run in one transaction
// each and compose the (*Tx) methods of the store/shipping*.go files. Those
// that change a limited quantity — a reservation, a shipment, a void, an
// expiry, a US shipment — take row locks in one order, so that concurrent
// use cases on the same license or product queue instead of deadlocking:
//
//  1. the license row (LicenseForUpdate in store/license.go, or LockLicense),
//  2. the exporter's product row in cap_locks (LockCap),
//  3. the order row (LockOrderUnits, or LockOrders for a set of them),
//  4. the export row (LockExportState, or LockExportStates),
//
// and only then read the counters the limits are checked against. A group
// transaction runs many use cases, so it holds the locks of all of them
// until it commits; package shipping's sets take each kind of lock for
// the whole set in this order. (Every audited transaction first takes the
// audit log's lock on PostgreSQL, or the one writer on SQLite, so audited
// transactions do not wait on each other's row locks at all; the order is
// what would keep them from deadlocking if they did.) On
// PostgreSQL these transactions run at READ COMMITTED (UpdateLocked), where
// a statement that follows a lock sees every change committed before the
// lock was granted; at SERIALIZABLE the same locks would make every
// concurrent transaction on a hot license fail and retry. SQLite runs one
// writer at a time, so the locks are no-ops there.

// UpdateLocked is Update for use cases that serialise themselves with the
// row locks above: on PostgreSQL the transaction runs at READ COMMITTED, so
// that the counters read after a lock are the latest committed ones. fn
// must take every lock the invariants it checks depend on before reading
// them; the other rules of Update apply (fn may run more than once, and
// must have no effect outside tx but filling in its result).
//
// fn runs in a group's transaction (store/group.go): concurrent callers'
// functions share transactions, one after the other, and commit together;
// a function that fails leaves nothing behind and the others commit. fn
// must therefore not keep tx, and a lock it takes is held until the whole
// group commits.
//
// In a request's transaction (RunIdempotent), which is itself a group's,
// fn runs in it, under a savepoint.
func (db *DB) UpdateLocked(ctx context.Context, fn func(tx *Tx) error) error {
	if db.ambient(ctx) != nil {
		return db.Update(ctx, fn)
	}
	return db.updateGrouped(ctx, fn)
}

// LockLicense locks license id, as LicenseForUpdate does, without reading
// it: for use cases that change a license's usage but need none of its
// terms (shipping, voiding or expiring a reservation). ENOTFOUND when there
// is no such license.
func (tx *Tx) LockLicense(ctx context.Context, id string) error {
	_, _, err := tx.LockLicenseStatus(ctx, id)
	return err
}

// licenseLock is what LockLicenseStatus reads under the license's lock.
type licenseLock struct {
	status  tollgate.LicenseStatus
	changed time.Time
}

// LockLicenseStatus locks license id, as LicenseForUpdate does, and returns
// its stored status and when it last changed, so that a use case that read
// the license before locking it can tell whether it changed since. In a
// group's transaction the license is locked and read once.
func (tx *Tx) LockLicenseStatus(ctx context.Context, id string) (tollgate.LicenseStatus, time.Time, error) {
	if !validID(id) {
		return "", time.Time{}, tollgate.Errorf(tollgate.ENOTFOUND, "license %q not found", id)
	}
	l, err := remember(tx, licenseLockKey(id), func() (licenseLock, error) {
		l, err := scanLicenseLock(tx.QueryRowContext(ctx, licenseLockQuery+tx.d.forUpdate, id))
		if errors.Is(err, sql.ErrNoRows) {
			err = tollgate.Errorf(tollgate.ENOTFOUND, "license %q not found", id)
		}
		return l, err
	})
	return l.status, l.changed, err
}

func licenseLockKey(id string) string { return "license " + id }

const licenseLockQuery = `SELECT status, status_changed_at FROM licenses WHERE id = ?`

func scanLicenseLock(s scanner) (licenseLock, error) {
	var l licenseLock
	err := s.Scan(&l.status, timeColumn{&l.changed})
	return l, err
}

// LicenseItem returns the item of license licenseID for product, with its
// usage: read after the license's lock, the figures a reservation is
// checked against (with the changes pending in a group's transaction). A
// product the license does not cover is ENOTFOUND.
func (tx *Tx) LicenseItem(ctx context.Context, licenseID, product string) (tollgate.LicenseItem, LicenseItemUsage, error) {
	got, err := remember(tx, licenseItemKey(licenseID, product), func() (licenseItemRead, error) {
		got, err := scanLicenseItem(tx.queryRowCounting(ctx, licenseItemQuery, licenseID, product), product)
		if errors.Is(err, sql.ErrNoRows) {
			err = tollgate.Errorf(tollgate.ENOTFOUND, "license %s does not cover %s", licenseID, product)
		}
		return got, err
	})
	ch := tx.counters.get(licenseItemRow(licenseID, product))
	got.u.ReservedUnits += ch.reservedUnits
	got.u.ReservedCents += ch.reservedCents
	got.u.ShippedUnits += ch.shippedUnits
	got.u.ShippedCents += ch.shippedCents
	return got.it, got.u, err
}

// licenseItemRead is what LicenseItem reads of a license item, as stored.
type licenseItemRead struct {
	it tollgate.LicenseItem
	u  LicenseItemUsage
}

func licenseItemKey(licenseID, product string) string {
	return counterMemo + "item " + licenseID + "\x00" + product
}

const licenseItemQuery = `SELECT eccn, description, quantity, value_cents, reserved_units, reserved_cents,
	shipped_units, shipped_cents FROM license_items WHERE license_id = ? AND product = ?`

func scanLicenseItem(s scanner, product string) (licenseItemRead, error) {
	it := tollgate.LicenseItem{Product: product}
	u := LicenseItemUsage{Product: product}
	err := s.Scan(&it.ECCN, &it.Description, &it.Quantity, &it.ValueCents, &u.ReservedUnits, &u.ReservedCents, &u.ShippedUnits, &u.ShippedCents)
	return licenseItemRead{it, u}, err
}

// LicenseParties returns the parties and the application of license id,
// without locking it. ENOTFOUND when there is no such license.
func (tx *Tx) LicenseParties(ctx context.Context, id string) (parties tollgate.ApplicationParties, applicationID string, err error) {
	if !validID(id) {
		return parties, "", tollgate.Errorf(tollgate.ENOTFOUND, "license %q not found", id)
	}
	err = tx.QueryRowContext(ctx, `SELECT parties, application_id FROM licenses WHERE id = ?`, id).Scan(jsonColumn{&parties}, &applicationID)
	if errors.Is(err, sql.ErrNoRows) {
		err = tollgate.Errorf(tollgate.ENOTFOUND, "license %q not found", id)
	}
	return parties, applicationID, err
}

// LockCap locks the cap row of exporter's product, creating it when the
// product has no US shipment or export yet, and returns the exporter's US
// units of the product (the plain sum of its US shipments and reversals).
// In a group's transaction the row is locked and read once.
func (tx *Tx) LockCap(ctx context.Context, exporterOrgID, product string) (usUnits int64, err error) {
	return remember(tx, capLockKey(exporterOrgID, product), func() (int64, error) {
		return tx.lockCap(ctx, exporterOrgID, product)
	})
}

func capLockKey(exporterOrgID, product string) string {
	return "cap " + exporterOrgID + "\x00" + product
}

const capLockQuery = `SELECT us_units FROM cap_locks WHERE exporter_org_id = ? AND product = ?`

func scanCapLock(s scanner) (usUnits int64, err error) {
	err = s.Scan(&usUnits)
	return usUnits, err
}

func (tx *Tx) lockCap(ctx context.Context, exporterOrgID, product string) (usUnits int64, err error) {
	q := capLockQuery + tx.d.forUpdate
	usUnits, err = scanCapLock(tx.QueryRowContext(ctx, q, exporterOrgID, product))
	if !errors.Is(err, sql.ErrNoRows) {
		return usUnits, err
	}
	if !validID(exporterOrgID) {
		return 0, tollgate.Errorf(tollgate.ENOTFOUND, "organization %q not found", exporterOrgID)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO cap_locks (exporter_org_id, product, us_units) VALUES (?, ?, 0)
		ON CONFLICT (exporter_org_id, product) DO NOTHING`, exporterOrgID, product); err != nil {
		if isForeignKeyViolation(err) {
			return 0, tollgate.Errorf(tollgate.ENOTFOUND, "organization %q not found", exporterOrgID)
		}
		return 0, err
	}
	usUnits, err = scanCapLock(tx.QueryRowContext(ctx, q, exporterOrgID, product))
	return usUnits, err
}

// isForeignKeyViolation reports whether err is a foreign-key violation: a
// row naming an organization, party, license or record that does not exist.
func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// isCheckViolation reports whether err is a CHECK constraint violation: on
// the shipping counters, an attempt to over-allocate that the checks before
// it should have refused.
func isCheckViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23514"
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_CHECK
}

// maxInArgs bounds the values of one IN (…) list, well under both
// databases' limits on a statement's parameters.
const maxInArgs = 512

// inBatches calls fn with successive batches of at most maxInArgs values,
// as arguments and the matching "?, ?, …" text. A batch is padded to a
// power of two by repeating its last value (which changes nothing in an
// IN list), so that the statements built from it come in a few lengths
// that stay prepared, rather than one per length.
func inBatches(values []string, fn func(marks string, args []any) error) error {
	for start := 0; start < len(values); start += maxInArgs {
		batch := values[start:min(len(values), start+maxInArgs)]
		n := 1
		for n < len(batch) {
			n *= 2
		}
		args := make([]any, n)
		for i := range args {
			args[i] = batch[min(i, len(batch)-1)]
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
		if err := fn(marks, args); err != nil {
			return err
		}
	}
	return nil
}

// serialsIn calls fn with a condition that column (of serial numbers) is
// one of serials, and the condition's arguments: on PostgreSQL once, with
// the serials as one array (a short statement, which the lookups planned
// for their arguments each time plan faster than a list of parameters),
// on SQLite per maxInArgs serials, as an IN list.
func (tx *Tx) serialsIn(column string, serials []string, fn func(cond string, args []any) error) error {
	if tx.d == postgresDialect {
		return fn(column+" = ANY(CAST(? AS TEXT[]))", []any{serials})
	}
	return inBatches(serials, func(marks string, args []any) error { return fn(column+" IN ("+marks+")", args) })
}

// insertRows inserts rows of cols values each into the table named by
// head ("INSERT INTO t (a, b) VALUES "), many rows per statement.
func insertRows(ctx context.Context, tx *Tx, head string, cols int, rows [][]any) error {
	ctx, err := tx.statement(ctx, head, true)
	if err != nil {
		return err
	}
	return tx.pipeline(ctx, insertStmts(head, cols, rows, nil))
}

// insertStmts returns the statements of insertRows, each checked by check.
func insertStmts(head string, cols int, rows [][]any, check func(rows int64, err error) error) []pipeStmt {
	var out []pipeStmt
	per := max(1, maxInArgs/cols)
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(len(rows), start+per)]
		args := make([]any, 0, len(batch)*cols)
		for _, r := range batch {
			args = append(args, r...)
		}
		out = append(out, pipeStmt{query: head + placeholders(len(batch), cols), args: args, check: check})
	}
	return out
}
