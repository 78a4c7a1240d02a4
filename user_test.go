package tollgate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestUserValidate(t *testing.T) {
	good := func() *User {
		return &User{OrgID: "o1", Email: "ada@example.com", Name: "Ada", Roles: []Role{RoleExporterOfficer}}
	}
	tests := []struct {
		name  string
		edit  func(*User)
		field string // "" for valid
	}{
		{"OK", func(*User) {}, ""},
		{"OKTwoRoles", func(u *User) { u.Roles = append(u.Roles, RoleExporterAdmin) }, ""},
		{"ErrNoOrg", func(u *User) { u.OrgID = "" }, "org_id"},
		{"ErrNoEmail", func(u *User) { u.Email = "" }, "email"},
		{"ErrEmailCase", func(u *User) { u.Email = "Ada@example.com" }, "email"},
		{"ErrEmailNoAt", func(u *User) { u.Email = "ada.example.com" }, "email"},
		{"ErrEmailTwoAt", func(u *User) { u.Email = "ada@b@example.com" }, "email"},
		{"ErrEmailNoLocal", func(u *User) { u.Email = "@example.com" }, "email"},
		{"ErrEmailSpace", func(u *User) { u.Email = "ada lovelace@example.com" }, "email"},
		{"ErrEmailLong", func(u *User) { u.Email = strings.Repeat("a", 250) + "@x.io" }, "email"},
		{"ErrNoName", func(u *User) { u.Name = "" }, "name"},
		{"ErrNameSpace", func(u *User) { u.Name = " Ada" }, "name"},
		{"ErrNoRoles", func(u *User) { u.Roles = nil }, "roles"},
		{"ErrUnknownRole", func(u *User) { u.Roles = []Role{"wizard"} }, "roles[0]"},
		{"ErrRoleTwice", func(u *User) { u.Roles = []Role{RoleBroker, RoleAuditor, RoleBroker} }, "roles[2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := good()
			tt.edit(u)
			err := u.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || e.Field != tt.field {
				t.Fatalf("Validate = %#v; want EINVALID on %q", err, tt.field)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	if len(Roles) != 8 {
		t.Fatalf("%d roles, want 8", len(Roles))
	}
	for _, r := range Roles {
		if !r.Valid() {
			t.Errorf("%s not Valid", r)
		}
	}
	if Role("admin").Valid() || Role("").Valid() {
		t.Error("unknown role Valid")
	}
	u := &User{Roles: []Role{RoleAuditor}}
	p := &Principal{Roles: []Role{RoleBroker}}
	if !u.HasRole(RoleAuditor) || u.HasRole(RoleBroker) || !p.HasRole(RoleBroker) || p.HasRole(RoleAuditor) {
		t.Error("HasRole wrong")
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got, want := NormalizeEmail("  Ada.Lovelace@Example.COM\t"), "ada.lovelace@example.com"; got != want {
		t.Fatalf("NormalizeEmail = %q, want %q", got, want)
	}
}

func TestTokenUsable(t *testing.T) {
	now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		tok  Token
		want string
	}{
		{"OK", Token{ID: "t", ExpiresAt: now.Add(time.Second)}, ""},
		{"OKNoExpiry", Token{ID: "t"}, ""},
		{"OKRevokedLater", Token{ID: "t", RevokedAt: now.Add(time.Hour)}, ""},
		{"ErrExpiredNow", Token{ID: "t", ExpiresAt: now}, "expired"},
		{"ErrRevoked", Token{ID: "t", RevokedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)}, "revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tok.Usable(now)
			if tt.want == "" && err != nil || tt.want != "" && (ErrorCode(err) != EUNAUTHORIZED || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Usable = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSessionValid(t *testing.T) {
	now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	s := Session{ID: "s", IdleExpiresAt: now.Add(time.Minute), ExpiresAt: now.Add(time.Hour)}
	tests := []struct {
		name string
		at   time.Time
		edit func(*Session)
		want string
	}{
		{"OK", now, func(*Session) {}, ""},
		{"ErrIdle", now.Add(time.Minute), func(*Session) {}, "inactivity"},
		{"ErrAbsolute", now.Add(time.Hour), func(s *Session) { s.IdleExpiresAt = now.Add(2 * time.Hour) }, "session expired"},
		{"ErrEnded", now, func(s *Session) { s.EndedAt, s.EndReason = now, SessionEndLogout }, "logout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s
			tt.edit(&c)
			err := c.Valid(tt.at)
			if tt.want == "" && err != nil || tt.want != "" && (ErrorCode(err) != EUNAUTHORIZED || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Valid = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestHashesNeverPrinted checks that a stored hash shows in no format, log
// or JSON encoding of a Token or Session, nor of a User's password hash.
func TestHashesNeverPrinted(t *testing.T) {
	const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	tok := Token{ID: "tok1", UserID: "u1", OrgID: "o1", Hash: hash}
	ses := Session{ID: "s1", UserID: "u1", OrgID: "o1", Hash: hash}
	usr := User{ID: "u1", PasswordHash: "$argon2id$v=19$m=65536,t=2,p=2$" + hash}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("auth", "token", tok, "session", ses, "user", usr, "ptr", &tok)
	for _, v := range []any{tok, &tok, ses, &ses, usr, &usr} {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, out := range []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), string(j), logs.String()} {
			if strings.Contains(out, hash) {
				t.Errorf("%T printed its hash: %s", v, out)
			}
		}
	}
	if !strings.Contains(logs.String(), `"token":{"id":"tok1"`) {
		t.Errorf("log %s: want the token's id", logs.String())
	}
}

func TestPrincipal(t *testing.T) {
	tests := []struct {
		p    Principal
		want string
	}{
		{Principal{UserID: "u1", TokenID: "t1"}, "user:u1 token:t1"},
		{Principal{UserID: "u1", SessionID: "s1"}, "user:u1 session:s1"},
		{Principal{UserID: "u1"}, "user:u1"},
	}
	for _, tt := range tests {
		if got := tt.p.Actor(); got != tt.want {
			t.Errorf("Actor = %q, want %q", got, tt.want)
		}
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "actor", Principal{UserID: "u1", OrgID: "o1", TokenID: "t1"})
	if !strings.Contains(logs.String(), "actor.user=u1 actor.org=o1 actor.token=t1") {
		t.Errorf("log %q", logs.String())
	}
}

func FuzzValidateEmail(f *testing.F) {
	f.Add("ada@example.com")
	f.Add("Ada@Example.com ")
	f.Add("a@b@c")
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateEmail(s)
		if err == nil && (NormalizeEmail(s) != s || strings.Count(s, "@") != 1 || len(s) > MaxEmailLen) {
			t.Fatalf("ValidateEmail accepted %q", s)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Fatalf("code %q, want invalid", ErrorCode(err))
		}
	})
}
