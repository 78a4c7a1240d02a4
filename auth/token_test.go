package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"tollgate"
)

// MustToken returns a new API token or fails tb.
func MustToken(tb testing.TB) Secret {
	tb.Helper()
	s, err := NewToken(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestNewToken(t *testing.T) {
	seen := map[Secret]bool{}
	for range 1000 {
		s := MustToken(t)
		v := s.Reveal()
		if !strings.HasPrefix(v, TokenPrefix) || len(v) != TokenLen {
			t.Fatalf("token %q: want prefix %q and length %d", v, TokenPrefix, TokenLen)
		}
		if _, err := ParseToken(v); err != nil {
			t.Fatalf("ParseToken(new token) = %v", err)
		}
		if seen[s] {
			t.Fatalf("token repeated after %d", len(seen))
		}
		seen[s] = true
	}
	if TokenLen != 39 || SessionSecretLen != 40 {
		t.Errorf("TokenLen, SessionSecretLen = %d, %d; want 39, 40", TokenLen, SessionSecretLen)
	}
}

func TestNewTokenDigitsUniform(t *testing.T) {
	// Every base62 digit must be reachable; with 62,000 digits each should
	// appear about 1,000 times.
	counts := map[rune]int{}
	for range 2000 {
		for _, r := range MustToken(t).Reveal()[len(TokenPrefix) : len(TokenPrefix)+SecretRandomLen] {
			counts[r]++
		}
	}
	if len(counts) != 62 {
		t.Fatalf("got %d distinct digits, want 62", len(counts))
	}
	for r, n := range counts {
		if n < 700 || n > 1300 {
			t.Errorf("digit %q appeared %d times, want about 1000", r, n)
		}
	}
}

func TestNewTokenShortRandom(t *testing.T) {
	if _, err := NewToken(bytes.NewReader(make([]byte, 10))); err == nil {
		t.Fatal("NewToken with a short random source: got nil error")
	}
}

func TestParseToken(t *testing.T) {
	good := MustToken(t).Reveal()
	flip := func(i int) string {
		b := []byte(good)
		b[i] = base62[(strings.IndexByte(base62, b[i])+1)%62]
		return string(b)
	}
	tests := []struct {
		name, in, want string
	}{
		{"OK", good, ""},
		{"ErrEmpty", "", "does not start with"},
		{"ErrPrefix", "gh" + good[2:], "does not start with"},
		{"ErrSessionPrefix", MustSession(t).Reveal(), "does not start with"},
		{"ErrShort", good[:len(good)-1], "has 38 characters"},
		{"ErrLong", good + "0", "has 40 characters"},
		{"ErrAlphabet", good[:10] + "-" + good[11:], "outside"},
		{"ErrRandomTypo", flip(10), "checksum"},
		{"ErrChecksumTypo", flip(len(good) - 1), "checksum"},
		{"ErrSpace", " " + good[1:], "does not start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseToken(tt.in)
			if tt.want == "" {
				if err != nil || s.Reveal() != tt.in {
					t.Fatalf("ParseToken = %v, %v; want the token, nil", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseToken error = %v; want one containing %q", err, tt.want)
			}
			if tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
				t.Errorf("code = %q, want %q", tollgate.ErrorCode(err), tollgate.EUNAUTHORIZED)
			}
			if len(tt.in) > 8 && strings.Contains(err.Error(), tt.in[3:]) {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
}

func TestParseTokenCatchesEveryTypo(t *testing.T) {
	good := MustToken(t).Reveal()
	for i := len(TokenPrefix); i < len(good); i++ {
		for _, c := range []byte(base62) {
			if c == good[i] {
				continue
			}
			typo := good[:i] + string(c) + good[i+1:]
			if _, err := ParseToken(typo); err == nil {
				t.Fatalf("substituting %q at %d went undetected", c, i)
			}
		}
		if i+1 < len(good) && good[i] != good[i+1] {
			swapped := good[:i] + string(good[i+1]) + string(good[i]) + good[i+2:]
			if _, err := ParseToken(swapped); err == nil {
				t.Fatalf("swapping %d and %d went undetected", i, i+1)
			}
		}
	}
}

func TestSecretRedacted(t *testing.T) {
	s := MustToken(t)
	raw := s.Reveal()
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("login", "token", s)
	j, err := json.Marshal(map[string]any{"token": s})
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":    fmt.Sprintf("%v", s),
		"%s":    fmt.Sprintf("%s", s),
		"%q":    fmt.Sprintf("%q", s),
		"%x":    fmt.Sprintf("%x", s),
		"%#v":   fmt.Sprintf("%#v", s),
		"%+v":   fmt.Sprintf("%+v", struct{ T Secret }{s}),
		"error": fmt.Errorf("auth failed for %v: %w", s, errors.New("x")).Error(),
		"slog":  logs.String(),
		"json":  string(j),
	}
	for how, out := range outputs {
		if strings.Contains(out, raw[len(TokenPrefix):]) || strings.Contains(out, fmt.Sprintf("%x", raw)) {
			t.Errorf("%s printed the secret: %s", how, out)
		}
		if !strings.Contains(out, "tg_[REDACTED]") {
			t.Errorf("%s = %s; want it to show tg_[REDACTED]", how, out)
		}
	}
	if got := Secret("junk").String(); got != "[REDACTED]" {
		t.Errorf("String of a secret without a prefix = %q, want [REDACTED]", got)
	}
}

func TestHashSecret(t *testing.T) {
	// The SHA-256 of "abc" (FIPS 180-2 test vector).
	if got, want := HashSecret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Fatalf("HashSecret(abc) = %s, want %s", got, want)
	}
	s := MustToken(t)
	h := HashSecret(s)
	if strings.Contains(h, s.Reveal()[len(TokenPrefix):]) {
		t.Fatal("hash contains the secret")
	}
	if !MatchSecret(s, h) {
		t.Error("MatchSecret(s, HashSecret(s)) = false")
	}
	for _, bad := range []string{"", h[:63], strings.ToUpper(h), HashSecret(MustToken(t))} {
		if MatchSecret(s, bad) {
			t.Errorf("MatchSecret(s, %q) = true", bad)
		}
	}
}

func TestBearerToken(t *testing.T) {
	tok := MustToken(t)
	tests := []struct {
		name, header string
		wantOK       bool
		wantErr      bool
	}{
		{"OK", "Bearer " + tok.Reveal(), true, false},
		{"OKLowerScheme", "bearer " + tok.Reveal(), true, false},
		{"None", "", false, false},
		{"ErrBasic", "Basic dXNlcjpwYXNz", true, true},
		{"ErrMalformed", "Bearer tg_123", true, true},
		{"ErrNoToken", "Bearer", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Authorization", tt.header)
			}
			got, ok, err := BearerToken(h)
			if ok != tt.wantOK || (err != nil) != tt.wantErr {
				t.Fatalf("BearerToken = %v, %v, %v; want ok %v, error %v", got, ok, err, tt.wantOK, tt.wantErr)
			}
			if err != nil && tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
				t.Errorf("code = %q, want unauthorized", tollgate.ErrorCode(err))
			}
			if tt.name == "OK" && got != tok {
				t.Errorf("got another token")
			}
		})
	}
}

func TestIssueToken(t *testing.T) {
	now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	u := &tollgate.User{ID: "u1", OrgID: "o1"}
	cfg := DefaultTokenConfig()
	t.Run("OK", func(t *testing.T) {
		s, tok, err := IssueToken(cfg, nil, u, "ci", 0, now)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Hash != HashSecret(s) || tok.UserID != "u1" || tok.OrgID != "o1" || tok.Name != "ci" {
			t.Errorf("token = %+v", *tok)
		}
		if got, want := tok.ExpiresAt, now.Add(cfg.DefaultTTL); !got.Equal(want) {
			t.Errorf("ExpiresAt = %v, want %v", got, want)
		}
		if tok.ID != "" {
			t.Errorf("ID = %q; the store assigns it", tok.ID)
		}
	})
	t.Run("OKNeverExpires", func(t *testing.T) {
		_, tok, err := IssueToken(TokenConfig{}, nil, u, "ci", 0, now)
		if err != nil || !tok.ExpiresAt.IsZero() {
			t.Fatalf("IssueToken = %v, %v; want no expiry", tok, err)
		}
	})
	errs := []struct {
		name  string
		u     *tollgate.User
		tname string
		ttl   time.Duration
		field string
	}{
		{"ErrDisabled", &tollgate.User{ID: "u2", Disabled: true}, "ci", 0, ""},
		{"ErrNoName", u, " ", 0, "name"},
		{"ErrLongName", u, strings.Repeat("n", MaxTokenNameLen+1), 0, "name"},
		{"ErrNegativeTTL", u, "ci", -time.Hour, "ttl"},
		{"ErrTTLTooLong", u, "ci", cfg.MaxTTL + time.Hour, "ttl"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := IssueToken(cfg, nil, tt.u, tt.tname, tt.ttl, now)
			var e *tollgate.Error
			if !errors.As(err, &e) || e.Field != tt.field {
				t.Fatalf("IssueToken error = %v; want a tollgate.Error on field %q", err, tt.field)
			}
		})
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add(MustToken(f).Reveal())
	f.Add("tg_")
	f.Add("tg_000000000000000000000000000000000000")
	f.Add("tgs_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Fuzz(func(t *testing.T, s string) {
		sec, err := ParseToken(s)
		if err != nil {
			if strings.Contains(err.Error(), s) && len(s) > 10 {
				t.Fatalf("error %q quotes the input", err)
			}
			return
		}
		if sec.Reveal() != s || len(s) != TokenLen || checkSecret(s, TokenPrefix) != nil {
			t.Fatalf("ParseToken accepted %q", s)
		}
	})
}

func FuzzBearerToken(f *testing.F) {
	f.Add("Bearer " + MustToken(f).Reveal())
	f.Add("bearer  tg_x")
	f.Add("Basic abc")
	f.Fuzz(func(t *testing.T, header string) {
		h := http.Header{}
		h.Set("Authorization", header)
		tok, ok, err := BearerToken(h)
		if err == nil && ok && checkSecret(tok.Reveal(), TokenPrefix) != nil {
			t.Fatalf("BearerToken accepted %q", header)
		}
		if err != nil && tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
			t.Fatalf("code %q, want unauthorized", tollgate.ErrorCode(err))
		}
	})
}

func FuzzParseSessionSecret(f *testing.F) {
	f.Add(MustSession(f).Reveal())
	f.Add(MustToken(f).Reveal())
	f.Fuzz(func(t *testing.T, s string) {
		if sec, err := ParseSessionSecret(s); err == nil && (len(s) != SessionSecretLen || sec.Reveal() != s) {
			t.Fatalf("ParseSessionSecret accepted %q", s)
		}
	})
}
