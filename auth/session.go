package auth

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"tollgate"
)

// SessionConfig holds the timeouts of browser sessions and the name of
// their cookie.
type SessionConfig struct {
	// IdleTimeout ends a session that has not been used for this long.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after sign-in, however busy.
	AbsoluteTimeout time.Duration
	// TouchInterval is how stale LastSeenAt may grow before a request
	// stores a fresh one, so that a busy dashboard does not write on every
	// request; it trades at most this much idle time for fewer writes.
	TouchInterval time.Duration
	// CookieName is the cookie's name on plain HTTP. Over TLS it carries the
	// "__Host-" prefix, which browsers accept only on Secure cookies with
	// Path=/ and no Domain, so no subdomain can set or shadow it.
	CookieName string
}

// DefaultSessionConfig returns a 30-minute idle timeout and a 12-hour
// absolute one (OWASP's ranges for an application holding sensitive data),
// touched at most once a minute, in a cookie named "tollgate_session".
func DefaultSessionConfig() SessionConfig {
	return SessionConfig{
		IdleTimeout:     30 * time.Minute,
		AbsoluteTimeout: 12 * time.Hour,
		TouchInterval:   time.Minute,
		CookieName:      "tollgate_session",
	}
}

// Validate checks that the timeouts are positive and ordered.
func (c SessionConfig) Validate() error {
	switch {
	case c.IdleTimeout <= 0:
		return tollgate.FieldErrorf("idle_timeout", "must be positive")
	case c.AbsoluteTimeout < c.IdleTimeout:
		return tollgate.FieldErrorf("absolute_timeout", "must be at least the idle timeout")
	case c.TouchInterval < 0 || c.TouchInterval >= c.IdleTimeout:
		return tollgate.FieldErrorf("touch_interval", "must be at least 0 and shorter than the idle timeout")
	case c.CookieName == "" || !isToken(c.CookieName):
		return tollgate.FieldErrorf("cookie_name", "must be a non-empty HTTP token")
	}
	return nil
}

// isToken reports whether s is an RFC 9110 token (a valid cookie name).
func isToken(s string) bool {
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || (r < 0x80 && isSeparator[r]) {
			return false
		}
	}
	return true
}

var isSeparator = [128]bool{'(': true, ')': true, '<': true, '>': true, '@': true, ',': true, ';': true,
	':': true, '\\': true, '"': true, '/': true, '[': true, ']': true, '?': true, '=': true, '{': true, '}': true}

// Cookie returns the cookie's name: CookieName, prefixed with "__Host-"
// when secure.
func (c SessionConfig) Cookie(secure bool) string {
	if secure {
		return "__Host-" + c.CookieName
	}
	return c.CookieName
}

// NewSession starts a session for u at now. It returns the secret for the
// cookie and the record to store, which holds only the secret's hash; the
// store assigns the record's ID. rnd is crypto/rand when nil.
func NewSession(cfg SessionConfig, rnd io.Reader, u *tollgate.User, now time.Time) (Secret, *tollgate.Session, error) {
	if err := cfg.Validate(); err != nil {
		return "", nil, fmt.Errorf("auth.NewSession: %w", err)
	}
	if u.Disabled {
		return "", nil, tollgate.Errorf(tollgate.EUNAUTHORIZED, "wrong email or password")
	}
	secret, err := NewSessionSecret(rnd)
	if err != nil {
		return "", nil, fmt.Errorf("auth.NewSession: %w", err)
	}
	now = now.UTC()
	s := &tollgate.Session{
		UserID: u.ID, OrgID: u.OrgID, Hash: HashSecret(secret),
		CreatedAt: now, LastSeenAt: now,
		IdleExpiresAt: now.Add(cfg.IdleTimeout), ExpiresAt: now.Add(cfg.AbsoluteTimeout),
	}
	if s.IdleExpiresAt.After(s.ExpiresAt) {
		s.IdleExpiresAt = s.ExpiresAt
	}
	return secret, s, nil
}

