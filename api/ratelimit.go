package api

import (
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"tollgate"
	"tollgate/auth"
)

// maxRateLimitedUsers bounds the users whose request rate the server
// tracks at once (see auth.RequestLimiter).
const maxRateLimitedUsers = 100_000

// newRateLimiter returns the limiter of Limits.PerUser, or nil when it is
// off.
func newRateLimiter(l Limits, now func() time.Time) *auth.RequestLimiter {
	if l.PerUser.Burst <= 0 || l.PerUser.Every <= 0 {
		return nil
	}
	return auth.NewRequestLimiter(l.PerUser, maxRateLimitedUsers, now)
}

// credentialKey returns the key the credentials of r are limited under
// before they are checked: the SHA-256 of the Authorization header, else
// of the Cookie header (a session), else "" (anonymous). The secret itself
// is never kept.
func credentialKey(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if v == "" {
		v = r.Header.Get("Cookie")
	}
	if v == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(v))
	return string(sum[:])
}

// credentialLimited answers 429 with Retry-After, and reports true, when
// the credentials r carries have used up Limits.PerUser, before any store
// lookup: a flood with one token is refused at the cost of a hash, not of
// authenticating each request. It counts each credential apart; the
// user's rate over all its credentials is rateLimited's, once the caller
// is known.
func (s *server) credentialLimited(w http.ResponseWriter, r *http.Request) bool {
	if s.credRate == nil {
		return false
	}
	key := credentialKey(r)
	if key == "" {
		return false
	}
	wait := s.credRate.Allow(key)
	if wait <= 0 {
		return false
	}
	s.tooMany(w, r, wait)
	return true
}

// rateLimited answers 429 Too Many Requests with Retry-After, and reports
// true, when the caller p (nil: anonymous, not limited here) has used up
// its request rate. It is checked after the caller is known and before
// anything else, denials included, so that one user's flood of requests,
// allowed or refused, costs the store at most its rate's worth of work.
// The user is the key: all its tokens and sessions share one rate.
func (s *server) rateLimited(w http.ResponseWriter, r *http.Request, p *tollgate.Principal) bool {
	if s.rate == nil || p == nil {
		return false
	}
	wait := s.rate.Allow(p.UserID)
	if wait <= 0 {
		return false
	}
	info := requestInfoFrom(r.Context())
	info.principal = p.Actor()
	s.log.LogAttrs(r.Context(), slog.LevelDebug, "rate limited",
		slog.String("request_id", info.id), slog.String("actor", p.Actor()), slog.Duration("retry_after", wait))
	s.tooMany(w, r, wait)
	return true
}

// tooMany answers 429 Too Many Requests with Retry-After wait.
func (s *server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	s.metrics.rateLimited.Inc()
	w.Header().Set("Retry-After", retryAfter(wait))
	s.writeError(w, r, &transportError{status: http.StatusTooManyRequests, code: tollgate.ELIMIT,
		msg: fmt.Sprintf("too many requests from this user; at most %d at once and one more every %s; try again in %s",
			s.limits.PerUser.Burst, s.limits.PerUser.Every, retryAfter(wait)+"s")})
}
