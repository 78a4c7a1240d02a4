package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tollgate"
)

func TestHealthAndReady(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		h := must[Health](env, request{method: "GET", path: path}, http.StatusOK)
		if h.Status == "" {
			t.Errorf("%s: empty status", path)
		}
	}
	t.Run("ErrStoreDown", func(t *testing.T) {
		env := newTestEnv(t)
		env.db.Close()
		p := env.problem(request{method: "GET", path: "/readyz"}, http.StatusServiceUnavailable)
		if got, want := p.Code, tollgate.EUNAVAILABLE; got != want {
			t.Errorf("code %q, want %q", got, want)
		}
	})
}

func TestUnknownRouteAndMethod(t *testing.T) {
	env := newTestEnv(t)
	p := env.problem(request{method: "GET", path: "/v1/nope"}, http.StatusNotFound)
	if got, want := p.Type, "urn:tollgate:problem:not_found"; got != want {
		t.Errorf("type %q, want %q", got, want)
	}
	tests := []struct {
		method, path, allow string
	}{
		{"DELETE", "/v1/orgs", "GET, HEAD, POST"},
		{"PUT", "/v1/parties/x", "GET, HEAD, PATCH"},
		{"GET", "/v1/screen", "POST"},
		{"POST", "/healthz", "GET, HEAD"},
	}
	for _, tt := range tests {
		w := env.do(request{method: tt.method, path: tt.path, body: "{}"})
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", tt.method, tt.path, w.Code)
			continue
		}
		if got := w.Header().Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
		if got := w.Header().Get("Content-Type"); got != "application/problem+json" {
			t.Errorf("%s %s: Content-Type %q", tt.method, tt.path, got)
		}
	}
}

func TestBadJSON(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name, body, field, detail string
		status                    int
	}{
		{"Malformed", `{"kind":`, "", "truncated", 400},
		{"Syntax", `{"kind" "exporter"}`, "", "malformed JSON", 400},
		{"UnknownField", `{"kind":"exporter","name":"A","country":"US","id":"x"}`, "id", "unknown field", 400},
		{"Trailing", `{"kind":"exporter","name":"A","country":"US"} {}`, "", "after the JSON value", 400},
		{"WrongType", `{"kind":"exporter","name":5,"country":"US"}`, "name", "must be a string", 400},
		{"Empty", ``, "", "empty", 400},
		{"NotObject", `[1,2]`, "body", "must be an object", 400},
		{"Invalid", `{"kind":"exporter","name":"A","country":"usa"}`, "country", "ISO 3166-1", 400},
		{"BadKind", `{"kind":"bank","name":"A","country":"US"}`, "kind", "must be one of", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := env.problem(request{method: "POST", path: "/v1/orgs", body: tt.body}, tt.status)
			if p.Code != tollgate.EINVALID || p.Field != tt.field || !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("got code %q field %q detail %q, want invalid, %q, ~%q", p.Code, p.Field, p.Detail, tt.field, tt.detail)
			}
		})
	}
	t.Run("ErrContentType", func(t *testing.T) {
		env.problem(request{method: "POST", path: "/v1/orgs", body: `{}`,
			header: map[string]string{"Content-Type": "text/plain"}}, http.StatusUnsupportedMediaType)
	})
}

func TestUnknownQueryParams(t *testing.T) {
	env := newTestEnv(t)
	env.actAs(env.member(env.createOrg("Nvidia").ID, tollgate.RoleExporterOfficer))
	tests := []struct {
		path, field string
	}{
		{"/v1/parties?limt=5", "limt"},
		{"/v1/orgs?limit=5&limit=6", "limit"},
		{"/v1/orgs/abc?verbose=1", "verbose"},
		{"/healthz?x=1", "x"},
		{"/v1/parties?limit=0", "limit"},
		{"/v1/parties?limit=100000", "limit"},
		{"/v1/parties?status=happy", "status"},
		{"/v1/lists?current=maybe", "current"},
	}
	for _, tt := range tests {
		p := env.problem(request{method: "GET", path: tt.path}, http.StatusBadRequest)
		if p.Field != tt.field {
			t.Errorf("%s: field %q, want %q (%s)", tt.path, p.Field, tt.field, p.Detail)
		}
	}
	env.problem(request{method: "GET", path: "/v1/orgs?a=%zz"}, http.StatusBadRequest)
}

func TestOversizeBody(t *testing.T) {
	env := newTestEnv(t, func(d *Deps) { d.Limits.MaxBodyBytes = 64 })
	big := `{"kind":"exporter","name":"` + strings.Repeat("x", 100) + `","country":"US"}`
	p := env.problem(request{method: "POST", path: "/v1/orgs", body: big}, http.StatusRequestEntityTooLarge)
	if !strings.Contains(p.Detail, "64 bytes") {
		t.Errorf("detail %q, want the limit", p.Detail)
	}
	// A safe POST, which reads its body through decode rather than the
	// idempotency layer, is limited too.
	officer := env.member(env.createOrg("Nvidia").ID, tollgate.RoleExporterOfficer)
	env.problem(request{method: "POST", path: "/v1/screen", body: `{"names":[{"name":"` + strings.Repeat("y", 100) + `"}]}`, as: officer},
		http.StatusRequestEntityTooLarge)
}

