package api

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/auth"
	"tollgate/store"
)

// TestIDOR has exporter A's officer ask for every kind of object of
// exporter B by id, reading and writing: each answer is the 404 a missing
// object gets, with the same words, and B's objects are unchanged. A
// licensing officer's action is forbidden to A outright (403).
func TestIDOR(t *testing.T) { apitest.ForEachBackend(t, testIDOR) }

func testIDOR(t *testing.T, dsn string) {
	w := newMatrixWorld(t, dsn)
	env := w.env
	a := env.member(w.home.ID, tollgate.RoleExporterAdmin)
	b := w.other
	bParty := env.createParty(b.org.ID, "Exporter B's Customer Ltd")
	bScreening := must[tollgate.ScreeningDiff](env, request{method: "POST", path: "/v1/parties/" + bParty.ID + "/screen",
		as: env.member(b.org.ID, tollgate.RoleExporterOfficer)}, http.StatusCreated).Screening
	const missing = "0192f1e2-0000-7000-8000-000000000000"
	decision := DecisionInput{List: w.hit.List, SourceID: w.hit.SourceID, EntityDigest: w.hit.EntityDigest, Kind: tollgate.HitTrueMatch}
	name := "Taken Over Ltd"
	tests := []struct {
		method, path string // %s is the object's id
		id, what     string
		body         any
	}{
		{"GET", "/v1/parties/%s", bParty.ID, "party", nil},
		{"PATCH", "/v1/parties/%s", bParty.ID, "party", tollgate.PartyUpdate{LegalName: &name}},
		{"POST", "/v1/parties/%s/screen", bParty.ID, "party", nil},
		{"GET", "/v1/parties/%s/screenings", bParty.ID, "party", nil},
		{"GET", "/v1/parties/%s/screenings/latest", bParty.ID, "party", nil},
		{"POST", "/v1/parties/%s/decisions", bParty.ID, "party", decision},
		{"GET", "/v1/parties/%s/decisions", bParty.ID, "party", nil},
		{"GET", "/v1/screenings/%s", bScreening.ID, "screening", nil},
		{"GET", "/v1/users/%s", b.user.ID, "user", nil},
		{"PATCH", "/v1/users/%s", b.user.ID, "user", tollgate.UserUpdate{Name: &name}},
		{"GET", "/v1/tokens?user_id=%s", b.user.ID, "user", nil},
		{"DELETE", "/v1/tokens/%s", b.tokenID, "token", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+strings.ReplaceAll(tt.path, "%s", "{id}"), func(t *testing.T) {
			theirs := env.problem(request{method: tt.method, path: strings.ReplaceAll(tt.path, "%s", tt.id), body: tt.body, as: a}, http.StatusNotFound)
			absent := env.problem(request{method: tt.method, path: strings.ReplaceAll(tt.path, "%s", missing), body: tt.body, as: a}, http.StatusNotFound)
			if got, want := theirs.Detail, strings.ReplaceAll(absent.Detail, missing, tt.id); got != want || theirs.Code != absent.Code {
				t.Errorf("another tenant's %s: %q (%s), want what a missing one gets: %q (%s)", tt.what, got, theirs.Code, want, absent.Code)
			}
		})
	}
	t.Run("CreateInAnotherTenant", func(t *testing.T) {
		env.problem(request{method: "POST", path: "/v1/parties", as: a, body: PartyInput{OrgID: b.org.ID,
			Role: tollgate.RoleEndUser, LegalName: "Planted Ltd", Country: "CN"}}, http.StatusNotFound)
		env.problem(request{method: "POST", path: "/v1/users", as: a, body: UserInput{OrgID: b.org.ID,
			Email: "mole@b.example", Name: "Mole", Roles: []tollgate.Role{tollgate.RoleExporterAdmin}}}, http.StatusNotFound)
		env.problem(request{method: "POST", path: "/v1/tokens", as: a, body: TokenInput{UserID: b.user.ID, Name: "theirs"}}, http.StatusNotFound)
	})
	t.Run("ListsKeepToTheTenant", func(t *testing.T) {
		page := must[Page[tollgate.Party]](env, request{method: "GET", path: "/v1/parties?org_id=" + b.org.ID, as: a}, http.StatusOK)
		if len(page.Items) != 0 {
			t.Errorf("A listed %d of B's parties", len(page.Items))
		}
		users := must[Page[tollgate.User]](env, request{method: "GET", path: "/v1/users", as: a}, http.StatusOK)
		for _, u := range users.Items {
			if u.OrgID != w.home.ID {
				t.Errorf("A's user list shows %s of org %s", u.ID, u.OrgID)
			}
		}
	})
	t.Run("Unchanged", func(t *testing.T) {
		got := must[tollgate.Party](env, request{method: "GET", path: "/v1/parties/" + bParty.ID, as: b}, http.StatusOK)
		if got.LegalName != bParty.LegalName {
			t.Errorf("B's party renamed to %q", got.LegalName)
		}
		if tok, err := env.db.FindTokenByID(context.Background(), b.tokenID); err != nil || !tok.RevokedAt.IsZero() {
			t.Errorf("B's token: %+v, %v", tok, err)
		}
	})
	t.Run("ForbiddenAction", func(t *testing.T) {
		// Importing a list is the licensing agency's (and the operator's).
		p := env.problem(request{method: "POST", path: "/v1/lists/import", as: a,
			body: ListImportInput{FileName: "internal.csv", Content: internalList}}, http.StatusForbidden)
		if p.Code != tollgate.EFORBIDDEN {
			t.Errorf("code %q, want forbidden", p.Code)
		}
		// Deciding an application is the licensing officer's alone: refused
		// before the application is even looked up.
		for _, rt := range Routes() {
			if rt.Permission == "application.decide" {
				path := wildcard.ReplaceAllString(rt.Pattern, "0192f1e2-0000-7000-8000-000000000000")
				env.problem(request{method: rt.Method, path: path, body: "{}", as: a}, http.StatusForbidden)
			}
		}
	})
}

