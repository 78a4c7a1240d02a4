package tollgate_test

import (
	"errors"
	"testing"
	"time"

	"tollgate"
)

func validLicense() tollgate.License {
	return tollgate.License{
		Number: "D000001", HolderOrgID: "org-1", ApplicationID: "app-1", ControlNumber: "Z000001",
		Parties:   tollgate.ApplicationParties{Applicant: "org-1", Purchaser: "p-1", UltimateConsignee: "p-1", EndUsers: []string{"p-2"}},
		Items:     []tollgate.LicenseItem{{Product: "H200", ECCN: "3A090.a", Quantity: 100, ValueCents: 270_000_000}},
		ValidFrom: time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), ValidTo: time.Date(2030, 2, 9, 0, 0, 0, 0, time.UTC),
		Conditions: []tollgate.Condition{{ID: "C1", Text: "No remote access.", Binds: []tollgate.PartyRole{tollgate.RoleApplicant, tollgate.RoleEndUser},
			Acknowledgments: []tollgate.Acknowledgment{{Role: tollgate.RoleEndUser, PartyID: "p-2", SignedBy: "Li Wei", RecordedBy: "u-1",
				At: time.Date(2026, 2, 11, 0, 0, 0, 0, time.UTC)}}}},
		Status: tollgate.LicenseActive,
	}
}

func TestLicenseValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(l *tollgate.License)
		field  string
	}{
		{"OK", func(l *tollgate.License) {}, ""},
		{"ErrNumber", func(l *tollgate.License) { l.Number = "" }, "number"},
		{"ErrNoItems", func(l *tollgate.License) { l.Items = nil }, "items"},
		{"ErrProductKey", func(l *tollgate.License) { l.Items[0].Product = "h200" }, "items[0].product"},
		{"ErrItemTwice", func(l *tollgate.License) { l.Items = append(l.Items, l.Items[0]) }, "items[1].product"},
		{"ErrZeroValue", func(l *tollgate.License) { l.Items[0].ValueCents = 0 }, "items[0].value_cents"},
		{"ErrValidity", func(l *tollgate.License) { l.ValidTo = l.ValidFrom.AddDate(0, 0, -1) }, "valid_to"},
		{"ErrDerivedStatusStored", func(l *tollgate.License) { l.Status = tollgate.LicenseExpired }, "status"},
		{"ErrConditionNoRoles", func(l *tollgate.License) { l.Conditions[0].Binds = nil }, "conditions[0].binds"},
		{"ErrConditionRoleTwice", func(l *tollgate.License) {
			l.Conditions[0].Binds = []tollgate.PartyRole{tollgate.RoleEndUser, tollgate.RoleEndUser}
		}, "conditions[0].binds[1]"},
		{"ErrConditionIDTwice", func(l *tollgate.License) { l.Conditions = append(l.Conditions, l.Conditions[0]) }, "conditions[1].id"},
		{"ErrAckUnsigned", func(l *tollgate.License) { l.Conditions[0].Acknowledgments[0].SignedBy = "" }, "conditions[0].acknowledgments[0].signed_by"},
		{"ErrAckDigest", func(l *tollgate.License) { l.Conditions[0].Acknowledgments[0].DocumentDigest = "xyz" }, "conditions[0].acknowledgments[0].document_digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := validLicense()
			tt.mutate(&l)
			err := l.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *tollgate.Error
			if !errors.As(err, &e) || e.Code != tollgate.EINVALID || e.Field != tt.field {
				t.Fatalf("got %v, want an invalid error on %s", err, tt.field)
			}
		})
	}
}

func TestConditionAcknowledged(t *testing.T) {
	c := validLicense().Conditions[0]
	if !c.Acknowledged(tollgate.RoleEndUser, "p-2") || c.Acknowledged(tollgate.RoleApplicant, "org-1") {
		t.Error("Acknowledged: want the end user's acknowledgment only")
	}
}

func TestDecisionOutcomes(t *testing.T) {
	want := map[tollgate.DecisionOutcome]tollgate.ApplicationState{
		tollgate.DecisionApprove: tollgate.ApplicationApproved, tollgate.DecisionApproveInPart: tollgate.ApplicationApprovedInPart,
		tollgate.DecisionDeny: tollgate.ApplicationDenied, tollgate.DecisionReturn: tollgate.ApplicationReturned, "maybe": "",
	}
	for o, s := range want {
		if got := o.State(); got != s {
			t.Errorf("%s.State() = %s, want %s", o, got, s)
		}
		if got, want := o.IssuesLicense(), s == tollgate.ApplicationApproved || s == tollgate.ApplicationApprovedInPart; got != want {
			t.Errorf("%s.IssuesLicense() = %t, want %t", o, got, want)
		}
	}
	if len(tollgate.DecisionOutcomes()) != 4 {
		t.Error("want four outcomes")
	}
}

func TestRecommendationKinds(t *testing.T) {
	for k, approves := range map[tollgate.RecommendationKind]bool{
		tollgate.RecommendApprove: true, tollgate.RecommendApproveWithConditions: true, tollgate.RecommendDeny: false,
	} {
		if !k.Valid() || k.Approves() != approves {
			t.Errorf("%s: Valid %t, Approves %t; want valid, approves %t", k, k.Valid(), k.Approves(), approves)
		}
	}
	for _, a := range tollgate.ReviewAgencies() {
		if !a.Valid() {
			t.Errorf("%s not valid", a)
		}
	}
	if tollgate.ReviewAgency("NSA").Valid() || tollgate.RecommendationKind("abstain").Valid() {
		t.Error("unknown agency or recommendation accepted")
	}
}
