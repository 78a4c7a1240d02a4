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
	tollgate.IdempotencyStore
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
	// PermPublic marks routes anyone may call: health, readiness, metrics
	// and the OpenAPI document. They expose no tenant data.
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
)

// Guard authenticates a request and checks that its caller holds the
// route's permission. It returns an EUNAUTHORIZED error when the request
// carries no valid credentials and EFORBIDDEN when the caller lacks the
// permission; the server answers 401 or 403 accordingly. For PermPublic
// routes it must allow every request (it may still identify the caller).
// Guards must not read the request body. Checks on a particular object
// (its owner organization) belong to the handlers, which know the object.
type Guard interface {
	Authorize(r *http.Request, permission string) (*tollgate.Principal, error)
}

// AnonymousUserID is the user every request acts as under OpenAccess.
const AnonymousUserID = "anonymous"

// OpenAccess is the Guard of a server without authentication: every
// request is allowed and acts as the user "anonymous". It is meant for
// local, single-user use on a loopback address until tollgate's auth
// package is wired in.
type OpenAccess struct{}

// Authorize allows every request.
func (OpenAccess) Authorize(*http.Request, string) (*tollgate.Principal, error) {
	return &tollgate.Principal{UserID: AnonymousUserID}, nil
}

type principalKey struct{}

// principalFrom returns the caller of the request being served.
func principalFrom(ctx context.Context) *tollgate.Principal {
	if p, ok := ctx.Value(principalKey{}).(*tollgate.Principal); ok {
		return p
	}
	return &tollgate.Principal{}
}