// TestEscalation checks that an exporter's admin manages its own users
// only within what it may grant.
func TestEscalation(t *testing.T) {
	env := newTestEnv(t)
	org := env.newOrg(tollgate.OrgExporter, "Nvidia")
	admin := env.newUser(org, tollgate.RoleExporterAdmin)
	officer := env.newUser(org, tollgate.RoleExporterOfficer)
	// A system administrator placed in the exporter by the operator.
	root := env.newUser(org, tollgate.RoleSystemAdmin)
	yes := true
	roles := []tollgate.Role{tollgate.RoleLicensingOfficer}
	sysRoles := []tollgate.Role{tollgate.RoleSystemAdmin}
	tests := []struct {
		name   string
		req    request
		status int
	}{
		{"GrantAgencyRole", request{method: "PATCH", path: "/v1/users/" + officer.user.ID, body: tollgate.UserUpdate{Roles: &roles}}, 400},
		{"GrantSystemAdmin", request{method: "PATCH", path: "/v1/users/" + officer.user.ID, body: tollgate.UserUpdate{Roles: &sysRoles}}, 403},
		{"CreateSystemAdmin", request{method: "POST", path: "/v1/users", body: UserInput{OrgID: org.ID, Email: "x@nv.example",
			Name: "X", Roles: sysRoles}}, 403},
		{"DisableSystemAdmin", request{method: "PATCH", path: "/v1/users/" + root.user.ID, body: tollgate.UserUpdate{Disabled: &yes}}, 403},
		{"TokenForSystemAdmin", request{method: "POST", path: "/v1/tokens", body: TokenInput{UserID: root.user.ID, Name: "mine now"}}, 403},
		{"RevokeSystemAdminsToken", request{method: "DELETE", path: "/v1/tokens/" + root.tokenID}, 403},
		{"DisableSelf", request{method: "PATCH", path: "/v1/users/" + admin.user.ID, body: tollgate.UserUpdate{Disabled: &yes}}, 409},
		{"WeakPassword", request{method: "POST", path: "/v1/users", body: UserInput{OrgID: org.ID, Email: "y@nv.example",
			Name: "Y", Roles: []tollgate.Role{tollgate.RoleExporterOfficer}, Password: "password123"}}, 400},
		{"DisableOfficer", request{method: "PATCH", path: "/v1/users/" + officer.user.ID, body: tollgate.UserUpdate{Disabled: &yes}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.as = admin
			env.problemOrOK(tt.req, tt.status)
		})
	}
	// The disabled officer's token stops working at once, and stays dead
	// when the officer is enabled again.
	env.problem(request{method: "GET", path: "/v1/parties", as: officer}, http.StatusUnauthorized)
	no := false
	env.problemOrOK(request{method: "PATCH", path: "/v1/users/" + officer.user.ID, as: admin,
		body: tollgate.UserUpdate{Disabled: &no}}, http.StatusOK)
	env.problem(request{method: "GET", path: "/v1/parties", as: officer}, http.StatusUnauthorized)
}

// problemOrOK serves req and checks its status.
func (env *testEnv) problemOrOK(req request, status int) {
	env.t.Helper()
	if w := env.do(req); w.Code != status {
		env.t.Errorf("%s %s: status %d, want %d; body %s", req.method, req.path, w.Code, status, w.Body)
	}
}

