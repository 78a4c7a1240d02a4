package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"tollgate"
)

// The shape of a secret: prefix, random part, checksum. It follows the
// pattern of GitHub's tokens (prefix_ + 30 base62 + 6 base62 of a CRC-32), so
// secret scanners recognise a leaked one and a typo is caught offline.
const (
	TokenPrefix   = "tg_"  // API tokens
	SessionPrefix = "tgs_" // session cookies

	// SecretRandomLen is the number of random base62 characters:
	// 30 × log2(62) ≈ 178 bits, well above the 128 the design asks for.
	SecretRandomLen = 30
	// SecretChecksumLen is the base62 width of the CRC-32 (62^6 > 2^32).
	SecretChecksumLen = 6

	// TokenLen is the length of an API token.
	TokenLen = len(TokenPrefix) + SecretRandomLen + SecretChecksumLen
	// SessionSecretLen is the length of a session cookie's value.
	SessionSecretLen = len(SessionPrefix) + SecretRandomLen + SecretChecksumLen
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// redacted is what a Secret prints as, whatever the verb.
const redacted = "[REDACTED]"

// Secret is an API token or a session cookie value. It formats, logs and
// encodes as its prefix followed by "[REDACTED]", so that a secret passed
// by mistake to fmt, slog or encoding/json never shows; Reveal returns the
// real value for the one place that must show it (printing a new token once,
// setting a cookie).
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns the redacted form: the prefix, then "[REDACTED]".
func (s Secret) String() string {
	for _, p := range []string{SessionPrefix, TokenPrefix} {
		if strings.HasPrefix(string(s), p) {
			return p + redacted
		}
	}
	return redacted
}

// Format implements fmt.Formatter so that every verb (%v, %s, %q, %x, %#v)
// prints the redacted form.
func (s Secret) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler (and so JSON encoding) with
// the redacted form.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// NewToken returns a new API token read from r (crypto/rand when r is nil).
func NewToken(r io.Reader) (Secret, error) { return newSecret(r, TokenPrefix) }

// NewSessionSecret returns a new session cookie value read from r
// (crypto/rand when r is nil).
func NewSessionSecret(r io.Reader) (Secret, error) { return newSecret(r, SessionPrefix) }

func newSecret(r io.Reader, prefix string) (Secret, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 0, len(prefix)+SecretRandomLen+SecretChecksumLen)
	b = append(b, prefix...)
	buf := make([]byte, 2*SecretRandomLen)
	for len(b) < len(prefix)+SecretRandomLen {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("auth.newSecret: read random: %w", err)
		}
		for _, c := range buf {
			// 248 = 4 × 62: rejecting larger bytes keeps every digit uniform.
			if c < 248 && len(b) < len(prefix)+SecretRandomLen {
				b = append(b, base62[c%62])
			}
		}
	}
	b = appendChecksum(b, crc32.ChecksumIEEE(b))
	return Secret(b), nil
}

// appendChecksum appends sum in SecretChecksumLen base62 digits, most
// significant first.
func appendChecksum(b []byte, sum uint32) []byte {
	var d [SecretChecksumLen]byte
	for i := SecretChecksumLen - 1; i >= 0; i-- {
		d[i] = base62[sum%62]
		sum /= 62
	}
	return append(b, d[:]...)
}

// ParseToken checks that s has the shape of an API token — prefix, length,
// alphabet and checksum — before anything looks it up. The EUNAUTHORIZED
// error it returns never contains s.
func ParseToken(s string) (Secret, error) {
	if err := checkSecret(s, TokenPrefix); err != nil {
		return "", tollgate.Errorf(tollgate.EUNAUTHORIZED, "malformed API token: %s", err)
	}
	return Secret(s), nil
}

// ParseSessionSecret is ParseToken for session cookie values.
func ParseSessionSecret(s string) (Secret, error) {
	if err := checkSecret(s, SessionPrefix); err != nil {
		return "", tollgate.Errorf(tollgate.EUNAUTHORIZED, "malformed session cookie: %s", err)
	}
	return Secret(s), nil
}

