package storetest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/store"
)

// mustToken issues a token for u, valid for ttl, and stores it.
func mustToken(t testing.TB, db *store.DB, clock *Clock, u *tollgate.User, ttl time.Duration) (auth.Secret, *tollgate.Token) {
	t.Helper()
	secret, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, u, "ci deploys", ttl, clock.Now())
	mustNoErr(t, err)
	mustNoErr(t, db.CreateToken(context.Background(), tok))
	return secret, tok
}

func testTokens(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	org := mustOrg(t, db, tollgate.OrgExporter, "AMD")
	u := mustUser(t, db, org.ID, "ops@amd.example", tollgate.RoleExporterAdmin)

	t.Run("CreateAndFind", func(t *testing.T) {
		secret, tok := mustToken(t, db, clock, u, time.Hour)
		if tok.ID == "" || tok.OrgID != org.ID || !tok.CreatedAt.Equal(clock.stamp()) {
			t.Fatalf("CreateToken: got %+v", tok)
		}
		want := *tok
		want.ExpiresAt = tok.ExpiresAt.Truncate(time.Microsecond)
		got, err := db.FindTokenByHash(ctx, auth.HashSecret(secret))
		mustNoErr(t, err)
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("FindTokenByHash: got %+v, want %+v", *got, want)
		}
		byID, err := db.FindTokenByID(ctx, tok.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(byID, got) {
			t.Errorf("FindTokenByID: got %+v, want %+v", *byID, *got)
		}
		if _, err := auth.AuthenticateToken(secret, got, u, org, clock.Now()); err != nil {
			t.Errorf("AuthenticateToken of the stored token: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, h := range []string{strings.Repeat("0", 64), "short", strings.Repeat("A", 64), ""} {
			_, err := db.FindTokenByHash(ctx, h)
			wantCode(t, err, tollgate.ENOTFOUND)
		}
		_, err := db.FindTokenByID(ctx, "01900000-0000-7000-8000-00000000abcd")
		wantCode(t, err, tollgate.ENOTFOUND)
		wantCode(t, db.RevokeToken(ctx, "01900000-0000-7000-8000-00000000abcd"), tollgate.ENOTFOUND)
		_, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, &tollgate.User{ID: "01900000-0000-7000-8000-00000000abcd"}, "x", 0, clock.Now())
		mustNoErr(t, err)
		wantCode(t, db.CreateToken(ctx, tok), tollgate.ENOTFOUND)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, u, "x", 0, clock.Now())
		mustNoErr(t, err)
		other := mustOrg(t, db, tollgate.OrgExporter, "Other")
		tok.OrgID = other.ID
		wantField(t, db.CreateToken(ctx, tok), "org_id")
		tok.OrgID, tok.Hash = "", "not-a-hash"
		wantField(t, db.CreateToken(ctx, tok), "hash")
	})
	t.Run("DisableRevokes", func(t *testing.T) {
		// Tokens issued before a disablement stay dead after the user is
		// enabled again; a token issued afterwards works.
		u := mustUser(t, db, org.ID, "returns@amd.example", tollgate.RoleExporterOfficer)
		secret, old := mustToken(t, db, clock, u, time.Hour)
		clock.Advance(time.Second)
		yes, no := true, false
		_, err := db.UpdateUser(ctx, u.ID, tollgate.UserUpdate{Disabled: &yes})
		mustNoErr(t, err)
		back, err := db.UpdateUser(ctx, u.ID, tollgate.UserUpdate{Disabled: &no})
		mustNoErr(t, err)
		got, err := db.FindTokenByID(ctx, old.ID)
		mustNoErr(t, err)
		if !got.RevokedAt.Equal(clock.stamp()) {
			t.Errorf("token issued before the disablement: revoked at %v, want %v", got.RevokedAt, clock.stamp())
		}
		if _, err := auth.AuthenticateToken(secret, got, back, org, clock.Now()); err == nil {
			t.Error("a token issued before the disablement authenticates after the user is enabled again")
		}
		fresh, tok := mustToken(t, db, clock, back, time.Hour)
		stored, err := db.FindTokenByID(ctx, tok.ID)
		mustNoErr(t, err)
		if _, err := auth.AuthenticateToken(fresh, stored, back, org, clock.Now()); err != nil {
			t.Errorf("a token issued after the user was enabled again: %v", err)
		}
	})
	t.Run("ErrDisabledUser", func(t *testing.T) {
		gone := mustUser(t, db, org.ID, "gone@amd.example", tollgate.RoleExporterOfficer)
		yes := true
		_, err := db.UpdateUser(ctx, gone.ID, tollgate.UserUpdate{Disabled: &yes})
		mustNoErr(t, err)
		_, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, &tollgate.User{ID: gone.ID, OrgID: org.ID}, "x", 0, clock.Now())
		mustNoErr(t, err)
		wantCode(t, db.CreateToken(ctx, tok), tollgate.ECONFLICT)
	})
	t.Run("NewestFirst", func(t *testing.T) {
		owner := mustUser(t, db, org.ID, "many@amd.example", tollgate.RoleExporterAdmin)
		var want []string
		for range 3 {
			_, tok := mustToken(t, db, clock, owner, 0)
			want = append([]string{tok.ID}, want...)
		}
		ts, err := db.FindTokens(ctx, owner.ID)
		mustNoErr(t, err)
		var got []string
		for _, tok := range ts {
			got = append(got, tok.ID)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FindTokens: got %q, want %q", got, want)
		}
	})
	t.Run("TouchOnlyForward", func(t *testing.T) {
		_, tok := mustToken(t, db, clock, u, 0)
		t1 := clock.stamp().Add(time.Minute)
		mustNoErr(t, db.TouchToken(ctx, tok.ID, t1))
		mustNoErr(t, db.TouchToken(ctx, tok.ID, t1.Add(-time.Second)))
		got, err := db.FindTokenByID(ctx, tok.ID)
		mustNoErr(t, err)
		if !got.LastUsedAt.Equal(t1) {
			t.Errorf("LastUsedAt: got %v, want %v", got.LastUsedAt, t1)
		}
	})
	t.Run("RevokeKeepsFirstTime", func(t *testing.T) {
		secret, tok := mustToken(t, db, clock, u, 0)
		mustNoErr(t, db.RevokeToken(ctx, tok.ID))
		first := clock.stamp()
		clock.Advance(time.Hour)
		mustNoErr(t, db.RevokeToken(ctx, tok.ID))
		got, err := db.FindTokenByHash(ctx, auth.HashSecret(secret))
		mustNoErr(t, err)
		if !got.RevokedAt.Equal(first) {
			t.Errorf("RevokedAt: got %v, want %v", got.RevokedAt, first)
		}
		if got.Usable(clock.Now()) == nil {
			t.Error("a revoked token is usable")
		}
	})
	t.Run("Expiry", func(t *testing.T) {
		secret, _ := mustToken(t, db, clock, u, time.Hour)
		got, err := db.FindTokenByHash(ctx, auth.HashSecret(secret))
		mustNoErr(t, err)
		if err := got.Usable(clock.Now().Add(59 * time.Minute)); err != nil {
			t.Errorf("Usable before expiry: %v", err)
		}
		if got.Usable(clock.Now().Add(time.Hour)) == nil {
			t.Error("Usable at expiry: got nil, want an error")
		}
	})
	t.Run("NeverInClearText", func(t *testing.T) {
		secret, _ := mustToken(t, db, clock, u, 0)
		cookie := mustSessionSecret(t, db, clock, u)
		for _, table := range []string{"tokens", "sessions", "users", "idempotency_keys"} {
			for _, cell := range tableText(t, db, table) {
				for _, s := range []auth.Secret{secret, cookie} {
					// The random part alone must not appear either.
					random := s.Reveal()[strings.Index(s.Reveal(), "_")+1:]
					if strings.Contains(cell, random) {
						t.Errorf("table %s holds a secret in clear text: %q", table, cell)
					}
				}
			}
		}
		if got := tableText(t, db, "tokens"); !slices.Contains(got, auth.HashSecret(secret)) {
			t.Errorf("tokens table lacks the token's hash")
		}
	})
}

// tableText returns every text or byte value of every row of table.
func tableText(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	var out []string
	err := db.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT * FROM `+table)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			for _, v := range vals {
				switch v := v.(type) {
				case string:
					out = append(out, v)
				case []byte:
					out = append(out, string(v))
				}
			}
		}
		return rows.Err()
	})
	mustNoErr(t, err)
	return out
}
