package auth

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"tollgate"
)

// OrgFinder finds organizations; a tollgate.OrgService is one.
type OrgFinder interface {
	FindOrgByID(ctx context.Context, id string) (*tollgate.Org, error)
}

// Authenticator turns a request's credentials into a principal and runs
// sign-in and sign-out against the store. Every dependency is a field; the
// zero value is not usable.
type Authenticator struct {
	Users tollgate.UserService
	Orgs  OrgFinder
	Now   func() time.Time
	// Rand is the source of secrets and salts; crypto/rand when nil.
	Rand io.Reader

	Sessions  SessionConfig
	Passwords PasswordParams
	Limiter   *LoginLimiter
	// SecureCookies says the dashboard is reached over TLS (directly or
	// through a TLS-terminating proxy): cookies are Secure and "__Host-".
	SecureCookies bool
	// TokenTouchInterval is how stale a token's LastUsedAt may grow before a
	// request stores a fresh one.
	TokenTouchInterval time.Duration
}

// Authenticate returns the principal of r: from its "Authorization: Bearer"
// API token when it has an Authorization header (the cookie is then not
// looked at), else from its session cookie. It returns (nil, nil) when r
// carries neither, so that public routes serve anonymous callers and
// Authorize answers EUNAUTHORIZED for the others; credentials that are
// present but bad are an EUNAUTHORIZED error; store failures are wrapped.
func (a *Authenticator) Authenticate(r *http.Request) (*tollgate.Principal, error) {
	now := a.Now()
	if tok, ok, err := BearerToken(r.Header); ok {
		if err != nil {
			return nil, err
		}
		return a.byToken(r.Context(), tok, now)
	}
	sec, ok, err := SessionFromRequest(a.Sessions, r, a.SecureCookies)
	if !ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return a.bySession(r.Context(), sec, now)
}

// Login signs in the user with email and password from remoteAddr and
// returns the cookie to set and the stored session. Every failure — unknown
// email, wrong password, disabled user, a user without a password — is the
// same EUNAUTHORIZED error after the same work; an attempt on an account
// or from an address whose delay after failures is still running is an
// ELIMIT error (see LoginLimiter.Allow), checked before any password work. A password hashed under parameters
// other than a.Passwords is rehashed and stored.
func (a *Authenticator) Login(ctx context.Context, email, password, remoteAddr string) (*http.Cookie, *tollgate.Session, error) {
	email = tollgate.NormalizeEmail(email)
	if err := a.Limiter.Allow(email, remoteAddr); err != nil {
		return nil, nil, err
	}
	u, err := a.signIn(ctx, email, password)
	if err != nil {
		return nil, nil, err
	}
	a.Limiter.Succeeded(email, remoteAddr)
	secret, s, err := NewSession(a.Sessions, a.Rand, u, a.Now())
	if err != nil {
		return nil, nil, fmt.Errorf("auth.Login: %w", err)
	}
	if err := a.Users.CreateSession(ctx, s); err != nil {
		return nil, nil, fmt.Errorf("auth.Login: %w", err)
	}
	if NeedsRehash(u.PasswordHash, a.Passwords) {
		if err := a.rehash(ctx, u, password, s.ID); err != nil {
			return nil, nil, err
		}
	}
	return SessionCookie(a.Sessions, secret, s, a.SecureCookies), s, nil
}

// signIn returns the user that email and password sign in. An email is
// unique within an organization only, so every user with it is tried
// (CheckLogin, with its work for none): the one whose password matches is
// signed in. Two or more matching — the same address and password in two
// organizations — is refused as any wrong password is, since either could
// be meant.
func (a *Authenticator) signIn(ctx context.Context, email, password string) (*tollgate.User, error) {
	users, err := a.Users.FindUsersByEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("auth.Login: %w", err)
	}
	if len(users) == 0 {
		users = []*tollgate.User{nil}
	}
	var match *tollgate.User
	for _, u := range users {
		err := CheckLogin(a.Passwords, u, password)
		switch {
		case err == nil && match != nil:
			return nil, wrongLogin()
		case err == nil:
			match = u
		case tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED:
			return nil, err
		}
	}
	if match == nil {
		return nil, wrongLogin()
	}
	return match, nil
}

func (a *Authenticator) rehash(ctx context.Context, u *tollgate.User, password, keepSessionID string) error {
	h, err := HashPassword(password, a.Passwords, a.Rand)
	if err == nil {
		err = a.Users.SetPasswordHash(ctx, u.ID, h, keepSessionID)
	}
	if err != nil {
		return fmt.Errorf("auth.Login: rehash password of user %s: %w", u.ID, err)
	}
	return nil
}

// Logout ends the session of r's cookie, if it has a valid one, and returns
// the cookie that makes the browser forget it; signing out twice, or
// without a session, is not an error.
func (a *Authenticator) Logout(r *http.Request) (*http.Cookie, error) {
	forget := ClearSessionCookie(a.Sessions, a.SecureCookies)
	sec, ok, err := SessionFromRequest(a.Sessions, r, a.SecureCookies)
	if !ok || err != nil {
		return forget, nil
	}
	s, err := a.Users.FindSessionByHash(r.Context(), HashSecret(sec))
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND || (err == nil && !MatchSecret(sec, s.Hash)) {
		return forget, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auth.Logout: %w", err)
	}
	if err := a.Users.EndSession(r.Context(), s.ID, tollgate.SessionEndLogout); err != nil {
		return nil, fmt.Errorf("auth.Logout: %w", err)
	}
	return forget, nil
}

// SetPassword checks password against policy (with the user's email and
// name as personal details), hashes it and stores it, ending the user's
// other sessions except keepSessionID (the one changing it, or "").
func (a *Authenticator) SetPassword(ctx context.Context, policy PasswordPolicy, u *tollgate.User, password, keepSessionID string) error {
	if err := policy.Check(password, u.Email, u.Name); err != nil {
		return err
	}
	h, err := HashPassword(password, a.Passwords, a.Rand)
	if err != nil {
		return fmt.Errorf("auth.SetPassword: %w", err)
	}
	if err := a.Users.SetPasswordHash(ctx, u.ID, h, keepSessionID); err != nil {
		return fmt.Errorf("auth.SetPassword: %w", err)
	}
	return nil
}
