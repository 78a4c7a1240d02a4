package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"tollgate"
)

// Overload defaults (see Limits).
const (
	// DefaultMaxInFlight is sized for one replica: well above what its
	// database pool serves at once (requests beyond the pool queue for a
	// connection until their deadline), well below what exhausts memory.
	DefaultMaxInFlight = 256
	// DefaultRequestTimeout leaves room for the slowest legitimate call, a
	// 64 MiB list import on PostgreSQL.
	DefaultRequestTimeout = 60 * time.Second
	// retryAfterSeconds is what the Retry-After header of an overload or
	// timeout answer tells a client to wait.
	retryAfterSeconds = 1
)

// overloadedRoute labels, in logs and metrics, requests turned away
// because the server was at MaxInFlight.
const overloadedRoute = "overloaded"

// admit is the server's admission control, run by ServeHTTP before any
// routing. Probe and metrics requests always pass; any other takes one of
// MaxInFlight slots, or, when none is free, is answered 503 with
// Retry-After at once: a client retrying later is better served than one
// whose request queues behind a backlog it cannot see, and a load balancer
// can send the retry to another replica. An admitted request's context
// gets the RequestTimeout deadline; done releases both. A turned-away
// request is returned as it came, with ok false and done nil.
func (s *server) admit(w http.ResponseWriter, r *http.Request) (_ *http.Request, done func(), ok bool) {
	if exemptFromAdmission(r) {
		return r, func() {}, true
	}
	select {
	case s.slots <- struct{}{}:
	default:
		requestInfoFrom(r.Context()).route = overloadedRoute
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		s.writeError(w, r, &transportError{
			status: http.StatusServiceUnavailable,
			code:   tollgate.EUNAVAILABLE,
			msg:    fmt.Sprintf("the server is serving its limit of %d requests; retry in %d second", cap(s.slots), retryAfterSeconds),
		})
		return r, nil, false
	}
	ctx, end := context.WithCancelCause(r.Context())
	ctx, cancel := context.WithTimeoutCause(ctx, s.limits.RequestTimeout, errRequestTimeout)
	return r.WithContext(ctx), func() {
		end(errRequestDone) // first, so that it is the cause ctx reports
		cancel()
		<-s.slots
	}, true
}

// exemptFromAdmission reports whether r is a liveness or readiness probe,
// which must answer even when the server is full. (Metrics are served on
// a listener of their own, MetricsHandler.)
func exemptFromAdmission(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	switch r.URL.Path {
	case "/healthz", "/readyz":
		return true
	}
	return false
}

// Causes of the end of an admitted request's context: its RequestTimeout
// passed, or it was served (a panic is answered after that).
var (
	errRequestTimeout = errors.New("request timeout")
	errRequestDone    = errors.New("request served")
)

// contextError rewrites the internal error of a request whose context
// ended — its deadline passed, or the client went away — as the
// EUNAVAILABLE it is, so that the client gets 503 with Retry-After instead
// of a 500 (and the log still shows the underlying error). Other errors
// pass unchanged.
func (s *server) contextError(w http.ResponseWriter, r *http.Request, err error) error {
	ctx := r.Context()
	if ctx.Err() == nil || errors.Is(context.Cause(ctx), errRequestDone) || problemFor(err).Status != http.StatusInternalServerError {
		return err
	}
	msg := "the request was cancelled before it finished"
	if errors.Is(context.Cause(ctx), errRequestTimeout) {
		msg = fmt.Sprintf("the request did not finish within the server's limit of %s; retry in %d second", s.limits.RequestTimeout, retryAfterSeconds)
	}
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	return fmt.Errorf("%w: %v", tollgate.Errorf(tollgate.EUNAVAILABLE, "%s", msg), err)
}
