package api

import (
	"net/http"
	"time"

	"tollgate"
	"tollgate/auth"
)

// TokenInput is the body of POST /v1/tokens.
type TokenInput struct {
	// UserID is the user the token acts as; empty means the caller.
	UserID string `json:"user_id,omitempty"`
	// Name says what the token is for ("CI deploys").
	Name string `json:"name"`
	// TTL is the token's lifetime as a Go duration ("720h"); empty means
	// the server's default (90 days unless configured otherwise).
	TTL string `json:"ttl,omitempty"`
}

// Validate checks the name and parses the lifetime.
func (in *TokenInput) Validate() error {
	if in.Name == "" {
		return tollgate.FieldErrorf("name", "required")
	}
	_, err := in.ttl()
	return err
}

func (in *TokenInput) ttl() (time.Duration, error) {
	if in.TTL == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(in.TTL)
	if err != nil || d <= 0 {
		return 0, tollgate.FieldErrorf("ttl", "must be a positive duration such as 720h, not %q", in.TTL)
	}
	return d, nil
}

// NewToken is the answer of POST /v1/tokens: the token's record and its
// secret, for the "Authorization: Bearer" header. The secret is shown this
// once and is not kept anywhere: a retry of the call under the same
// Idempotency-Key gets the record without it (revoke that token and make
// another if the first answer was lost).
type NewToken struct {
	Token  *tollgate.Token `json:"token"`
	Secret string          `json:"secret,omitempty"`
}

func (s *server) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[TokenInput](r)
	if err != nil {
		return err
	}
	userID := in.UserID
	if userID == "" {
		userID = principalFrom(r.Context()).UserID
	}
	u, err := s.manageableUser(r, PermTokenWrite, userID)
	if err != nil {
		return err
	}
	ttl, _ := in.ttl()
	secret, tok, err := auth.IssueToken(s.access.Tokens, s.auth.Rand, u, in.Name, ttl, s.auth.Now())
	if err != nil {
		return err
	}
	if err := s.store.CreateToken(r.Context(), tok); err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/tokens?user_id="+u.ID)
	return encodeOnce(w, http.StatusCreated, NewToken{Token: tok, Secret: secret.Reveal()}, NewToken{Token: tok})
}

func (s *server) handleListTokens(w http.ResponseWriter, r *http.Request) error {
	userID := queryString(r, "user_id")
	if userID == "" {
		userID = principalFrom(r.Context()).UserID
	}
	u, err := s.userFor(r, PermTokenRead, userID)
	if err != nil {
		return err
	}
	tokens, err := s.store.FindTokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(tokens, ""))
}

// handleRevokeToken revokes a token at once; revoking a revoked token
// keeps its first revocation time.
func (s *server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	tok, err := s.store.FindTokenByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.authorize(r, PermTokenWrite, auth.OwnedBy(tok.OrgID), notFoundError("token", id)); err != nil {
		return err
	}
	if _, err := s.manageableUser(r, PermTokenWrite, tok.UserID); err != nil {
		return err
	}
	if err := s.store.RevokeToken(r.Context(), tok.ID); err != nil {
		return err
	}
	if tok, err = s.store.FindTokenByID(r.Context(), tok.ID); err != nil {
		return err
	}
	return encode(w, http.StatusOK, tok)
}

// manageableUser returns the user with id if the caller may do perm to it
// and act on its credentials (checkManage).
func (s *server) manageableUser(r *http.Request, perm, id string) (*tollgate.User, error) {
	u, err := s.userFor(r, perm, id)
	if err != nil {
		return nil, err
	}
	org, err := s.store.FindOrgByID(r.Context(), u.OrgID)
	if err != nil {
		return nil, err
	}
	if err := s.checkManage(r, u, org.Kind); err != nil {
		return nil, err
	}
	return u, nil
}