// failingGuard answers every request with err, or panics when err is nil.
type failingGuard struct{ err error }

func (g failingGuard) Authorize(*http.Request, string) (*tollgate.Principal, error) {
	if g.err == nil {
		panic("guard exploded")
	}
	return nil, g.err
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		detail string
	}{
		{"Unauthorized", tollgate.Errorf(tollgate.EUNAUTHORIZED, "no token"), 401, "no token"},
		{"Forbidden", tollgate.Errorf(tollgate.EFORBIDDEN, "not yours"), 403, "not yours"},
		{"Limit", tollgate.Errorf(tollgate.ELIMIT, "cap"), 422, "cap"},
		{"Precondition", tollgate.Errorf(tollgate.EPRECONDITION, "screen first"), 422, "screen first"},
		{"Conflict", tollgate.Errorf(tollgate.ECONFLICT, "busy"), 409, "busy"},
		{"Internal", errors.New("pq: relation secret_table does not exist"), 500, "internal error"},
		{"Panic", nil, 500, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, func(d *Deps) { d.Guard = failingGuard{tt.err} })
			p := env.problem(request{method: "GET", path: "/v1/orgs"}, tt.status)
			if p.Detail != tt.detail {
				t.Errorf("detail %q, want %q", p.Detail, tt.detail)
			}
			if p.RequestID == "" {
				t.Error("no request_id in problem")
			}
			if tt.status == 500 && !strings.Contains(env.logs.String(), p.RequestID) {
				t.Errorf("internal error not logged with request id %s: %s", p.RequestID, env.logs)
			}
			if tt.status == 401 {
				w := env.do(request{method: "GET", path: "/v1/orgs"})
				if w.Header().Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}
}

func TestStatusForCodeCoversEveryCode(t *testing.T) {
	codes := []string{tollgate.EINVALID, tollgate.ENOTFOUND, tollgate.ECONFLICT, tollgate.EUNAUTHORIZED,
		tollgate.EFORBIDDEN, tollgate.ELIMIT, tollgate.EPRECONDITION, tollgate.EUNAVAILABLE, tollgate.EINTERNAL}
	for _, c := range codes {
		if _, ok := codeStatus[c]; !ok {
			t.Errorf("code %q has no status", c)
		}
	}
	if got := StatusForCode("made_up"); got != 500 {
		t.Errorf("StatusForCode(made_up) = %d, want 500", got)
	}
}

func TestLogsAndRequestID(t *testing.T) {
	env := newTestEnv(t)
	w := env.do(request{method: "GET", path: "/v1/orgs?limit=5", header: map[string]string{"X-Request-Id": "abc-123"}})
	if got := w.Header().Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("X-Request-Id %q, want the client's", got)
	}
	// A request with a bad token is logged as denied, without the token.
	env.do(request{method: "GET", path: "/v1/orgs?limit=5", header: map[string]string{"Authorization": "Bearer tg_supersecret"}})
	logs := env.logs.String()
	for _, want := range []string{`"route":"/v1/orgs"`, `"request_id":"abc-123"`, `"status":200`, `"method":"GET"`,
		`"status":401`, `"msg":"access denied"`, `"principal":"user:` + env.admin.user.ID + ` token:` + env.admin.tokenID + `"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s: %s", want, logs)
		}
	}
	if strings.Contains(logs, "supersecret") || strings.Contains(logs, "limit=5") || strings.Contains(logs, env.admin.token) {
		t.Errorf("log leaks a header or query: %s", logs)
	}
	w = env.do(request{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": "bad id with spaces"}})
	if got := w.Header().Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Errorf("unsafe client request id kept: %q", got)
	}
}

func TestMetrics(t *testing.T) {
	env := newTestEnv(t)
	env.do(request{method: "GET", path: "/v1/orgs"})
	env.do(request{method: "GET", path: "/v1/orgs/nope"})
	env.do(request{method: "GET", path: "/random/path"})
	body := env.scrape()
	for _, want := range []string{
		`tollgate_http_requests_total{method="GET",route="/v1/orgs",status="200"} 1`,
		`tollgate_http_requests_total{method="GET",route="/v1/orgs/{id}",status="404"} 1`,
		`tollgate_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`tollgate_http_request_duration_seconds_bucket{method="GET",route="/v1/orgs"`,
		`tollgate_http_requests_in_flight 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The API's own mux serves no metrics: they tell every tenant's
	// activity.
	env.problem(request{method: "GET", path: "/metrics"}, http.StatusNotFound)
	env.problem(request{method: "GET", path: "/metrics", anon: true}, http.StatusNotFound)
}

func TestHead(t *testing.T) {
	env := newTestEnv(t)
	r := httptest.NewRequest("HEAD", "/healthz", nil)
	w := httptest.NewRecorder()
	env.handler.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Errorf("HEAD /healthz: %d", w.Code)
	}
}
