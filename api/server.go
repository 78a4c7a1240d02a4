// Package api is tollgate's HTTP JSON API. NewServer takes every dependency
// as an argument and returns one http.Handler; routes.go lists every route in
// one table (method, pattern, permission, OpenAPI operation), from which the
// mux, the OpenAPI document at /openapi.json and the auth policy are built.
//
// Conventions, enforced by middleware for every route:
//   - Every route but the public ones (health, the OpenAPI document,
//     signing in and out) needs an API token or a session
//     cookie (the Guard: 401 without one, 403 when the caller's roles lack
//     the route's permission in auth's policy table); handlers check the
//     object itself (auth.Authorize: another tenant's object is a 404).
//     State-changing requests with a cookie must come from the API's own
//     origin (CSRF protection).
//   - JSON in and out; unknown fields, trailing data and undeclared query
//     parameters are rejected; bodies are size-limited (413 past the limit).
//   - Errors are RFC 9457 problem details (application/problem+json) whose
//     status comes from one code→status table (errors.go); internal errors
//     are logged with the request id and never shown.
//   - Every mutating call (POST, PUT, PATCH, DELETE, except POSTs declared
//     Safe such as POST /v1/screen) requires an Idempotency-Key header: a
//     repeat with the same key and body replays the first response, a repeat
//     with a different body is a 409.
//   - List endpoints page by cursor: ?cursor=&limit= in, next_cursor out.
//   - Every request is logged (slog) and counted (Prometheus) by route
//     pattern and status; the metrics are not on this handler but on
//     MetricsHandler, which tollgate serve serves on a listener of its own.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/auth"
	"tollgate/catalog"
	"tollgate/classify"
)

// Deps is everything the server needs from the outside world. Store,
// Screening, Catalog, Rules, Auth and Logger are required; NewServer
// panics without them, as http.Handle does on a bad pattern, because that
// is a wiring bug.
type Deps struct {
	// Store holds organizations, parties, list versions, screenings and
	// idempotency records.
	Store Store
	// Screening screens names and parties against the store's current list
	// versions.
	Screening Screening
	// Catalog and Rules answer the classification routes.
	Catalog *catalog.Catalog
	Rules   *classify.Rulebook
	// Auth authenticates callers (API tokens, session cookies) and signs
	// users in and out.
	Auth *auth.Authenticator
	// Access configures token lifetimes, the password policy, the origins
	// CSRF protection trusts and the hook for denials; see Access.
	Access Access
	// Guard authenticates callers and checks each route's permission; nil
	// means NewAuthGuard(Auth).
	Guard Guard
	// Logger receives one line per request and every internal error.
	Logger *slog.Logger
	// Now is the clock for business timestamps (for example the default
	// as-of date of a classification); nil means time.Now.
	Now func() time.Time
	// Limits bounds request sizes and page sizes; zero fields take the
	// values of DefaultLimits.
	Limits Limits
	// Registry receives the server's metrics, for MetricsHandler to
	// expose; nil means a private registry (NewRegistry) that nothing
	// exposes. A registry serves one server: its metric names are
	// registered once.
	Registry *prometheus.Registry
	// AuditKey returns the key that signs the audit log's checkpoints
	// that GET /v1/audit/checkpoint makes, called per request so that a
	// rotated key takes effect; nil (or a nil key) serves the latest kept
	// checkpoint and makes none.
	AuditKey func() *auditlog.Key
	// Licensing runs license applications and licenses (package
	// licensing's *Service). Without it the /v1/applications, /v1/licenses
	// and /v1/licensing routes answer 503.
	Licensing Licensing
	// Shipping runs US shipments, imports, lab reports, exports, orders and
	// their reports (package shipping's *Service). Without it the
	// shipping routes answer 503.
	Shipping Shipping
	// Build describes the running binary; /healthz reports it. A zero
	// Build is left out.
	Build tollgate.Build
}

