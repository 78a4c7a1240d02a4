package tollgate

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Role is what a user may do, granted within the user's organization. What
// each role may do to which object lives in one table, in package auth.
type Role string

// The roles of the regime.
const (
	RoleExporterAdmin    Role = "exporter_admin"    // manages an exporter's users and tokens, and does what an officer does
	RoleExporterOfficer  Role = "exporter_officer"  // an exporter's compliance officer: parties, applications, shipments
	RoleLicensingOfficer Role = "licensing_officer" // the licensing agency (BIS): reviews, refers, decides, issues licenses
	RoleAgencyReviewer   Role = "agency_reviewer"   // Defense, State or Energy: recommends on referred cases
	RoleLabTechnician    Role = "lab_technician"    // the third-party lab: tests the shipments assigned to it
	RoleBroker           Role = "broker"            // importer of record or customs broker: records import entries
	RoleAuditor          Role = "auditor"           // reads everything, writes nothing
	RoleSystemAdmin      Role = "system_admin"      // runs the installation: organizations, users, tokens, lists
)

// Roles lists every role, in a stable order.
var Roles = []Role{
	RoleExporterAdmin, RoleExporterOfficer, RoleLicensingOfficer, RoleAgencyReviewer,
	RoleLabTechnician, RoleBroker, RoleAuditor, RoleSystemAdmin,
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// MaxEmailLen bounds an email address in bytes (RFC 5321's path limit).
const MaxEmailLen = 254

// User is a person who signs in to tollgate. A user belongs to exactly one
// organization and holds one or more roles there.
type User struct {
	ID       string `json:"id"`
	OrgID    string `json:"org_id"`
	Email    string `json:"email"` // normalized by NormalizeEmail; unique
	Name     string `json:"name"`
	Roles    []Role `json:"roles"`
	Disabled bool   `json:"disabled"`
	// PasswordHash is the argon2id hash of the password in PHC form, or ""
	// for a user who signs in with API tokens only. It is never encoded.
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Validate checks the fields a client sets; ID, PasswordHash and the
// timestamps belong to the store and package auth. Whether the roles suit
// the organization's kind is auth.CheckRoles' question.
func (u *User) Validate() error {
	if u.OrgID == "" {
		return FieldErrorf("org_id", "required")
	}
	if err := ValidateEmail(u.Email); err != nil {
		return err
	}
	if err := validateNameField("name", u.Name, true); err != nil {
		return err
	}
	if len(u.Roles) == 0 {
		return FieldErrorf("roles", "at least one role is required")
	}
	for i, r := range u.Roles {
		if !r.Valid() {
			return FieldErrorf(fmt.Sprintf("roles[%d]", i), "unknown role %q", r)
		}
		if slices.Contains(u.Roles[:i], r) {
			return FieldErrorf(fmt.Sprintf("roles[%d]", i), "role %q given twice", r)
		}
	}
	return nil
}

// HasRole reports whether u holds role r.
func (u *User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// String names the user by ID and email; the password hash is never printed.
func (u User) String() string { return "user " + u.ID + " <" + u.Email + ">" }

// GoString keeps %#v from printing the password hash.
func (u User) GoString() string { return "tollgate.User{ID:" + fmt.Sprintf("%q", u.ID) + "}" }

// LogValue implements slog.LogValuer; it leaves the password hash out.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", u.ID), slog.String("org", u.OrgID), slog.String("email", u.Email))
}

// NormalizeEmail returns the form of an email address that is stored and
// compared: surrounding space trimmed, lower case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateEmail checks that s is a normalized address of the form
// local@domain, without spaces, of at most MaxEmailLen bytes. It does not
// check that the address receives mail.
func ValidateEmail(s string) error {
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case s == "":
		return FieldErrorf("email", "required")
	case len(s) > MaxEmailLen:
		return FieldErrorf("email", "longer than %d bytes", MaxEmailLen)
	case s != NormalizeEmail(s):
		return FieldErrorf("email", "must be lower case without surrounding space")
	case !ok || local == "" || domain == "" || strings.Contains(domain, "@"):
		return FieldErrorf("email", "must have the form name@domain")
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return FieldErrorf("email", "must not contain spaces or control characters")
	}
	return nil
}

// Principal is the authenticated caller of a request: the user, the user's
// organization and its kind, the user's roles at the time of the request,
// and the credential used. Package auth decides what a principal may do.
type Principal struct {
	UserID    string  `json:"user_id"`
	OrgID     string  `json:"org_id"`
	OrgKind   OrgKind `json:"org_kind"`
	Roles     []Role  `json:"roles"`
	TokenID   string  `json:"token_id,omitempty"`   // the API token's public id, when one was used
	SessionID string  `json:"session_id,omitempty"` // the browser session's public id, when one was used
}

// HasRole reports whether p holds role r.
func (p *Principal) HasRole(r Role) bool { return slices.Contains(p.Roles, r) }

// Actor names the principal in logs and audit records: "user:ID", followed
// by " token:ID" or " session:ID" for the credential used. It never contains
// a secret.
func (p *Principal) Actor() string {
	s := "user:" + p.UserID
	switch {
	case p.TokenID != "":
		s += " token:" + p.TokenID
	case p.SessionID != "":
		s += " session:" + p.SessionID
	}
	return s
}

// LogValue implements slog.LogValuer.
func (p Principal) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("user", p.UserID), slog.String("org", p.OrgID),
		slog.String("token", p.TokenID), slog.String("session", p.SessionID))
}

