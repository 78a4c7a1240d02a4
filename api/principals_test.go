package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"tollgate"
	"tollgate/auth"
)

// testPasswordParams are cheap argon2id parameters for tests (8 MiB, one
// pass): the cost of the real ones is the benchmark's business.
var testPasswordParams = auth.PasswordParams{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// testPassword is the password of every user made with a password.
const testPassword = "violet tractor harbour"

// testUser is a user of the test store with an API token.
type testUser struct {
	user    *tollgate.User
	org     *tollgate.Org
	token   string // the secret, for Authorization: Bearer
	tokenID string
}

// principal returns what the guard makes of the user's token.
func (u *testUser) principal() *tollgate.Principal {
	return &tollgate.Principal{UserID: u.user.ID, OrgID: u.org.ID, OrgKind: u.org.Kind, Roles: u.user.Roles, TokenID: u.tokenID}
}

// newOrg stores an organization of kind directly in the store.
func (env *testEnv) newOrg(kind tollgate.OrgKind, name string) *tollgate.Org {
	env.t.Helper()
	org := &tollgate.Org{Kind: kind, Name: name, Country: "US"}
	if err := env.db.CreateOrg(context.Background(), org); err != nil {
		env.t.Fatalf("CreateOrg: %v", err)
	}
	return org
}

// newUser stores a user of org with roles, the test password and an API
// token valid for 90 days.
func (env *testEnv) newUser(org *tollgate.Org, roles ...tollgate.Role) *testUser {
	env.t.Helper()
	env.mu.Lock()
	env.users++
	n := env.users
	env.mu.Unlock()
	hash, err := auth.HashPassword(testPassword, testPasswordParams, nil)
	if err != nil {
		env.t.Fatal(err)
	}
	u := &tollgate.User{OrgID: org.ID, Email: fmt.Sprintf("user%d@%s.example", n, kindWord(org.Kind)),
		Name: fmt.Sprintf("Test User %d", n), Roles: roles, PasswordHash: hash}
	ctx := context.Background()
	if err := env.db.CreateUser(ctx, u); err != nil {
		env.t.Fatalf("CreateUser: %v", err)
	}
	secret, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, u, "test", 0, env.clock.Now())
	if err != nil {
		env.t.Fatal(err)
	}
	if err := env.db.CreateToken(ctx, tok); err != nil {
		env.t.Fatalf("CreateToken: %v", err)
	}
	return &testUser{user: u, org: org, token: secret.Reveal(), tokenID: tok.ID}
}

func kindWord(k tollgate.OrgKind) string { return strings.ReplaceAll(string(k), "_", "-") }

// member returns a user of the organization with id orgID holding role,
// made on first use.
func (env *testEnv) member(orgID string, role tollgate.Role) *testUser {
	env.t.Helper()
	key := orgID + "/" + string(role)
	env.mu.Lock()
	u := env.members[key]
	env.mu.Unlock()
	if u != nil {
		return u
	}
	org, err := env.db.FindOrgByID(context.Background(), orgID)
	if err != nil {
		env.t.Fatalf("member: %v", err)
	}
	u = env.newUser(org, role)
	env.mu.Lock()
	env.members[key] = u
	env.mu.Unlock()
	return u
}

// actAs makes u the default caller of the env's requests.
func (env *testEnv) actAs(u *testUser) { env.caller = u }

// login signs u in through the API and returns the session cookie.
func (env *testEnv) login(u *testUser) *http.Cookie {
	env.t.Helper()
	w := env.do(request{method: "POST", path: "/v1/login", anon: true,
		body: LoginInput{Email: u.user.Email, Password: testPassword}})
	if w.Code != http.StatusOK {
		env.t.Fatalf("login %s: %d %s", u.user.Email, w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == auth.DefaultSessionConfig().CookieName && c.Value != "" {
			return c
		}
	}
	env.t.Fatalf("login %s: no session cookie in %v", u.user.Email, w.Header())
	return nil
}

// withCookie is a header map sending c.
func withCookie(c *http.Cookie, more ...string) map[string]string {
	h := map[string]string{"Cookie": c.Name + "=" + c.Value}
	for i := 0; i+1 < len(more); i += 2 {
		h[more[i]] = more[i+1]
	}
	return h
}

// eventLog keeps the AuthEvents a server hands to Access.Events.
type eventLog struct {
	mu     sync.Mutex
	events []AuthEvent
}

func (l *eventLog) add(_ context.Context, ev AuthEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

// kinds returns the kinds of the events so far.
func (l *eventLog) kinds() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, ev := range l.events {
		out = append(out, ev.Kind)
	}
	return out
}

// cast is one user for every role, each in an organization of the kind
// the role belongs to (the system administrator in the operator's).
type cast struct {
	orgs  map[tollgate.OrgKind]*tollgate.Org
	users map[tollgate.Role]*testUser
}

// roleKinds is where each role of the cast works.
var roleKinds = map[tollgate.Role]tollgate.OrgKind{
	tollgate.RoleExporterAdmin: tollgate.OrgExporter, tollgate.RoleExporterOfficer: tollgate.OrgExporter,
	tollgate.RoleLicensingOfficer: tollgate.OrgAgency, tollgate.RoleAgencyReviewer: tollgate.OrgAgency,
	tollgate.RoleLabTechnician: tollgate.OrgLab, tollgate.RoleBroker: tollgate.OrgBroker,
	tollgate.RoleAuditor: tollgate.OrgAuditor, tollgate.RoleSystemAdmin: tollgate.OrgOperator,
}

// cast makes one organization of every kind and one user of every role
// (the env's administrator for system_admin).
func (env *testEnv) cast() *cast {
	env.t.Helper()
	c := &cast{orgs: map[tollgate.OrgKind]*tollgate.Org{tollgate.OrgOperator: env.admin.org}, users: map[tollgate.Role]*testUser{}}
	for _, role := range tollgate.Roles {
		kind := roleKinds[role]
		if role == tollgate.RoleSystemAdmin {
			c.users[role] = env.admin
			continue
		}
		if c.orgs[kind] == nil {
			c.orgs[kind] = env.newOrg(kind, "Home "+string(kind))
		}
		c.users[role] = env.newUser(c.orgs[kind], role)
	}
	return c
}

// holder returns a user of the cast whose roles hold perm (nil for a
// public permission: no credentials are needed).
func (c *cast) holder(t testingT, perm string) *testUser {
	if perm == PermPublic {
		return nil
	}
	for _, role := range tollgate.Roles {
		if _, err := auth.ScopeOf(c.users[role].principal(), perm); err == nil {
			return c.users[role]
		}
	}
	t.Fatalf("no role holds %q", perm)
	return nil
}

// testingT is the part of testing.TB that holder needs.
type testingT interface {
	Fatalf(format string, args ...any)
}
