// Package storetest is the conformance suite every store backend runs: one
// set of tests, written against the domain's service contracts, that SQLite
// and PostgreSQL must both pass. A backend's test calls Run with a function
// that makes a fresh, empty database and returns its DSN.
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// NewDSN makes a fresh, empty database for one test and returns the DSN
// store.Open takes; it registers its own cleanup with t. Opening the DSN
// twice must reach the same database.
type NewDSN func(t testing.TB) string

// Run runs the whole conformance suite.
func Run(t *testing.T, newDSN NewDSN) {
	t.Run("Migrations", func(t *testing.T) { testMigrations(t, newDSN) })
	t.Run("Tx", func(t *testing.T) { testTx(t, newDSN) })
	t.Run("Orgs", func(t *testing.T) { testOrgs(t, newDSN) })
	t.Run("Parties", func(t *testing.T) { testParties(t, newDSN) })
	t.Run("Users", func(t *testing.T) { testUsers(t, newDSN) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, newDSN) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, newDSN) })
	t.Run("Denials", func(t *testing.T) { testDenials(t, newDSN) })
	t.Run("Bootstrap", func(t *testing.T) { testBootstrap(t, newDSN) })
	t.Run("Lists", func(t *testing.T) { testLists(t, newDSN) })
	t.Run("ListsMoveForward", func(t *testing.T) { testListsMoveForward(t, newDSN) })
	t.Run("Screenings", func(t *testing.T) { testScreenings(t, newDSN) })
	t.Run("Applications", func(t *testing.T) { testApplications(t, newDSN) })
	t.Run("Licenses", func(t *testing.T) { testLicenses(t, newDSN) })
	t.Run("LicenseUsageSerializes", func(t *testing.T) { testLicenseUsageSerializes(t, newDSN) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, newDSN) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, newDSN) })
	t.Run("Shipping", func(t *testing.T) { testShipping(t, newDSN) })
	t.Run("Engagements", func(t *testing.T) { testEngagements(t, newDSN) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, newDSN) })
	t.Run("Reconcile", func(t *testing.T) { testReconcile(t, newDSN) })
}

// Clock is a settable clock safe for concurrent use. Its times are in a
// non-UTC zone and carry nanoseconds, so the suite checks that the store
// stores UTC at its microsecond precision.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at a fixed instant in January 2026.
func NewClock() *Clock {
	return &Clock{t: time.Date(2026, 1, 15, 18, 30, 0, 123456789, time.FixedZone("CST", 8*3600))}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stamp is what the store records for the clock's current time.
func (c *Clock) stamp() time.Time { return c.Now().UTC().Truncate(time.Microsecond) }

// MustOpen opens dsn with clock and closes it when t ends.
func MustOpen(t testing.TB, dsn string, clock func() time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, clock)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// open makes a fresh database with its own clock.
func open(t *testing.T, newDSN NewDSN) (*store.DB, *Clock) {
	t.Helper()
	clock := NewClock()
	return MustOpen(t, newDSN(t), clock.Now), clock
}

// wantCode fails t unless err carries the tollgate error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := tollgate.ErrorCode(err); got != want {
		t.Fatalf("error code: got %q (%v), want %q", got, err, want)
	}
}

// wantField fails t unless err is EINVALID naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, tollgate.EINVALID)
	var te *tollgate.Error
	if errors.As(err, &te) && te.Field != field {
		t.Fatalf("error field: got %q (%v), want %q", te.Field, err, field)
	}
}

func mustNoErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mustOrg creates an organization of kind.
func mustOrg(t testing.TB, db *store.DB, kind tollgate.OrgKind, name string) *tollgate.Org {
	t.Helper()
	org := &tollgate.Org{Kind: kind, Name: name, Country: "US"}
	mustNoErr(t, db.CreateOrg(context.Background(), org))
	return org
}

// mustParty creates a purchaser party of org.
func mustParty(t testing.TB, db *store.DB, orgID, name string) *tollgate.Party {
	t.Helper()
	p := &tollgate.Party{OrgID: orgID, Role: tollgate.RolePurchaser, Type: tollgate.EntityOrganization, LegalName: name, Country: "CN"}
	mustNoErr(t, db.CreateParty(context.Background(), p))
	return p
}

func testTx(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	t.Run("NowIsUTCMicroseconds", func(t *testing.T) {
		err := db.View(ctx, func(tx *store.Tx) error {
			if got, want := tx.Now(), clock.stamp(); !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("tx.Now: got %v, want %v in UTC", got, want)
			}
			return nil
		})
		mustNoErr(t, err)
	})
	t.Run("RollbackOnError", func(t *testing.T) {
		errBoom := tollgate.Errorf(tollgate.ECONFLICT, "boom")
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, kind, name, country, created_at, updated_at)
				VALUES (?, 'lab', 'Ghost Lab', 'US', ?, ?)`, "01900000-0000-7000-8000-000000000001", tx.Time(tx.Now()), tx.Time(tx.Now()))
			mustNoErr(t, err)
			return errBoom
		})
		if err != errBoom {
			t.Fatalf("Update: got %v, want %v", err, errBoom)
		}
		_, err = db.FindOrgByID(ctx, "01900000-0000-7000-8000-000000000001")
		wantCode(t, err, tollgate.ENOTFOUND)
	})
	t.Run("ForeignKeysEnforced", func(t *testing.T) {
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO screenings (id, party_id, screened_at, threshold) VALUES (?, ?, ?, 0.9)`,
				"01900000-0000-7000-8000-000000000002", "01900000-0000-7000-8000-000000000003", tx.Time(tx.Now()))
			return err
		})
		if err == nil {
			t.Error("a screening of a party that does not exist was stored")
		}
	})
	t.Run("Ping", func(t *testing.T) { mustNoErr(t, db.Ping(ctx)) })
}
