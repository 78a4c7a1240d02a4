package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tollgate"
)

// fixture is an Authenticator over a memStore with two exporters, A and B,
// and one officer in each whose password is "violet tractor harbour".
type fixture struct {
	clk      *clock
	store    *memStore
	a        *Authenticator
	ada, bob *tollgate.User
}

const goodPassword = "violet tractor harbour"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := newClock()
	st := newMemStore(clk.Now)
	st.orgs["A"] = &tollgate.Org{ID: "A", Kind: tollgate.OrgExporter, Name: "Exporter A", Country: "US"}
	st.orgs["B"] = &tollgate.Org{ID: "B", Kind: tollgate.OrgExporter, Name: "Exporter B", Country: "US"}
	f := &fixture{clk: clk, store: st, a: &Authenticator{
		Users: st, Orgs: st, Now: clk.Now,
		Sessions: DefaultSessionConfig(), Passwords: testParams,
		Limiter:            NewLoginLimiter(DefaultLoginLimitConfig(), clk.Now),
		TokenTouchInterval: time.Minute,
	}}
	for _, u := range []**tollgate.User{&f.ada, &f.bob} {
		org := "A"
		if u == &f.bob {
			org = "B"
		}
		*u = &tollgate.User{OrgID: org, Email: strings.ToLower(org) + "@example.com", Name: "Officer " + org,
			Roles: []tollgate.Role{tollgate.RoleExporterOfficer}, PasswordHash: MustHash(t, goodPassword)}
		if err := st.CreateUser(context.Background(), *u); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// token issues and stores a token for u.
func (f *fixture) token(t *testing.T, u *tollgate.User, ttl time.Duration) (Secret, *tollgate.Token) {
	t.Helper()
	sec, tok, err := IssueToken(DefaultTokenConfig(), nil, u, "test", ttl, f.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return sec, tok
}

func bearer(v string) *http.Request {
	r := httptest.NewRequest("GET", "/v1/parties", nil)
	r.Header.Set("Authorization", "Bearer "+v)
	return r
}

func TestAuthenticateToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sec, tok := f.token(t, f.ada, time.Hour)
	p, err := f.a.Authenticate(bearer(sec.Reveal()))
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != f.ada.ID || p.OrgID != "A" || p.OrgKind != tollgate.OrgExporter || p.TokenID != tok.ID || !p.HasRole(tollgate.RoleExporterOfficer) {
		t.Fatalf("principal %+v", p)
	}
	// Exporter A's token: 404 for B's party, 403 for a licensing officer's action.
	if got := tollgate.ErrorCode(Authorize(p, "party.read", OwnedBy("B"))); got != tollgate.ENOTFOUND {
		t.Errorf("A reads B's party: %q, want not_found", got)
	}
	if got := tollgate.ErrorCode(Authorize(p, "application.decide", OwnedBy("A", "A"))); got != tollgate.EFORBIDDEN {
		t.Errorf("A decides an application: %q, want forbidden", got)
	}

	// Last use is stored once a minute at most.
	writes := f.store.writes
	f.clk.Advance(10 * time.Second)
	if _, err := f.a.Authenticate(bearer(sec.Reveal())); err != nil || f.store.writes != writes {
		t.Errorf("second use within a minute: err %v, %d writes; want nil, none", err, f.store.writes-writes)
	}

	expired, _ := f.token(t, f.ada, time.Minute)
	revoked, rtok := f.token(t, f.ada, time.Hour)
	if err := f.store.RevokeToken(ctx, rtok.ID); err != nil {
		t.Fatal(err)
	}
	bobs, _ := f.token(t, f.bob, time.Hour)
	disabled := true
	if _, err := f.store.UpdateUser(ctx, f.bob.ID, tollgate.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(2 * time.Minute)
	tests := []struct{ name, value, want string }{
		{"ErrExpired", expired.Reveal(), "expired"},
		{"ErrRevoked", revoked.Reveal(), "revoked"},
		{"ErrUnknown", MustToken(t).Reveal(), "unknown"},
		{"ErrMalformed", sec.Reveal()[:20], "malformed"},
		{"ErrDisabledUser", bobs.Reveal(), "disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.a.Authenticate(bearer(tt.value))
			if tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Authenticate = %v; want unauthorized mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.value[len(TokenPrefix):]) {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
}

func TestAuthenticateNoCredentials(t *testing.T) {
	f := newFixture(t)
	p, err := f.a.Authenticate(httptest.NewRequest("GET", "/healthz", nil))
	if p != nil || err != nil {
		t.Fatalf("Authenticate without credentials = %v, %v; want nil, nil", p, err)
	}
	if got := tollgate.ErrorCode(Authorize(p, "party.read", OwnedBy("A"))); got != tollgate.EUNAUTHORIZED {
		t.Errorf("Authorize(nil) = %q, want unauthorized", got)
	}
}

// login signs in and returns the request a browser would then send.
func (f *fixture) login(t *testing.T, email string) (*http.Request, *tollgate.Session) {
	t.Helper()
	c, s, err := f.a.Login(context.Background(), email, goodPassword, "192.0.2.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/v1/parties", nil)
	r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	return r, s
}

func TestLoginSession(t *testing.T) {
	f := newFixture(t)
	r, s := f.login(t, " A@Example.com ")
	p, err := f.a.Authenticate(r)
	if err != nil || p.SessionID != s.ID || p.UserID != f.ada.ID {
		t.Fatalf("Authenticate with the cookie = %+v, %v", p, err)
	}

	// Idle for 31 minutes: gone.
	f.clk.Advance(31 * time.Minute)
	if _, err := f.a.Authenticate(r); tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
		t.Fatalf("after 31 idle minutes: %v, want unauthorized", err)
	}

	// Logout ends the session; the cookie is cleared.
	r, _ = f.login(t, "a@example.com")
	c, err := f.a.Logout(r)
	if err != nil || c.MaxAge != -1 {
		t.Fatalf("Logout = %+v, %v", c, err)
	}
	if _, err := f.a.Authenticate(r); err == nil || !strings.Contains(err.Error(), "logout") {
		t.Fatalf("after logout: %v, want session ended (logout)", err)
	}
	if _, err := f.a.Logout(r); err != nil {
		t.Errorf("second logout: %v", err)
	}

	// Disabling the user ends the session.
	r, _ = f.login(t, "a@example.com")
	disabled := true
	if _, err := f.store.UpdateUser(context.Background(), f.ada.ID, tollgate.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Authenticate(r); err == nil || !strings.Contains(err.Error(), tollgate.SessionEndUserDisabled) {
		t.Fatalf("after disabling: %v, want session ended (user_disabled)", err)
	}
}

func TestLoginFailures(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, _, errWrong := f.a.Login(ctx, "a@example.com", "not the password", "192.0.2.1:1")
	_, _, errUnknown := f.a.Login(ctx, "nobody@example.com", goodPassword, "192.0.2.1:1")
	if tollgate.ErrorCode(errWrong) != tollgate.EUNAUTHORIZED || errWrong.Error() != errUnknown.Error() {
		t.Fatalf("wrong password %v, unknown user %v; want the same unauthorized error", errWrong, errUnknown)
	}
	// The account allows 5 attempts at once; from other addresses too.
	for i := range 4 {
		if _, _, err := f.a.Login(ctx, "a@example.com", "guess", "198.51.100.9:1"); tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, _, err := f.a.Login(ctx, "a@example.com", goodPassword, "203.0.113.5:1"); tollgate.ErrorCode(err) != tollgate.ELIMIT {
		t.Fatalf("6th attempt, right password: %v, want limit_exceeded", err)
	}
	f.clk.Advance(time.Minute)
	if _, _, err := f.a.Login(ctx, "a@example.com", goodPassword, "203.0.113.5:1"); err != nil {
		t.Fatalf("a minute later: %v", err)
	}
}

func TestLoginRehash(t *testing.T) {
	f := newFixture(t)
	old, _ := f.store.FindUserByID(context.Background(), f.ada.ID)
	f.a.Passwords.Time = 2
	f.login(t, "a@example.com")
	u, _ := f.store.FindUserByID(context.Background(), f.ada.ID)
	if u.PasswordHash == old.PasswordHash || NeedsRehash(u.PasswordHash, f.a.Passwords) {
		t.Fatalf("hash after login %q; want one under t=2", u.PasswordHash)
	}
	if ok, _ := VerifyPassword(goodPassword, u.PasswordHash); !ok {
		t.Fatal("rehashed password does not verify")
	}
	// The session that signed in survives the rehash.
	r, _ := f.login(t, "a@example.com")
	if _, err := f.a.Authenticate(r); err != nil {
		t.Fatalf("session after rehash: %v", err)
	}
}

func TestSetPassword(t *testing.T) {
	f := newFixture(t)
	r, s := f.login(t, "a@example.com")
	other, _ := f.login(t, "a@example.com")
	if err := f.a.SetPassword(context.Background(), DefaultPasswordPolicy(), f.ada, "password12345", s.ID); tollgate.ErrorCode(err) != tollgate.EINVALID {
		t.Fatalf("common password: %v, want invalid", err)
	}
	if err := f.a.SetPassword(context.Background(), DefaultPasswordPolicy(), f.ada, "amber quokka lantern", s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Authenticate(r); err != nil {
		t.Errorf("the session that changed the password: %v", err)
	}
	if _, err := f.a.Authenticate(other); err == nil || !strings.Contains(err.Error(), tollgate.SessionEndPasswordChanged) {
		t.Errorf("another session: %v, want ended (password_changed)", err)
	}
}