// Limits bounds what one request may ask of the server.
type Limits struct {
	// MaxBodyBytes caps a request body; larger bodies get 413.
	MaxBodyBytes int64
	// MaxScreenNames caps the names of one POST /v1/screen call.
	MaxScreenNames int
	// DefaultPageSize and MaxPageSize govern ?limit= on list endpoints.
	DefaultPageSize int
	MaxPageSize     int
	// ReadyTimeout bounds the store ping behind /readyz.
	ReadyTimeout time.Duration
	// MaxInFlight caps the requests served at once; beyond it a request
	// is answered 503 with Retry-After at once (overload.go). GET /healthz
	// and /readyz are exempt, so probes see a saturated server.
	MaxInFlight int
	// RequestTimeout is the deadline of every request's context: work
	// still running then (a query, a lock wait) is cancelled and the
	// request answered 503 with Retry-After.
	RequestTimeout time.Duration
	// PerUser limits each signed-in user's requests, allowed or refused,
	// over all its tokens and sessions: past it a request is answered 429
	// with Retry-After before it reaches a handler or the audit log. The
	// zero Bucket (the default here; tollgate serve sets one) means no
	// limit. The count is kept in memory, per replica.
	PerUser auth.Bucket
	// MaxHeaderBytes caps a request's line and headers; more gets 431
	// (transport.go).
	MaxHeaderBytes int
}

// DefaultLimits returns the limits tollgate serve runs with: 1 MiB bodies
// (room for 1,000 names with type and country), 1,000 names per screening
// call, and the store's page sizes (100 items, at most 1,000).
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:    1 << 20,
		MaxScreenNames:  1000,
		DefaultPageSize: tollgate.DefaultPageLimit,
		MaxPageSize:     tollgate.MaxPageLimit,
		ReadyTimeout:    2 * time.Second,
		MaxInFlight:     DefaultMaxInFlight,
		RequestTimeout:  DefaultRequestTimeout,
		MaxHeaderBytes:  DefaultMaxHeaderBytes,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.MaxScreenNames <= 0 {
		l.MaxScreenNames = d.MaxScreenNames
	}
	if l.DefaultPageSize <= 0 {
		l.DefaultPageSize = d.DefaultPageSize
	}
	if l.MaxPageSize <= 0 || l.MaxPageSize > tollgate.MaxPageLimit {
		l.MaxPageSize = d.MaxPageSize
	}
	if l.DefaultPageSize > l.MaxPageSize {
		l.DefaultPageSize = l.MaxPageSize
	}
	if l.ReadyTimeout <= 0 {
		l.ReadyTimeout = d.ReadyTimeout
	}
	if l.MaxInFlight <= 0 {
		l.MaxInFlight = d.MaxInFlight
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = d.RequestTimeout
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	return l
}

// server is the http.Handler NewServer returns.
type server struct {
	store     Store
	screening Screening
	guard     Guard
	catalog   *catalog.Catalog
	rules     *classify.Rulebook
	log       *slog.Logger
	now       func() time.Time
	limits    Limits
	slots     chan struct{}        // one per request in flight, up to MaxInFlight
	rate      *auth.RequestLimiter // Limits.PerUser by user; nil when off
	credRate  *auth.RequestLimiter // Limits.PerUser by credential, before authentication; nil when off
	metrics   *metrics
	audit     AuditLog
	auditKey  func() *auditlog.Key
	auth      *auth.Authenticator
	access    Access
	licensing Licensing
	shipping  Shipping
	build     tollgate.Build
	mux       *http.ServeMux
	// csrf is mux behind CSRF protection, for requests without an API token.
	csrf       http.Handler
	authEvents func(context.Context, AuthEvent)
	openapi    []byte
}

