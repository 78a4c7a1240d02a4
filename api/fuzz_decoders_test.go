package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/licensing"
	"tollgate/screening"
	"tollgate/shipping"
	"tollgate/store"
)

// fuzzServer is the real API over a SQLite store with a few fixtures:
// users of every kind of organization with API tokens, an organization, a
// party and a list version, so that routes on objects reach their
// decoders. It lives as long as the fuzz process.
type fuzzServer struct {
	handler http.Handler
	logs    *syncBuffer
	tokens  []string          // one API token per caller
	ids     map[string]string // path segment before {id} → a fixture's id
	keys    atomic.Int64
}

// newFuzzServer builds the server in tb's temporary directory.
func newFuzzServer(tb testing.TB) *fuzzServer {
	tb.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC) }
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(tb.TempDir(), "fuzz.db"), time.Now)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	fs := &fuzzServer{logs: &syncBuffer{}, ids: map[string]string{}}
	log := slog.New(slog.NewJSONHandler(fs.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a := &auth.Authenticator{Users: db, Orgs: db, Now: time.Now,
		Sessions: auth.DefaultSessionConfig(), Passwords: auth.PasswordParams{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		Limiter: auth.NewLoginLimiter(auth.DefaultLoginLimitConfig(), time.Now)}
	lic, err := licensing.NewService(db, licensing.ServiceConfig{Config: licensing.DefaultConfig(),
		Rules: classify.Default(), Catalog: catalog.Default(), Authorize: AuthorizeLicensing})
	if err != nil {
		tb.Fatal(err)
	}
	ship, err := shipping.NewService(db, classify.Default(), catalog.Default().Lookup, shipping.DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	fs.handler = NewServer(Deps{Store: db, Screening: screening.New(db, log, screening.DefaultConfig()), Auth: a,
		Licensing: lic, Shipping: ship, Logger: log, Now: now, Catalog: catalog.Default(), Rules: classify.Default()})

	callers := []struct {
		kind  tollgate.OrgKind
		roles []tollgate.Role
	}{
		{tollgate.OrgOperator, []tollgate.Role{tollgate.RoleSystemAdmin}},
		{tollgate.OrgExporter, []tollgate.Role{tollgate.RoleExporterAdmin, tollgate.RoleExporterOfficer}},
		{tollgate.OrgAgency, []tollgate.Role{tollgate.RoleLicensingOfficer}},
		{tollgate.OrgLab, []tollgate.Role{tollgate.RoleLabTechnician}},
		{tollgate.OrgBroker, []tollgate.Role{tollgate.RoleBroker}},
		{tollgate.OrgAuditor, []tollgate.Role{tollgate.RoleAuditor}},
	}
	for i, c := range callers {
		org := &tollgate.Org{Kind: c.kind, Name: fmt.Sprintf("Fuzz %s", c.kind), Country: "US"}
		if err := db.CreateOrg(ctx, org); err != nil {
			tb.Fatal(err)
		}
		if c.kind == tollgate.OrgExporter {
			fs.ids["orgs"] = org.ID
			party := &tollgate.Party{OrgID: org.ID, Role: tollgate.RoleEndUser, Type: tollgate.EntityOrganization,
				LegalName: "Shady Chips Trading Limited", Country: "HK"}
			if err := db.CreateParty(ctx, party); err != nil {
				tb.Fatal(err)
			}
			fs.ids["parties"] = party.ID
		}
		u := &tollgate.User{OrgID: org.ID, Email: fmt.Sprintf("fuzz%d@example.com", i), Name: "Fuzz", Roles: c.roles}
		if err := db.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
		secret, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, u, "fuzz", 0, time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		if err := db.CreateToken(ctx, tok); err != nil {
			tb.Fatal(err)
		}
		fs.tokens = append(fs.tokens, secret.Reveal())
		fs.ids["users"], fs.ids["tokens"] = u.ID, tok.ID
	}
	li := &tollgate.ListImport{Source: "internal", Format: "custom", Digest: strings.Repeat("ab", 32), Entities: testEntities}
	v, _, err := db.ImportListVersion(ctx, li)
	if err != nil {
		tb.Fatal(err)
	}
	fs.ids["lists"] = v.ID
	return fs
}

// path fills a route pattern's {params}: with the fixture named by the
// segment before it when there is one, else a well-formed unknown id.
func (fs *fuzzServer) path(pattern string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			id, ok := fs.ids[segs[max(i-1, 0)]]
			if !ok {
				id = "0190a3e1-7c1a-7000-8000-000000000000"
			}
			segs[i] = id
		}
	}
	return strings.Join(segs, "/")
}

// bodyRoutes returns the routes that take a request body: those with a
// Request type and every mutating one.
func bodyRoutes() []Route {
	var out []Route
	for _, rt := range Routes() {
		if rt.Request != nil || rt.mutating() {
			out = append(out, rt)
		}
	}
	return out
}

// FuzzRouteDecoders sends arbitrary bodies to every route that takes one,
// through the real server (auth, idempotency, decoding, validation, the
// handler), as each kind of caller: the server must never answer 5xx nor
// panic. It also decodes each body into every route's Request type the way
// decode does, and checks that validation fails only with user errors.
func FuzzRouteDecoders(f *testing.F) {
	routes := bodyRoutes()
	generic := []string{``, `{}`, `null`, `[]`, `{"a":1e999}`, `{"name":"\u0000"}`, `{`, `"x"`, `{"id":"x","org_id":[]}`}
	// One seed per route (its Request type's zero value, whose field names
	// the fuzzer then mutates) and each generic body once: few seeds keep
	// the baseline short within a CI time budget.
	for i, rt := range routes {
		b := []byte(`{}`)
		if rt.Request != nil {
			if enc, err := json.Marshal(rt.Request); err == nil {
				b = enc
			}
		}
		f.Add(uint8(i), uint8(i), b)
	}
	for j, s := range generic {
		f.Add(uint8(j*7), uint8(j), []byte(s))
	}
	f.Add(uint8(0), uint8(1), []byte(`{"kind":"exporter","name":"A","country":"US"}`))
	f.Add(uint8(0), uint8(1), []byte(`{"names":[{"name":"Huawei","type":"organization","country":"CN"}],"threshold":0.9}`))
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, route, caller uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		checkDecodes(t, body)
		r := httptest.NewRequest(rt.Method, fs.path(rt.Pattern), bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+fs.tokens[int(caller)%len(fs.tokens)])
		r.Header.Set(IdempotencyKeyHeader, fmt.Sprintf("fuzz-%d", fs.keys.Add(1)))
		w := httptest.NewRecorder()
		fs.handler.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s with body %q: status %d: %s\nlog: %s", rt.Method, rt.Pattern, body, w.Code, w.Body, fs.logs)
		}
	})
}

// checkDecodes decodes body into every route's Request type as decode
// does, and validates it: no panic, and only user errors.
func checkDecodes(t *testing.T, body []byte) {
	for _, rt := range Routes() {
		if rt.Request == nil {
			continue
		}
		v := reflect.New(reflect.TypeOf(rt.Request)).Interface()
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			if code := tollgate.ErrorCode(jsonError(err)); code != tollgate.EINVALID {
				t.Fatalf("%s: decoding %q: code %s (%v)", rt.Pattern, body, code, err)
			}
			continue
		}
		if _, err := dec.Token(); err != io.EOF {
			continue // trailing data: decode rejects it before validating
		}
		if val, ok := v.(validator); ok {
			if err := val.Validate(); err != nil && tollgate.ErrorCode(err) == tollgate.EINTERNAL {
				t.Fatalf("%s: %T.Validate of %q: internal error %v", rt.Pattern, v, body, err)
			}
		}
	}
}
