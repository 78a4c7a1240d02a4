package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/auth"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/screening"
	"tollgate/store"
)

// testEnv is a server over a fresh SQLite store, with its log captured.
// Requests act as env.caller (the system administrator at first) unless
// they name another user (request.as) or carry their own Authorization.
type testEnv struct {
	t       *testing.T
	db      *store.DB
	handler http.Handler
	logs    *syncBuffer
	keys    atomic.Int64
	clock   *fakeClock
	auth    *auth.Authenticator
	events  *eventLog
	// metrics serves the server's metrics (MetricsHandler).
	metrics http.Handler
	// admin is the system administrator of the operator organization.
	admin *testUser
	// caller is whom requests act as by default.
	caller *testUser

	mu      sync.Mutex
	members map[string]*testUser // by org id and role
	users   int
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fakeClock is a deterministic clock that moves a millisecond at every
// reading, and further when a test advances it (session expiry).
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)} }

// Now returns the clock's time and moves it a millisecond on.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// Advance moves the clock d forward.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTestStore opens the store named by dsn for t with clock.
func openTestStore(t *testing.T, dsn string, clock func() time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, clock)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newTestEnv returns a server over a fresh SQLite store, with Deps changed
// by opts.
func newTestEnv(t *testing.T, opts ...func(*Deps)) *testEnv {
	t.Helper()
	return newTestEnvDSN(t, apitest.SQLiteDSN(t), opts...)
}

// newTestEnvDSN returns a server over the store named by dsn.
func newTestEnvDSN(t *testing.T, dsn string, opts ...func(*Deps)) *testEnv {
	t.Helper()
	clock := newFakeClock()
	env := &testEnv{t: t, db: openTestStore(t, dsn, clock.Now), logs: &syncBuffer{}, clock: clock,
		events: &eventLog{}, members: map[string]*testUser{}}
	log := slog.New(slog.NewJSONHandler(env.logs, nil))
	env.auth = &auth.Authenticator{
		Users: env.db, Orgs: env.db, Now: clock.Now,
		Sessions: auth.DefaultSessionConfig(), Passwords: testPasswordParams,
		Limiter:            auth.NewLoginLimiter(auth.DefaultLoginLimitConfig(), clock.Now),
		TokenTouchInterval: time.Minute,
	}
	deps := Deps{
		Store:     env.db,
		Screening: screening.New(env.db, log, screening.DefaultConfig()),
		Auth:      env.auth,
		Access:    Access{Events: env.events.add},
		Registry:  NewRegistry(),
		Logger:    log,
		Now:       clock.Now,
		Catalog:   catalog.Default(),
		Rules:     classify.Default(),
		Licensing: newTestLicensing(t, env.db), // applications_test.go
		Shipping:  newTestShipping(t, env.db),  // shipping_test.go
	}
	for _, o := range opts {
		o(&deps)
	}
	env.handler = NewServer(deps)
	env.metrics = MetricsHandler(deps.Registry)
	op := env.newOrg(tollgate.OrgOperator, "tollgate operator")
	env.admin = env.newUser(op, tollgate.RoleSystemAdmin)
	env.caller = env.admin
	return env
}

// testEntities is a small handmade list.
var testEntities = []tollgate.Entity{
	{List: "EL", SourceID: "el-1", Name: "Huawei Technologies Co., Ltd.", Type: tollgate.EntityOrganization,
		Countries: []string{"CN"}, Citation: "84 FR 22961", AltNames: []string{"Huawei"}},
	{List: "EL", SourceID: "el-2", Name: "Moore Threads Technology Co., Ltd.", Type: tollgate.EntityOrganization,
		Countries: []string{"CN"}, Citation: "88 FR 71991"},
	{List: "SDN", SourceID: "sdn-1", Name: "PETROV, Ivan Sergeyevich", Type: tollgate.EntityPerson, Countries: []string{"RU"}},
}

// importEntities stores entities as a version of source and returns it.
func (env *testEnv) importEntities(source string, entities []tollgate.Entity) *tollgate.ListVersion {
	env.t.Helper()
	b, _ := json.Marshal(entities)
	sum := sha256.Sum256(b)
	li := &tollgate.ListImport{Source: source, Format: "custom", Digest: hex.EncodeToString(sum[:]), Entities: entities}
	v, _, err := env.db.ImportListVersion(context.Background(), li)
	if err != nil {
		env.t.Fatalf("ImportListVersion: %v", err)
	}
	return v
}