// checkSecret returns why s is not a secret with prefix; its messages never
// quote s.
func checkSecret(s, prefix string) error {
	want := len(prefix) + SecretRandomLen + SecretChecksumLen
	switch {
	case !strings.HasPrefix(s, prefix):
		return fmt.Errorf("does not start with %q", prefix)
	case len(s) != want:
		return fmt.Errorf("has %d characters, want %d", len(s), want)
	case strings.IndexFunc(s[len(prefix):], func(r rune) bool { return !strings.ContainsRune(base62, r) }) >= 0:
		return fmt.Errorf("contains a character outside [0-9A-Za-z]")
	}
	body := s[:len(s)-SecretChecksumLen]
	sum := appendChecksum(nil, crc32.ChecksumIEEE([]byte(body)))
	if string(sum) != s[len(body):] {
		return fmt.Errorf("checksum does not match (mistyped or truncated?)")
	}
	return nil
}

// HashSecret returns the hex SHA-256 of s: the only form in which tokens and
// session ids are stored, and the key the store looks them up by.
//
// A fast hash is enough here, unlike for passwords: a secret carries ~178
// random bits, so even a billion guesses a second against a stolen hash
// would never find one, and a salted slow hash (argon2) would make an
// indexed lookup impossible and cost tens of milliseconds of CPU and
// megabytes of memory on every API request — a denial-of-service lever.
func HashSecret(s Secret) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// MatchSecret reports whether s hashes to hash, comparing in constant time.
// The store finds a token by its hash; this second comparison makes sure a
// lookup that matched loosely (a prefix, a case-folding collation) never
// authenticates.
func MatchSecret(s Secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(HashSecret(s)), []byte(hash)) == 1
}

// BearerToken returns the API token of an "Authorization: Bearer …" header.
// ok is false when the request carries no Authorization header; a header of
// another scheme or a malformed token is an EUNAUTHORIZED error.
func BearerToken(h http.Header) (tok Secret, ok bool, err error) {
	v := h.Get("Authorization")
	if v == "" {
		return "", false, nil
	}
	scheme, cred, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", true, tollgate.Errorf(tollgate.EUNAUTHORIZED, "authorization scheme must be Bearer")
	}
	tok, err = ParseToken(strings.TrimSpace(cred))
	return tok, true, err
}

// TokenConfig bounds the lifetime of API tokens.
type TokenConfig struct {
	// DefaultTTL is the lifetime of a token created without one; 0 means
	// such tokens never expire.
	DefaultTTL time.Duration
	// MaxTTL is the longest lifetime a caller may ask for; 0 means no limit.
	MaxTTL time.Duration
}

// DefaultTokenConfig returns 90-day tokens, at most a year.
func DefaultTokenConfig() TokenConfig {
	return TokenConfig{DefaultTTL: 90 * 24 * time.Hour, MaxTTL: 366 * 24 * time.Hour}
}

// MaxTokenNameLen bounds a token's name in bytes.
const MaxTokenNameLen = 200

// IssueToken creates an API token for u named name, valid for ttl from now
// (cfg.DefaultTTL when ttl is 0). It returns the secret, to be shown once,
// and the record to store, which holds only the secret's hash. The record's
// ID is left for the store to assign. rnd is crypto/rand when nil.
func IssueToken(cfg TokenConfig, rnd io.Reader, u *tollgate.User, name string, ttl time.Duration, now time.Time) (Secret, *tollgate.Token, error) {
	switch {
	case u.Disabled:
		return "", nil, tollgate.Errorf(tollgate.ECONFLICT, "user %s is disabled", u.ID)
	case tollgate.CheckName("name", name, true) != nil:
		return "", nil, tollgate.CheckName("name", name, true)
	case len(name) > MaxTokenNameLen:
		return "", nil, tollgate.FieldErrorf("name", "longer than %d bytes", MaxTokenNameLen)
	case ttl < 0:
		return "", nil, tollgate.FieldErrorf("ttl", "must not be negative")
	case cfg.MaxTTL > 0 && ttl > cfg.MaxTTL:
		return "", nil, tollgate.FieldErrorf("ttl", "longer than the maximum of %s", cfg.MaxTTL)
	}
	if ttl == 0 {
		ttl = cfg.DefaultTTL
	}
	secret, err := NewToken(rnd)
	if err != nil {
		return "", nil, fmt.Errorf("auth.IssueToken: %w", err)
	}
	now = now.UTC()
	t := &tollgate.Token{UserID: u.ID, OrgID: u.OrgID, Name: name, Hash: HashSecret(secret), CreatedAt: now}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	return secret, t, nil
}
