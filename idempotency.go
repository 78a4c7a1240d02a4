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
// where scope separates callers (for example the authenticated principal plus
// the route) and key is the client's Idempotency-Key. The requestDigest is a
// digest of everything that makes two calls "the same" (method, path, body).
//
// The protocol is: BeginIdempotent; if it returns (nil, nil) the caller owns
// the key and performs the call, then either FinishIdempotent with the
// response it sends, or AbandonIdempotent when the call failed and its effects
// were rolled back, so that a retry may run it again.
type IdempotencyStore interface {
	// BeginIdempotent claims (scope, key) for a call with requestDigest.
	// It returns (nil, nil) when the key was free (or abandoned) and is now
	// claimed by this caller; the stored response when an earlier call with
	// the same digest completed; an ECONFLICT error when an earlier call used
	// a different digest, or when an earlier call with the same key is still
	// in progress. Claims are atomic: of concurrent callers exactly one gets
	// (nil, nil). An EINVALID error reports an empty or oversized key or scope.
	BeginIdempotent(ctx context.Context, scope, key, requestDigest string) (*IdempotentResponse, error)

	// FinishIdempotent records resp as the outcome of the claimed call, so
	// later BeginIdempotent calls with the same digest return it. It returns
	// ENOTFOUND when (scope, key) was never claimed, and ECONFLICT when it was
	// already finished.
	FinishIdempotent(ctx context.Context, scope, key string, resp IdempotentResponse) error

	// AbandonIdempotent releases a claim whose call failed without lasting
	// effects. Abandoning a key that is unknown is not an error; abandoning a
	// finished key returns ECONFLICT (its response must stay replayable).
	AbandonIdempotent(ctx context.Context, scope, key string) error
}
