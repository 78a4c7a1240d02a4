package tollgate

import "context"

type principalKey struct{}

// WithPrincipal returns a context carrying p, the caller a use case acts for.
// The API sets it after authentication and the CLI sets it for local
// commands; the store reads it to name the actor of every audit record.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller carried by ctx, or nil when there is none.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
