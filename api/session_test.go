package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/auth"
)

// TestSessions signs in through the API and follows the session cookie to
// its end: idle timeout, absolute timeout, sign-out, and a disabled user.
func TestSessions(t *testing.T) {
	env := newTestEnv(t)
	org := env.newOrg(tollgate.OrgExporter, "Nvidia")
	officer := env.newUser(org, tollgate.RoleExporterOfficer)
	cfg := auth.DefaultSessionConfig()
	get := func(c *http.Cookie) int {
		return env.do(request{method: "GET", path: "/v1/parties", anon: true, header: withCookie(c)}).Code
	}

	t.Run("Cookie", func(t *testing.T) {
		c := env.login(officer)
		if !c.HttpOnly || c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie attributes: %+v", c)
		}
		if got := get(c); got != http.StatusOK {
			t.Errorf("with the cookie: status %d, want 200", got)
		}
	})
	t.Run("IdleTimeout", func(t *testing.T) {
		c := env.login(officer)
		env.clock.Advance(cfg.IdleTimeout - time.Minute)
		if got := get(c); got != http.StatusOK {
			t.Fatalf("used before the idle timeout: status %d", got)
		}
		env.clock.Advance(cfg.IdleTimeout - time.Minute)
		if got := get(c); got != http.StatusOK {
			t.Fatalf("the use moved the idle deadline: status %d", got)
		}
		env.clock.Advance(cfg.IdleTimeout + time.Second)
		if got := get(c); got != http.StatusUnauthorized {
			t.Errorf("after the idle timeout: status %d, want 401", got)
		}
	})
	t.Run("AbsoluteTimeout", func(t *testing.T) {
		c := env.login(officer)
		for elapsed := time.Duration(0); elapsed < cfg.AbsoluteTimeout-cfg.IdleTimeout; elapsed += cfg.IdleTimeout / 2 {
			if got := get(c); got != http.StatusOK {
				t.Fatalf("busy session after %s: status %d", elapsed, got)
			}
			env.clock.Advance(cfg.IdleTimeout / 2)
		}
		env.clock.Advance(cfg.IdleTimeout)
		if got := get(c); got != http.StatusUnauthorized {
			t.Errorf("past the absolute timeout: status %d, want 401", got)
		}
	})
	t.Run("Logout", func(t *testing.T) {
		c := env.login(officer)
		w := env.do(request{method: "POST", path: "/v1/logout", anon: true, header: withCookie(c)})
		if w.Code != http.StatusNoContent {
			t.Fatalf("logout: %d %s", w.Code, w.Body)
		}
		cleared := false
		for _, sc := range w.Result().Cookies() {
			cleared = cleared || (sc.Name == c.Name && sc.MaxAge < 0)
		}
		if !cleared {
			t.Errorf("logout does not clear the cookie: %v", w.Header())
		}
		if got := get(c); got != http.StatusUnauthorized {
			t.Errorf("after logout: status %d, want 401", got)
		}
		if w := env.do(request{method: "POST", path: "/v1/logout", anon: true, header: withCookie(c)}); w.Code != http.StatusNoContent {
			t.Errorf("second logout: %d", w.Code)
		}
	})
	t.Run("DisabledUser", func(t *testing.T) {
		u := env.newUser(org, tollgate.RoleExporterOfficer)
		c := env.login(u)
		yes := true
		must[tollgate.User](env, request{method: "PATCH", path: "/v1/users/" + u.user.ID, body: tollgate.UserUpdate{Disabled: &yes}}, http.StatusOK)
		if got := get(c); got != http.StatusUnauthorized {
			t.Errorf("a disabled user's session: status %d, want 401", got)
		}
		env.problem(request{method: "POST", path: "/v1/login", anon: true, body: LoginInput{Email: u.user.Email, Password: testPassword}},
			http.StatusUnauthorized)
	})
}

