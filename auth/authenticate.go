package auth

import (
	"context"
	"fmt"
	"slices"
	"time"

	"tollgate"
)

// principalFor returns the principal of u, a member of org.
func principalFor(u *tollgate.User, org *tollgate.Org) (*tollgate.Principal, error) {
	if org == nil || u.OrgID != org.ID {
		return nil, fmt.Errorf("auth: user %s belongs to org %s, not the org given", u.ID, u.OrgID)
	}
	return &tollgate.Principal{UserID: u.ID, OrgID: org.ID, OrgKind: org.Kind, Roles: slices.Clone(u.Roles)}, nil
}

// AuthenticateToken checks a presented API token against the stored token
// the store found by its hash, that token's user and the user's
// organization, at now. It returns the principal the token acts as, or an
// EUNAUTHORIZED error when the token does not match, is revoked or expired,
// or its user is disabled. A mismatch between the records is an internal
// error.
func AuthenticateToken(secret Secret, t *tollgate.Token, u *tollgate.User, org *tollgate.Org, now time.Time) (*tollgate.Principal, error) {
	if !MatchSecret(secret, t.Hash) {
		return nil, unknownCredential("API token")
	}
	if err := t.Usable(now); err != nil {
		return nil, err
	}
	if t.UserID != u.ID || t.OrgID != u.OrgID {
		return nil, fmt.Errorf("auth.AuthenticateToken: token %s does not belong to user %s", t.ID, u.ID)
	}
	if u.Disabled {
		return nil, tollgate.Errorf(tollgate.EUNAUTHORIZED, "the user of token %s is disabled", t.ID)
	}
	p, err := principalFor(u, org)
	if err != nil {
		return nil, fmt.Errorf("auth.AuthenticateToken: %w", err)
	}
	p.TokenID = t.ID
	return p, nil
}

// AuthenticateSession checks a presented session secret against the stored
// session the store found by its hash, the session's user and the user's
// organization, at now. It returns the principal, or an EUNAUTHORIZED error
// when the secret does not match, the session has ended or expired, or the
// user is disabled — in which case it ends the session. changed reports
// that s was touched or ended and should be stored (TouchSession or
// EndSession).
func AuthenticateSession(cfg SessionConfig, secret Secret, s *tollgate.Session, u *tollgate.User, org *tollgate.Org, now time.Time) (p *tollgate.Principal, changed bool, err error) {
	if !MatchSecret(secret, s.Hash) {
		return nil, false, unknownCredential("session")
	}
	if err := s.Valid(now); err != nil {
		return nil, false, err
	}
	if s.UserID != u.ID {
		return nil, false, fmt.Errorf("auth.AuthenticateSession: session %s does not belong to user %s", s.ID, u.ID)
	}
	if u.Disabled {
		EndSession(s, tollgate.SessionEndUserDisabled, now)
		return nil, true, tollgate.Errorf(tollgate.EUNAUTHORIZED, "session ended (%s)", s.EndReason)
	}
	p, err = principalFor(u, org)
	if err != nil {
		return nil, false, fmt.Errorf("auth.AuthenticateSession: %w", err)
	}
	p.SessionID = s.ID
	return p, TouchSession(cfg, s, now), nil
}

func unknownCredential(what string) error {
	return tollgate.Errorf(tollgate.EUNAUTHORIZED, "unknown or mistyped %s", what)
}

// lookupCredential turns the store's ENOTFOUND for a credential's hash into
// the same EUNAUTHORIZED a mismatch gives, and wraps any other failure.
func lookupCredential(what string, err error) error {
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return unknownCredential(what)
	}
	return fmt.Errorf("auth: find %s: %w", what, err)
}

// userAndOrg loads a credential's user and the user's organization.
func (a *Authenticator) userAndOrg(ctx context.Context, userID string) (*tollgate.User, *tollgate.Org, error) {
	u, err := a.Users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: find user %s: %w", userID, err)
	}
	org, err := a.Orgs.FindOrgByID(ctx, u.OrgID)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: find org %s: %w", u.OrgID, err)
	}
	return u, org, nil
}

func (a *Authenticator) byToken(ctx context.Context, secret Secret, now time.Time) (*tollgate.Principal, error) {
	t, err := a.Users.FindTokenByHash(ctx, HashSecret(secret))
	if err != nil {
		return nil, lookupCredential("API token", err)
	}
	u, org, err := a.userAndOrg(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	p, err := AuthenticateToken(secret, t, u, org, now)
	if err != nil {
		return nil, err
	}
	if t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) > a.TokenTouchInterval {
		if err := a.Users.TouchToken(ctx, t.ID, now.UTC()); err != nil {
			return nil, fmt.Errorf("auth: touch token %s: %w", t.ID, err)
		}
	}
	return p, nil
}

func (a *Authenticator) bySession(ctx context.Context, secret Secret, now time.Time) (*tollgate.Principal, error) {
	s, err := a.Users.FindSessionByHash(ctx, HashSecret(secret))
	if err != nil {
		return nil, lookupCredential("session", err)
	}
	u, org, err := a.userAndOrg(ctx, s.UserID)
	if err != nil {
		return nil, err
	}
	p, changed, authErr := AuthenticateSession(a.Sessions, secret, s, u, org, now)
	switch {
	case changed && !s.EndedAt.IsZero():
		err = a.Users.EndSession(ctx, s.ID, s.EndReason)
	case changed:
		err = a.Users.TouchSession(ctx, s.ID, s.LastSeenAt, s.IdleExpiresAt)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: store session %s: %w", s.ID, err)
	}
	return p, authErr
}
