package api

import (
	"context"
	"net/http"

	"tollgate"
	"tollgate/screening"
)

// Store is what the API needs from tollgate's store: the domain services
// and the idempotency records, plus a liveness check for /readyz.
type Store interface {
	tollgate.OrgService
	tollgate.PartyService
	tollgate.ListService
	tollgate.ScreeningService
	tollgate.EngagementService
	tollgate.IdempotencyStore
	AuditLog
	// UserService holds users, API tokens and sessions.
	tollgate.UserService
	// FindTokenByID returns a token's record (never its secret), or
	// ENOTFOUND, so that a revocation can be authorized by its owner.
	FindTokenByID(ctx context.Context, id string) (*tollgate.Token, error)
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}

// Screening is what the API needs from the screening service
// (*screening.Service).
type Screening interface {
	// ScreenNames screens ad-hoc names against the current list versions
	// and records nothing.
	ScreenNames(ctx context.Context, queries []screening.NameQuery, opts screening.NamesOptions) (*screening.NamesResult, error)
	// ScreenParty screens a stored party, records the result and returns
	// what changed since its previous screening.
	ScreenParty(ctx context.Context, partyID string) (*tollgate.ScreeningDiff, error)
}

// Permissions name what a route lets its caller do; the names are those of
// the policy table in package auth. Every route in routes.go declares
// exactly one, and a Guard decides who holds which.
const (
	// PermPublic marks routes anyone may call: health, readiness and the
	// OpenAPI document. They expose no tenant data.
	PermPublic       = "public"
	PermOrgRead      = "org.read"
	PermOrgWrite     = "org.write"
	PermPartyRead    = "party.read"
	PermPartyWrite   = "party.write"
	PermPartyScreen  = "party.screen"
	PermHitDecide    = "hit.decide"
	PermScreenRun    = "screen.run"
	PermListRead     = "list.read"
	PermListWrite    = "list.write"
	PermClassifyRead = "classify.read"
	PermUserRead     = "user.read"
	PermUserWrite    = "user.write"
	PermTokenRead    = "token.read"
	PermTokenWrite   = "token.write"
)

// Guard authenticates a request and checks that its caller holds the
// route's permission. It returns an EUNAUTHORIZED error when the request
// carries no valid credentials and EFORBIDDEN when the caller lacks the
// permission (with the caller's principal, so that the denial is logged
// with its actor); the server answers 401 or 403 accordingly. For
// PermPublic routes it must allow every request, returning the caller's
// principal when it can identify one and nil otherwise. Guards must not
// read the request body. Checks on a particular object (its owner
// organization) belong to the handlers, which know the object. AuthGuard
// is the Guard of tollgate serve.
type Guard interface {
	Authorize(r *http.Request, permission string) (*tollgate.Principal, error)
}

// principalFrom returns the caller of the request being served (nil on a
// public route called without credentials). The middleware puts it in the
// context with tollgate.WithPrincipal, where the store finds it too.
func principalFrom(ctx context.Context) *tollgate.Principal {
	return tollgate.PrincipalFrom(ctx)
}
