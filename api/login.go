package api

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"tollgate"
	"tollgate/auth"
)

// LoginInput is the body of POST /v1/login.
type LoginInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Validate checks that both fields are present; whether they are right is
// the sign-in's question, answered the same way for every wrong pair.
func (in *LoginInput) Validate() error {
	switch {
	case in.Email == "":
		return tollgate.FieldErrorf("email", "required")
	case in.Password == "":
		return tollgate.FieldErrorf("password", "required")
	}
	return nil
}

// LoginResult is the answer of a successful sign-in: the user and the new
// session. The session's secret travels only in the Set-Cookie header
// (HttpOnly), never in the body.
type LoginResult struct {
	User    *tollgate.User    `json:"user"`
	Session *tollgate.Session `json:"session"`
}

// handleLogin signs a user in with email and password and sets the session
// cookie. A wrong email or password is one 401 whatever was wrong; too
// many attempts on the account or from the address are a 429 with
// Retry-After, refused before any password is checked.
func (s *server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[LoginInput](r)
	if err != nil {
		return err
	}
	// Whoever the request's other credentials name, the new session is
	// the signing-in user's: the store must not name them its actor.
	ctx := tollgate.WithPrincipal(r.Context(), nil)
	cookie, sess, err := s.auth.Login(ctx, in.Email, in.Password, s.clientAddr(r))
	if err != nil {
		return s.loginFailed(w, r, tollgate.NormalizeEmail(in.Email), err)
	}
	u, err := s.store.FindUserByID(r.Context(), sess.UserID)
	if err != nil {
		return err
	}
	http.SetCookie(w, cookie)
	return encode(w, http.StatusOK, LoginResult{User: u, Session: sess})
}

// loginFailed logs a refused sign-in and returns the error to answer with:
// a rate-limited one becomes 429 Too Many Requests with Retry-After.
func (s *server) loginFailed(w http.ResponseWriter, r *http.Request, email string, err error) error {
	info := requestInfoFrom(r.Context())
	ev := AuthEvent{Actor: anonymousActor, Permission: PermLogin, Method: metricMethod(r.Method), Route: info.route,
		Reason: tollgate.ErrorMessage(err), Remote: s.clientAddr(r), Email: email}
	switch tollgate.ErrorCode(err) {
	case tollgate.EUNAUTHORIZED:
		ev.Kind = AuthLoginFailed
	case tollgate.ELIMIT:
		ev.Kind = AuthLoginLimited
		var te *tollgate.Error
		if errors.As(err, &te) {
			if rl, ok := te.Details.(auth.RateLimited); ok {
				w.Header().Set("Retry-After", retryAfter(rl.RetryAfter))
			}
		}
		err = &transportError{status: http.StatusTooManyRequests, code: tollgate.ELIMIT, msg: tollgate.ErrorMessage(err)}
	default:
		return err
	}
	s.authEvent(r.Context(), info.id, ev)
	return err
}

// retryAfter renders a wait as Retry-After's whole seconds, rounded up so
// that a client that waits exactly that long is let in.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// handleLogout ends the session of the request's cookie, if any, and
// makes the browser forget the cookie. Signing out twice, or without a
// session, is not an error.
func (s *server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	cookie, err := s.auth.Logout(r)
	if err != nil {
		return err
	}
	http.SetCookie(w, cookie)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
