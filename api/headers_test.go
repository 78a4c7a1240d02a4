package api

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSecurityHeaders checks that every answer, whoever gives it (a
// handler, the router, the guard, admission control), carries the
// security headers, and HSTS exactly when the request came over TLS.
func TestSecurityHeaders(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name string
		req  request
		tls  bool
		want int
	}{
		{"OK", request{method: "GET", path: "/v1/orgs"}, false, http.StatusOK},
		{"OKOverTLS", request{method: "GET", path: "/v1/orgs"}, true, http.StatusOK},
		{"Public", request{method: "GET", path: "/healthz", anon: true}, false, http.StatusOK},
		{"ErrUnauthorized", request{method: "GET", path: "/v1/orgs", anon: true}, true, http.StatusUnauthorized},
		{"ErrNoRoute", request{method: "GET", path: "/nope"}, false, http.StatusNotFound},
		{"ErrMethod", request{method: "DELETE", path: "/v1/orgs"}, true, http.StatusMethodNotAllowed},
		{"ErrInvalid", request{method: "POST", path: "/v1/orgs", body: "{"}, false, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := env.doTLS(tt.req, tt.tls)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.want, w.Body)
			}
			want := map[string]string{
				"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
				"Referrer-Policy":         "no-referrer",
				"X-Content-Type-Options":  "nosniff",
			}
			for k, v := range want {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s: got %q, want %q", k, got, v)
				}
			}
			hsts := w.Header().Get("Strict-Transport-Security")
			if tt.tls != (hsts != "") {
				t.Errorf("over TLS %v: Strict-Transport-Security %q", tt.tls, hsts)
			}
		})
	}
}

// doTLS is do, with the request marked as received over TLS when overTLS.
func (env *testEnv) doTLS(req request, overTLS bool) *httptest.ResponseRecorder {
	env.t.Helper()
	if !overTLS {
		return env.do(req)
	}
	h := env.handler
	defer func() { env.handler = h }()
	env.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.TLS = &tls.ConnectionState{HandshakeComplete: true}
		h.ServeHTTP(w, r)
	})
	return env.do(req)
}