// request is one call to the server.
type request struct {
	method, path string
	body         any // string, []byte or a value encoded as JSON
	key          string
	header       map[string]string
	// as is the user the request acts as (its API token); nil means
	// env.caller, and anon sends no credentials at all.
	as   *testUser
	anon bool
	// remote is the request's RemoteAddr; "" keeps httptest's.
	remote string
}

// do serves req and returns the recorder. Mutating methods get a fresh
// Idempotency-Key unless req.key is set ("-" sends none). The request
// carries the API token of req.as (else env.caller) unless req.anon is set
// or req.header has its own Authorization.
func (env *testEnv) do(req request) *httptest.ResponseRecorder {
	env.t.Helper()
	var body io.Reader
	switch b := req.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			env.t.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	r := httptest.NewRequest(req.method, req.path, body)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	switch {
	case req.key == "-":
	case req.key != "":
		r.Header.Set(IdempotencyKeyHeader, req.key)
	case req.method != http.MethodGet:
		r.Header.Set(IdempotencyKeyHeader, fmt.Sprintf("test-key-%d", env.keys.Add(1)))
	}
	as := req.as
	if as == nil {
		as = env.caller
	}
	if !req.anon && as != nil && as.token != "" {
		r.Header.Set("Authorization", "Bearer "+as.token)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	if req.remote != "" {
		r.RemoteAddr = req.remote
	}
	w := httptest.NewRecorder()
	env.handler.ServeHTTP(w, r)
	return w
}

// must serves req, checks the status and decodes the JSON body into T.
func must[T any](env *testEnv, req request, wantStatus int) T {
	env.t.Helper()
	w := env.do(req)
	if w.Code != wantStatus {
		env.t.Fatalf("%s %s: status %d, want %d; body %s", req.method, req.path, w.Code, wantStatus, w.Body)
	}
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		env.t.Fatalf("%s %s: decode %T: %v; body %s", req.method, req.path, v, err, w.Body)
	}
	return v
}

// problem serves req and returns its problem document, checking the status
// and media type.
func (env *testEnv) problem(req request, wantStatus int) Problem {
	env.t.Helper()
	w := env.do(req)
	if w.Code != wantStatus {
		env.t.Fatalf("%s %s: status %d, want %d; body %s", req.method, req.path, w.Code, wantStatus, w.Body)
	}
	if got := w.Header().Get("Content-Type"); got != "application/problem+json" {
		env.t.Fatalf("%s %s: Content-Type %q, want application/problem+json", req.method, req.path, got)
	}
	var p Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		env.t.Fatalf("decode problem: %v; body %s", err, w.Body)
	}
	if p.Status != wantStatus {
		env.t.Fatalf("problem status %d, want %d", p.Status, wantStatus)
	}
	return p
}

// createOrg and createParty make fixtures through the API: an exporter,
// created by the system administrator, and a party, created by an officer
// of its exporter.
func (env *testEnv) createOrg(name string) tollgate.Org {
	env.t.Helper()
	return must[tollgate.Org](env, request{method: "POST", path: "/v1/orgs", as: env.admin,
		body: OrgInput{Kind: tollgate.OrgExporter, Name: name, Country: "US"}}, http.StatusCreated)
}

func (env *testEnv) createParty(orgID, name string, other ...string) tollgate.Party {
	env.t.Helper()
	return must[tollgate.Party](env, request{method: "POST", path: "/v1/parties", as: env.member(orgID, tollgate.RoleExporterOfficer), body: PartyInput{
		OrgID: orgID, Role: tollgate.RoleEndUser, Type: tollgate.EntityOrganization, LegalName: name,
		OtherNames: other, Country: "CN"}}, http.StatusCreated)
}

// scrape returns the server's metrics, as the metrics listener serves them.
func (env *testEnv) scrape() string {
	env.t.Helper()
	w := httptest.NewRecorder()
	env.metrics.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != http.StatusOK {
		env.t.Fatalf("metrics: status %d", w.Code)
	}
	return w.Body.String()
}
