package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// mustUser creates a user of org with roles.
func mustUser(t testing.TB, db *store.DB, orgID, email string, roles ...tollgate.Role) *tollgate.User {
	t.Helper()
	u := &tollgate.User{OrgID: orgID, Email: email, Name: "User " + email, Roles: roles}
	mustNoErr(t, db.CreateUser(context.Background(), u))
	return u
}

func testUsers(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	org := mustOrg(t, db, tollgate.OrgExporter, "Nvidia Corporation")

	t.Run("CreateAndFind", func(t *testing.T) {
		u := &tollgate.User{OrgID: org.ID, Email: " Ada@Example.COM ", Name: "Ada Lovelace",
			Roles: []tollgate.Role{tollgate.RoleExporterAdmin, tollgate.RoleExporterOfficer}, PasswordHash: "$argon2id$stand-in"}
		mustNoErr(t, db.CreateUser(ctx, u))
		if u.ID == "" || u.Email != "ada@example.com" || !u.CreatedAt.Equal(clock.stamp()) || !u.UpdatedAt.Equal(clock.stamp()) {
			t.Fatalf("CreateUser: got %+v", u)
		}
		byID, err := db.FindUserByID(ctx, u.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(byID, u) {
			t.Errorf("FindUserByID: got %#v %+v, want %+v", byID, *byID, *u)
		}
		byEmail, err := db.FindUserByEmail(ctx, "ADA@example.com")
		mustNoErr(t, err)
		if !reflect.DeepEqual(byEmail, u) {
			t.Errorf("FindUserByEmail: got %+v, want %+v", *byEmail, *u)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		mustUser(t, db, org.ID, "twice@example.com", tollgate.RoleExporterOfficer)
		err := db.CreateUser(ctx, &tollgate.User{OrgID: org.ID, Email: "TWICE@example.com", Name: "Again",
			Roles: []tollgate.Role{tollgate.RoleExporterOfficer}})
		wantCode(t, err, tollgate.ECONFLICT)
	})
	t.Run("EmailPerOrganization", func(t *testing.T) {
		// An email is unique within an organization only, so that creating a
		// user tells nothing about the users of other organizations.
		other := mustOrg(t, db, tollgate.OrgLab, "Email Lab")
		a := mustUser(t, db, org.ID, "shared@example.com", tollgate.RoleExporterOfficer)
		b := mustUser(t, db, other.ID, "SHARED@example.com", tollgate.RoleLabTechnician)
		users, err := db.FindUsersByEmail(ctx, "shared@EXAMPLE.com")
		mustNoErr(t, err)
		if len(users) != 2 || users[0].ID != a.ID || users[1].ID != b.ID {
			t.Errorf("FindUsersByEmail: got %d users, want %s and %s", len(users), a.ID, b.ID)
		}
		_, err = db.FindUserByEmail(ctx, "shared@example.com")
		wantCode(t, err, tollgate.ECONFLICT)
		if users, err := db.FindUsersByEmail(ctx, "nobody@example.com"); err != nil || len(users) != 0 {
			t.Errorf("FindUsersByEmail of nobody: %d users, %v", len(users), err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct {
			u     tollgate.User
			field string
		}{
			{tollgate.User{OrgID: org.ID, Email: "no-at-sign", Name: "X", Roles: []tollgate.Role{tollgate.RoleAuditor}}, "email"},
			{tollgate.User{OrgID: org.ID, Email: "x@example.com", Name: "X"}, "roles"},
			{tollgate.User{OrgID: org.ID, Email: "x@example.com", Name: "X", Roles: []tollgate.Role{"king"}}, "roles[0]"},
			{tollgate.User{OrgID: org.ID, Email: "x@example.com", Name: "", Roles: []tollgate.Role{tollgate.RoleAuditor}}, "name"},
		} {
			wantField(t, db.CreateUser(ctx, &tc.u), tc.field)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := db.CreateUser(ctx, &tollgate.User{OrgID: "01900000-0000-7000-8000-00000000abcd", Email: "lost@example.com",
			Name: "Lost", Roles: []tollgate.Role{tollgate.RoleAuditor}})
		wantCode(t, err, tollgate.ENOTFOUND)
		for _, id := range []string{"01900000-0000-7000-8000-00000000abcd", "nope", ""} {
			_, err := db.FindUserByID(ctx, id)
			wantCode(t, err, tollgate.ENOTFOUND)
		}
		_, err = db.FindUserByEmail(ctx, "nobody@example.com")
		wantCode(t, err, tollgate.ENOTFOUND)
		name := "X"
		_, err = db.UpdateUser(ctx, "01900000-0000-7000-8000-00000000abcd", tollgate.UserUpdate{Name: &name})
		wantCode(t, err, tollgate.ENOTFOUND)
	})
	t.Run("FindUsersPagesAndFilters", func(t *testing.T) {
		db, _ := open(t, newDSN)
		a := mustOrg(t, db, tollgate.OrgExporter, "A")
		b := mustOrg(t, db, tollgate.OrgExporter, "B")
		var want []string
		for i := range 5 {
			want = append(want, mustUser(t, db, a.ID, fmt.Sprintf("a%d@example.com", i), tollgate.RoleExporterOfficer).ID)
			mustUser(t, db, b.ID, fmt.Sprintf("b%d@example.com", i), tollgate.RoleExporterOfficer)
		}
		var got []string
		for cursor := ""; ; {
			us, next, err := db.FindUsers(ctx, tollgate.UserFilter{OrgID: a.ID, Cursor: cursor, Limit: 2})
			mustNoErr(t, err)
			for _, u := range us {
				got = append(got, u.ID)
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("FindUsers(org A): got %q, want %q", got, want)
		}
		all, _, err := db.FindUsers(ctx, tollgate.UserFilter{})
		mustNoErr(t, err)
		if len(all) != 10 {
			t.Errorf("FindUsers(all): got %d, want 10", len(all))
		}
		none, _, err := db.FindUsers(ctx, tollgate.UserFilter{OrgID: "not-an-id"})
		mustNoErr(t, err)
		if len(none) != 0 {
			t.Errorf("FindUsers(bad org): got %d, want 0", len(none))
		}
		_, _, err = db.FindUsers(ctx, tollgate.UserFilter{Cursor: "garbage!"})
		wantField(t, err, "cursor")
	})
	t.Run("Update", func(t *testing.T) {
		u := mustUser(t, db, org.ID, "update@example.com", tollgate.RoleExporterOfficer)
		clock.Advance(time.Minute)
		name, roles := "Renamed", []tollgate.Role{tollgate.RoleExporterAdmin}
		got, err := db.UpdateUser(ctx, u.ID, tollgate.UserUpdate{Name: &name, Roles: &roles})
		mustNoErr(t, err)
		if got.Name != name || !slices.Equal(got.Roles, roles) || !got.UpdatedAt.Equal(clock.stamp()) || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("UpdateUser: got %+v", got)
		}
		empty := []tollgate.Role{}
		_, err = db.UpdateUser(ctx, u.ID, tollgate.UserUpdate{Roles: &empty})
		wantField(t, err, "roles")
		stored, err := db.FindUserByID(ctx, u.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(stored, got) {
			t.Errorf("after a failed update: got %+v, want %+v", *stored, *got)
		}
	})
	t.Run("DisableEndsSessions", func(t *testing.T) {
		u := mustUser(t, db, org.ID, "leaver@example.com", tollgate.RoleExporterOfficer)
		other := mustUser(t, db, org.ID, "stayer@example.com", tollgate.RoleExporterOfficer)
		s1, s2 := mustSession(t, db, clock, u), mustSession(t, db, clock, u)
		kept := mustSession(t, db, clock, other)
		clock.Advance(time.Second)
		yes := true
		got, err := db.UpdateUser(ctx, u.ID, tollgate.UserUpdate{Disabled: &yes})
		mustNoErr(t, err)
		if !got.Disabled {
			t.Fatal("UpdateUser: user not disabled")
		}
		for _, s := range []*tollgate.Session{s1, s2} {
			stored := findSession(t, db, s)
			if stored.EndReason != tollgate.SessionEndUserDisabled || !stored.EndedAt.Equal(clock.stamp()) {
				t.Errorf("session %s after disable: ended %v (%q), want %v (%q)", s.ID, stored.EndedAt, stored.EndReason,
					clock.stamp(), tollgate.SessionEndUserDisabled)
			}
		}
		if stored := findSession(t, db, kept); !stored.EndedAt.IsZero() {
			t.Errorf("another user's session ended: %+v", stored)
		}
		no := false
		_, err = db.UpdateUser(ctx, u.ID, tollgate.UserUpdate{Disabled: &no})
		mustNoErr(t, err)
		if stored := findSession(t, db, s1); stored.Valid(clock.Now()) == nil {
			t.Error("enabling the user again revived an ended session")
		}
	})
	t.Run("SetPasswordHash", func(t *testing.T) {
		u := mustUser(t, db, org.ID, "rotate@example.com", tollgate.RoleExporterOfficer)
		keep, drop := mustSession(t, db, clock, u), mustSession(t, db, clock, u)
		mustNoErr(t, db.SetPasswordHash(ctx, u.ID, "$argon2id$new", keep.ID))
		got, err := db.FindUserByID(ctx, u.ID)
		mustNoErr(t, err)
		if got.PasswordHash != "$argon2id$new" {
			t.Errorf("PasswordHash: got %q", got.PasswordHash)
		}
		if s := findSession(t, db, keep); !s.EndedAt.IsZero() {
			t.Errorf("the kept session ended: %+v", s)
		}
		if s := findSession(t, db, drop); s.EndReason != tollgate.SessionEndPasswordChanged {
			t.Errorf("the other session: end reason %q, want %q", s.EndReason, tollgate.SessionEndPasswordChanged)
		}
		wantCode(t, db.SetPasswordHash(ctx, "01900000-0000-7000-8000-00000000abcd", "x", ""), tollgate.ENOTFOUND)
	})
	t.Run("OperatorOrgAndForeignKeys", func(t *testing.T) {
		op := mustOrg(t, db, tollgate.OrgOperator, "Operator")
		mustUser(t, db, op.ID, "root@example.com", tollgate.RoleSystemAdmin)
		// The orgs table was rebuilt by a migration: its references still hold.
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO users (id, org_id, email, name, roles, disabled, password_hash, created_at, updated_at)
				VALUES (?, ?, 'ghost@example.com', 'Ghost', '[]', ?, '', ?, ?)`,
				"01900000-0000-7000-8000-000000000009", "01900000-0000-7000-8000-00000000dead", false, tx.Time(tx.Now()), tx.Time(tx.Now()))
			return err
		})
		if err == nil {
			t.Error("a user of an organization that does not exist was stored")
		}
		p := mustParty(t, db, org.ID, "Still Referenced Ltd")
		if _, err := db.FindPartyByID(ctx, p.ID); err != nil {
			t.Errorf("party after the orgs rebuild: %v", err)
		}
	})
}
