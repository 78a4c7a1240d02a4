package shipping

import (
	"context"
	"time"

	"tollgate"
	"tollgate/store"
)

// RecordImport records e, one line of a US customs entry filed by the
// caller (a broker for the exporter), with the Section 232 line Assess
// computes from the product's specification, and returns it as stored.
// The entry number may be written with or without hyphens; the dates are
// taken as UTC dates. Serials the exporter already imported as the
// product, or an entry line already recorded, are ECONFLICT. Its importer
// and exporter are derived from the caller as ResolveImport says, and
// checked in the transaction: a broker no engagement in force on the entry
// date reaches is ENOTFOUND, worded as a missing exporter.
func (s *Service) RecordImport(ctx context.Context, e tollgate.ImportEntry) (*tollgate.ImportEntry, error) {
	if err := s.identify(&e.Product); err != nil {
		return nil, wrap("RecordImport", err)
	}
	e.EntryDate = civilDate(e.EntryDate)
	if n, err := tollgate.NormalizeEntryNumber(e.EntryNumber); err == nil {
		e.EntryNumber = n
	}
	e.RecordedBy = actor(ctx)
	e, err := deriveImport(ctx, e)
	if err != nil {
		return nil, wrap("RecordImport", err)
	}
	chip, err := s.spec(e.Product)
	if err != nil {
		return nil, wrap("RecordImport", err)
	}
	assessed, err := Assess(s.rules, e, chip)
	if err != nil {
		return nil, wrap("RecordImport", err)
	}
	err = s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		if assessed.EntryDate.After(civilDate(tx.Now())) {
			return tollgate.FieldErrorf("entry_date", "%s is in the future", assessed.EntryDate.Format(time.DateOnly))
		}
		if err := checkImportEngaged(ctx, tx, assessed); err != nil {
			return err
		}
		if err := tx.InsertImport(ctx, &assessed); err != nil {
			return err
		}
		return tx.AuditDetails(ctx, "import.record", "import_entry", assessed.ID, nil, assessed, map[string]any{
			"entry_number": assessed.EntryNumber, "line": assessed.Line, "heading": assessed.Heading, "duty_cents": assessed.DutyCents})
	})
	if err != nil {
		return nil, wrap("RecordImport", err)
	}
	return &assessed, nil
}

// PayDuty records the payment of the duty owed on import entry id: the
// payment's reference and date (a UTC date, not in the future). An entry
// with no duty owed, or already paid, is ECONFLICT. Only the entry's
// exporter, or the broker that filed it while an engagement for its units
// is in force on paidOn, pays it; anyone else gets ENOTFOUND, worded as a
// missing entry.
func (s *Service) PayDuty(ctx context.Context, id, reference string, paidOn time.Time) (*tollgate.ImportEntry, error) {
	var paid tollgate.ImportEntry
	err := s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		e, err := tx.FindImport(ctx, id, true)
		if err != nil {
			return err
		}
		day := civilDate(paidOn)
		if err := checkEntryWriter(ctx, tx, e, day); err != nil {
			return err
		}
		if day.After(civilDate(tx.Now())) {
			return tollgate.FieldErrorf("paid_on", "%s is in the future", day.Format(time.DateOnly))
		}
		if paid, err = PayDuty(*e, reference, day); err != nil {
			return err
		}
		if err := tx.UpdateImportDuty(ctx, &paid); err != nil {
			return err
		}
		return tx.AuditDetails(ctx, "import.pay_duty", "import_entry", paid.ID, e, paid, map[string]any{
			"payment_reference": reference, "duty_cents": paid.DutyCents})
	})
	if err != nil {
		return nil, wrap("PayDuty", err)
	}
	return &paid, nil
}
