package auth

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"tollgate"
)

// MustNewSession starts a session for u at now under cfg or fails tb.
func MustNewSession(tb testing.TB, cfg SessionConfig, u *tollgate.User, now time.Time) (Secret, *tollgate.Session) {
	tb.Helper()
	sec, s, err := NewSession(cfg, nil, u, now)
	if err != nil {
		tb.Fatal(err)
	}
	s.ID = "s1"
	return sec, s
}

func TestSessionExpiry(t *testing.T) {
	cfg := DefaultSessionConfig() // idle 30m, absolute 12h, touch 1m
	start := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	u := &tollgate.User{ID: "u1", OrgID: "o1"}

	t.Run("Idle", func(t *testing.T) {
		_, s := MustNewSession(t, cfg, u, start)
		for _, tt := range []struct {
			after time.Duration
			valid bool
		}{{0, true}, {29 * time.Minute, true}, {30*time.Minute - time.Nanosecond, true}, {30 * time.Minute, false}, {time.Hour, false}} {
			if err := s.Valid(start.Add(tt.after)); (err == nil) != tt.valid {
				t.Errorf("Valid after %v idle = %v, want valid %v", tt.after, err, tt.valid)
			}
		}
	})
	t.Run("TouchedStaysAlive", func(t *testing.T) {
		_, s := MustNewSession(t, cfg, u, start)
		now := start
		for range 20 { // 20 × 25 min = 8h20m of steady use
			now = now.Add(25 * time.Minute)
			if err := s.Valid(now); err != nil {
				t.Fatalf("Valid at %v: %v", now.Sub(start), err)
			}
			if !TouchSession(cfg, s, now) {
				t.Fatalf("TouchSession after 25 minutes = false, want true")
			}
		}
	})
	t.Run("Absolute", func(t *testing.T) {
		_, s := MustNewSession(t, cfg, u, start)
		now := start
		for now.Before(start.Add(12*time.Hour - 20*time.Minute)) {
			now = now.Add(20 * time.Minute)
			TouchSession(cfg, s, now)
		}
		if s.IdleExpiresAt.After(s.ExpiresAt) {
			t.Fatalf("idle deadline %v past absolute %v", s.IdleExpiresAt, s.ExpiresAt)
		}
		err := s.Valid(start.Add(12 * time.Hour))
		if tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
			t.Fatalf("Valid at 12h of busy use = %v, want unauthorized", err)
		}
	})
	t.Run("TouchThrottled", func(t *testing.T) {
		_, s := MustNewSession(t, cfg, u, start)
		if TouchSession(cfg, s, start.Add(30*time.Second)) {
			t.Error("TouchSession 30s after the last = true, want false (no write)")
		}
		if !s.LastSeenAt.Equal(start) {
			t.Errorf("LastSeenAt moved to %v without a write", s.LastSeenAt)
		}
	})
	t.Run("Ended", func(t *testing.T) {
		_, s := MustNewSession(t, cfg, u, start)
		EndSession(s, tollgate.SessionEndLogout, start.Add(time.Minute))
		EndSession(s, tollgate.SessionEndUserDisabled, start.Add(2*time.Minute))
		if s.EndReason != tollgate.SessionEndLogout || !s.EndedAt.Equal(start.Add(time.Minute)) {
			t.Errorf("ended %v (%s); want the first end kept", s.EndedAt, s.EndReason)
		}
		if err := s.Valid(start.Add(time.Minute)); err == nil {
			t.Error("Valid after logout = nil")
		}
	})
}

func TestNewSession(t *testing.T) {
	now := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	sec, s, err := NewSession(DefaultSessionConfig(), nil, &tollgate.User{ID: "u1", OrgID: "o1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseSessionSecret(sec.Reveal()); err != nil {
		t.Errorf("ParseSessionSecret(new secret) = %v", err)
	}
	if s.Hash != HashSecret(sec) || s.UserID != "u1" || s.OrgID != "o1" {
		t.Errorf("session = %#v", *s)
	}
	if _, _, err := NewSession(DefaultSessionConfig(), nil, &tollgate.User{ID: "u2", Disabled: true}, now); err == nil {
		t.Error("NewSession for a disabled user: got nil error")
	}
	if _, _, err := NewSession(SessionConfig{}, nil, &tollgate.User{ID: "u1"}, now); err == nil {
		t.Error("NewSession with a zero config: got nil error")
	}
}

func TestSessionConfigValidate(t *testing.T) {
	good := DefaultSessionConfig()
	mod := func(f func(*SessionConfig)) SessionConfig { c := good; f(&c); return c }
	tests := map[string]SessionConfig{
		"ErrIdle":     mod(func(c *SessionConfig) { c.IdleTimeout = 0 }),
		"ErrAbsolute": mod(func(c *SessionConfig) { c.AbsoluteTimeout = time.Minute }),
		"ErrTouch":    mod(func(c *SessionConfig) { c.TouchInterval = time.Hour }),
		"ErrCookie":   mod(func(c *SessionConfig) { c.CookieName = "a b" }),
		"ErrCookieEq": mod(func(c *SessionConfig) { c.CookieName = "a=b" }),
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	for name, c := range tests {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate = nil", name)
		}
	}
}

func TestSessionCookie(t *testing.T) {
	cfg := DefaultSessionConfig()
	now := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	sec, s := MustNewSession(t, cfg, &tollgate.User{ID: "u1", OrgID: "o1"}, now)
	for _, secure := range []bool{true, false} {
		c := SessionCookie(cfg, sec, s, secure)
		wantName := "tollgate_session"
		if secure {
			wantName = "__Host-tollgate_session"
		}
		if c.Name != wantName || c.Value != sec.Reveal() || c.Path != "/" || c.Domain != "" ||
			!c.HttpOnly || c.Secure != secure || c.SameSite != http.SameSiteLaxMode || !c.Expires.Equal(s.ExpiresAt) {
			t.Errorf("secure=%v: cookie %+v", secure, c)
		}
		if err := c.Valid(); err != nil {
			t.Errorf("secure=%v: cookie not valid: %v", secure, err)
		}

		// The browser sends it back; SessionFromRequest finds it.
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		got, ok, err := SessionFromRequest(cfg, r, secure)
		if !ok || err != nil || got != sec {
			t.Errorf("secure=%v: SessionFromRequest = %v, %v, %v", secure, got, ok, err)
		}

		forget := ClearSessionCookie(cfg, secure)
		if forget.Name != wantName || forget.MaxAge != -1 || forget.Value != "" {
			t.Errorf("secure=%v: clear cookie %+v", secure, forget)
		}
	}

	r := httptest.NewRequest("GET", "/", nil)
	if _, ok, err := SessionFromRequest(cfg, r, false); ok || err != nil {
		t.Errorf("no cookie: ok %v, err %v; want false, nil", ok, err)
	}
	r.AddCookie(&http.Cookie{Name: "tollgate_session", Value: "tgs_bogus"})
	if _, ok, err := SessionFromRequest(cfg, r, false); !ok || tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
		t.Errorf("malformed cookie: ok %v, err %v; want true, unauthorized", ok, err)
	}
}

