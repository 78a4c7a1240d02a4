package auth

import (
	"slices"
	"strings"
	"testing"

	"tollgate"
)

// wantMatrix restates the policy table in a second, independent form: one
// line per permission, one column per role (in the order of roleColumns).
// a = any, o = same_org, s = assigned (the case or shipment is assigned to
// the caller's organization), r = read_all, - = no grant. A change to the
// policy must change both, which is the point.
const wantMatrix = `
permission             EA EO LO AR LT BR AU SA
classify.read          a  a  a  a  a  a  a  a
list.read              a  a  a  a  a  a  a  a
list.write             -  -  a  -  -  -  -  a
screen.run             a  a  a  a  -  a  -  -
org.read               a  a  a  a  a  a  a  a
org.write              -  -  -  -  -  -  -  a
user.read              o  -  -  -  -  -  r  a
user.write             o  -  -  -  -  -  -  a
token.read             o  -  -  -  -  -  r  a
token.write            o  -  -  -  -  -  -  a
audit.read             o  -  -  -  -  -  r  -
checkpoint.read        -  -  -  -  -  -  r  -
reconcile.read         -  -  -  -  -  -  r  -
party.read             o  o  -  -  -  -  r  -
party.write            o  o  -  -  -  -  -  -
party.screen           o  o  -  -  -  -  -  -
hit.decide             o  o  -  -  -  -  -  -
application.read       o  o  s  s  -  -  r  -
application.write      o  o  -  -  -  -  -  -
application.submit     o  o  -  -  -  -  -  -
application.review     -  -  s  -  -  -  -  -
application.refer      -  -  s  -  -  -  -  -
application.recommend  -  -  -  s  -  -  -  -
application.decide     -  -  s  -  -  -  -  -
license.read           o  o  s  -  -  -  r  -
license.write          -  -  s  -  -  -  -  -
license.acknowledge    o  o  -  -  -  -  -  -
engagement.read        o  o  -  -  s  s  r  -
engagement.write       o  -  -  -  -  -  -  -
shipment.read          o  o  -  -  -  -  r  -
shipment.write         o  o  -  -  -  -  -  -
import.read            o  o  -  -  s  s  r  -
import.write           o  o  -  -  -  s  -  -
labreport.read         o  o  -  -  s  -  r  -
labreport.write        -  -  -  -  s  -  -  -
export.read            o  o  -  -  -  -  r  -
export.reserve         o  o  -  -  -  -  -  -
export.ship            o  o  -  -  -  -  -  -
export.void            o  o  -  -  -  -  -  -
order.read             o  o  -  -  -  -  r  -
order.write            o  o  -  -  -  -  -  -
report.read            o  o  -  -  -  -  r  -
`

var roleColumns = []tollgate.Role{
	tollgate.RoleExporterAdmin, tollgate.RoleExporterOfficer, tollgate.RoleLicensingOfficer, tollgate.RoleAgencyReviewer,
	tollgate.RoleLabTechnician, tollgate.RoleBroker, tollgate.RoleAuditor, tollgate.RoleSystemAdmin,
}

var ruleLetters = map[string]Rule{"a": Any, "o": SameOrg, "s": Assigned, "r": ReadAll}

// parseMatrix returns wantMatrix as permission → role → rule.
func parseMatrix(t *testing.T) map[string]map[tollgate.Role]Rule {
	t.Helper()
	want := map[string]map[tollgate.Role]Rule{}
	for _, line := range strings.Split(strings.TrimSpace(wantMatrix), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) != 1+len(roleColumns) {
			t.Fatalf("matrix line %q: %d columns", line, len(f))
		}
		row := map[tollgate.Role]Rule{}
		for i, letter := range f[1:] {
			if letter != "-" {
				row[roleColumns[i]] = ruleLetters[letter]
			}
		}
		want[f[0]] = row
	}
	return want
}

func TestPolicyMatrix(t *testing.T) {
	want := parseMatrix(t)
	for _, p := range Policy() {
		if p.Public {
			continue
		}
		row, ok := want[p.Name]
		if !ok {
			t.Errorf("%s is in the policy but not in wantMatrix", p.Name)
			continue
		}
		for _, role := range tollgate.Roles {
			got, gotOK := p.Grants[role]
			w, wantOK := row[role]
			if got != w || gotOK != wantOK {
				t.Errorf("%s × %s: policy %q, want %q", p.Name, role, got, w)
			}
		}
		delete(want, p.Name)
	}
	for name := range want {
		t.Errorf("%s is in wantMatrix but not in the policy", name)
	}
}

