package auth

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"tollgate"
)

// Rule is how an object must relate to the caller for a granted permission
// to reach it.
type Rule string

// The ownership rules.
const (
	// Any reaches every object: system-wide reference data, or a directory
	// every holder of the role may see.
	Any Rule = "any"
	// SameOrg reaches objects owned by the caller's organization.
	SameOrg Rule = "same_org"
	// Assigned reaches objects assigned or referred to the caller's
	// organization: a case referred to the reviewer's agency, a shipment
	// assigned to the technician's lab.
	Assigned Rule = "assigned"
	// ReadAll reaches every object, for reading only: the auditor's rule.
	// The table never pairs it with a permission that is not a read.
	ReadAll Rule = "read_all"
)

// PermPublic is the permission of routes anyone may call, signed in or not.
const PermPublic = "public"

// Permission is one row of the policy: an action on a type of object, and
// the rule under which each role that may do it reaches an object.
type Permission struct {
	Name    string // "object.action", e.g. "party.read"
	Summary string
	// Public permissions need no authentication; Grants is then empty.
	Public bool
	Grants map[tollgate.Role]Rule
}

// Object returns the object type of the permission ("party").
func (p Permission) Object() string { o, _, _ := strings.Cut(p.Name, "."); return o }

// Action returns the action of the permission ("read").
func (p Permission) Action() string { _, a, _ := strings.Cut(p.Name, "."); return a }

// ReadOnly reports whether the permission changes nothing: its action is
// "read", or it is public.
func (p Permission) ReadOnly() bool { return p.Public || p.Action() == "read" }

// Ownership is what Authorize needs to know about an object: the
// organization that owns it and the organizations it is assigned or
// referred to. The zero Ownership is that of reference data, which only
// the Any and ReadAll rules reach.
type Ownership struct {
	OrgID          string
	AssignedOrgIDs []string
}

// OwnedBy returns the Ownership of an object owned by orgID and assigned
// or referred to the organizations assigned.
func OwnedBy(orgID string, assigned ...string) Ownership {
	return Ownership{OrgID: orgID, AssignedOrgIDs: assigned}
}

var byName = func() map[string]*Permission {
	m := make(map[string]*Permission, len(policy))
	for i := range policy {
		if err := checkPermission(&policy[i]); err != nil {
			panic("auth: policy table: " + err.Error())
		}
		if m[policy[i].Name] != nil {
			panic("auth: policy table: " + policy[i].Name + " listed twice")
		}
		m[policy[i].Name] = &policy[i]
	}
	return m
}()

// checkPermission checks the invariants of one row of the table.
func checkPermission(p *Permission) error {
	if p.Public != (p.Name == PermPublic) || (p.Public && len(p.Grants) > 0) {
		return fmt.Errorf("%s: only %q is public, and it grants nothing", p.Name, PermPublic)
	}
	if !p.Public && (p.Object() == "" || p.Action() == "" || strings.Count(p.Name, ".") != 1) {
		return fmt.Errorf("%q is not object.action", p.Name)
	}
	for role, rule := range p.Grants {
		switch {
		case !role.Valid():
			return fmt.Errorf("%s: unknown role %q", p.Name, role)
		case rule != Any && rule != SameOrg && rule != Assigned && rule != ReadAll:
			return fmt.Errorf("%s: unknown rule %q", p.Name, rule)
		case rule == ReadAll && !p.ReadOnly():
			return fmt.Errorf("%s: read_all granted on a write", p.Name)
		case role == tollgate.RoleAuditor && !p.ReadOnly():
			return fmt.Errorf("%s: the auditor never writes", p.Name)
		}
	}
	return nil
}

// Permissions returns the name of every permission in the policy, sorted.
func Permissions() []string { return slices.Sorted(maps.Keys(byName)) }

// Policy returns a copy of the whole table, in the order it is written.
func Policy() []Permission {
	out := make([]Permission, len(policy))
	for i, p := range policy {
		p.Grants = maps.Clone(p.Grants)
		out[i] = p
	}
	return out
}

// Lookup returns the permission named name.
func Lookup(name string) (Permission, bool) {
	p, ok := byName[name]
	if !ok {
		return Permission{}, false
	}
	c := *p
	c.Grants = maps.Clone(p.Grants)
	return c, true
}

// RoleFitsOrg reports whether role r may be held in an organization of
// kind k.
func RoleFitsOrg(r tollgate.Role, k tollgate.OrgKind) bool {
	kinds, ok := roleOrgKinds[r]
	return r.Valid() && (!ok || slices.Contains(kinds, k))
}

