package api

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"tollgate"
	"tollgate/auth"
)

// matrixWorld is the store TestRouteRoleMatrix runs against: a cast of
// every role; the cast's exporter (home) with a screened party that has a
// hit, a plain party, and an officer (target) with a spare token; users of
// home whose credentials no longer work; and a second exporter with its
// own admin, party and screening.
type matrixWorld struct {
	env  *testEnv
	cast *cast
	home *tollgate.Org
	// other is the admin of the second exporter.
	other *testUser
	// target is the home officer the user and token routes act on.
	target       *testUser
	spareTokenID string

	party, plainParty *tollgate.Party
	hit               tollgate.Hit
	screeningID       string
	versionID         string

	expired, revoked, disabled *testUser
	lastSecret                 string
	// owners maps the id of every tenant object to its organization.
	owners  map[string]string
	objects map[string]any
	n       atomic.Int64
}

// object returns the fixture object named key, made by create on first
// use. Fixtures of routes defined in other files keep their objects here
// (an application, a license) so that each is made once per world; create
// should also record the object's owner with w.own.
func (w *matrixWorld) object(key string, create func() any) any {
	if v, ok := w.objects[key]; ok {
		return v
	}
	v := create()
	w.objects[key] = v
	return v
}

// own records that the object with id belongs to the organization orgID,
// for the matrix's check that no answer shows another tenant's objects.
func (w *matrixWorld) own(id, orgID string) { w.owners[id] = orgID }

func newMatrixWorld(t *testing.T, dsn string) *matrixWorld {
	t.Helper()
	env := newTestEnvDSN(t, dsn)
	c := env.cast()
	w := &matrixWorld{env: env, cast: c, home: c.orgs[tollgate.OrgExporter], owners: map[string]string{}, objects: map[string]any{}}
	w.versionID = env.importEntities("test", testEntities).ID
	w.target = env.newUser(w.home, tollgate.RoleExporterOfficer)
	w.spareTokenID = w.issueToken(t, w.target, time.Hour)
	w.party, w.hit, w.screeningID = w.screenedParty(t, w.home, "Huawei Technologies Co Ltd")
	plain := env.createParty(w.home.ID, "Plain Trading Ltd")
	w.plainParty = &plain

	other := env.newOrg(tollgate.OrgExporter, "Other Exporter")
	w.other = env.newUser(other, tollgate.RoleExporterAdmin)
	w.screenedParty(t, other, "Moore Threads Technology Co Ltd")

	w.expired = env.newUser(w.home, tollgate.RoleExporterAdmin)
	id := w.issueToken(t, w.expired, time.Minute)
	w.expired.token, w.expired.tokenID = w.lastSecret, id
	env.clock.Advance(2 * time.Minute)

	w.revoked = env.newUser(w.home, tollgate.RoleExporterAdmin)
	if err := env.db.RevokeToken(context.Background(), w.revoked.tokenID); err != nil {
		t.Fatal(err)
	}
	w.disabled = env.newUser(w.home, tollgate.RoleExporterAdmin)
	yes := true
	if _, err := env.db.UpdateUser(context.Background(), w.disabled.user.ID, tollgate.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	w.recordOwners(t)
	return w
}

// issueToken stores a token for u valid for ttl and returns its id; its
// secret is left in w.lastSecret.
func (w *matrixWorld) issueToken(t *testing.T, u *testUser, ttl time.Duration) string {
	t.Helper()
	secret, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, u.user, "spare", ttl, w.env.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.env.db.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	w.lastSecret = secret.Reveal()
	return tok.ID
}

// screenedParty creates a party of org through the API and screens it as
// an officer of org; the party's name matches a listed entity.
func (w *matrixWorld) screenedParty(t *testing.T, org *tollgate.Org, name string) (*tollgate.Party, tollgate.Hit, string) {
	t.Helper()
	p := w.env.createParty(org.ID, name)
	diff := must[tollgate.ScreeningDiff](w.env, request{method: "POST", path: "/v1/parties/" + p.ID + "/screen",
		as: w.env.member(org.ID, tollgate.RoleExporterOfficer)}, http.StatusCreated)
	if len(diff.New) == 0 {
		t.Fatalf("screening %s found no hit", name)
	}
	return &p, diff.New[0], diff.Screening.ID
}

// recordOwners maps every party, screening, user and token in the store
// to its organization.
func (w *matrixWorld) recordOwners(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	users, _, err := w.env.db.FindUsers(ctx, tollgate.UserFilter{Limit: tollgate.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		w.owners[u.ID] = u.OrgID
		tokens, err := w.env.db.FindTokens(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens {
			w.owners[tok.ID] = tok.OrgID
		}
	}
	parties, _, err := w.env.db.FindParties(ctx, tollgate.PartyFilter{Limit: tollgate.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parties {
		w.owners[p.ID] = p.OrgID
		scs, _, err := w.env.db.FindScreenings(ctx, tollgate.ScreeningFilter{PartyID: p.ID, Limit: tollgate.MaxPageLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range scs {
			w.owners[sc.ID] = p.OrgID
		}
	}
}

// callers returns every caller of the matrix.
func (w *matrixWorld) callers() []matrixCaller {
	var cs []matrixCaller
	for _, role := range tollgate.Roles {
		u := w.cast.users[role]
		cs = append(cs, matrixCaller{name: string(role), authorization: "Bearer " + u.token, principal: u.principal()})
	}
	return append(cs,
		matrixCaller{name: "another exporter's admin", authorization: "Bearer " + w.other.token, principal: w.other.principal()},
		matrixCaller{name: "no token"},
		matrixCaller{name: "a malformed token", authorization: "Bearer tg_0123456789"},
		matrixCaller{name: "another scheme", authorization: "Basic dXNlcjpwYXNz"},
		matrixCaller{name: "an expired token", authorization: "Bearer " + w.expired.token},
		matrixCaller{name: "a revoked token", authorization: "Bearer " + w.revoked.token},
		matrixCaller{name: "a disabled user's token", authorization: "Bearer " + w.disabled.token},
	)
}
