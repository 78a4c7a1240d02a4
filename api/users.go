package api

import (
	"net/http"

	"tollgate"
	"tollgate/auth"
)

// UserInput is the body of POST /v1/users: the fields a client sets.
type UserInput struct {
	OrgID string          `json:"org_id"`
	Email string          `json:"email"`
	Name  string          `json:"name"`
	Roles []tollgate.Role `json:"roles"`
	// Password, when set, lets the user sign in to the dashboard; it must
	// pass the password policy. Without it the user works with API tokens
	// only.
	Password string `json:"password,omitempty"`
}

// user returns the user the input describes, its email normalized.
func (in *UserInput) user() *tollgate.User {
	return &tollgate.User{OrgID: in.OrgID, Email: tollgate.NormalizeEmail(in.Email), Name: in.Name, Roles: in.Roles}
}

// Validate checks the input as the store will.
func (in *UserInput) Validate() error { return in.user().Validate() }

func (s *server) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[UserInput](r)
	if err != nil {
		return err
	}
	u := in.user()
	if err := s.authorize(r, PermUserWrite, auth.OwnedBy(u.OrgID), notFoundError("organization", u.OrgID)); err != nil {
		return err
	}
	org, err := s.store.FindOrgByID(r.Context(), u.OrgID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return tollgate.FieldErrorf("org_id", "no organization %q", u.OrgID)
	} else if err != nil {
		return err
	}
	if err := s.checkGrant(r, org.Kind, u.Roles); err != nil {
		return err
	}
	if in.Password != "" {
		if err := s.access.Passwords.Check(in.Password, u.Email, u.Name); err != nil {
			return err
		}
		if u.PasswordHash, err = auth.HashPassword(in.Password, s.auth.Passwords, s.auth.Rand); err != nil {
			return err
		}
	}
	if err := s.store.CreateUser(r.Context(), u); err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/users/"+u.ID)
	return encode(w, http.StatusCreated, u)
}

func (s *server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	orgID, none, err := listScope(r, PermUserRead, queryString(r, "org_id"))
	if err != nil || none {
		return encodeEmptyPage[tollgate.User](w, err)
	}
	users, next, err := s.store.FindUsers(r.Context(), tollgate.UserFilter{OrgID: orgID, Cursor: cursor, Limit: limit})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(users, next))
}

func (s *server) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.userFor(r, PermUserRead, r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, u)
}

// handleUpdateUser renames a user, sets its roles, or disables or enables
// it. Disabling ends the user's sessions at once and stops its tokens
// working; a user cannot disable itself.
func (s *server) handleUpdateUser(w http.ResponseWriter, r *http.Request) error {
	upd, err := decode[tollgate.UserUpdate](r)
	if err != nil {
		return err
	}
	u, err := s.userFor(r, PermUserWrite, r.PathValue("id"))
	if err != nil {
		return err
	}
	org, err := s.store.FindOrgByID(r.Context(), u.OrgID)
	if err != nil {
		return err
	}
	if err := s.checkManage(r, u, org.Kind); err != nil {
		return err
	}
	if upd.Roles != nil {
		if err := s.checkGrant(r, org.Kind, *upd.Roles); err != nil {
			return err
		}
	}
	if upd.Disabled != nil && *upd.Disabled && u.ID == principalFrom(r.Context()).UserID {
		return tollgate.Errorf(tollgate.ECONFLICT, "you cannot disable yourself; ask another administrator")
	}
	u, err = s.store.UpdateUser(r.Context(), u.ID, upd)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, u)
}

// userFor returns the user with id if the caller may do perm to it; a
// user of another tenant is "not found", as a missing one is.
func (s *server) userFor(r *http.Request, perm, id string) (*tollgate.User, error) {
	u, err := s.store.FindUserByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r, perm, auth.OwnedBy(u.OrgID), notFoundError("user", id)); err != nil {
		return nil, err
	}
	return u, nil
}

// checkGrant checks that the caller may give roles to a user of an
// organization of kind k (auth.CheckRoleGrant), logging a refusal.
func (s *server) checkGrant(r *http.Request, k tollgate.OrgKind, roles []tollgate.Role) error {
	p := principalFrom(r.Context())
	err := auth.CheckRoleGrant(p, k, roles)
	if tollgate.ErrorCode(err) == tollgate.EFORBIDDEN {
		s.denied(r, p, AuthForbidden, PermUserWrite, err)
	}
	return err
}

// checkManage checks that the caller may act on user u (a member of an
// organization of kind k) and its credentials: it must be able to grant
// every role u holds, so that an exporter's admin cannot disable, rename
// or mint tokens for a system administrator placed in its organization.
// Acting on oneself is always allowed.
func (s *server) checkManage(r *http.Request, u *tollgate.User, k tollgate.OrgKind) error {
	if u.ID == principalFrom(r.Context()).UserID {
		return nil
	}
	err := s.checkGrant(r, k, u.Roles)
	if tollgate.ErrorCode(err) == tollgate.EINVALID {
		// The user holds a role that does not fit its organization (granted
		// before a policy change): only a system administrator fixes that.
		if !principalFrom(r.Context()).HasRole(tollgate.RoleSystemAdmin) {
			return tollgate.Errorf(tollgate.EFORBIDDEN, "only a system administrator may change user %s", u.ID)
		}
		return nil
	}
	return err
}

// encodeEmptyPage answers a list request whose scope reaches nothing with
// an empty page, or returns err.
func encodeEmptyPage[T any](w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, Page[T]{Items: []T{}})
}
