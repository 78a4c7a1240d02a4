package auth

import (
	"testing"

	"tollgate"
)

// principalAs returns a principal holding role in an organization of a
// kind that fits it.
func principalAs(role tollgate.Role) *tollgate.Principal {
	kind := tollgate.OrgExporter
	if kinds := roleOrgKinds[role]; len(kinds) > 0 {
		kind = kinds[0]
	}
	return &tollgate.Principal{UserID: "u-" + string(role), OrgID: "org-" + string(role), OrgKind: kind, Roles: []tollgate.Role{role}}
}

// TestAuthorizeMatrix calls Authorize for every permission × role × kind
// of object and compares the outcome with what the table's rule implies.
func TestAuthorizeMatrix(t *testing.T) {
	want := parseMatrix(t)
	for _, perm := range Permissions() {
		if perm == PermPublic {
			continue
		}
		for _, role := range tollgate.Roles {
			p := principalAs(role)
			objects := map[string]Ownership{
				"own":       OwnedBy(p.OrgID),
				"other":     OwnedBy("org-competitor"),
				"assigned":  OwnedBy("org-competitor", "org-x", p.OrgID),
				"reference": {},
			}
			rule, granted := want[perm][role]
			for what, obj := range objects {
				wantCode := ""
				switch {
				case !granted:
					wantCode = tollgate.EFORBIDDEN
				case rule == SameOrg && what != "own", rule == Assigned && what != "assigned":
					wantCode = tollgate.ENOTFOUND
				}
				err := Authorize(p, perm, obj)
				if got := tollgate.ErrorCode(err); got != wantCode {
					t.Errorf("%s as %s on %s object: %q (%v), want %q", perm, role, what, got, err, wantCode)
				}
			}
		}
	}
}

func TestAuthorize(t *testing.T) {
	exporterA := &tollgate.Principal{UserID: "ua", OrgID: "A", OrgKind: tollgate.OrgExporter, Roles: []tollgate.Role{tollgate.RoleExporterOfficer}, TokenID: "t1"}
	reviewer := &tollgate.Principal{UserID: "ur", OrgID: "DoD", OrgKind: tollgate.OrgAgency, Roles: []tollgate.Role{tollgate.RoleAgencyReviewer}}
	partyOfB := OwnedBy("B")
	tests := []struct {
		name string
		p    *tollgate.Principal
		perm string
		obj  Ownership
		want string
	}{
		{"OwnParty", exporterA, "party.read", OwnedBy("A"), ""},
		{"ErrOtherTenantPartyIsNotFound", exporterA, "party.read", partyOfB, tollgate.ENOTFOUND},
		{"ErrOtherTenantPartyWrite", exporterA, "party.write", partyOfB, tollgate.ENOTFOUND},
		{"ErrLicensingOfficerAction", exporterA, "application.decide", OwnedBy("A"), tollgate.EFORBIDDEN},
		{"ErrLicensingOfficerActionOtherTenant", exporterA, "application.decide", partyOfB, tollgate.EFORBIDDEN},
		{"ReferredCase", reviewer, "application.recommend", OwnedBy("A", "BIS", "DoD"), ""},
		{"ErrCaseNotReferred", reviewer, "application.read", OwnedBy("A", "BIS", "State"), tollgate.ENOTFOUND},
		{"ErrReviewerDecides", reviewer, "application.decide", OwnedBy("A", "BIS", "DoD"), tollgate.EFORBIDDEN},
		{"ErrNoCredentials", nil, "party.read", OwnedBy("A"), tollgate.EUNAUTHORIZED},
		{"PublicWithoutCredentials", nil, PermPublic, Ownership{}, ""},
		{"PublicSignedIn", exporterA, PermPublic, Ownership{}, ""},
		{"ErrUnknownPermission", exporterA, "party.delete", OwnedBy("A"), tollgate.EINTERNAL},
		{"ErrNoRoles", &tollgate.Principal{UserID: "u", OrgID: "A", OrgKind: tollgate.OrgExporter}, "classify.read", Ownership{}, tollgate.EFORBIDDEN},
		// A role held in the wrong kind of organization counts for nothing.
		{"ErrRoleInWrongOrgKind", &tollgate.Principal{UserID: "u", OrgID: "A", OrgKind: tollgate.OrgExporter,
			Roles: []tollgate.Role{tollgate.RoleLicensingOfficer}}, "application.decide", OwnedBy("A", "A"), tollgate.EFORBIDDEN},
		{"ErrNoOrgKind", &tollgate.Principal{UserID: "u", OrgID: "A", Roles: []tollgate.Role{tollgate.RoleExporterAdmin}}, "party.read", OwnedBy("A"), tollgate.EFORBIDDEN},
		{"SystemAdminAnyKind", &tollgate.Principal{UserID: "u", OrgID: "L", OrgKind: tollgate.OrgLab, Roles: []tollgate.Role{tollgate.RoleSystemAdmin}}, "org.write", OwnedBy("A"), ""},
		{"ErrEmptyOrgNeverMatches", &tollgate.Principal{UserID: "u", OrgKind: tollgate.OrgExporter, Roles: []tollgate.Role{tollgate.RoleExporterAdmin}}, "party.read", Ownership{}, tollgate.ENOTFOUND},
		// Roles combine: a principal holds the union of its roles' grants.
		{"UnionOfRoles", &tollgate.Principal{UserID: "u", OrgID: "X", OrgKind: tollgate.OrgAgency,
			Roles: []tollgate.Role{tollgate.RoleAgencyReviewer, tollgate.RoleLicensingOfficer}}, "application.decide", OwnedBy("A", "X"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Authorize(tt.p, tt.perm, tt.obj)
			if got := tollgate.ErrorCode(err); got != tt.want {
				t.Fatalf("Authorize = %v (%q), want %q", err, got, tt.want)
			}
			if tt.want == tollgate.ENOTFOUND && tollgate.ErrorMessage(err) != "not found" {
				t.Errorf("message %q; want the plain \"not found\" that leaks nothing", tollgate.ErrorMessage(err))
			}
		})
	}
}

