package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"tollgate"
	"tollgate/store"
)

// appFixture is an exporter with a draft application naming its parties.
type appFixture struct {
	exporter, agency *tollgate.Org
	purchaser, user  *tollgate.Party
}

func newAppFixture(t *testing.T, db *store.DB) *appFixture {
	f := &appFixture{exporter: mustOrg(t, db, tollgate.OrgExporter, "Applicant Inc."), agency: mustOrg(t, db, tollgate.OrgAgency, "BIS")}
	f.purchaser = mustParty(t, db, f.exporter.ID, "Purchaser Co.")
	f.user = mustParty(t, db, f.exporter.ID, "End User Co.")
	return f
}

func (f *appFixture) draft() *tollgate.Application {
	return &tollgate.Application{
		Parties:     tollgate.ApplicationParties{Applicant: f.exporter.ID, Purchaser: f.purchaser.ID, EndUsers: []string{f.user.ID}},
		Destination: "CN", ExportFrom: "US", EndUse: "research",
		Items:     []tollgate.ApplicationItem{{Model: "H200", Quantity: 10, UnitPriceCents: 100, TotalCents: 1000}},
		CreatedBy: "user-1",
	}
}

// insertApp stores a draft in its own transaction.
func insertApp(t *testing.T, db *store.DB, app *tollgate.Application) *store.StoredApplication {
	t.Helper()
	var sa *store.StoredApplication
	mustNoErr(t, db.Update(context.Background(), func(tx *store.Tx) (err error) {
		sa, err = tx.InsertApplication(context.Background(), app)
		return err
	}))
	return sa
}

