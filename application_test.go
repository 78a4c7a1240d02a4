package tollgate_test

import (
	"errors"
	"testing"
	"time"

	"tollgate"
)

func validApplication() tollgate.Application {
	return tollgate.Application{
		ID: "app-1",
		Parties: tollgate.ApplicationParties{
			Applicant: "org-1", Purchaser: "p-1", IntermediateConsignees: []string{"p-2"},
			UltimateConsignee: "p-1", EndUsers: []string{"p-3", "p-4"},
		},
		Destination: "CN", ExportFrom: "US", EndUse: "model training",
		Items: []tollgate.ApplicationItem{{Model: "h200", ECCN: "3A090.a", Quantity: 10, UnitPriceCents: 2_700_000, TotalCents: 27_000_000}},
		Documents: []tollgate.SupportingDocument{{Name: "a.pdf", Size: 10, ContentType: "application/pdf",
			Digest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
		USShipments:       []tollgate.USUnitsShipped{{Product: "H200", Units: 100, Source: tollgate.UnitsFromRecords}},
		Certifications:    []tollgate.Certification{{Code: "us_supply", Statement: "s", OfficerName: "Jane", OfficerUserID: "u-1", MadeAt: time.Now()}},
		ApplicationReview: tollgate.ApplicationReview{State: tollgate.ApplicationDraft},
	}
}

func TestApplicationValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(a *tollgate.Application)
		field  string
	}{
		{"OK", func(a *tollgate.Application) {}, ""},
		{"OKDraftWithoutItems", func(a *tollgate.Application) { a.Items, a.EndUse, a.Parties.EndUsers = nil, "", nil }, ""},
		{"ErrNoApplicant", func(a *tollgate.Application) { a.Parties.Applicant = "" }, "parties.applicant"},
		{"ErrEndUserTwice", func(a *tollgate.Application) { a.Parties.EndUsers = []string{"p-3", "p-3"} }, "parties.end_user"},
		{"ErrModelAndSpec", func(a *tollgate.Application) { a.Items[0].SpecRef = "spec-1" }, "items[0].spec_ref"},
		{"ErrNoModel", func(a *tollgate.Application) { a.Items[0].Model = "" }, "items[0].model"},
		{"ErrECCN", func(a *tollgate.Application) { a.Items[0].ECCN = "3A90a" }, "items[0].eccn"},
		{"ErrQuantity", func(a *tollgate.Application) { a.Items[0].Quantity = 0 }, "items[0].quantity"},
		{"ErrTotal", func(a *tollgate.Application) { a.Items[0].TotalCents = 1 }, "items[0].total_cents"},
		{"ErrOverflow", func(a *tollgate.Application) { a.Items[0].Quantity, a.Items[0].UnitPriceCents = 1<<40, 1<<40 }, "items[0].quantity"},
		{"ErrTotalAboveMaxCents", func(a *tollgate.Application) {
			a.Items[0].Quantity, a.Items[0].UnitPriceCents = tollgate.MaxUnits, 10_000_000
		}, "items[0].total_cents"},
		{"ErrPriceAboveMaxCents", func(a *tollgate.Application) { a.Items[0].UnitPriceCents = tollgate.MaxCents + 1 }, "items[0].unit_price_cents"},
		{"ErrDigest", func(a *tollgate.Application) { a.Documents[0].Digest = "ABC" }, "documents[0].digest"},
		{"ErrDocumentSize", func(a *tollgate.Application) { a.Documents[0].Size = 0 }, "documents[0].size"},
		{"ErrUnitsSource", func(a *tollgate.Application) { a.USShipments[0].Source = "guess" }, "us_shipments[0].source"},
		{"ErrUnitsTwice", func(a *tollgate.Application) {
			a.USShipments = append(a.USShipments, tollgate.USUnitsShipped{Product: " h200", Units: 1, Source: "stated"})
		}, "us_shipments[1].product"},
		{"ErrNegativeUnits", func(a *tollgate.Application) { a.USShipments[0].Units = -1 }, "us_shipments[0].units"},
		{"ErrCertificationTime", func(a *tollgate.Application) { a.Certifications[0].MadeAt = time.Time{} }, "certifications[0].made_at"},
		{"ErrState", func(a *tollgate.Application) { a.State = "pending" }, "state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validApplication()
			tt.mutate(&a)
			err := a.Validate()
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

func TestApplicationParties(t *testing.T) {
	a := validApplication()
	refs := a.Parties.List()
	if got, want := len(refs), 6; got != want {
		t.Fatalf("got %d refs, want %d: %v", got, want, refs)
	}
	if refs[0] != (tollgate.PartyRef{Role: tollgate.RoleApplicant, ID: "org-1"}) {
		t.Errorf("got first %v, want the applicant", refs[0])
	}
	if got := a.Parties.WithRole(tollgate.RoleEndUser); len(got) != 2 || got[1] != "p-4" {
		t.Errorf("got end users %v", got)
	}
	if got, want := a.QuantityOf("H200"), int64(10); got != want {
		t.Errorf("got quantity %d, want %d", got, want)
	}
	if got, want := a.TotalCents(), int64(27_000_000); got != want {
		t.Errorf("got total %d, want %d", got, want)
	}
}

func TestApplicationStates(t *testing.T) {
	terminal := map[tollgate.ApplicationState]bool{
		tollgate.ApplicationApproved: true, tollgate.ApplicationApprovedInPart: true, tollgate.ApplicationDenied: true,
		tollgate.ApplicationReturned: true, tollgate.ApplicationWithdrawn: true,
	}
	for _, s := range tollgate.ApplicationStates() {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
		if got, want := s.Terminal(), terminal[s]; got != want {
			t.Errorf("%s.Terminal() = %t, want %t", s, got, want)
		}
		if got, want := s.Decided(), terminal[s] && s != tollgate.ApplicationWithdrawn; got != want {
			t.Errorf("%s.Decided() = %t, want %t", s, got, want)
		}
	}
	if tollgate.ApplicationState("").Valid() {
		t.Error("the empty state is valid")
	}
}

func TestValidECCN(t *testing.T) {
	for s, want := range map[string]bool{
		"3A090.a": true, "4A090.b": true, "3A090": true, "EAR99": true, "3A991.p": true, "5A002.a.1": true,
		"": false, "3a090.a": false, "3A09.a": false, "3A090.": false, "ear99": false, "3F090.a": false,
	} {
		if got := tollgate.ValidECCN(s); got != want {
			t.Errorf("ValidECCN(%q) = %t, want %t", s, got, want)
		}
	}
}

func FuzzValidECCN(f *testing.F) {
	for _, s := range []string{"3A090.a", "EAR99", "4A090.b.1", "", "3A090..a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tollgate.ValidECCN(s) && (len(s) < 5 || (s != "EAR99" && (s[0] < '0' || s[0] > '9'))) {
			t.Fatalf("ValidECCN(%q) accepted a malformed number", s)
		}
	})
}