// TestCSRF sends state-changing requests with a session cookie from
// another origin, as a forged form post would be: they are refused before
// any handler runs. Same-origin requests and API tokens pass.
func TestCSRF(t *testing.T) {
	env := newTestEnv(t, func(d *Deps) { d.Access.TrustedOrigins = []string{"https://dashboard.example.com"} })
	org := env.newOrg(tollgate.OrgExporter, "Nvidia")
	officer := env.newUser(org, tollgate.RoleExporterOfficer)
	c := env.login(officer)
	form := "org_id=" + org.ID + "&role=end_user&legal_name=Forged&country=CN"
	post := func(header map[string]string, body any, as *testUser) int {
		req := request{method: "POST", path: "/v1/parties", body: body, header: header, anon: as == nil, as: as}
		return env.do(req).Code
	}
	party := PartyInput{OrgID: org.ID, Role: tollgate.RoleEndUser, LegalName: "Real Customer Ltd", Country: "SG"}
	tests := []struct {
		name   string
		header map[string]string
		body   any
		as     *testUser
		status int
	}{
		{"CrossSiteForm", withCookie(c, "Sec-Fetch-Site", "cross-site", "Content-Type", "application/x-www-form-urlencoded"), form, nil, 403},
		{"SameSiteOtherOrigin", withCookie(c, "Sec-Fetch-Site", "same-site"), party, nil, 403},
		{"OldBrowserOtherOrigin", withCookie(c, "Origin", "https://evil.example"), party, nil, 403},
		{"SameOrigin", withCookie(c, "Sec-Fetch-Site", "same-origin"), party, nil, 201},
		{"TrustedOrigin", withCookie(c, "Origin", "https://dashboard.example.com", "Sec-Fetch-Site", "cross-site"), party, nil, 201},
		{"NoBrowserHeaders", withCookie(c), party, nil, 201},
		{"BearerToken", map[string]string{"Sec-Fetch-Site": "cross-site"}, party, officer, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(tt.header, tt.body, tt.as); got != tt.status {
				t.Errorf("status %d, want %d", got, tt.status)
			}
		})
	}
	t.Run("LoginFromAnotherSite", func(t *testing.T) {
		w := env.do(request{method: "POST", path: "/v1/login", anon: true, header: map[string]string{"Sec-Fetch-Site": "cross-site"},
			body: LoginInput{Email: officer.user.Email, Password: testPassword}})
		if w.Code != http.StatusForbidden {
			t.Errorf("cross-site sign-in: status %d, want 403", w.Code)
		}
	})
	t.Run("SafeMethodsPass", func(t *testing.T) {
		w := env.do(request{method: "GET", path: "/v1/parties", anon: true, header: withCookie(c, "Sec-Fetch-Site", "cross-site")})
		if w.Code != http.StatusOK {
			t.Errorf("cross-site GET: status %d, want 200", w.Code)
		}
	})
}

// TestLoginRateLimit makes wrong guesses at one account until the limiter
// answers 429 with Retry-After; the right password is refused too until
// then.
func TestLoginRateLimit(t *testing.T) {
	env := newTestEnv(t)
	u := env.newUser(env.newOrg(tollgate.OrgExporter, "Nvidia"), tollgate.RoleExporterAdmin)
	burst := auth.DefaultLoginLimitConfig().Account.Free
	for i := range burst {
		env.problem(request{method: "POST", path: "/v1/login", anon: true, body: LoginInput{Email: u.user.Email, Password: "wrong guess number " + strconv.Itoa(i)}},
			http.StatusUnauthorized)
	}
	w := env.do(request{method: "POST", path: "/v1/login", anon: true, body: LoginInput{Email: u.user.Email, Password: testPassword}})
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("attempt %d: status %d, want 429; %s", burst+1, w.Code, w.Body)
	}
	secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After %q, want 1 to 60 seconds", w.Header().Get("Retry-After"))
	}
	env.clock.Advance(time.Duration(secs) * time.Second)
	env.login(u)
}

// TestLoginTrustedProxies checks that sign-ins are limited by the client's
// address: X-Forwarded-For names it only when the request comes from a
// trusted proxy, so clients behind one proxy do not share one bucket, and
// a client talking directly cannot pick its bucket with the header.
func TestLoginTrustedProxies(t *testing.T) {
	env := newTestEnv(t, func(d *Deps) {
		d.Auth.Limiter = auth.NewLoginLimiter(auth.LoginLimitConfig{
			Account: auth.Backoff{Free: 100, Base: time.Second, Max: time.Second, Forget: time.Hour},
			Address: auth.Backoff{Free: 2, Base: time.Minute, Max: time.Hour, Forget: time.Hour},
		}, d.Now)
		proxies, err := auth.ParseTrustedProxies([]string{"10.0.0.0/8"})
		if err != nil {
			t.Fatal(err)
		}
		d.Access.TrustedProxies = proxies
	})
	attempt := func(remote, forwarded string, i int) int {
		return env.do(request{method: "POST", path: "/v1/login", anon: true, remote: remote,
			header: map[string]string{"X-Forwarded-For": forwarded},
			body:   LoginInput{Email: fmt.Sprintf("nobody%d@example.com", i), Password: "wrong guess"}}).Code
	}
	t.Run("BehindTrustedProxy", func(t *testing.T) {
		for i := range 2 {
			if got := attempt("10.0.0.1:3000", "198.51.100.1", i); got != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status %d, want 401", i, got)
			}
		}
		if got := attempt("10.0.0.1:3000", "198.51.100.1", 2); got != http.StatusTooManyRequests {
			t.Errorf("third attempt of one client: status %d, want 429", got)
		}
		if got := attempt("10.0.0.1:3000", "198.51.100.2", 3); got != http.StatusUnauthorized {
			t.Errorf("another client behind the proxy: status %d, want 401", got)
		}
		if !strings.Contains(env.logs.String(), `"remote":"198.51.100.1"`) {
			t.Error("the log does not name the forwarded client")
		}
	})
	t.Run("ErrHeaderFromUntrustedPeer", func(t *testing.T) {
		for i := range 2 {
			attempt("203.0.113.9:3000", fmt.Sprintf("198.51.100.%d", 50+i), i)
		}
		if got := attempt("203.0.113.9:3000", "198.51.100.99", 2); got != http.StatusTooManyRequests {
			t.Errorf("a direct client changing X-Forwarded-For: status %d, want 429", got)
		}
	})
}