// TestTokenLifecycle creates a token through the API, uses it, lists it
// and revokes it; its secret is shown once, and a replay of the creation
// does not show it again.
func TestTokenLifecycle(t *testing.T) {
	env := newTestEnv(t)
	org := env.newOrg(tollgate.OrgExporter, "AMD")
	admin := env.newUser(org, tollgate.RoleExporterAdmin)
	officer := env.newUser(org, tollgate.RoleExporterOfficer)
	create := request{method: "POST", path: "/v1/tokens", as: admin, key: "mint-1",
		body: TokenInput{UserID: officer.user.ID, Name: "CI", TTL: "720h"}}
	nt := must[NewToken](env, create, http.StatusCreated)
	if _, err := auth.ParseToken(nt.Secret); err != nil || nt.Token.UserID != officer.user.ID {
		t.Fatalf("new token: %+v (%v)", nt, err)
	}
	if got, want := nt.Token.ExpiresAt.Sub(nt.Token.CreatedAt), 720*time.Hour; got < want-time.Second || got > want+time.Second {
		t.Errorf("lifetime %s, want %s", got, want)
	}
	replay := env.do(create)
	if replay.Code != http.StatusCreated || strings.Contains(replay.Body.String(), nt.Secret) || !strings.Contains(replay.Body.String(), nt.Token.ID) {
		t.Errorf("replay: %d %s; want the record without the secret", replay.Code, replay.Body)
	}
	use := &testUser{user: officer.user, org: org, token: nt.Secret}
	must[Page[tollgate.Party]](env, request{method: "GET", path: "/v1/parties", as: use}, http.StatusOK)
	list := must[Page[tollgate.Token]](env, request{method: "GET", path: "/v1/tokens?user_id=" + officer.user.ID, as: admin}, http.StatusOK)
	if len(list.Items) != 2 || list.Items[0].ID != nt.Token.ID || list.Items[0].LastUsedAt.IsZero() {
		t.Errorf("token list: %+v", list.Items)
	}
	if strings.Contains(mustJSON(t, list), nt.Secret) {
		t.Error("the token list shows a secret")
	}
	revoked := must[tollgate.Token](env, request{method: "DELETE", path: "/v1/tokens/" + nt.Token.ID, as: admin}, http.StatusOK)
	if revoked.RevokedAt.IsZero() {
		t.Errorf("revoke: %+v", revoked)
	}
	p := env.problem(request{method: "GET", path: "/v1/parties", as: use}, http.StatusUnauthorized)
	if !strings.Contains(p.Detail, "revoked") {
		t.Errorf("revoked token: %q", p.Detail)
	}
	env.problem(request{method: "POST", path: "/v1/tokens", as: admin, body: TokenInput{Name: "x", TTL: "forever"}}, http.StatusBadRequest)
	env.problem(request{method: "POST", path: "/v1/tokens", as: admin, body: TokenInput{Name: "x", TTL: "9000h"}}, http.StatusBadRequest)
	// An officer holds no token.write: tokens come from an admin.
	env.problem(request{method: "POST", path: "/v1/tokens", as: officer, body: TokenInput{Name: "mine"}}, http.StatusForbidden)
}

// TestSecretsNeverShown drives tokens, sign-ins and failures through the
// API and checks that no token, cookie or password appears in the logs,
// in an answer other than the one that hands it out, or in the store's
// idempotency records.
func TestSecretsNeverShown(t *testing.T) {
	env := newTestEnv(t)
	org := env.newOrg(tollgate.OrgExporter, "Intel")
	admin := env.newUser(org, tollgate.RoleExporterAdmin)
	nt := must[NewToken](env, request{method: "POST", path: "/v1/tokens", as: admin, body: TokenInput{Name: "leaky?"}}, http.StatusCreated)
	cookie := env.login(admin)
	secrets := []string{admin.token, nt.Secret, cookie.Value, testPassword}

	var answers []string
	keep := func(req request) {
		answers = append(answers, env.do(req).Body.String())
	}
	bad := func(s string) string { return s[:len(s)-1] + string("xy"[strings.Count(s, "x")%2]) }
	keep(request{method: "GET", path: "/v1/parties", as: &testUser{token: bad(admin.token)}})
	keep(request{method: "GET", path: "/v1/parties", as: &testUser{token: admin.token + "x"}})
	keep(request{method: "GET", path: "/v1/parties", anon: true, header: map[string]string{"Authorization": "Token " + admin.token}})
	keep(request{method: "GET", path: "/v1/parties", anon: true, header: withCookie(&http.Cookie{Name: cookie.Name, Value: bad(cookie.Value)})})
	keep(request{method: "POST", path: "/v1/login", anon: true, body: LoginInput{Email: admin.user.Email, Password: testPassword + "!"}})
	keep(request{method: "POST", path: "/v1/login", anon: true, body: LoginInput{Email: "nobody@x.example", Password: testPassword}})
	keep(request{method: "GET", path: "/v1/tokens", as: admin})
	keep(request{method: "GET", path: "/v1/users/" + admin.user.ID, as: admin})
	keep(request{method: "GET", path: "/v1/lists", anon: true, header: withCookie(cookie)})
	keep(request{method: "POST", path: "/v1/logout", anon: true, header: withCookie(cookie)})
	keep(request{method: "GET", path: "/v1/lists", anon: true, header: withCookie(cookie)})

	logs := env.logs.String()
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds a secret (%.6s…)", s)
		}
		for _, a := range answers {
			if strings.Contains(a, s) {
				t.Errorf("an answer holds a secret (%.6s…): %s", s, a)
			}
		}
	}
	if !strings.Contains(logs, `"msg":"access denied"`) || !strings.Contains(logs, `"kind":"login_failed"`) {
		t.Errorf("denials not logged: %s", logs)
	}
	for _, want := range []string{AuthUnauthenticated, AuthLoginFailed} {
		if !slices.Contains(env.events.kinds(), want) {
			t.Errorf("no %s event in %v", want, env.events.kinds())
		}
	}
	for _, cell := range idempotencyBodies(t, env) {
		for _, s := range secrets {
			if strings.Contains(cell, s) {
				t.Errorf("an idempotency record holds a secret (%.6s…)", s)
			}
		}
	}
}