// TouchSession records that s was used at now: it moves LastSeenAt and the
// idle deadline forward (never past the absolute one) and reports whether
// the change is worth storing, which it is once LastSeenAt is more than
// cfg.TouchInterval old. Call it only on a session that is Valid at now.
func TouchSession(cfg SessionConfig, s *tollgate.Session, now time.Time) bool {
	if now.Sub(s.LastSeenAt) <= cfg.TouchInterval {
		return false
	}
	s.LastSeenAt = now.UTC()
	s.IdleExpiresAt = s.LastSeenAt.Add(cfg.IdleTimeout)
	if s.IdleExpiresAt.After(s.ExpiresAt) {
		s.IdleExpiresAt = s.ExpiresAt
	}
	return true
}

// EndSession marks s ended at now for reason (one of the tollgate.SessionEnd…
// constants); ending an ended session keeps the first end.
func EndSession(s *tollgate.Session, reason string, now time.Time) {
	if s.EndedAt.IsZero() {
		s.EndedAt, s.EndReason = now.UTC(), reason
	}
}

// SessionCookie returns the cookie that carries secret for the session s.
//
// HttpOnly keeps scripts (and so an injected script) from reading it;
// Secure, when the dashboard is served over TLS, keeps it off plain HTTP;
// Path=/ and no Domain scope it to this host alone. SameSite is Lax, not
// Strict: Strict would drop the cookie when a user follows a link to the
// dashboard from mail or a ticket and show them a sign-in page, while Lax
// already withholds it from cross-site subrequests and cross-site POSTs, and
// the forgery that remains (a cross-origin POST, PUT or DELETE from a
// same-site page) is refused by CSRFProtect. GET requests never change
// state, so a top-level cross-site GET carrying the cookie can do no harm.
// The cookie expires with the session's absolute deadline.
func SessionCookie(cfg SessionConfig, secret Secret, s *tollgate.Session, secure bool) *http.Cookie {
	return &http.Cookie{
		Name:     cfg.Cookie(secure),
		Value:    secret.Reveal(),
		Path:     "/",
		Expires:  s.ExpiresAt.UTC(),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// ClearSessionCookie returns a cookie that makes the browser forget the
// session cookie (on logout, or when the session is no longer valid).
func ClearSessionCookie(cfg SessionConfig, secure bool) *http.Cookie {
	return &http.Cookie{
		Name:     cfg.Cookie(secure),
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// SessionFromRequest returns the session secret of r's cookie. ok is false
// when r carries no session cookie; a malformed one is an EUNAUTHORIZED
// error. secure says whether r arrived over TLS, which decides the cookie's
// name.
func SessionFromRequest(cfg SessionConfig, r *http.Request, secure bool) (secret Secret, ok bool, err error) {
	c, err := r.Cookie(cfg.Cookie(secure))
	if err != nil {
		return "", false, nil
	}
	secret, err = ParseSessionSecret(c.Value)
	return secret, true, err
}

// CSRFConfig configures CSRFProtect.
type CSRFConfig struct {
	// TrustedOrigins are origins ("https://dashboard.example.com", scheme,
	// host and optional port, nothing else) allowed to send unsafe requests
	// although they differ from the request's Host, for a dashboard served
	// from another host than the API.
	TrustedOrigins []string
	// Deny answers a refused request; nil answers 403 Forbidden with a
	// plain-text body. The API passes a handler that writes its problem
	// document.
	Deny http.Handler
}

// CSRFProtect wraps h with the standard library's http.CrossOriginProtection,
// which refuses cross-origin browser requests with unsafe methods (POST,
// PUT, PATCH, DELETE): those whose Sec-Fetch-Site header is not
// same-origin or none, or, from older browsers without that header, whose
// Origin differs from the Host. GET, HEAD and OPTIONS always pass, so those
// handlers must never change state. Requests carrying neither header —
// curl, Go clients, anything but a browser — pass: they cannot be forged
// by a web page, and API tokens are not cookies a browser attaches on its
// own. This replaces per-form CSRF tokens for the dashboard; together with
// the session cookie's SameSite=Lax it stops a page on another origin from
// acting with a signed-in user's session.
func CSRFProtect(cfg CSRFConfig, h http.Handler) (http.Handler, error) {
	c := http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := c.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("auth.CSRFProtect: trusted origin: %w", err)
		}
	}
	if cfg.Deny != nil {
		c.SetDenyHandler(cfg.Deny)
	}
	return c.Handler(h), nil
}
