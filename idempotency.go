package tollgate

import (
	"context"
	"strings"
)

// IdempotentResponse is the response a mutating call produced the first time
// it ran under an Idempotency-Key; replays of the same key and body return it
// unchanged.
type IdempotentResponse struct {
	Status      int    `json:"status"`
	Body        []byte `json:"body"`
	ContentType string `json:"content_type"`
}

// Limits on idempotency keys and scopes, so that a client cannot make the
// store hold arbitrarily large keys.
const (
	MaxIdempotencyKeyLen   = 255
	MaxIdempotencyScopeLen = 255
)

// ValidateIdempotencyKey checks a client-supplied Idempotency-Key: 1 to
// MaxIdempotencyKeyLen printable ASCII characters.
func ValidateIdempotencyKey(key string) error {
	if key == "" {
		return FieldErrorf("Idempotency-Key", "required")
	}
	if len(key) > MaxIdempotencyKeyLen {
		return FieldErrorf("Idempotency-Key", "longer than %d characters", MaxIdempotencyKeyLen)
	}
	if strings.IndexFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return FieldErrorf("Idempotency-Key", "must be printable ASCII without spaces")
	}
	return nil
}

// IdempotencyStore remembers the outcome of mutating calls by (scope, key),
// where scope separates callers (for example the authenticated principal)
// and key is the client's Idempotency-Key. The requestDigest is a digest of
// everything that makes two calls "the same" (method, path, body).
type IdempotencyStore interface {
	// RunIdempotent runs a call under (scope, key) in one transaction that
	// also holds the key's record. When an earlier call with the same key
	// and digest completed, it returns that call's response with replayed
	// true and does not run fn; when the earlier call had another digest,
	// an ECONFLICT error. Otherwise it runs fn with a context whose store
	// calls join the transaction: a 2xx response of fn is recorded and
	// committed with the call's effects, any other response or an error
	// rolls them all back and leaves the key free. fn may be run more than
	// once (when the transaction fails for concurrency), so it must have
	// no effects outside the store but filling in its result. Of
	// concurrent callers with one key, one runs fn and the others replay
	// its response. An EINVALID error reports an empty or oversized key,
	// scope or digest.
	RunIdempotent(ctx context.Context, scope, key, requestDigest string,
		fn func(ctx context.Context) (*IdempotentResponse, error)) (resp *IdempotentResponse, replayed bool, err error)
}
