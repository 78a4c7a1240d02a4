package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	"tollgate"
)

// PasswordParams are the argon2id cost parameters (RFC 9106) and sizes.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// Bounds on parameters, checked by Validate and when a stored hash is
// parsed, so that a corrupt or planted hash cannot make verification
// allocate gigabytes or spin for minutes.
const (
	minPasswordMemory = 8 * 1024    // 8 MiB
	maxPasswordMemory = 1024 * 1024 // 1 GiB
	maxPasswordTime   = 64
	minSaltLen        = 8
	maxSaltLen        = 64
	minKeyLen         = 16
	maxKeyLen         = 64
)

// DefaultPasswordParams returns m=64 MiB, t=2, p=2, a 16-byte salt and a
// 32-byte key: above OWASP's minimum (m=19 MiB, t=2, p=1), and about 70 ms
// per hash on the 2-core reference machine (BenchmarkHashPassword): slow for
// an offline guesser, tolerable for a sign-in, which is itself rate limited
// per account and address so that 64 MiB per attempt cannot be multiplied
// into an exhaustion of memory by one client.
func DefaultPasswordParams() PasswordParams {
	return PasswordParams{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
}

// Validate checks that p lies within the bounds tollgate accepts.
func (p PasswordParams) Validate() error {
	switch {
	case p.Memory < minPasswordMemory || p.Memory > maxPasswordMemory:
		return tollgate.FieldErrorf("memory", "must be %d to %d KiB; got %d", minPasswordMemory, maxPasswordMemory, p.Memory)
	case p.Time < 1 || p.Time > maxPasswordTime:
		return tollgate.FieldErrorf("time", "must be 1 to %d; got %d", maxPasswordTime, p.Time)
	case p.Threads < 1:
		return tollgate.FieldErrorf("threads", "must be at least 1")
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return tollgate.FieldErrorf("salt_len", "must be %d to %d bytes; got %d", minSaltLen, maxSaltLen, p.SaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return tollgate.FieldErrorf("key_len", "must be %d to %d bytes; got %d", minKeyLen, maxKeyLen, p.KeyLen)
	}
	return nil
}

// PasswordHash is a parsed argon2id hash.
type PasswordHash struct {
	Params PasswordParams
	Salt   []byte
	Key    []byte
}

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// String encodes h in the PHC string format:
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<key>.
func (h PasswordHash) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.Params.Memory, h.Params.Time, h.Params.Threads, b64.EncodeToString(h.Salt), b64.EncodeToString(h.Key))
}

// ParsePasswordHash parses a PHC-format argon2id hash, checking its version
// and that its parameters lie within the bounds Validate accepts.
func ParsePasswordHash(encoded string) (PasswordHash, error) {
	var h PasswordHash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return h, fmt.Errorf("auth.ParsePasswordHash: not a PHC string")
	}
	if parts[1] != "argon2id" {
		return h, fmt.Errorf("auth.ParsePasswordHash: algorithm %q, want argon2id", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("auth.ParsePasswordHash: version %q, want v=%d", parts[2], argon2.Version)
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return h, fmt.Errorf("auth.ParsePasswordHash: parameters %q, want m=,t=,p=", parts[3])
	}
	var err error
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return h, fmt.Errorf("auth.ParsePasswordHash: parameter %d is not %s=", i+1, name)
		}
		bits := 32
		if name == "p" {
			bits = 8
		}
		n, perr := strconv.ParseUint(v, 10, bits)
		if perr != nil || (len(v) > 1 && v[0] == '0') {
			return h, fmt.Errorf("auth.ParsePasswordHash: bad %s=%q", name, v)
		}
		switch name {
		case "m":
			h.Params.Memory = uint32(n)
		case "t":
			h.Params.Time = uint32(n)
		case "p":
			h.Params.Threads = uint8(n)
		}
	}
	if h.Salt, err = decodePHCBase64(parts[4]); err != nil {
		return h, fmt.Errorf("auth.ParsePasswordHash: salt: %w", err)
	}
	if h.Key, err = decodePHCBase64(parts[5]); err != nil {
		return h, fmt.Errorf("auth.ParsePasswordHash: key: %w", err)
	}
	h.Params.SaltLen, h.Params.KeyLen = uint32(len(h.Salt)), uint32(len(h.Key))
	if err := h.Params.Validate(); err != nil {
		return h, fmt.Errorf("auth.ParsePasswordHash: %w", err)
	}
	return h, nil
}

// HashPassword hashes password with argon2id under p and a fresh salt read
// from rnd (crypto/rand when nil), and returns the PHC string to store.
// It does not apply the password policy: call PasswordPolicy.Check first.
func HashPassword(password string, p PasswordParams, rnd io.Reader) (string, error) {
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("auth.HashPassword: %w", err)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return "", fmt.Errorf("auth.HashPassword: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return PasswordHash{Params: p, Salt: salt, Key: key}.String(), nil
}

// VerifyPassword reports whether password matches the PHC hash encoded,
// comparing the derived keys in constant time. An error means the stored
// hash is unreadable, never that the password is wrong.
func VerifyPassword(password, encoded string) (bool, error) {
	h, err := ParsePasswordHash(encoded)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), h.Salt, h.Params.Time, h.Params.Memory, h.Params.Threads, h.Params.KeyLen)
	return subtle.ConstantTimeCompare(key, h.Key) == 1, nil
}

// NeedsRehash reports whether the stored hash encoded was made with
// parameters other than p (or cannot be read), so that a successful login
// should store a fresh hash of the password it just verified.
func NeedsRehash(encoded string, p PasswordParams) bool {
	h, err := ParsePasswordHash(encoded)
	return err != nil || h.Params != p
}

// CheckLogin verifies password for u, which is nil when no user has the
// email given. It spends the same argon2id work (under p) whether or not u
// exists or has a password, and returns the same EUNAUTHORIZED error for an
// unknown user, a wrong password and a disabled user, so that a login form
// reveals nothing about which accounts exist.
func CheckLogin(p PasswordParams, u *tollgate.User, password string) error {
	if u == nil || u.PasswordHash == "" {
		// A zero salt and key: the work is real, the comparison always fails.
		dummy := PasswordHash{Params: p, Salt: make([]byte, p.SaltLen), Key: make([]byte, p.KeyLen)}
		if _, err := VerifyPassword(password, dummy.String()); err != nil {
			return fmt.Errorf("auth.CheckLogin: %w", err)
		}
		return wrongLogin()
	}
	ok, err := VerifyPassword(password, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("auth.CheckLogin: stored hash of user %s: %w", u.ID, err)
	}
	if !ok || u.Disabled {
		return wrongLogin()
	}
	return nil
}

// wrongLogin is the one answer to every failed login.
func wrongLogin() error { return tollgate.Errorf(tollgate.EUNAUTHORIZED, "wrong email or password") }

// decodePHCBase64 decodes a PHC base64 field (standard alphabet, no
// padding). encoding/base64 skips CR and LF even in strict mode; a stored
// hash never holds them, so they are refused to keep one spelling per hash.
func decodePHCBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("line break in base64")
	}
	return b64.Strict().DecodeString(s)
}