// Token is an API token as stored: its public ID (safe for logs and audit
// records) and the SHA-256 of its secret. The secret itself is shown once,
// when the token is created, and never stored. A token acts as its user with
// the user's current roles.
type Token struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	OrgID  string `json:"org_id"`
	Name   string `json:"name"` // what the token is for, chosen by its creator
	// Hash is the hex SHA-256 of the secret (auth.HashSecret); never encoded.
	Hash       string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"` // zero: never expires
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// Usable reports whether the token may authenticate a request at now: an
// EUNAUTHORIZED error when it has been revoked or has expired, else nil.
func (t *Token) Usable(now time.Time) error {
	switch {
	case !t.RevokedAt.IsZero() && !now.Before(t.RevokedAt):
		return Errorf(EUNAUTHORIZED, "token %s was revoked", t.ID)
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return Errorf(EUNAUTHORIZED, "token %s has expired", t.ID)
	}
	return nil
}

// String names the token by its public ID only.
func (t Token) String() string { return "token " + t.ID }

// GoString keeps %#v from printing the hash.
func (t Token) GoString() string { return "tollgate.Token{ID:" + fmt.Sprintf("%q", t.ID) + "}" }

// LogValue implements slog.LogValuer; it leaves the hash out.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", t.ID), slog.String("user", t.UserID), slog.String("org", t.OrgID))
}

// Session is a browser session as stored: its public ID, the SHA-256 of the
// cookie's secret, and its two deadlines. The idle deadline moves forward
// as the session is used but never past the absolute one.
type Session struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	OrgID  string `json:"org_id"`
	// Hash is the hex SHA-256 of the cookie's secret; never encoded.
	Hash          string    `json:"-"`
	CreatedAt     time.Time `json:"created_at"`
	LastSeenAt    time.Time `json:"last_seen_at"`
	IdleExpiresAt time.Time `json:"idle_expires_at"`
	ExpiresAt     time.Time `json:"expires_at"` // the absolute deadline
	EndedAt       time.Time `json:"ended_at,omitzero"`
	EndReason     string    `json:"end_reason,omitempty"` // see the SessionEnd… constants
}

// Why a session ended.
const (
	SessionEndLogout          = "logout"
	SessionEndUserDisabled    = "user_disabled"
	SessionEndPasswordChanged = "password_changed"
)

// Valid reports whether the session may authenticate a request at now: an
// EUNAUTHORIZED error when it has ended, passed its absolute deadline or
// been idle too long, else nil.
func (s *Session) Valid(now time.Time) error {
	switch {
	case !s.EndedAt.IsZero():
		return Errorf(EUNAUTHORIZED, "session ended (%s)", s.EndReason)
	case !now.Before(s.ExpiresAt):
		return Errorf(EUNAUTHORIZED, "session expired")
	case !now.Before(s.IdleExpiresAt):
		return Errorf(EUNAUTHORIZED, "session expired after inactivity")
	}
	return nil
}