// CheckRoles returns an EINVALID error naming the first of roles that may
// not be held in an organization of kind k.
func CheckRoles(k tollgate.OrgKind, roles []tollgate.Role) error {
	for i, r := range roles {
		if !RoleFitsOrg(r, k) {
			return tollgate.FieldErrorf(fmt.Sprintf("roles[%d]", i), "role %q cannot be held in an organization of kind %q", r, k)
		}
	}
	return nil
}

// CheckRoleGrant says whether p may give roles to a user of an
// organization of kind k: EFORBIDDEN when one of p's roles cannot give it,
// EINVALID when it does not fit the organization. Call it after
// Authorize(p, "user.write", …) has allowed the change itself.
func CheckRoleGrant(p *tollgate.Principal, k tollgate.OrgKind, roles []tollgate.Role) error {
	if err := CheckRoles(k, roles); err != nil {
		return err
	}
	for _, r := range roles {
		if !slices.ContainsFunc(effectiveRoles(p), func(held tollgate.Role) bool {
			return slices.Contains(grantable[held], r)
		}) {
			return tollgate.Errorf(tollgate.EFORBIDDEN, "your roles may not grant the role %q", r)
		}
	}
	return nil
}

// effectiveRoles returns p's roles that fit p's organization.
func effectiveRoles(p *tollgate.Principal) []tollgate.Role {
	var out []tollgate.Role
	for _, r := range p.Roles {
		if RoleFitsOrg(r, p.OrgKind) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// Scope is the set of objects that a principal's grants of one permission
// reach: everything, or the objects its organization owns, or those
// assigned to its organization, or both of the last two. A list endpoint
// turns it into its query's filter; Authorize asks it about one object.
type Scope struct {
	Permission    string
	All           bool   // every object (Any, ReadAll, or a public permission)
	OrgID         string // objects owned by this organization (SameOrg); "" for none
	AssignedOrgID string // objects assigned to this organization (Assigned); "" for none
}

// Includes reports whether the object with ownership o lies in s.
func (s Scope) Includes(o Ownership) bool {
	return s.All ||
		(s.OrgID != "" && o.OrgID == s.OrgID) ||
		(s.AssignedOrgID != "" && slices.Contains(o.AssignedOrgIDs, s.AssignedOrgID))
}

// ScopeOf returns the scope of p's grants of perm. p is nil for an
// unauthenticated caller, who may hold only PermPublic (EUNAUTHORIZED
// otherwise). A principal none of whose roles (that fit its organization's
// kind) holds perm gets EFORBIDDEN. An unknown permission is a bug in the
// caller's route table and an internal error.
func ScopeOf(p *tollgate.Principal, perm string) (Scope, error) {
	row, ok := byName[perm]
	switch {
	case !ok:
		return Scope{}, fmt.Errorf("auth.ScopeOf: permission %q is not in the policy table", perm)
	case row.Public:
		return Scope{Permission: perm, All: true}, nil
	case p == nil:
		return Scope{}, tollgate.Errorf(tollgate.EUNAUTHORIZED, "authentication required")
	}
	s := Scope{Permission: perm}
	granted := false
	for _, role := range effectiveRoles(p) {
		rule, ok := row.Grants[role]
		if !ok {
			continue
		}
		granted = true
		switch rule {
		case Any, ReadAll:
			s.All = true
		case SameOrg:
			s.OrgID = p.OrgID
		case Assigned:
			s.AssignedOrgID = p.OrgID
		}
	}
	if !granted {
		return Scope{}, tollgate.Errorf(tollgate.EFORBIDDEN, "forbidden: your roles (%s) may not %s", roleList(p.Roles), perm)
	}
	return s, nil
}

// Authorize is the one place tollgate decides whether p may do perm to an
// object with ownership obj. It returns nil when it may; EUNAUTHORIZED when
// p is nil and perm is not public; EFORBIDDEN when none of p's roles holds
// perm at all, decided before the object is looked at so that the answer
// reveals nothing about it; and ENOTFOUND with the message "not found" when
// the roles hold perm but the object lies outside their reach (another
// tenant's object), so that the caller cannot tell it from one that does
// not exist. For a create, obj is the ownership the new object would have.
func Authorize(p *tollgate.Principal, perm string, obj Ownership) error {
	s, err := ScopeOf(p, perm)
	if err != nil {
		return err
	}
	if !s.Includes(obj) {
		return tollgate.Errorf(tollgate.ENOTFOUND, "not found")
	}
	return nil
}

func roleList(roles []tollgate.Role) string {
	if len(roles) == 0 {
		return "none"
	}
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}
