package api

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tollgate"
)

// unmatchedRoute labels requests that matched no route, in logs and
// metrics, so that scans of random paths cannot blow up label cardinality.
const unmatchedRoute = "unmatched"

// requestInfo is what the middleware learns about a request as it goes:
// handlers deep in the chain fill it, the outermost layer logs it.
type requestInfo struct {
	id        string
	route     string
	principal string
	errCode   string
}

type requestInfoKey struct{}

// requestInfoFrom returns the request's info; requests that did not come
// through ServeHTTP (unit tests of a single handler) get an empty one.
func requestInfoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{route: unmatchedRoute}
}

// requestID returns the client's X-Request-Id when it is short and plain
// (so it can be logged safely), else a fresh random one.
func requestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if id != "" && len(id) <= 64 && strings.IndexFunc(id, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')
	}) < 0 {
		return id
	}
	return rand.Text()
}

// statusWriter remembers the status and size of a response for logs and
// metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap turns a route into the handler registered on the mux: it checks the
// caller's permission, the query parameters and the body size, runs
// mutating routes under the Idempotency-Key protocol, and answers a
// handler's error with a problem document.
func (s *server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := requestInfoFrom(r.Context())
		info.route = rt.Pattern
		if s.credentialLimited(w, r) {
			return
		}
		p, err := s.guard.Authorize(r, rt.Permission)
		if err == nil && p == nil && (rt.Permission != PermPublic || rt.mutating()) {
			// Only public routes serve anonymous callers, and none of them
			// mutates: an idempotency scope needs a user.
			err = fmt.Errorf("guard returned no principal for %s %s", rt.Method, rt.Pattern)
		}
		if err != nil {
			if p != nil {
				info.principal = p.Actor()
			}
			if kind := guardEventKind(err); kind != "" {
				if s.rateLimited(w, r, p) {
					return
				}
				s.denied(r, p, kind, rt.Permission, err)
			}
			s.writeError(w, r, fmt.Errorf("api.authorize: %w", err))
			return
		}
		if s.rateLimited(w, r, p) {
			return
		}
		if p != nil {
			info.principal = p.Actor()
			// The store names the caller in audit records; handlers authorize it.
			r = r.WithContext(tollgate.WithPrincipal(r.Context(), p))
		}
		if err := checkQuery(r, rt.Query); err != nil {
			s.writeError(w, r, err)
			return
		}
		if r.Body != nil {
			limit := s.limits.MaxBodyBytes
			if rt.MaxBodyBytes > 0 {
				limit = rt.MaxBodyBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if rt.mutating() {
			s.idempotent(rt, p, w, r)
			return
		}
		if err := rt.handle(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// checkQuery rejects query parameters the route does not declare, and
// repeats of a declared one, so that a typo (?limt=5) is an error instead
// of being silently ignored.
func checkQuery(r *http.Request, accepted []Param) error {
	q, err := urlQuery(r)
	if err != nil {
		return err
	}
	for name, values := range q {
		if !slices.ContainsFunc(accepted, func(p Param) bool { return p.Name == name }) {
			names := make([]string, len(accepted))
			for i, p := range accepted {
				names[i] = p.Name
			}
			if len(names) == 0 {
				return tollgate.FieldErrorf(name, "unknown query parameter; this route takes none")
			}
			return tollgate.FieldErrorf(name, "unknown query parameter; this route takes %s", strings.Join(names, ", "))
		}
		if len(values) > 1 {
			return tollgate.FieldErrorf(name, "query parameter given %d times; give it once", len(values))
		}
	}
	return nil
}

// recovered answers a request whose handler panicked with a 500 (when no
// response has started) and logs the panic with its stack.
func (s *server) recovered(w *statusWriter, r *http.Request, p any) {
	info := requestInfoFrom(r.Context())
	s.log.LogAttrs(r.Context(), slog.LevelError, "handler panicked",
		slog.String("request_id", info.id),
		slog.String("route", info.route),
		slog.String("panic", fmt.Sprint(p)),
		slog.String("stack", string(debug.Stack())))
	if w.status == 0 {
		s.writeError(w, r, fmt.Errorf("panic: %v", p))
	}
}

// observe records one finished request in the metrics and the log. Only
// the method, route pattern, path, status and size are logged: never
// headers (Authorization), query strings or bodies.
func (s *server) observe(r *http.Request, info *requestInfo, w *statusWriter, d time.Duration) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	method := metricMethod(r.Method)
	s.metrics.observe(method, info.route, status, d)
	attrs := []slog.Attr{
		slog.String("request_id", info.id),
		slog.String("method", method),
		slog.String("route", info.route),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", w.bytes),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
	}
	if info.principal != "" {
		attrs = append(attrs, slog.String("principal", info.principal))
	}
	if info.errCode != "" {
		attrs = append(attrs, slog.String("code", info.errCode))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

// metricMethod bounds the method label to the methods HTTP defines.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// serveUnmatched answers a request no route matched: 405 with Allow when the
// path exists under other methods, else 404, both as problem documents.
func (s *server) serveUnmatched(w http.ResponseWriter, r *http.Request) {
	h, _ := s.mux.Handler(r)
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		allow := rec.header.Get("Allow")
		w.Header().Set("Allow", allow)
		s.writeError(w, r, &transportError{
			status: http.StatusMethodNotAllowed,
			code:   tollgate.EINVALID,
			msg:    fmt.Sprintf("method %s not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow),
		})
		return
	}
	s.writeError(w, r, &transportError{
		status: http.StatusNotFound,
		code:   tollgate.ENOTFOUND,
		msg:    fmt.Sprintf("no route for %s %s; see /openapi.json", r.Method, r.URL.Path),
	})
}

// headerRecorder captures the status and headers the mux's own 404/405
// handlers would send, discarding their plain-text body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }

func (h *headerRecorder) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *headerRecorder) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return len(b), nil
}

// metrics are the server's Prometheus collectors. Requests are labelled by
// route pattern (never the raw path), so cardinality stays bounded by the
// routes table.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	denials  *prometheus.CounterVec
	// rateLimited counts requests refused by Limits.PerUser.
	rateLimited prometheus.Counter
}

// NewRegistry returns a Prometheus registry holding the Go runtime and
// process collectors, for Deps.Registry and MetricsHandler.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// MetricsHandler serves reg's metrics in the Prometheus text exposition
// format. The metrics tell every tenant's activity (requests by route,
// denials by permission), so tollgate serve serves this handler on a
// listener of its own (--metrics-addr, loopback by default), never on the
// API's.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// newMetrics registers the server's collectors in reg, or in a private
// registry (NewRegistry) when reg is nil.
func newMetrics(reg *prometheus.Registry) *metrics {
	if reg == nil {
		reg = NewRegistry()
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "tollgate",
			Subsystem: "http",
			Name:      "requests_total",
			Help:      "HTTP requests served, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "tollgate",
			Subsystem: "http",
			Name:      "request_duration_seconds",
			Help:      "Time to serve an HTTP request, by method and route pattern.",
			Buckets:   []float64{.0005, .001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "tollgate",
			Subsystem: "http",
			Name:      "requests_in_flight",
			Help:      "HTTP requests being served now.",
		}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "tollgate",
			Subsystem: "auth",
			Name:      "denials_total",
			Help:      "Refused requests and sign-ins, by kind (forbidden, out_of_reach, login_failed, …) and permission.",
		}, []string{"kind", "permission"}),
	}
	m.rateLimited = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "tollgate",
		Subsystem: "http",
		Name:      "rate_limited_total",
		Help:      "Requests refused with 429 because their user exceeded its request rate.",
	})
	reg.MustRegister(m.requests, m.duration, m.inFlight, m.denials, m.rateLimited)
	return m
}

// observe counts one finished request.
func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}
