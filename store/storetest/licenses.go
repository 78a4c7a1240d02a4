package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// mustLicense stores a license of 10 H200 worth 1,000 cents on a new
// application of f, to destination CN, with condition C1 binding the end
// user.
func mustLicense(t *testing.T, db *store.DB, f *appFixture, number string) *tollgate.License {
	t.Helper()
	sa := insertApp(t, db, f.draft())
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	lic := &tollgate.License{Number: number, HolderOrgID: f.exporter.ID, ApplicationID: sa.ID, ControlNumber: "Z000001",
		Parties: sa.Parties, Destination: "CN", ValidFrom: day, ValidTo: day.AddDate(4, 0, -1),
		Items:      []tollgate.LicenseItem{{Product: "H200", ECCN: "3A090.a", Quantity: 10, ValueCents: 1000}},
		Conditions: []tollgate.Condition{{ID: "C1", Text: "No remote access.", Binds: []tollgate.PartyRole{tollgate.RoleEndUser}}},
		Status:     tollgate.LicenseActive, IssuedAt: day}
	mustNoErr(t, db.Update(context.Background(), func(tx *store.Tx) error { return tx.InsertLicense(context.Background(), lic, f.agency.ID) }))
	return lic
}

func testLicenses(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	f := newAppFixture(t, db)
	update := func(fn func(tx *store.Tx) error) error { return db.Update(ctx, fn) }
	lic := mustLicense(t, db, f, "D000001")

	t.Run("Read", func(t *testing.T) {
		mustNoErr(t, db.View(ctx, func(tx *store.Tx) error {
			byID, err := tx.License(ctx, lic.ID)
			if err != nil {
				return err
			}
			byNumber, err := tx.LicenseByNumber(ctx, "D000001")
			if err != nil {
				return err
			}
			if byID.ID != byNumber.ID || byID.IssuingOrgID != f.agency.ID || len(byID.Usage) != 1 ||
				byID.Items[0].Quantity != 10 || byID.Conditions[0].Binds[0] != tollgate.RoleEndUser ||
				!byID.ValidTo.Equal(lic.ValidTo) || byID.Parties.EndUsers[0] != f.user.ID {
				t.Errorf("read back %+v", byID)
			}
			_, err = tx.LicenseByNumber(ctx, "D999999")
			wantCode(t, err, tollgate.ENOTFOUND)
			return nil
		}))
	})
	t.Run("ErrNumberTaken", func(t *testing.T) {
		sa := insertApp(t, db, f.draft())
		dup := *lic
		dup.ApplicationID = sa.ID
		wantCode(t, update(func(tx *store.Tx) error { return tx.InsertLicense(ctx, &dup, f.agency.ID) }), tollgate.ECONFLICT)
	})
	t.Run("Usage", func(t *testing.T) {
		change := func(ch store.UsageChange) (store.LicenseItemUsage, error) {
			var u store.LicenseItemUsage
			err := update(func(tx *store.Tx) (err error) { u, err = tx.ChangeLicenseUsage(ctx, lic.ID, ch); return err })
			return u, err
		}
		u, err := change(store.UsageChange{Product: "h200", ReservedUnits: 4, ReservedCents: 400})
		mustNoErr(t, err)
		if u.ReservedUnits != 4 {
			t.Errorf("after reserving 4: %+v", u)
		}
		u, err = change(store.UsageChange{Product: "H200", ReservedUnits: -4, ReservedCents: -400, ShippedUnits: 4, ShippedCents: 400})
		mustNoErr(t, err)
		if u.ReservedUnits != 0 || u.ShippedUnits != 4 {
			t.Errorf("after shipping 4: %+v", u)
		}
		_, err = change(store.UsageChange{Product: "H200", ReservedUnits: 7, ReservedCents: 100})
		wantCode(t, err, tollgate.ELIMIT)
		_, err = change(store.UsageChange{Product: "H200", ReservedUnits: 1, ReservedCents: 700})
		wantCode(t, err, tollgate.ELIMIT)
		_, err = change(store.UsageChange{Product: "H200", ReservedUnits: -1})
		wantField(t, err, "usage")
		_, err = change(store.UsageChange{Product: "B200", ReservedUnits: 1})
		wantField(t, err, "product")
		mustNoErr(t, db.View(ctx, func(tx *store.Tx) error {
			reserved, shipped, err := tx.LicensedUsage(ctx, f.exporter.ID, "H200", []string{"CN", "MO"})
			if err == nil && (reserved != 0 || shipped != 4) {
				t.Errorf("LicensedUsage: reserved %d, shipped %d; want 0, 4", reserved, shipped)
			}
			return err
		}))
	})
	t.Run("Acknowledgments", func(t *testing.T) {
		ack := tollgate.Acknowledgment{Role: tollgate.RoleEndUser, PartyID: f.user.ID, SignedBy: "CEO", RecordedBy: "user-1", At: clock.stamp()}
		add := func(cond string) error {
			return update(func(tx *store.Tx) error { return tx.AddAcknowledgment(ctx, lic.ID, cond, ack) })
		}
		mustNoErr(t, add("C1"))
		wantCode(t, add("C1"), tollgate.ECONFLICT)
		wantCode(t, add("C9"), tollgate.ENOTFOUND)
		mustNoErr(t, db.View(ctx, func(tx *store.Tx) error {
			got, err := tx.License(ctx, lic.ID)
			if err == nil && (len(got.Conditions[0].Acknowledgments) != 1 || !got.Conditions[0].Acknowledged(tollgate.RoleEndUser, f.user.ID)) {
				t.Errorf("acknowledgments read back: %+v", got.Conditions)
			}
			return err
		}))
	})
	t.Run("StatusAndScope", func(t *testing.T) {
		mustNoErr(t, update(func(tx *store.Tx) error {
			return tx.SetLicenseStatus(ctx, lic.ID, tollgate.LicenseSuspended, "inquiry")
		}))
		wantField(t, update(func(tx *store.Tx) error { return tx.SetLicenseStatus(ctx, lic.ID, tollgate.LicenseExpired, "") }), "status")
		mustNoErr(t, db.View(ctx, func(tx *store.Tx) error {
			held, _, err := tx.FindLicenses(ctx, store.LicenseFilter{HolderOrgID: f.exporter.ID})
			if err != nil {
				return err
			}
			if len(held) != 1 || held[0].Status != tollgate.LicenseSuspended || held[0].StatusReason != "inquiry" {
				t.Errorf("held licenses: %+v", held)
			}
			issued, _, err := tx.FindLicenses(ctx, store.LicenseFilter{IssuingOrgID: f.exporter.ID})
			if len(issued) != 0 {
				t.Errorf("the exporter issued %d licenses", len(issued))
			}
			return err
		}))
	})
}

