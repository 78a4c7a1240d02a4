package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/store"
)

// mustSessionSecret starts and stores a session for u and returns its
// cookie's secret.
func mustSessionSecret(t testing.TB, db *store.DB, clock *Clock, u *tollgate.User) auth.Secret {
	t.Helper()
	secret, s, err := auth.NewSession(auth.DefaultSessionConfig(), nil, u, clock.Now())
	mustNoErr(t, err)
	mustNoErr(t, db.CreateSession(context.Background(), s))
	return secret
}

// mustSession starts and stores a session for u.
func mustSession(t testing.TB, db *store.DB, clock *Clock, u *tollgate.User) *tollgate.Session {
	t.Helper()
	_, s, err := auth.NewSession(auth.DefaultSessionConfig(), nil, u, clock.Now())
	mustNoErr(t, err)
	mustNoErr(t, db.CreateSession(context.Background(), s))
	return s
}

// findSession reads s back by its hash.
func findSession(t testing.TB, db *store.DB, s *tollgate.Session) *tollgate.Session {
	t.Helper()
	got, err := db.FindSessionByHash(context.Background(), s.Hash)
	mustNoErr(t, err)
	return got
}

func testSessions(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	org := mustOrg(t, db, tollgate.OrgAgency, "Bureau of Industry and Security")
	u := mustUser(t, db, org.ID, "officer@bis.example", tollgate.RoleLicensingOfficer)
	cfg := auth.DefaultSessionConfig()

	t.Run("CreateAndFind", func(t *testing.T) {
		secret, s, err := auth.NewSession(cfg, nil, u, clock.Now())
		mustNoErr(t, err)
		mustNoErr(t, db.CreateSession(ctx, s))
		if s.ID == "" || s.OrgID != org.ID {
			t.Fatalf("CreateSession: got %+v", s)
		}
		got, err := db.FindSessionByHash(ctx, auth.HashSecret(secret))
		mustNoErr(t, err)
		want := *s
		for _, tm := range []*time.Time{&want.CreatedAt, &want.LastSeenAt, &want.IdleExpiresAt, &want.ExpiresAt} {
			*tm = tm.Truncate(time.Microsecond)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("FindSessionByHash: got %+v, want %+v", *got, want)
		}
		if _, _, err := auth.AuthenticateSession(cfg, secret, got, u, org, clock.Now()); err != nil {
			t.Errorf("AuthenticateSession of the stored session: %v", err)
		}
	})
	t.Run("IdleExpiryAndTouch", func(t *testing.T) {
		s := mustSession(t, db, clock, u)
		at := clock.Now().Add(cfg.IdleTimeout - time.Minute)
		stored := findSession(t, db, s)
		if !auth.TouchSession(cfg, stored, at) {
			t.Fatal("TouchSession: nothing to store")
		}
		mustNoErr(t, db.TouchSession(ctx, s.ID, stored.LastSeenAt, stored.IdleExpiresAt))
		after := findSession(t, db, s)
		if err := after.Valid(clock.Now().Add(cfg.IdleTimeout + time.Minute)); err != nil {
			t.Errorf("a touched session expired at the old idle deadline: %v", err)
		}
		if err := after.Valid(at.Add(cfg.IdleTimeout)); err == nil {
			t.Error("a session idle for the whole timeout is still valid")
		}
		if err := after.Valid(s.ExpiresAt); err == nil {
			t.Error("a session past its absolute deadline is still valid")
		}
	})
	t.Run("EndIsIdempotent", func(t *testing.T) {
		s := mustSession(t, db, clock, u)
		mustNoErr(t, db.EndSession(ctx, s.ID, tollgate.SessionEndLogout))
		first := clock.stamp()
		clock.Advance(time.Minute)
		mustNoErr(t, db.EndSession(ctx, s.ID, tollgate.SessionEndUserDisabled))
		got := findSession(t, db, s)
		if !got.EndedAt.Equal(first) || got.EndReason != tollgate.SessionEndLogout {
			t.Errorf("after ending twice: ended %v (%q), want %v (%q)", got.EndedAt, got.EndReason, first, tollgate.SessionEndLogout)
		}
		mustNoErr(t, db.TouchSession(ctx, s.ID, clock.Now(), clock.Now().Add(time.Hour)))
		if got := findSession(t, db, s); got.Valid(clock.Now()) == nil {
			t.Error("touching an ended session revived it")
		}
		mustNoErr(t, db.EndSession(ctx, "01900000-0000-7000-8000-00000000abcd", tollgate.SessionEndLogout))
	})
	t.Run("EndUserSessions", func(t *testing.T) {
		v := mustUser(t, db, org.ID, "reviewer@bis.example", tollgate.RoleLicensingOfficer)
		for range 3 {
			mustSession(t, db, clock, v)
		}
		n, err := db.EndUserSessions(ctx, v.ID, tollgate.SessionEndLogout)
		mustNoErr(t, err)
		if n != 3 {
			t.Errorf("EndUserSessions: got %d, want 3", n)
		}
		if n, _ := db.EndUserSessions(ctx, v.ID, tollgate.SessionEndLogout); n != 0 {
			t.Errorf("EndUserSessions again: got %d, want 0", n)
		}
	})
	t.Run("ErrDisabledUser", func(t *testing.T) {
		d := mustUser(t, db, org.ID, "disabled@bis.example", tollgate.RoleLicensingOfficer)
		_, s, err := auth.NewSession(cfg, nil, d, clock.Now())
		mustNoErr(t, err)
		yes := true
		_, err = db.UpdateUser(ctx, d.ID, tollgate.UserUpdate{Disabled: &yes})
		mustNoErr(t, err)
		wantCode(t, db.CreateSession(ctx, s), tollgate.EUNAUTHORIZED)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.FindSessionByHash(ctx, "0000000000000000000000000000000000000000000000000000000000000000")
		wantCode(t, err, tollgate.ENOTFOUND)
	})
}

