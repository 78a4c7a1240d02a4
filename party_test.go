package tollgate_test

import (
	"errors"
	"strings"
	"testing"

	"tollgate"
)

// sampleParty returns a party that validates.
func sampleParty() tollgate.Party {
	return tollgate.Party{
		OrgID: "01900000-0000-7000-8000-000000000001", Role: tollgate.RoleEndUser, Type: tollgate.EntityOrganization,
		LegalName: "Example Cloud Ltd.", OtherNames: []string{"示例云有限公司"}, Country: "CN", HeadquartersCountry: "HK",
		Addresses:   []tollgate.Address{{City: "Beijing", Country: "CN"}},
		Identifiers: []tollgate.Identifier{{Type: "uscc", Value: "91110000000000000X"}},
	}
}

// errField returns the Field of the *tollgate.Error in err, or "".
func errField(err error) string {
	var e *tollgate.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func TestPartyValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(p *tollgate.Party)
		field string
	}{
		{"OK", func(p *tollgate.Party) {}, ""},
		{"OKUnknownType", func(p *tollgate.Party) { p.Type = tollgate.EntityUnknown }, ""},
		{"NoOrg", func(p *tollgate.Party) { p.OrgID = "" }, "org_id"},
		{"BadRole", func(p *tollgate.Party) { p.Role = "consignee" }, "role"},
		{"Vessel", func(p *tollgate.Party) { p.Type = tollgate.EntityVessel }, "type"},
		{"NoName", func(p *tollgate.Party) { p.LegalName = "" }, "legal_name"},
		{"LongName", func(p *tollgate.Party) { p.LegalName = strings.Repeat("x", tollgate.MaxNameLen+1) }, "legal_name"},
		{"BadUTF8", func(p *tollgate.Party) { p.LegalName = "\xff" }, "legal_name"},
		{"EmptyOtherName", func(p *tollgate.Party) { p.OtherNames = []string{"ok", ""} }, "other_names[1]"},
		{"TooManyNames", func(p *tollgate.Party) { p.OtherNames = make([]string, tollgate.MaxPartyNames+1) }, "other_names"},
		{"LowerCountry", func(p *tollgate.Party) { p.Country = "cn" }, "country"},
		{"BadHQ", func(p *tollgate.Party) { p.HeadquartersCountry = "CHN" }, "headquarters_country"},
		{"EmptyAddress", func(p *tollgate.Party) { p.Addresses = []tollgate.Address{{}} }, "addresses[0]"},
		{"AddressCountry", func(p *tollgate.Party) { p.Addresses[0].Country = "X" }, "addresses[0].country"},
		{"IdentifierType", func(p *tollgate.Party) { p.Identifiers[0].Type = "" }, "identifiers[0].type"},
		{"ParentSpaces", func(p *tollgate.Party) { p.UltimateParent = "Parent " }, "ultimate_parent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := sampleParty()
			tc.edit(&p)
			err := p.Validate()
			if got := errField(err); got != tc.field || (tc.field == "") != (err == nil) {
				t.Errorf("Validate: got %v (field %q), want field %q", err, got, tc.field)
			}
		})
	}
}

func TestPartyNames(t *testing.T) {
	p := sampleParty()
	p.UltimateParent = "Example Holdings"
	got := p.Names()
	want := []string{"Example Cloud Ltd.", "示例云有限公司", "Example Holdings"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Names: got %q, want %q", got, want)
	}
}

func TestOrgValidate(t *testing.T) {
	for _, tc := range []struct {
		org   tollgate.Org
		field string
	}{
		{tollgate.Org{Kind: tollgate.OrgAgency, Name: "Bureau of Industry and Security", Country: "US"}, ""},
		{tollgate.Org{Kind: "bank", Name: "X", Country: "US"}, "kind"},
		{tollgate.Org{Kind: tollgate.OrgLab, Country: "US"}, "name"},
		{tollgate.Org{Kind: tollgate.OrgLab, Name: "X", Country: ""}, "country"},
	} {
		err := tc.org.Validate()
		if got := errField(err); got != tc.field || (tc.field == "") != (err == nil) {
			t.Errorf("Validate(%+v): got %v, want field %q", tc.org, err, tc.field)
		}
	}
	for _, k := range tollgate.OrgKinds {
		if !k.Valid() {
			t.Errorf("OrgKind %q not valid", k)
		}
	}
}

func TestIsCountryCode(t *testing.T) {
	for s, want := range map[string]bool{"US": true, "CN": true, "us": false, "USA": false, "": false, "U1": false, "É": false} {
		if got := tollgate.IsCountryCode(s); got != want {
			t.Errorf("IsCountryCode(%q): got %v, want %v", s, got, want)
		}
	}
}
