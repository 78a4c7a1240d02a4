package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/screening"
)

// gateScreening is a Screening whose ScreenNames signals entered and then
// blocks until release is closed or its context ends, so a test can hold
// requests in flight; panicky makes it panic instead.
type gateScreening struct {
	Screening
	entered chan struct{}
	release chan struct{}
	panicky bool
}

func (g *gateScreening) ScreenNames(ctx context.Context, qs []screening.NameQuery, o screening.NamesOptions) (*screening.NamesResult, error) {
	if g.panicky {
		panic("screening blew up")
	}
	select {
	case g.entered <- struct{}{}:
	case <-g.release:
		return &screening.NamesResult{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-g.release:
		return &screening.NamesResult{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// newGateEnv returns a test server whose screening is g, with limits, and
// a caller allowed to screen.
func newGateEnv(t *testing.T, g *gateScreening, limits Limits) (*testEnv, *testUser) {
	env := newTestEnv(t, func(d *Deps) {
		g.Screening = d.Screening
		d.Screening = g
		d.Limits = limits
	})
	// Fixtures go straight to the store: the limits under test apply to
	// API calls.
	org := env.newOrg(tollgate.OrgExporter, "Overloaded Exporter")
	return env, env.newUser(org, tollgate.RoleExporterOfficer)
}

var screenBody = `{"names":[{"name":"Huawei"}]}`

func TestMaxInFlight(t *testing.T) {
	g := &gateScreening{entered: make(chan struct{}), release: make(chan struct{})}
	env, officer := newGateEnv(t, g, Limits{MaxInFlight: 2})
	var (
		wg    sync.WaitGroup
		codes = make([]int, 2)
	)
	for i := range codes {
		wg.Go(func() {
			codes[i] = env.do(request{method: "POST", path: "/v1/screen", body: screenBody, as: officer}).Code
		})
		<-g.entered
	}
	// Both slots are taken: the next request is turned away at once.
	w := env.do(request{method: "POST", path: "/v1/screen", body: screenBody, as: officer})
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("third request: status %d, Retry-After %q; want 503 with Retry-After 1", w.Code, w.Header().Get("Retry-After"))
	}
	if !strings.Contains(w.Body.String(), `"code":"unavailable"`) {
		t.Errorf("third request: body %s, want an unavailable problem", w.Body)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if w := env.do(request{method: "GET", path: path, anon: true}); w.Code != http.StatusOK {
			t.Errorf("GET %s while full: status %d, want 200", path, w.Code)
		}
	}
	if body := env.scrape(); !strings.Contains(body, `route="overloaded",status="503"`) {
		t.Errorf("metrics do not count the rejected request:\n%s", body)
	}
	close(g.release)
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusOK {
			t.Errorf("request %d held in flight: status %d, want 200", i, code)
		}
	}
	// The slots are free again.
	if w := env.do(request{method: "POST", path: "/v1/screen", body: screenBody, as: officer}); w.Code != http.StatusOK {
		t.Errorf("after the release: status %d, want 200", w.Code)
	}
}

func TestRequestTimeout(t *testing.T) {
	g := &gateScreening{entered: make(chan struct{}, 1), release: make(chan struct{})}
	env, officer := newGateEnv(t, g, Limits{RequestTimeout: 50 * time.Millisecond})
	p := env.problem(request{method: "POST", path: "/v1/screen", body: screenBody, as: officer}, http.StatusServiceUnavailable)
	if p.Code != tollgate.EUNAVAILABLE || !strings.Contains(p.Detail, "did not finish within the server's limit of 50ms") {
		t.Errorf("problem %+v, want unavailable naming the limit", p)
	}
	w := env.do(request{method: "POST", path: "/v1/screen", body: screenBody, as: officer})
	if got := w.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	if !strings.Contains(env.logs.String(), "context deadline exceeded") {
		t.Errorf("the log lacks the underlying error:\n%s", env.logs)
	}
}

// TestPanicReleasesSlot checks that a panicking handler is answered 500 by
// the recovery middleware and gives its slot back.
func TestPanicReleasesSlot(t *testing.T) {
	g := &gateScreening{panicky: true}
	env, officer := newGateEnv(t, g, Limits{MaxInFlight: 1})
	for i := range 3 {
		p := env.problem(request{method: "POST", path: "/v1/screen", body: screenBody, as: officer}, http.StatusInternalServerError)
		if p.Code != tollgate.EINTERNAL || strings.Contains(p.Detail, "blew up") {
			t.Fatalf("request %d: problem %+v, want a bare internal error", i, p)
		}
	}
	if !strings.Contains(env.logs.String(), "handler panicked") {
		t.Errorf("the panic was not logged")
	}
}

// TestClientGone checks that a request whose client went away is not
// logged as an internal error.
func TestClientGone(t *testing.T) {
	g := &gateScreening{entered: make(chan struct{}, 1), release: make(chan struct{})}
	env, _ := newGateEnv(t, g, Limits{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequestWithContext(ctx, "GET", "/v1/orgs", nil)
	r.Header.Set("Authorization", "Bearer "+env.admin.token)
	w := httptest.NewRecorder()
	env.handler.ServeHTTP(w, r)
	if w.Code == http.StatusInternalServerError {
		t.Errorf("cancelled request: status %d, want anything but 500 (body %s)", w.Code, w.Body)
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := Limits{}.withDefaults()
	if got.MaxInFlight != DefaultMaxInFlight || got.RequestTimeout != DefaultRequestTimeout {
		t.Errorf("defaults: MaxInFlight %d, RequestTimeout %s; want %d, %s", got.MaxInFlight, got.RequestTimeout, DefaultMaxInFlight, DefaultRequestTimeout)
	}
	got = Limits{MaxInFlight: 3, RequestTimeout: time.Second}.withDefaults()
	if got.MaxInFlight != 3 || got.RequestTimeout != time.Second {
		t.Errorf("set limits changed: %+v", got)
	}
}
