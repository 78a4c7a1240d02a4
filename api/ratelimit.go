package api

import (
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
	s.metrics.rateLimited.Inc()
	s.log.LogAttrs(r.Context(), slog.LevelDebug, "rate limited",
		slog.String("request_id", info.id), slog.String("actor", p.Actor()), slog.Duration("retry_after", wait))
	w.Header().Set("Retry-After", retryAfter(wait))
	s.writeError(w, r, &transportError{status: http.StatusTooManyRequests, code: tollgate.ELIMIT,
		msg: fmt.Sprintf("too many requests from this user; at most %d at once and one more every %s; try again in %s",
			s.limits.PerUser.Burst, s.limits.PerUser.Every, retryAfter(wait)+"s")})
	return true
}
