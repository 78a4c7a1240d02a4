package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"tollgate"
)

func testOrgs(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)

	t.Run("CreateAndFind", func(t *testing.T) {
		org := &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Nvidia Corporation", Country: "US"}
		mustNoErr(t, db.CreateOrg(ctx, org))
		if org.ID == "" {
			t.Fatal("CreateOrg left ID empty")
		}
		if got, want := org.CreatedAt, clock.stamp(); !got.Equal(want) || !org.UpdatedAt.Equal(want) {
			t.Errorf("CreatedAt: got %v, want %v", got, want)
		}
		got, err := db.FindOrgByID(ctx, org.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(got, org) {
			t.Errorf("FindOrgByID: got %+v, want %+v", got, org)
		}
		if got.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt location: got %v, want UTC", got.CreatedAt.Location())
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct {
			org   tollgate.Org
			field string
		}{
			{tollgate.Org{Kind: "bank", Name: "X", Country: "US"}, "kind"},
			{tollgate.Org{Kind: tollgate.OrgLab, Name: "", Country: "US"}, "name"},
			{tollgate.Org{Kind: tollgate.OrgLab, Name: " padded", Country: "US"}, "name"},
			{tollgate.Org{Kind: tollgate.OrgLab, Name: "X", Country: "usa"}, "country"},
		} {
			wantField(t, db.CreateOrg(ctx, &tc.org), tc.field)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []string{"01900000-0000-7000-8000-00000000abcd", "not-an-id", "", "01900000-0000-7000-8000-00000000ABCD"} {
			_, err := db.FindOrgByID(ctx, id)
			wantCode(t, err, tollgate.ENOTFOUND)
		}
		name := "New"
		_, err := db.UpdateOrg(ctx, "01900000-0000-7000-8000-00000000abcd", tollgate.OrgUpdate{Name: &name})
		wantCode(t, err, tollgate.ENOTFOUND)
	})
	t.Run("Update", func(t *testing.T) {
		org := mustOrg(t, db, tollgate.OrgLab, "Old Lab")
		clock.Advance(time.Hour)
		name, country := "New Lab", "TW"
		got, err := db.UpdateOrg(ctx, org.ID, tollgate.OrgUpdate{Name: &name, Country: &country})
		mustNoErr(t, err)
		if got.Name != name || got.Country != country || !got.UpdatedAt.Equal(clock.stamp()) || !got.CreatedAt.Equal(org.CreatedAt) {
			t.Errorf("UpdateOrg: got %+v", got)
		}
		bad := "x y "
		_, err = db.UpdateOrg(ctx, org.ID, tollgate.OrgUpdate{Name: &bad})
		wantField(t, err, "name")
		stored, err := db.FindOrgByID(ctx, org.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(stored, got) {
			t.Errorf("after failed update: got %+v, want %+v", stored, got)
		}
	})
	t.Run("FindOrgsPages", func(t *testing.T) {
		db, _ := open(t, newDSN)
		var want []string
		for i := range 7 {
			org := mustOrg(t, db, tollgate.OrgBroker, fmt.Sprintf("Broker %d", i))
			want = append(want, org.ID)
		}
		mustOrg(t, db, tollgate.OrgAuditor, "Auditor")
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("FindOrgs: too many pages")
			}
			orgs, next, err := db.FindOrgs(ctx, tollgate.OrgFilter{Kind: tollgate.OrgBroker, Cursor: cursor, Limit: 3})
			mustNoErr(t, err)
			for _, o := range orgs {
				got = append(got, o.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FindOrgs pages: got %v, want %v", got, want)
		}
		all, next, err := db.FindOrgs(ctx, tollgate.OrgFilter{})
		mustNoErr(t, err)
		if len(all) != 8 || next != "" {
			t.Errorf("FindOrgs all: got %d orgs and next %q, want 8 and none", len(all), next)
		}
		_, _, err = db.FindOrgs(ctx, tollgate.OrgFilter{Cursor: "%%%"})
		wantField(t, err, "cursor")
		_, _, err = db.FindOrgs(ctx, tollgate.OrgFilter{Cursor: "bm90LWFuLWlk"}) // "not-an-id"
		wantField(t, err, "cursor")
		_, _, err = db.FindOrgs(ctx, tollgate.OrgFilter{Limit: tollgate.MaxPageLimit + 1})
		wantField(t, err, "limit")
		_, _, err = db.FindOrgs(ctx, tollgate.OrgFilter{Kind: "bank"})
		wantField(t, err, "kind")
	})
}