// testLicenseUsageSerializes reserves from one license on two handles at
// once: the reservations that fit all succeed and the rest are refused,
// so the license is never overdrawn.
func testLicenseUsageSerializes(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	clock := NewClock()
	dbs := []*store.DB{MustOpen(t, dsn, clock.Now), MustOpen(t, dsn, clock.Now)}
	f := newAppFixture(t, dbs[0])
	lic := mustLicense(t, dbs[0], f, "D000002")
	const n = 8 // 8 x 2 units against 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = dbs[i%2].Update(ctx, func(tx *store.Tx) error {
				if _, err := tx.LicenseForUpdate(ctx, lic.ID); err != nil {
					return err
				}
				_, err := tx.ChangeLicenseUsage(ctx, lic.ID, store.UsageChange{Product: "H200", ReservedUnits: 2, ReservedCents: 10})
				return err
			})
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch tollgate.ErrorCode(err) {
		case "":
			ok++
		case tollgate.ELIMIT:
		default:
			t.Errorf("reservation %d: %v", i, err)
		}
	}
	if ok != 5 {
		t.Errorf("%d reservations of 2 units succeeded against 10 units, want 5", ok)
	}
	mustNoErr(t, dbs[0].View(ctx, func(tx *store.Tx) error {
		l, err := tx.License(ctx, lic.ID)
		if err == nil && l.Usage[0].ReservedUnits != 10 {
			t.Errorf("reserved units: got %d, want 10", l.Usage[0].ReservedUnits)
		}
		return err
	}))
}