// idempotencyBodies returns the stored response bodies of the store's
// idempotency records.
func idempotencyBodies(t *testing.T, env *testEnv) []string {
	t.Helper()
	var out []string
	err := env.db.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT body FROM idempotency_keys WHERE body IS NOT NULL`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return err
			}
			out = append(out, string(b))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no idempotency records to check")
	}
	return out
}

// FuzzCredentials sends arbitrary Authorization headers and session
// cookies to a protected route and to a public one. Whatever arrives, the
// protected route answers 401 (or 200 for the one real token in the
// corpus, whatever the cookie), the public one serves anonymously, nothing fails with a 5xx,
// and neither the answer nor the log repeats what was sent. The token
// "$TOKEN" in an input stands for a real one. (Each input gets a fresh
// store, so fuzzing runs slowly; the seeds run with every go test.)
func FuzzCredentials(f *testing.F) {
	for _, seed := range []struct{ authorization, cookie string }{
		{"Bearer $TOKEN", ""},
		{"Bearer $TOKEN$TOKEN", ""},
		{"Bearer tg_", ""},
		{"bearer  $TOKEN ", ""},
		{"Basic dXNlcjpwYXNz", ""},
		{"", "tgs_000000000000000000000000000000000000"},
		{"Bearer " + strings.Repeat("A", 400), "\x00;="},
		{"Bearer tg_0123456789ABCDEFGHIJKLMNOPQRSTabcdef", "tgs_"},
	} {
		f.Add(seed.authorization, seed.cookie)
	}
	f.Fuzz(func(t *testing.T, authorization, cookie string) {
		// Not t.TempDir: the fuzz test's subtest names hold '#', which a
		// SQLite DSN must not.
		dir, err := os.MkdirTemp("", "tollgate-fuzz-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		env := newTestEnvDSN(t, "sqlite:"+filepath.Join(dir, "tollgate.db"))
		officer := env.newUser(env.newOrg(tollgate.OrgExporter, "Fuzz Exporter"), tollgate.RoleExporterOfficer)
		authorization = strings.ReplaceAll(authorization, "$TOKEN", officer.token)
		cookie = strings.ReplaceAll(cookie, "$TOKEN", officer.token)
		header := map[string]string{}
		if authorization != "" {
			header["Authorization"] = authorization
		}
		if cookie != "" {
			header["Cookie"] = "tollgate_session=" + cookie
		}
		logBefore := len(env.logs.String())
		protected := env.do(request{method: "GET", path: "/v1/parties", anon: true, header: header})
		public := env.do(request{method: "GET", path: "/healthz", anon: true, header: header})
		switch {
		case protected.Code == http.StatusOK && strings.Contains(authorization, officer.token):
			// A token, however spaced, wins over any cookie.
		case protected.Code != http.StatusUnauthorized:
			t.Fatalf("Authorization %q, cookie %q: protected route answered %d: %s", authorization, cookie, protected.Code, protected.Body)
		}
		if public.Code != http.StatusOK {
			t.Fatalf("Authorization %q, cookie %q: /healthz answered %d", authorization, cookie, public.Code)
		}
		logs := env.logs.String()[logBefore:]
		for _, sent := range []string{strings.TrimSpace(authorization), cookie} {
			if len(sent) < 12 {
				continue // too short to be told from the answer's own words
			}
			if strings.Contains(protected.Body.String(), sent) || strings.Contains(logs, sent) {
				t.Fatalf("the answer or the log repeats the credential %q", sent)
			}
		}
	})
}