// String names the session by its public ID only.
func (s Session) String() string { return "session " + s.ID }

// GoString keeps %#v from printing the hash.
func (s Session) GoString() string { return "tollgate.Session{ID:" + fmt.Sprintf("%q", s.ID) + "}" }

// LogValue implements slog.LogValuer; it leaves the hash out.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", s.ID), slog.String("user", s.UserID), slog.String("org", s.OrgID))
}

// UserFilter selects users for FindUsers. Zero fields match all.
type UserFilter struct {
	OrgID  string `json:"org_id,omitempty"`
	Cursor string `json:"cursor,omitempty"` // opaque; from a previous page
	Limit  int    `json:"limit,omitempty"`  // 0 means DefaultPageLimit
}

// UserUpdate holds the fields UpdateUser may change; nil fields stay as
// they are. A user's organization and email never change.
type UserUpdate struct {
	Name     *string `json:"name,omitempty"`
	Roles    *[]Role `json:"roles,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
}

// UserService manages users, their API tokens and their browser sessions.
// Secrets never reach it: tokens and sessions arrive with Hash set.
type UserService interface {
	// FindUserByID returns the user with id, or ENOTFOUND.
	FindUserByID(ctx context.Context, id string) (*User, error)

	// FindUserByEmail returns the user with the normalized email, or
	// ENOTFOUND; ECONFLICT when users of several organizations have it
	// (emails are unique within an organization only).
	FindUserByEmail(ctx context.Context, email string) (*User, error)

	// FindUsersByEmail returns every user with the normalized email, of
	// any organization, oldest first; none is not an error.
	FindUsersByEmail(ctx context.Context, email string) ([]*User, error)

	// FindUsers returns one page of users matching filter, oldest first, and
	// the cursor of the next page ("" on the last page).
	FindUsers(ctx context.Context, filter UserFilter) ([]*User, string, error)

	// CreateUser validates u, assigns its ID and timestamps and stores it:
	// ECONFLICT when a user of the same organization has the email (users
	// of other organizations may: the answer must not tell whether one
	// does), ENOTFOUND when the org does not exist.
	CreateUser(ctx context.Context, u *User) error

	// UpdateUser applies upd and returns the user as stored. Disabling a user
	// ends every open session of the user (SessionEndUserDisabled) in the
	// same transaction; the user's tokens stop working because
	// authentication checks User.Disabled.
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (*User, error)

	// SetPasswordHash stores a new password hash for the user and ends the
	// user's open sessions (SessionEndPasswordChanged) except keepSessionID.
	SetPasswordHash(ctx context.Context, id, hash, keepSessionID string) error

	// CreateToken stores t (Hash set by the caller), assigning its ID and
	// CreatedAt.
	CreateToken(ctx context.Context, t *Token) error

	// FindTokenByHash returns the token whose Hash is hash, or ENOTFOUND.
	// It returns revoked and expired tokens too: Token.Usable decides.
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)

	// FindTokens returns the tokens of a user, newest first.
	FindTokens(ctx context.Context, userID string) ([]*Token, error)

	// TouchToken sets the token's LastUsedAt to at when at is later.
	TouchToken(ctx context.Context, id string, at time.Time) error

	// RevokeToken sets the token's RevokedAt to the transaction's time:
	// ENOTFOUND when it does not exist; revoking twice keeps the first time.
	RevokeToken(ctx context.Context, id string) error

	// CreateSession stores s (Hash set by the caller), assigning its ID.
	CreateSession(ctx context.Context, s *Session) error

	// FindSessionByHash returns the session whose Hash is hash, or
	// ENOTFOUND. It returns ended and expired sessions too: Session.Valid
	// decides.
	FindSessionByHash(ctx context.Context, hash string) (*Session, error)

	// TouchSession stores the session's new LastSeenAt and IdleExpiresAt.
	TouchSession(ctx context.Context, id string, lastSeen, idleExpires time.Time) error

	// EndSession ends one session with reason; ending an ended session is a
	// no-op.
	EndSession(ctx context.Context, id, reason string) error

	// EndUserSessions ends every open session of a user with reason and
	// returns how many it ended.
	EndUserSessions(ctx context.Context, userID, reason string) (int, error)
}