func TestAuthenticateSession(t *testing.T) {
	cfg := DefaultSessionConfig()
	now := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	org := &tollgate.Org{ID: "o1", Kind: tollgate.OrgExporter}
	u := &tollgate.User{ID: "u1", OrgID: "o1", Roles: []tollgate.Role{tollgate.RoleExporterOfficer}}

	sec, s := MustNewSession(t, cfg, u, now)
	p, changed, err := AuthenticateSession(cfg, sec, s, u, org, now.Add(5*time.Minute))
	if err != nil || !changed || p.SessionID != "s1" || p.OrgKind != tollgate.OrgExporter || !p.HasRole(tollgate.RoleExporterOfficer) {
		t.Fatalf("AuthenticateSession = %+v, %v, %v", p, changed, err)
	}
	if _, _, err := AuthenticateSession(cfg, MustSession(t), s, u, org, now); tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
		t.Errorf("another secret: %v, want unauthorized", err)
	}

	disabled := *u
	disabled.Disabled = true
	_, changed, err = AuthenticateSession(cfg, sec, s, &disabled, org, now.Add(6*time.Minute))
	if tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED || !changed || s.EndReason != tollgate.SessionEndUserDisabled {
		t.Fatalf("disabled user: err %v, changed %v, end %q; want unauthorized, true, %q", err, changed, s.EndReason, tollgate.SessionEndUserDisabled)
	}
	// Re-enabling the user does not revive the session.
	if _, _, err := AuthenticateSession(cfg, sec, s, u, org, now.Add(7*time.Minute)); err == nil {
		t.Error("session of a re-enabled user still valid")
	}
}

func TestCSRFProtect(t *testing.T) {
	var served int
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served++
		w.WriteHeader(http.StatusNoContent)
	})
	h, err := CSRFProtect(CSRFConfig{TrustedOrigins: []string{"https://dashboard.example.com"}}, ok)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"party": {"p1"}, "decision": {"false_positive"}}.Encode()
	tests := []struct {
		name    string
		method  string
		headers map[string]string
		want    int
	}{
		{"ErrCrossSiteFormPost", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"ErrSameSiteOtherOrigin", "POST", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://other.tollgate.example"}, http.StatusForbidden},
		{"ErrOldBrowserCrossOrigin", "POST", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"ErrCrossSiteDelete", "DELETE", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"OKSameOrigin", "POST", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "https://tollgate.example"}, http.StatusNoContent},
		{"OKOldBrowserSameOrigin", "POST", map[string]string{"Origin": "https://tollgate.example"}, http.StatusNoContent},
		{"OKUserTyped", "POST", map[string]string{"Sec-Fetch-Site": "none"}, http.StatusNoContent},
		{"OKNonBrowser", "POST", nil, http.StatusNoContent},
		{"OKTrustedOrigin", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://dashboard.example.com"}, http.StatusNoContent},
		{"OKCrossSiteGet", "GET", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served = 0
			r := httptest.NewRequest(tt.method, "https://tollgate.example/v1/parties/p1/decisions", strings.NewReader(form))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
			if wantServed := tt.want != http.StatusForbidden; (served == 1) != wantServed {
				t.Errorf("handler ran %d times; want it to run: %v", served, wantServed)
			}
		})
	}
}

func TestCSRFProtectDenyHandler(t *testing.T) {
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusForbidden)
	})
	h, err := CSRFProtect(CSRFConfig{Deny: deny}, http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "https://tollgate.example/logout", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if got := w.Header().Get("Content-Type"); w.Code != http.StatusForbidden || got != "application/problem+json" {
		t.Fatalf("denied: %d %q; want 403 from the deny handler", w.Code, got)
	}
}

func TestCSRFProtectBadOrigin(t *testing.T) {
	for _, o := range []string{"dashboard.example.com", "https://x.example/path", "https://x.example?q=1"} {
		if _, err := CSRFProtect(CSRFConfig{TrustedOrigins: []string{o}}, http.NotFoundHandler()); err == nil {
			t.Errorf("trusted origin %q: got nil error", o)
		}
	}
}
