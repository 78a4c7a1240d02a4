package screening

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/store"
)

var listed = []tollgate.Entity{
	{List: "EL", SourceID: "el-1", Name: "Huawei Technologies Co., Ltd.", Type: tollgate.EntityOrganization, Countries: []string{"CN"}},
	{List: "EL", SourceID: "el-2", Name: "Moore Threads Technology Co., Ltd.", Type: tollgate.EntityOrganization, Countries: []string{"CN"}},
	{List: "SDN", SourceID: "sdn-1", Name: "PETROV, Ivan Sergeyevich", Type: tollgate.EntityPerson, Countries: []string{"RU"}},
}

type fixture struct {
	t   *testing.T
	db  *store.DB
	svc *Service
	org *tollgate.Org
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	org := &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Nvidia", Country: "US"}
	if err := db.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: db, svc: New(db, slog.New(slog.DiscardHandler), DefaultConfig()), org: org}
}

func (f *fixture) importList(source string, es []tollgate.Entity) *tollgate.ListVersion {
	f.t.Helper()
	b, _ := json.Marshal(es)
	sum := sha256.Sum256(b)
	v, _, err := f.db.ImportListVersion(context.Background(), &tollgate.ListImport{
		Source: source, Format: "custom", Digest: hex.EncodeToString(sum[:]), Entities: es})
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

func (f *fixture) party(name string, other ...string) *tollgate.Party {
	f.t.Helper()
	p := &tollgate.Party{OrgID: f.org.ID, Role: tollgate.RoleEndUser, Type: tollgate.EntityOrganization,
		LegalName: name, OtherNames: other, Country: "CN"}
	if err := f.db.CreateParty(context.Background(), p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func TestCurrentRebuildsOnNewVersion(t *testing.T) {
	f := newFixture(t, apitest.SQLiteDSN(t))
	ctx := context.Background()
	if _, err := f.svc.Current(ctx); tollgate.ErrorCode(err) != tollgate.EPRECONDITION {
		t.Fatalf("no lists: err %v, want precondition_failed", err)
	}
	if err := f.svc.Warm(ctx); err != nil {
		t.Errorf("Warm with no lists: %v", err)
	}
	v1 := f.importList("test", listed[:2])
	a, err := f.svc.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := f.svc.Current(ctx)
	if a != b {
		t.Error("index rebuilt although the versions did not change")
	}
	if a.Index.Len() != 2 || a.VersionIDs()[0] != v1.ID {
		t.Errorf("index of %d entities over %v", a.Index.Len(), a.VersionIDs())
	}
	f.importList("other", listed[2:])
	c, _ := f.svc.Current(ctx)
	if c == a || c.Index.Len() != 3 || len(c.Versions) != 2 {
		t.Errorf("after a new version: same=%v, %d entities, %d versions", c == a, c.Index.Len(), len(c.Versions))
	}
}

func TestCurrentConcurrentCallersShareOneBuild(t *testing.T) {
	f := newFixture(t, apitest.SQLiteDSN(t))
	f.importList("test", listed)
	snaps := make([]*Snapshot, 8)
	var wg sync.WaitGroup
	for i := range snaps {
		wg.Go(func() {
			s, err := f.svc.Current(context.Background())
			if err != nil {
				t.Error(err)
			}
			snaps[i] = s
		})
	}
	wg.Wait()
	for _, s := range snaps[1:] {
		if s != snaps[0] {
			t.Fatal("concurrent callers got different indexes")
		}
	}
}

func TestScreenNames(t *testing.T) {
	f := newFixture(t, apitest.SQLiteDSN(t))
	f.importList("test", listed)
	ctx := context.Background()
	qs := []NameQuery{{Name: "Huawei Technologies", Type: tollgate.EntityOrganization}, {Name: "Completely Unrelated Bakery"}}
	res, err := f.svc.ScreenNames(ctx, qs, NamesOptions{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 2 || len(res.Results[0].Hits) == 0 || len(res.Results[1].Hits) != 0 {
		t.Fatalf("results: %+v", res.Results)
	}
	h := res.Results[0].Hits[0]
	if h.SourceID != "el-1" || h.EntityDigest != listed[0].Digest() || len(h.Explanation) == 0 || h.Countries[0] != "CN" {
		t.Errorf("hit: %+v", h)
	}
	strict, err := f.svc.ScreenNames(ctx, qs[:1], NamesOptions{Threshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	if strict.Threshold != 1 {
		t.Errorf("threshold %v, want 1", strict.Threshold)
	}
	if _, err := f.svc.ScreenNames(ctx, qs, NamesOptions{Threshold: 2}); tollgate.ErrorCode(err) != tollgate.EINVALID {
		t.Errorf("threshold 2: %v, want invalid", err)
	}
}

func TestNameQueryValidate(t *testing.T) {
	tests := []struct {
		q     NameQuery
		field string
	}{
		{NameQuery{Name: "ok", Type: tollgate.EntityPerson, Country: "RU"}, ""},
		{NameQuery{Name: " "}, "name"},
		{NameQuery{Name: "\xff"}, "name"},
		{NameQuery{Name: string(make([]byte, MaxNameBytes+1))}, "name"},
		{NameQuery{Name: "a", Type: "robot"}, "type"},
		{NameQuery{Name: "a", Country: "Russia"}, "country"},
	}
	for _, tt := range tests {
		err := tt.q.Validate()
		var field string
		if e, ok := err.(*tollgate.Error); ok {
			field = e.Field
		}
		if (err == nil) != (tt.field == "") || field != tt.field {
			t.Errorf("Validate(%q): %v, want field %q", tt.q.Name, err, tt.field)
		}
	}
}

// TestRescreen walks the scenario through the service on every
// backend: a decided false positive survives a rescreen against the same
// list and comes back for review when the listed entry changes.
func TestRescreen(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		f.importList("test", listed)
		huawei := f.party("Huawei Technologies Co Ltd")
		clean := f.party("Harbor Bakery Supplies LLC")
		diff, err := f.svc.ScreenParty(ctx, huawei.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff.StatusAfter != tollgate.ScreeningPendingReview || len(diff.New) != 1 {
			t.Fatalf("first screening: %+v", diff)
		}
		hit := diff.New[0]
		if _, err := f.db.DecideHit(ctx, &tollgate.HitDecision{PartyID: huawei.ID, List: hit.List, SourceID: hit.SourceID,
			EntityDigest: hit.EntityDigest, Kind: tollgate.HitFalsePositive, Reason: "a reseller", DecidedBy: "analyst"}); err != nil {
			t.Fatal(err)
		}

		rep, err := f.svc.Rescreen(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The clean party was never screened: its first screening changes
		// its status, so it is reported; the decided party is not.
		if rep.Screened != 2 || len(rep.Changed) != 1 || rep.Changed[0].PartyID != clean.ID {
			t.Fatalf("first rescreen: screened %d, changed %+v", rep.Screened, rep.Changed)
		}
		rep, err = f.svc.Rescreen(ctx)
		if err != nil || len(rep.Changed) != 0 {
			t.Fatalf("rescreen against the same list: %v, changed %+v", err, rep.Changed)
		}

		changed := append([]tollgate.Entity(nil), listed...)
		changed[0].Remarks = "amended 2026-02-01"
		f.importList("test", changed)
		rep, err = f.svc.Rescreen(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Changed) != 1 {
			t.Fatalf("after the entry changed: %+v", rep.Changed)
		}
		d := rep.Changed[0].Diff
		if rep.Changed[0].PartyID != huawei.ID || len(d.Changed) != 1 || d.StatusBefore != tollgate.ScreeningClear ||
			d.StatusAfter != tollgate.ScreeningPendingReview {
			t.Errorf("after the entry changed: %+v", d)
		}
	})
}

// TestVersionOf: every indexed entry names the list version it came from,
// so that a hit shows it (issue 19, 6).
func TestVersionOf(t *testing.T) {
	e0, e1 := tollgate.Entity{List: "EL", SourceID: "a", Name: "A"}, tollgate.Entity{List: "SDN", SourceID: "b", Name: "B"}
	ents := []tollgate.Entity{e0, e1, e1}
	v1, v2 := &tollgate.ListVersion{ID: "v1", EntityCount: 1}, &tollgate.ListVersion{ID: "v2", EntityCount: 2}
	sn := &Snapshot{Versions: []*tollgate.ListVersion{v1, v2}, entities: ents}
	for i, want := range []string{"v1", "v2", "v2"} {
		if got := sn.VersionOf(&ents[i]); got == nil || got.ID != want {
			t.Errorf("VersionOf(entities[%d]) = %v, want %s", i, got, want)
		}
	}
	if got := sn.VersionOf(&e0); got != nil {
		t.Errorf("VersionOf(an entry not indexed) = %v, want nil", got)
	}
	bad := &Snapshot{Versions: []*tollgate.ListVersion{v1}, entities: ents}
	if got := bad.VersionOf(&ents[0]); got != nil {
		t.Errorf("VersionOf with counts that do not add up = %v, want nil", got)
	}
}
