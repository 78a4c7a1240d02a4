package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"tollgate"
)

// fullParty returns a party with every field set, in several scripts.
func fullParty(orgID string) *tollgate.Party {
	return &tollgate.Party{
		OrgID:      orgID,
		Role:       tollgate.RoleUltimateConsignee,
		Type:       tollgate.EntityOrganization,
		LegalName:  "Beijing Example Digital Technologies Co., Ltd.",
		OtherNames: []string{"北京示例数字技术有限公司", "Пекин Пример"},
		Addresses: []tollgate.Address{
			{Street: "1 Zhongguancun Street", City: "Beijing", PostalCode: "100080", Country: "CN"},
			{City: "Shenzhen", State: "Guangdong", Country: "CN"},
		},
		Country:             "CN",
		HeadquartersCountry: "HK",
		UltimateParent:      "Example Holdings Ltd.",
		Identifiers:         []tollgate.Identifier{{Type: "uscc", Value: "91110108MA00000000"}, {Type: "lei", Value: "5493001KJTIIGC8Y1R12"}},
	}
}

func testParties(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	exporter := mustOrg(t, db, tollgate.OrgExporter, "Exporter A")

	t.Run("CreateAndFind", func(t *testing.T) {
		p := fullParty(exporter.ID)
		p.Status = tollgate.ScreeningBlocked // ignored: the store sets it
		mustNoErr(t, db.CreateParty(ctx, p))
		if p.ID == "" || p.Status != tollgate.ScreeningUnscreened || !p.CreatedAt.Equal(clock.stamp()) {
			t.Fatalf("CreateParty: got ID %q status %q created %v", p.ID, p.Status, p.CreatedAt)
		}
		got, err := db.FindPartyByID(ctx, p.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(got, p) {
			t.Errorf("FindPartyByID:\n got %+v\nwant %+v", got, p)
		}
		minimal := mustParty(t, db, exporter.ID, "Minimal Trading LLC")
		got, err = db.FindPartyByID(ctx, minimal.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(got, minimal) {
			t.Errorf("FindPartyByID minimal:\n got %+v\nwant %+v", got, minimal)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		lab := mustOrg(t, db, tollgate.OrgLab, "Lab")
		for _, tc := range []struct {
			edit  func(p *tollgate.Party)
			field string
		}{
			{func(p *tollgate.Party) { p.Role = "buyer" }, "role"},
			{func(p *tollgate.Party) { p.LegalName = "" }, "legal_name"},
			{func(p *tollgate.Party) { p.Country = "" }, "country"},
			{func(p *tollgate.Party) { p.HeadquartersCountry = "China" }, "headquarters_country"},
			{func(p *tollgate.Party) { p.OtherNames = []string{""} }, "other_names[0]"},
			{func(p *tollgate.Party) { p.Addresses = []tollgate.Address{{}} }, "addresses[0]"},
			{func(p *tollgate.Party) { p.Identifiers = []tollgate.Identifier{{Type: "lei"}} }, "identifiers[0].value"},
			{func(p *tollgate.Party) { p.Type = tollgate.EntityVessel }, "type"},
			{func(p *tollgate.Party) { p.OrgID = "" }, "org_id"},
			{func(p *tollgate.Party) { p.OrgID = "01900000-0000-7000-8000-00000000abcd" }, "org_id"},
			{func(p *tollgate.Party) { p.OrgID = lab.ID }, "org_id"}, // not an exporter
		} {
			p := fullParty(exporter.ID)
			tc.edit(p)
			wantField(t, db.CreateParty(ctx, p), tc.field)
		}
	})
	t.Run("Update", func(t *testing.T) {
		p := fullParty(exporter.ID)
		mustNoErr(t, db.CreateParty(ctx, p))
		screenClear(t, db, p.ID) // to see which updates reset the status

		clock.Advance(time.Minute)
		role := tollgate.RoleEndUser
		got, err := db.UpdateParty(ctx, p.ID, tollgate.PartyUpdate{Role: &role})
		mustNoErr(t, err)
		if got.Role != role || got.Status != tollgate.ScreeningClear || !got.UpdatedAt.Equal(clock.stamp()) {
			t.Errorf("UpdateParty role: got role %q status %q updated %v", got.Role, got.Status, got.UpdatedAt)
		}
		names := []string{"示例"}
		got, err = db.UpdateParty(ctx, p.ID, tollgate.PartyUpdate{OtherNames: &names})
		mustNoErr(t, err)
		if !reflect.DeepEqual(got.OtherNames, names) || got.Status != tollgate.ScreeningUnscreened {
			t.Errorf("UpdateParty names: got names %q status %q, want %q unscreened", got.OtherNames, got.Status, names)
		}
		stored, err := db.FindPartyByID(ctx, p.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(stored, got) {
			t.Errorf("after UpdateParty:\n got %+v\nwant %+v", stored, got)
		}
		bad := "Nowhere"
		_, err = db.UpdateParty(ctx, p.ID, tollgate.PartyUpdate{Country: &bad})
		wantField(t, err, "country")
		_, err = db.UpdateParty(ctx, "01900000-0000-7000-8000-00000000abcd", tollgate.PartyUpdate{Country: &bad})
		wantCode(t, err, tollgate.ENOTFOUND)
	})
	t.Run("FindPartiesFilterAndPages", func(t *testing.T) {
		db, _ := open(t, newDSN)
		a := mustOrg(t, db, tollgate.OrgExporter, "A")
		b := mustOrg(t, db, tollgate.OrgExporter, "B")
		var want []string
		for i := range 5 {
			want = append(want, mustParty(t, db, a.ID, fmt.Sprintf("A party %d", i)).ID)
			mustParty(t, db, b.ID, fmt.Sprintf("B party %d", i))
		}
		var got []string
		cursor := ""
		for range 10 {
			ps, next, err := db.FindParties(ctx, tollgate.PartyFilter{OrgID: a.ID, Cursor: cursor, Limit: 2})
			mustNoErr(t, err)
			for _, p := range ps {
				got = append(got, p.ID)
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FindParties pages: got %v, want %v", got, want)
		}
		screenBlocked(t, db, want[3])
		ps, _, err := db.FindParties(ctx, tollgate.PartyFilter{Status: tollgate.ScreeningBlocked})
		mustNoErr(t, err)
		if len(ps) != 1 || ps[0].ID != want[3] {
			t.Errorf("FindParties blocked: got %d parties, want only %s", len(ps), want[3])
		}
		ps, _, err = db.FindParties(ctx, tollgate.PartyFilter{Role: tollgate.RoleEndUser})
		mustNoErr(t, err)
		if len(ps) != 0 {
			t.Errorf("FindParties end users: got %d, want 0", len(ps))
		}
		ps, _, err = db.FindParties(ctx, tollgate.PartyFilter{OrgID: "nope"})
		mustNoErr(t, err)
		if len(ps) != 0 {
			t.Errorf("FindParties unknown org: got %d, want 0", len(ps))
		}
		_, _, err = db.FindParties(ctx, tollgate.PartyFilter{Status: "fine"})
		wantField(t, err, "status")
		_, _, err = db.FindParties(ctx, tollgate.PartyFilter{Limit: -1})
		wantField(t, err, "limit")
	})
}