// NewServer returns the API as one http.Handler, with every route of
// routes.go registered and wrapped in the standard middleware.
func NewServer(deps Deps) http.Handler {
	switch {
	case deps.Store == nil:
		panic("api.NewServer: Deps.Store is nil")
	case deps.Screening == nil:
		panic("api.NewServer: Deps.Screening is nil")
	case deps.Auth == nil:
		panic("api.NewServer: Deps.Auth is nil")
	case deps.Logger == nil:
		panic("api.NewServer: Deps.Logger is nil")
	case deps.Catalog == nil || deps.Rules == nil:
		panic("api.NewServer: Deps.Catalog or Deps.Rules is nil")
	}
	s := &server{
		store:     deps.Store,
		screening: deps.Screening,
		guard:     deps.Guard,
		catalog:   deps.Catalog,
		rules:     deps.Rules,
		log:       deps.Logger,
		now:       deps.Now,
		limits:    deps.Limits.withDefaults(),
		metrics:   newMetrics(deps.Registry),
		audit:     deps.Store,
		auditKey:  deps.AuditKey,
		build:     deps.Build,
		auth:      deps.Auth,
		access:    deps.Access.withDefaults(),
		licensing: deps.Licensing,
		shipping:  deps.Shipping,
		mux:       http.NewServeMux(),
	}
	s.slots = make(chan struct{}, s.limits.MaxInFlight)
	if s.now == nil {
		s.now = time.Now
	}
	s.rate = newRateLimiter(s.limits, s.now)
	s.credRate = newRateLimiter(s.limits, s.now)
	if s.guard == nil {
		s.guard = NewAuthGuard(deps.Auth)
	}
	s.authEvents = s.access.Events
	s.csrf = s.csrfProtected(s.access.TrustedOrigins)
	rs := s.routes()
	s.openapi = mustOpenAPI(rs)
	for _, rt := range rs {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	return s
}

// ServeHTTP runs the request-wide middleware (request id, in-flight gauge,
// panic recovery, logging, metrics) around the mux, and answers unknown
// routes and wrong methods with problem documents.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &requestInfo{id: requestID(r), route: unmatchedRoute}
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
	w.Header().Set("X-Request-Id", info.id)
	securityHeaders(w.Header(), r.TLS != nil)
	sw := &statusWriter{ResponseWriter: w}
	s.metrics.inFlight.Inc()
	defer func() {
		s.metrics.inFlight.Dec()
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.recovered(sw, r, p)
		}
		s.observe(r, info, sw, time.Since(start))
	}()
	if err := s.checkHeaderBytes(r); err != nil {
		s.writeError(sw, r, err)
		return
	}
	r, done, ok := s.admit(sw, r)
	if !ok {
		return
	}
	defer done()
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.serveUnmatched(sw, r)
		return
	}
	if r.Header.Get("Authorization") == "" {
		s.csrf.ServeHTTP(sw, r)
		return
	}
	s.mux.ServeHTTP(sw, r)
}

// Security headers of every response. The API answers JSON, but a browser
// may still be led to open one of its URLs: the policy lets nothing load
// from elsewhere or frame it, and no URL (which may name a tenant's object)
// leaks in a Referer. HSTS (two years) is sent only on a connection that
// is TLS already, as RFC 6797 requires; behind a proxy that terminates
// TLS, the proxy sends it.
const (
	contentSecurityPolicy   = "default-src 'self'; frame-ancestors 'none'"
	referrerPolicy          = "no-referrer"
	strictTransportSecurity = "max-age=63072000"
)

// securityHeaders sets the headers every response carries; overTLS is
// whether the request came over TLS.
func securityHeaders(h http.Header, overTLS bool) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Referrer-Policy", referrerPolicy)
	if overTLS {
		h.Set("Strict-Transport-Security", strictTransportSecurity)
	}
}

// handleHealthz reports that the process is up; it checks nothing else, so
// a supervisor restarts only processes that cannot answer at all.
func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	h := Health{Status: "ok"}
	if s.build != (tollgate.Build{}) {
		h.Build = &s.build
	}
	return encode(w, http.StatusOK, h)
}

// handleReadyz reports whether the store answers, so a load balancer sends
// traffic only to replicas that can serve it.
func (s *server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.ReadyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "readiness check failed",
			slog.String("request_id", requestInfoFrom(r.Context()).id), slog.String("error", err.Error()))
		return tollgate.Errorf(tollgate.EUNAVAILABLE, "store unavailable")
	}
	return encode(w, http.StatusOK, Health{Status: "ready"})
}

// handleOpenAPI serves the OpenAPI document generated from the routes.
func (s *server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, err := w.Write(s.openapi)
	return err
}

// Health is the body of /healthz and /readyz.
type Health struct {
	Status string `json:"status"`
	// Build is what the running binary is (/healthz only): version, VCS
	// revision and time, dirty flag, "unknown" where not recorded.
	Build *tollgate.Build `json:"build,omitempty"`
}
