package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"tollgate"
	"tollgate/auth"
)

// AuthGuard is the Guard of a server with authentication: it finds the
// caller from an "Authorization: Bearer" API token or a session cookie
// (auth.Authenticator) and checks the route's permission against auth's
// policy table (auth.ScopeOf). Checks on a particular object are the
// handlers' (auth.Authorize, through server.authorize).
type AuthGuard struct {
	auth *auth.Authenticator
}

var _ Guard = (*AuthGuard)(nil)

// NewAuthGuard returns the guard that authenticates with a.
func NewAuthGuard(a *auth.Authenticator) *AuthGuard {
	if a == nil {
		panic("api.NewAuthGuard: nil Authenticator")
	}
	return &AuthGuard{auth: a}
}

// Authorize implements Guard. Public routes serve every caller: the
// principal is returned when the request carries valid credentials and is
// nil otherwise, bad credentials included, so that a stale cookie never
// keeps anyone from /healthz or from signing in again. Any other route
// needs a principal holding the permission: EUNAUTHORIZED without valid
// credentials, EFORBIDDEN (with the principal, for the log) when none of
// its roles holds the permission.
func (g *AuthGuard) Authorize(r *http.Request, permission string) (*tollgate.Principal, error) {
	p, err := g.auth.Authenticate(r)
	if permission == PermPublic {
		if err != nil {
			return nil, nil
		}
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	if _, err := auth.ScopeOf(p, permission); err != nil {
		return p, err
	}
	return p, nil
}

// The kinds of AuthEvent.
const (
	// AuthUnauthenticated: a call without valid credentials (401).
	AuthUnauthenticated = "unauthenticated"
	// AuthForbidden: the caller's roles do not hold the permission (403).
	AuthForbidden = "forbidden"
	// AuthOutOfReach: the caller asked for an object of another tenant,
	// answered as not found (404).
	AuthOutOfReach = "out_of_reach"
	// AuthLoginFailed: a sign-in with a wrong email or password (401).
	AuthLoginFailed = "login_failed"
	// AuthLoginLimited: a sign-in refused by the rate limiter (429).
	AuthLoginLimited = "login_limited"
)

// AuthEvent is an authentication failure or an access denial. The server
// logs every one and counts it in tollgate_auth_denials_total;
// Access.Events receives them too, so that the caller can keep them in the
// audit log. No field ever holds a token, a cookie or a password.
type AuthEvent struct {
	Kind       string `json:"kind"`            // one of the Auth… constants
	Actor      string `json:"actor"`           // tollgate.Principal.Actor, or "anonymous"
	UserID     string `json:"user_id"`         // the caller's user, when known
	OrgID      string `json:"org_id"`          // the caller's organization, when known
	Credential string `json:"credential"`      // the caller's token id, or "session:" and its id, when known
	Permission string `json:"permission"`      // what was refused: a policy permission, "login" or "csrf"
	Method     string `json:"method"`          // the request's method
	Route      string `json:"route"`           // the route's pattern
	Reason     string `json:"reason"`          // why, as the caller was told
	Remote     string `json:"remote"`          // the request's remote address
	Email      string `json:"email,omitempty"` // the account a sign-in named
}

// Permissions of AuthEvents that no policy permission names.
const (
	// PermLogin is the Permission of a refused sign-in.
	PermLogin = "login"
	// PermCSRF is the Permission of a cross-origin request refused by
	// CSRF protection.
	PermCSRF = "csrf"
)

// anonymousActor names a caller without valid credentials.
const anonymousActor = "anonymous"

// denied logs an authentication failure or denial of kind, of permission
// perm, and passes it to the AuthEvents hook. p is the caller, or nil when
// unknown.
func (s *server) denied(r *http.Request, p *tollgate.Principal, kind, perm string, err error) {
	info := requestInfoFrom(r.Context())
	ev := AuthEvent{Kind: kind, Actor: anonymousActor, Permission: perm, Method: metricMethod(r.Method), Route: info.route,
		Reason: tollgate.ErrorMessage(err), Remote: s.clientAddr(r)}
	ctx := r.Context()
	if p != nil {
		ev.Actor, ev.UserID, ev.OrgID, ev.Credential = p.Actor(), p.UserID, p.OrgID, p.TokenID
		if p.TokenID == "" && p.SessionID != "" {
			ev.Credential = "session:" + p.SessionID
		}
		// The hook's audit record names the caller, even one refused
		// before the middleware put it in the request's context.
		ctx = tollgate.WithPrincipal(ctx, p)
	}
	s.authEvent(ctx, info.id, ev)
}

// authEvent logs ev, counts it in the metrics and hands it to the hook.
func (s *server) authEvent(ctx context.Context, requestID string, ev AuthEvent) {
	if holdEvent(ctx, requestID, ev) {
		return
	}
	s.metrics.denials.WithLabelValues(ev.Kind, ev.Permission).Inc()
	attrs := []slog.Attr{
		slog.String("request_id", requestID), slog.String("kind", ev.Kind), slog.String("actor", ev.Actor),
		slog.String("permission", ev.Permission), slog.String("method", ev.Method), slog.String("route", ev.Route),
		slog.String("reason", ev.Reason), slog.String("remote", ev.Remote),
	}
	if ev.Email != "" {
		attrs = append(attrs, slog.String("email", ev.Email))
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "access denied", attrs...)
	if s.authEvents != nil {
		s.authEvents(context.WithoutCancel(ctx), ev)
	}
}

// guardEventKind classifies a guard's error for the log; "" for failures
// that are not denials (a store outage).
func guardEventKind(err error) string {
	switch tollgate.ErrorCode(err) {
	case tollgate.EUNAUTHORIZED:
		return AuthUnauthenticated
	case tollgate.EFORBIDDEN:
		return AuthForbidden
	}
	return ""
}

// authorize checks that the caller of r may do perm to an object with
// ownership own (auth.Authorize: the one place the policy is applied). An
// object outside the caller's reach is answered with notFound, the very
// error the store gives for an id that does not exist, so that another
// tenant's objects cannot be told from absent ones; the attempt is logged.
func (s *server) authorize(r *http.Request, perm string, own auth.Ownership, notFound error) error {
	p := tollgate.PrincipalFrom(r.Context())
	err := auth.Authorize(p, perm, own)
	switch tollgate.ErrorCode(err) {
	case "":
		return nil
	case tollgate.ENOTFOUND:
		s.denied(r, p, AuthOutOfReach, perm, err)
		return notFound
	}
	if kind := guardEventKind(err); kind != "" {
		s.denied(r, p, kind, perm, err)
	}
	return err
}

// notFoundError is the error of an object that does not exist, worded as
// the store words it ("party \"…\" not found").
func notFoundError(what, id string) error {
	return tollgate.Errorf(tollgate.ENOTFOUND, "%s %q not found", what, id)
}

// listScope returns the organization a list of objects owned by one
// organization must keep to, for the caller of r and perm (auth.ScopeOf):
// asked (the client's filter, "" for none) when the caller reaches every
// object; the caller's organization when it reaches its own; and none=true
// when the filter asks for objects out of reach or the caller reaches only
// assigned objects, which such a list has none of.
func listScope(r *http.Request, perm, asked string) (orgID string, none bool, err error) {
	sc, err := auth.ScopeOf(tollgate.PrincipalFrom(r.Context()), perm)
	switch {
	case err != nil:
		return "", false, fmt.Errorf("api.listScope: %w", err)
	case sc.All:
		return asked, false, nil
	case sc.OrgID == "" || (asked != "" && asked != sc.OrgID):
		return "", true, nil
	}
	return sc.OrgID, false, nil
}

// Access configures how the server manages credentials, beyond the
// Authenticator that checks them. The zero Access takes the defaults of
// package auth and trusts no other origin.
type Access struct {
	// Tokens bounds the lifetime of API tokens created through the API;
	// the zero value means auth.DefaultTokenConfig().
	Tokens auth.TokenConfig
	// Passwords is the policy for passwords set through the API; the zero
	// value means auth.DefaultPasswordPolicy().
	Passwords auth.PasswordPolicy
	// TrustedOrigins are origins ("https://dashboard.example.com") allowed
	// to send state-changing requests with a session cookie although they
	// differ from the API's host (auth.CSRFConfig).
	TrustedOrigins []string
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client (auth.ClientAddress): the address sign-ins are limited by and
	// denials are logged with. Without any, the socket's peer is the
	// client, whatever the header says.
	TrustedProxies []netip.Prefix
	// Events receives every authentication failure and denial after it is
	// logged; nil means they are only logged. It is called for each one,
	// so it must not write a permanent record per call: tollgate serve
	// counts the ones worth keeping per principal, permission and minute,
	// and appends one audit record per minute (store.RecordDenial). A
	// request refused by Limits.PerUser never gets here.
	Events func(context.Context, AuthEvent)
}

// withDefaults fills zero fields from package auth's defaults.
func (a Access) withDefaults() Access {
	if a.Tokens == (auth.TokenConfig{}) {
		a.Tokens = auth.DefaultTokenConfig()
	}
	if a.Passwords == (auth.PasswordPolicy{}) {
		a.Passwords = auth.DefaultPasswordPolicy()
	}
	return a
}

// Validate checks the trusted origins, so that a command can reject a bad
// flag before NewServer would panic on it.
func (a Access) Validate() error {
	if _, err := auth.CSRFProtect(auth.CSRFConfig{TrustedOrigins: a.TrustedOrigins}, http.NotFoundHandler()); err != nil {
		return tollgate.FieldErrorf("trusted_origins", "%v", err)
	}
	return nil
}

// csrfProtected returns the mux behind http.CrossOriginProtection, for
// requests without an Authorization header: a cookie-authenticated (or
// anonymous, as a sign-in is) request with an unsafe method from another
// origin is refused with 403. Requests with an API token skip it: a web
// page cannot make a browser attach one, so they cannot be forged.
func (s *server) csrfProtected(trusted []string) http.Handler {
	h, err := auth.CSRFProtect(auth.CSRFConfig{TrustedOrigins: trusted, Deny: http.HandlerFunc(s.csrfDenied)}, s.mux)
	if err != nil {
		panic("api.NewServer: Deps.Access.TrustedOrigins: " + err.Error())
	}
	return h
}

// csrfDenied answers a cross-origin request that CSRF protection refused.
func (s *server) csrfDenied(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		requestInfoFrom(r.Context()).route = routePattern(pattern)
	}
	err := tollgate.Errorf(tollgate.EFORBIDDEN, "cross-origin request refused: a state-changing request with a session cookie must come from the dashboard's own origin")
	s.denied(r, nil, AuthForbidden, PermCSRF, err)
	s.writeError(w, r, err)
}

// clientAddr returns the address of r's client (see Access.TrustedProxies).
func (s *server) clientAddr(r *http.Request) string {
	return auth.ClientAddress(r, s.access.TrustedProxies)
}

// routePattern strips the method from a mux pattern ("GET /v1/x" → "/v1/x").
func routePattern(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}