// bootstrapArgs returns what tollgate serve passes to Bootstrap.
func bootstrapArgs(t testing.TB, clock *Clock) (*tollgate.Org, *tollgate.User, auth.Secret, *tollgate.Token) {
	t.Helper()
	org := &tollgate.Org{Kind: tollgate.OrgOperator, Name: "tollgate operator", Country: "US"}
	u := &tollgate.User{Email: "admin@localhost", Name: "System administrator", Roles: []tollgate.Role{tollgate.RoleSystemAdmin}}
	secret, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, u, "bootstrap", 0, clock.Now())
	mustNoErr(t, err)
	return org, u, secret, tok
}

func testBootstrap(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	t.Run("OnceOnly", func(t *testing.T) {
		db, clock := open(t, newDSN)
		org, u, secret, tok := bootstrapArgs(t, clock)
		made, err := db.Bootstrap(ctx, org, u, tok)
		mustNoErr(t, err)
		if !made || u.OrgID != org.ID || tok.UserID != u.ID {
			t.Fatalf("Bootstrap: made %v, user %+v, token %+v", made, u, tok)
		}
		got, err := db.FindTokenByHash(ctx, auth.HashSecret(secret))
		mustNoErr(t, err)
		if got.UserID != u.ID {
			t.Errorf("bootstrap token's user: got %s, want %s", got.UserID, u.ID)
		}
		org2, u2, _, tok2 := bootstrapArgs(t, clock)
		if made, err := db.Bootstrap(ctx, org2, u2, tok2); err != nil || made {
			t.Errorf("second Bootstrap: made %v, err %v; want false, nil", made, err)
		}
	})
	t.Run("NotWithUsers", func(t *testing.T) {
		db, clock := open(t, newDSN)
		exp := mustOrg(t, db, tollgate.OrgExporter, "Exporter")
		mustUser(t, db, exp.ID, "first@example.com", tollgate.RoleExporterAdmin)
		org, u, _, tok := bootstrapArgs(t, clock)
		if made, err := db.Bootstrap(ctx, org, u, tok); err != nil || made {
			t.Errorf("Bootstrap on a store with users: made %v, err %v; want false, nil", made, err)
		}
	})
	t.Run("ReplicasTogether", func(t *testing.T) {
		dsn := newDSN(t)
		clock := NewClock()
		const n = 4
		dbs := make([]*store.DB, n)
		for i := range dbs {
			dbs[i] = MustOpen(t, dsn, clock.Now)
		}
		made := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			org, u, _, tok := bootstrapArgs(t, clock)
			wg.Go(func() { made[i], errs[i] = dbs[i].Bootstrap(ctx, org, u, tok) })
		}
		wg.Wait()
		count := 0
		for i := range n {
			mustNoErr(t, errs[i])
			if made[i] {
				count++
			}
		}
		users, _, err := dbs[0].FindUsers(ctx, tollgate.UserFilter{})
		mustNoErr(t, err)
		if count != 1 || len(users) != 1 {
			t.Errorf("%d replicas bootstrapped, %d users stored; want 1 and 1", count, len(users))
		}
	})
}