// TestPermissionsFromBrief checks that every permission named in issue 5
// (and the API's public routes) is in the table.
func TestPermissionsFromBrief(t *testing.T) {
	brief := `public classify.read screen.run org.read org.write user.read user.write token.write party.read
party.write party.screen hit.decide list.read list.write audit.read application.read application.write
application.submit application.review application.refer application.recommend application.decide
license.read license.write shipment.read shipment.write import.read import.write labreport.read
labreport.write export.reserve export.ship export.void order.read order.write report.read`
	perms := Permissions()
	if !slices.IsSorted(perms) {
		t.Errorf("Permissions() not sorted")
	}
	for _, name := range strings.Fields(brief) {
		if !slices.Contains(perms, name) {
			t.Errorf("permission %s missing from the policy", name)
		}
		if _, ok := Lookup(name); !ok {
			t.Errorf("Lookup(%s) = false", name)
		}
	}
}

func TestPolicyInvariants(t *testing.T) {
	tenantData := []string{"party", "hit", "application", "license", "shipment", "import", "labreport", "export", "order", "report"}
	for _, p := range Policy() {
		if err := checkPermission(&p); err != nil {
			t.Error(err)
		}
		for role, rule := range p.Grants {
			if role == tollgate.RoleAuditor && (!p.ReadOnly() || rule != ReadAll && rule != Any) {
				t.Errorf("%s: the auditor holds %q; the auditor only reads", p.Name, rule)
			}
			if role == tollgate.RoleSystemAdmin && slices.Contains(tenantData, p.Object()) {
				t.Errorf("%s: the system admin reaches tenant data", p.Name)
			}
			if rule == ReadAll && role != tollgate.RoleAuditor {
				t.Errorf("%s: read_all granted to %s; it is the auditor's rule", p.Name, role)
			}
		}
		if p.ReadOnly() != (p.Public || p.Action() == "read") {
			t.Errorf("%s: ReadOnly = %v", p.Name, p.ReadOnly())
		}
	}
	// Every role holds something, and the table's roles are the root's.
	for _, role := range tollgate.Roles {
		held := slices.ContainsFunc(Policy(), func(p Permission) bool { _, ok := p.Grants[role]; return ok })
		if !held {
			t.Errorf("role %s holds no permission", role)
		}
	}
	if !slices.Equal(roleColumns, tollgate.Roles) {
		t.Errorf("roleColumns %v, want tollgate.Roles %v", roleColumns, tollgate.Roles)
	}
}

func TestCheckPermissionRejects(t *testing.T) {
	bad := []Permission{
		{Name: "party.write", Grants: map[tollgate.Role]Rule{tollgate.RoleAuditor: ReadAll}},
		{Name: "party.write", Grants: map[tollgate.Role]Rule{tollgate.RoleExporterAdmin: ReadAll}},
		{Name: "party.read", Grants: map[tollgate.Role]Rule{"wizard": Any}},
		{Name: "party.read", Grants: map[tollgate.Role]Rule{tollgate.RoleBroker: "everything"}},
		{Name: "party", Grants: map[tollgate.Role]Rule{tollgate.RoleBroker: Any}},
		{Name: "party.read.all", Grants: map[tollgate.Role]Rule{tollgate.RoleBroker: Any}},
		{Name: "party.read", Public: true},
		{Name: PermPublic, Public: true, Grants: map[tollgate.Role]Rule{tollgate.RoleBroker: Any}},
	}
	for _, p := range bad {
		if err := checkPermission(&p); err == nil {
			t.Errorf("checkPermission(%+v) = nil", p)
		}
	}
}

func TestPolicyCopies(t *testing.T) {
	for _, p := range Policy() {
		if p.Name == "party.read" {
			p.Grants[tollgate.RoleBroker] = Any
		}
	}
	l, _ := Lookup("party.read")
	l.Grants[tollgate.RoleLabTechnician] = Any
	fresh, _ := Lookup("party.read")
	if _, ok := fresh.Grants[tollgate.RoleBroker]; ok || len(fresh.Grants) != 3 {
		t.Fatalf("changing a copy changed the table: %v", fresh.Grants)
	}
	if _, ok := Lookup("party.delete"); ok {
		t.Error("Lookup(party.delete) = true")
	}
}