func testApplications(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	f := newAppFixture(t, db)
	update := func(fn func(tx *store.Tx) error) error { return db.Update(ctx, fn) }

	t.Run("InsertAndRead", func(t *testing.T) {
		sa := insertApp(t, db, f.draft())
		if sa.Version != 1 || sa.State != tollgate.ApplicationDraft || !sa.CreatedAt.Equal(clock.stamp()) {
			t.Errorf("inserted: version %d, state %s, created %v", sa.Version, sa.State, sa.CreatedAt)
		}
		mustNoErr(t, db.View(ctx, func(tx *store.Tx) error {
			got, err := tx.Application(ctx, sa.ID)
			if err != nil {
				return err
			}
			if got.Parties.EndUsers[0] != f.user.ID || got.Items[0].Quantity != 10 {
				t.Errorf("read back %+v", got.Application)
			}
			_, err = tx.Application(ctx, "nope")
			wantCode(t, err, tollgate.ENOTFOUND)
			return nil
		}))
	})
	t.Run("ErrReferences", func(t *testing.T) {
		other := mustOrg(t, db, tollgate.OrgExporter, "Other Inc.")
		stranger := mustParty(t, db, other.ID, "Stranger Co.")
		tests := []struct {
			name, field string
			edit        func(a *tollgate.Application)
		}{
			{"ErrApplicantNotExporter", "parties.applicant", func(a *tollgate.Application) { a.Parties.Applicant = f.agency.ID }},
			{"ErrApplicantUnknown", "parties.applicant", func(a *tollgate.Application) { a.Parties.Applicant = "01900000-0000-7000-8000-0000000000aa" }},
			{"ErrPartyOfOtherExporter", "parties.end_user", func(a *tollgate.Application) { a.Parties.EndUsers = []string{stranger.ID} }},
			{"ErrPartyUnknown", "parties.purchaser", func(a *tollgate.Application) { a.Parties.Purchaser = "missing" }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				app := f.draft()
				tt.edit(app)
				wantField(t, update(func(tx *store.Tx) error { _, err := tx.InsertApplication(ctx, app); return err }), tt.field)
			})
		}
	})
	t.Run("OptimisticLocking", func(t *testing.T) {
		sa := insertApp(t, db, f.draft())
		stale := *sa
		mustNoErr(t, update(func(tx *store.Tx) error { sa.EndUse = "inference"; return tx.UpdateApplication(ctx, sa) }))
		if sa.Version != 2 {
			t.Errorf("version after update: got %d, want 2", sa.Version)
		}
		err := update(func(tx *store.Tx) error { stale.EndUse = "other"; return tx.UpdateApplication(ctx, &stale) })
		wantCode(t, err, tollgate.ECONFLICT)
	})
	t.Run("ControlNumberUnique", func(t *testing.T) {
		a, b := insertApp(t, db, f.draft()), insertApp(t, db, f.draft())
		for _, sa := range []*store.StoredApplication{a, b} {
			sa.State, sa.ControlNumber, sa.SubmittedAt = tollgate.ApplicationSubmitted, "Z123456", clock.stamp()
		}
		mustNoErr(t, update(func(tx *store.Tx) error { return tx.UpdateApplication(ctx, a) }))
		wantCode(t, update(func(tx *store.Tx) error { return tx.UpdateApplication(ctx, b) }), tollgate.ECONFLICT)
		mustNoErr(t, db.View(ctx, func(tx *store.Tx) error {
			got, err := tx.ApplicationByControlNumber(ctx, "Z123456")
			if err != nil {
				return err
			}
			if got.ID != a.ID {
				t.Errorf("by control number: got %s, want %s", got.ID, a.ID)
			}
			_, err = tx.ApplicationByControlNumber(ctx, "Z654321")
			wantCode(t, err, tollgate.ENOTFOUND)
			return nil
		}))
	})
	t.Run("ScopeAndStates", func(t *testing.T) {
		assigned := insertApp(t, db, f.draft())
		mustNoErr(t, update(func(tx *store.Tx) error {
			if err := tx.AssignApplication(ctx, assigned.ID, f.agency.ID, "submitted"); err != nil {
				return err
			}
			return tx.AssignApplication(ctx, assigned.ID, f.agency.ID, "again") // kept once
		}))
		mustNoErr(t, db.View(ctx, func(tx *store.Tx) error {
			got, _, err := tx.FindApplications(ctx, store.ApplicationFilter{AssignedOrgID: f.agency.ID})
			if err != nil {
				return err
			}
			if len(got) != 1 || got[0].ID != assigned.ID || len(got[0].AssignedOrgIDs) != 1 {
				t.Errorf("assigned to the agency: got %d applications", len(got))
			}
			all, _, err := tx.FindApplications(ctx, store.ApplicationFilter{OrgID: f.exporter.ID, States: []tollgate.ApplicationState{tollgate.ApplicationDraft}})
			if err != nil {
				return err
			}
			page1, next, err := tx.FindApplications(ctx, store.ApplicationFilter{OrgID: f.exporter.ID, Limit: 2})
			if err != nil {
				return err
			}
			page2, _, err := tx.FindApplications(ctx, store.ApplicationFilter{OrgID: f.exporter.ID, Limit: 1000, Cursor: next})
			if err != nil {
				return err
			}
			if len(page1) != 2 || len(page1)+len(page2) < len(all) || len(all) < 3 {
				t.Errorf("paging: %d + %d of %d drafts", len(page1), len(page2), len(all))
			}
			_, _, err = tx.FindApplications(ctx, store.ApplicationFilter{States: []tollgate.ApplicationState{"pending"}})
			wantField(t, err, "states[0]")
			none, _, err := tx.FindApplications(ctx, store.ApplicationFilter{OrgID: "not-an-id"})
			if len(none) != 0 {
				t.Errorf("a bad org id matched %d applications", len(none))
			}
			return err
		}))
	})
	t.Run("Documents", func(t *testing.T) {
		sa := insertApp(t, db, f.draft())
		content := []byte("%PDF-1.4 test %%EOF")
		sum := sha256.Sum256(content)
		d := tollgate.SupportingDocument{Name: "a.pdf", Digest: hex.EncodeToString(sum[:]), Size: int64(len(content)), ContentType: "application/pdf"}
		put := func(tx *store.Tx) error { return tx.PutApplicationDocument(ctx, sa.ID, d, content, "user-1") }
		mustNoErr(t, update(put))
		wantCode(t, update(put), tollgate.ECONFLICT)
		mustNoErr(t, db.View(ctx, func(tx *store.Tx) error {
			got, b, err := tx.ApplicationDocument(ctx, sa.ID, d.Digest)
			if err != nil {
				return err
			}
			if got != d || !bytes.Equal(b, content) {
				t.Errorf("document read back: %+v, %q", got, b)
			}
			_, _, err = tx.ApplicationDocument(ctx, sa.ID, "00")
			wantCode(t, err, tollgate.ENOTFOUND)
			return nil
		}))
	})
	t.Run("Sequences", func(t *testing.T) {
		for want := uint64(1); want <= 3; want++ {
			mustNoErr(t, update(func(tx *store.Tx) error {
				got, err := tx.NextSequence(ctx, store.SeqControlNumber)
				if err == nil && got != want {
					t.Errorf("NextSequence: got %d, want %d", got, want)
				}
				return err
			}))
		}
		_ = update(func(tx *store.Tx) error {
			_, err := tx.NextSequence(ctx, store.SeqControlNumber)
			mustNoErr(t, err)
			return tollgate.Errorf(tollgate.ECONFLICT, "roll back")
		})
		mustNoErr(t, update(func(tx *store.Tx) error {
			got, err := tx.NextSequence(ctx, store.SeqControlNumber)
			if err == nil && got != 4 {
				t.Errorf("after a rollback: got %d, want 4 (no gap)", got)
			}
			return err
		}))
	})
	t.Run("Agencies", func(t *testing.T) {
		dod := mustOrg(t, db, tollgate.OrgAgency, "DOD")
		mustNoErr(t, update(func(tx *store.Tx) error { _, err := tx.SetAgencyOrg(ctx, "BIS", f.agency.ID); return err }))
		wantCode(t, update(func(tx *store.Tx) error { _, err := tx.SetAgencyOrg(ctx, "DOD", f.agency.ID); return err }), tollgate.ECONFLICT)
		wantField(t, update(func(tx *store.Tx) error { _, err := tx.SetAgencyOrg(ctx, "NSA", dod.ID); return err }), "code")
		wantField(t, update(func(tx *store.Tx) error { _, err := tx.SetAgencyOrg(ctx, "DOD", f.exporter.ID); return err }), "org_id")
		mustNoErr(t, update(func(tx *store.Tx) error {
			before, err := tx.SetAgencyOrg(ctx, "BIS", dod.ID)
			if err == nil && before != f.agency.ID {
				t.Errorf("SetAgencyOrg: previous org %q, want %q", before, f.agency.ID)
			}
			return err
		}))
	})
}