func TestScopeOf(t *testing.T) {
	lab := principalAs(tollgate.RoleLabTechnician)
	s, err := ScopeOf(lab, "import.read")
	if err != nil {
		t.Fatal(err)
	}
	if s.All || s.OrgID != "" || s.AssignedOrgID != lab.OrgID {
		t.Errorf("lab scope %+v; want assigned to %s only", s, lab.OrgID)
	}
	s, _ = ScopeOf(principalAs(tollgate.RoleAuditor), "import.read")
	if !s.All {
		t.Errorf("auditor scope %+v; want all", s)
	}
	both := &tollgate.Principal{UserID: "u", OrgID: "X", OrgKind: tollgate.OrgAgency,
		Roles: []tollgate.Role{tollgate.RoleLicensingOfficer, tollgate.RoleAgencyReviewer}}
	s, _ = ScopeOf(both, "org.read")
	if !s.All {
		t.Errorf("org.read scope %+v; want all", s)
	}
	s, _ = ScopeOf(principalAs(tollgate.RoleExporterOfficer), "party.read")
	if s.All || s.OrgID != "org-exporter_officer" || s.AssignedOrgID != "" {
		t.Errorf("officer scope %+v; want own org only", s)
	}
	if !s.Includes(OwnedBy("org-exporter_officer")) || s.Includes(OwnedBy("B", "org-exporter_officer")) {
		t.Errorf("Includes disagrees with the scope %+v", s)
	}
}

func TestCheckRoleGrant(t *testing.T) {
	admin := principalAs(tollgate.RoleExporterAdmin)
	sysadmin := principalAs(tollgate.RoleSystemAdmin)
	officer := principalAs(tollgate.RoleExporterOfficer)
	tests := []struct {
		name  string
		p     *tollgate.Principal
		kind  tollgate.OrgKind
		roles []tollgate.Role
		want  string
	}{
		{"AdminMakesOfficer", admin, tollgate.OrgExporter, []tollgate.Role{tollgate.RoleExporterOfficer}, ""},
		{"AdminMakesAdmin", admin, tollgate.OrgExporter, []tollgate.Role{tollgate.RoleExporterAdmin}, ""},
		{"ErrAdminMakesSystemAdmin", admin, tollgate.OrgExporter, []tollgate.Role{tollgate.RoleSystemAdmin}, tollgate.EFORBIDDEN},
		{"ErrAdminMakesAuditor", admin, tollgate.OrgAuditor, []tollgate.Role{tollgate.RoleAuditor}, tollgate.EFORBIDDEN},
		{"ErrOfficerGrants", officer, tollgate.OrgExporter, []tollgate.Role{tollgate.RoleExporterOfficer}, tollgate.EFORBIDDEN},
		{"SysadminMakesReviewer", sysadmin, tollgate.OrgAgency, []tollgate.Role{tollgate.RoleAgencyReviewer}, ""},
		{"ErrReviewerInExporter", sysadmin, tollgate.OrgExporter, []tollgate.Role{tollgate.RoleAgencyReviewer}, tollgate.EINVALID},
		{"ErrUnknownRole", sysadmin, tollgate.OrgExporter, []tollgate.Role{"wizard"}, tollgate.EINVALID},
		{"SysadminAnywhere", sysadmin, tollgate.OrgBroker, []tollgate.Role{tollgate.RoleSystemAdmin, tollgate.RoleBroker}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tollgate.ErrorCode(CheckRoleGrant(tt.p, tt.kind, tt.roles)); got != tt.want {
				t.Fatalf("CheckRoleGrant = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRoleFitsOrg(t *testing.T) {
	fits := map[tollgate.Role][]tollgate.OrgKind{}
	for _, r := range tollgate.Roles {
		for _, k := range tollgate.OrgKinds {
			if RoleFitsOrg(r, k) {
				fits[r] = append(fits[r], k)
			}
		}
	}
	for _, r := range tollgate.Roles {
		want := 1
		if r == tollgate.RoleSystemAdmin {
			want = len(tollgate.OrgKinds)
		}
		if len(fits[r]) != want {
			t.Errorf("%s fits %v; want %d kinds", r, fits[r], want)
		}
	}
}
