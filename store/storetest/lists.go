package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// sampleEntities returns n listed entities of list, with every field set on
// the first so that the round trip covers them all.
func sampleEntities(list string, n int) []tollgate.Entity {
	es := make([]tollgate.Entity, n)
	for i := range es {
		es[i] = tollgate.Entity{List: list, SourceID: fmt.Sprintf("%s-%d", list, i+1), Name: fmt.Sprintf("Listed Entity %d", i+1),
			Type: tollgate.EntityOrganization}
	}
	if n > 0 {
		es[0] = tollgate.Entity{
			List: list, SourceID: list + "-1", Name: "Huawei Technologies Co., Ltd.",
			AltNames:  []string{"华为技术有限公司", "Huawei"},
			Type:      tollgate.EntityOrganization,
			Addresses: []tollgate.Address{{Street: "Bantian", City: "Shenzhen", Country: "CN"}},
			Countries: []string{"CN"}, Programs: []string{"EAR"}, Citation: "84 FR 22963",
			LicenseRequirement: "For all items subject to the EAR.", LicensePolicy: "Presumption of denial.",
			StartDate: "2019-05-16", Remarks: "and affiliates",
		}
	}
	return es
}

// fileDigest returns a digest standing in for a file's SHA-256.
func fileDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// mustImport stores entities as a version of source; file distinguishes
// files of the same source.
func mustImport(t testing.TB, db *store.DB, source, file string, entities []tollgate.Entity) *tollgate.ListVersion {
	t.Helper()
	v, created, err := db.ImportListVersion(context.Background(), &tollgate.ListImport{
		Source: source, Format: source + "-test", Digest: fileDigest(source + "/" + file), FileName: file,
		Entities: entities,
	})
	mustNoErr(t, err)
	if !created {
		t.Fatalf("ImportListVersion %s/%s: not created", source, file)
	}
	return v
}

// screenClear records a screening of the party without hits.
func screenClear(t testing.TB, db *store.DB, partyID string) {
	t.Helper()
	v := mustImport(t, db, "clear", partyID, nil)
	_, err := db.RecordScreening(context.Background(), &tollgate.Screening{PartyID: partyID, ListVersionIDs: []string{v.ID}, Threshold: 0.9})
	mustNoErr(t, err)
}

// screenBlocked records a screening of the party with one hit and decides
// it a true match.
func screenBlocked(t testing.TB, db *store.DB, partyID string) {
	t.Helper()
	es := sampleEntities("EL", 1)
	v := mustImport(t, db, "blocked", partyID, es)
	h := hitOn(&es[0], 0.97)
	_, err := db.RecordScreening(context.Background(), &tollgate.Screening{PartyID: partyID, ListVersionIDs: []string{v.ID}, Threshold: 0.9, Hits: []tollgate.Hit{h}})
	mustNoErr(t, err)
	_, err = db.DecideHit(context.Background(), &tollgate.HitDecision{PartyID: partyID, List: h.List, SourceID: h.SourceID,
		EntityDigest: h.EntityDigest, Kind: tollgate.HitTrueMatch, DecidedBy: "analyst@example.com"})
	mustNoErr(t, err)
}

func testLists(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	csl := append(sampleEntities("EL", 3), sampleEntities("SDN", 2)...)
	published := time.Date(2022, 4, 1, 0, 0, 0, 0, time.UTC)
	li := &tollgate.ListImport{Source: "csl", Format: "csl-csv", Digest: fileDigest("csl-1"),
		FileName: "/data/lists/consolidated.csv.gz", Published: published, Entities: csl, Problems: 2}

	v1, created, err := db.ImportListVersion(ctx, li)
	mustNoErr(t, err)
	t.Run("Import", func(t *testing.T) {
		want := &tollgate.ListVersion{ID: v1.ID, Source: "csl", Format: "csl-csv", Digest: li.Digest, FileName: "consolidated.csv.gz",
			Published: published, Counts: map[string]int{"EL": 3, "SDN": 2}, EntityCount: 5, ProblemCount: 2,
			ImportedAt: clock.stamp(), Current: true}
		if !created || !reflect.DeepEqual(v1, want) {
			t.Fatalf("ImportListVersion: got %+v (created %v), want %+v", v1, created, want)
		}
		got, err := db.FindListVersionByID(ctx, v1.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FindListVersionByID: got %+v, want %+v", got, want)
		}
	})
	t.Run("ReimportIsNoOp", func(t *testing.T) {
		again, created, err := db.ImportListVersion(ctx, li)
		mustNoErr(t, err)
		if created || again.ID != v1.ID {
			t.Errorf("re-import: got version %s created %v, want %s not created", again.ID, created, v1.ID)
		}
	})
	t.Run("ListEntitiesRoundTrip", func(t *testing.T) {
		got, err := db.ListEntities(ctx, v1.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(got, csl) {
			t.Errorf("ListEntities:\n got %+v\nwant %+v", got, csl)
		}
		for i := range got {
			if got[i].Digest() != csl[i].Digest() {
				t.Errorf("entity %d digest changed in the store", i)
			}
		}
		_, err = db.ListEntities(ctx, v1.ID, "01900000-0000-7000-8000-00000000abcd")
		wantCode(t, err, tollgate.ENOTFOUND)
	})
	t.Run("Entries", func(t *testing.T) {
		var seqs []int
		cursor := ""
		for range 10 {
			es, next, err := db.FindListEntries(ctx, tollgate.ListEntryFilter{VersionID: v1.ID, Cursor: cursor, Limit: 2})
			mustNoErr(t, err)
			for _, e := range es {
				seqs = append(seqs, e.Seq)
				if want := csl[e.Seq-1]; !reflect.DeepEqual(e.Entity, want) || e.Digest != want.Digest() || e.SourceID != want.SourceID {
					t.Errorf("entry %d: got %+v, want %+v", e.Seq, e, want)
				}
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		if !reflect.DeepEqual(seqs, []int{1, 2, 3, 4, 5}) {
			t.Errorf("FindListEntries pages: got seqs %v, want 1..5", seqs)
		}
		es, _, err := db.FindListEntries(ctx, tollgate.ListEntryFilter{VersionID: v1.ID, List: "SDN", SourceID: "SDN-2"})
		mustNoErr(t, err)
		if len(es) != 1 || es[0].Seq != 5 {
			t.Errorf("FindListEntries SDN-2: got %d entries, want seq 5", len(es))
		}
		_, _, err = db.FindListEntries(ctx, tollgate.ListEntryFilter{VersionID: "01900000-0000-7000-8000-00000000abcd"})
		wantCode(t, err, tollgate.ENOTFOUND)
		_, _, err = db.FindListEntries(ctx, tollgate.ListEntryFilter{VersionID: v1.ID, Cursor: "MDE"}) // "01"
		wantField(t, err, "cursor")
	})
	t.Run("CurrentVersions", func(t *testing.T) {
		clock.Advance(24 * time.Hour)
		un := mustImport(t, db, "un", "un-1.xml", sampleEntities("UN", 2))
		v2, created, err := db.ImportListVersion(ctx, &tollgate.ListImport{Source: "csl", Format: "csl-test",
			Digest: fileDigest("csl/csl-2.csv"), FileName: "csl-2.csv", Published: published.AddDate(0, 1, 0), Entities: sampleEntities("EL", 4)})
		mustNoErr(t, err)
		if !created {
			t.Fatal("csl-2.csv: not created")
		}
		cur, err := db.CurrentListVersions(ctx)
		mustNoErr(t, err)
		if len(cur) != 2 || cur[0].ID != v2.ID || cur[1].ID != un.ID || !cur[0].Current || !cur[1].Current {
			t.Fatalf("CurrentListVersions: got %v, want csl %s then un %s", versionIDs(cur), v2.ID, un.ID)
		}
		old, err := db.FindListVersionByID(ctx, v1.ID)
		mustNoErr(t, err)
		if old.Current {
			t.Error("superseded version still current")
		}
		all, next, err := db.FindListVersions(ctx, tollgate.ListVersionFilter{Limit: 2})
		mustNoErr(t, err)
		if got, want := versionIDs(all), []string{v2.ID, un.ID}; !reflect.DeepEqual(got, want) || next == "" {
			t.Fatalf("FindListVersions page 1: got %v next %q, want %v and more", got, next, want)
		}
		rest, next, err := db.FindListVersions(ctx, tollgate.ListVersionFilter{Cursor: next, Limit: 2})
		mustNoErr(t, err)
		if got, want := versionIDs(rest), []string{v1.ID}; !reflect.DeepEqual(got, want) || next != "" {
			t.Errorf("FindListVersions page 2: got %v next %q, want %v", got, next, want)
		}
		cslOnly, _, err := db.FindListVersions(ctx, tollgate.ListVersionFilter{Source: "csl"})
		mustNoErr(t, err)
		if got, want := versionIDs(cslOnly), []string{v2.ID, v1.ID}; !reflect.DeepEqual(got, want) {
			t.Errorf("FindListVersions csl: got %v, want %v", got, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct {
			li    tollgate.ListImport
			field string
		}{
			{tollgate.ListImport{Format: "x", Digest: fileDigest("a")}, "source"},
			{tollgate.ListImport{Source: "x", Format: "x", Digest: "abc"}, "digest"},
			{tollgate.ListImport{Source: "x", Format: "x", Digest: fileDigest("b"), Entities: []tollgate.Entity{{List: "EL"}}}, "entities[0].source_id"},
		} {
			_, _, err := db.ImportListVersion(ctx, &tc.li)
			wantField(t, err, tc.field)
		}
	})
}

// testListsMoveForward checks that a list version becomes current only if
// its publication date is not older than the current version's: an older
// or undated file is refused with both dates and nothing stored, unless the
// import allows older with a reason, which the audit record keeps.
func testListsMoveForward(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, _ := open(t, newDSN)
	date := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	imp := func(file, published string, allowOlder bool, reason string) (*tollgate.ListVersion, bool, error) {
		li := &tollgate.ListImport{Source: "ofac", Format: "ofac-test", Digest: fileDigest("ofac/" + file), FileName: file,
			Entities: sampleEntities("SDN", 2), AllowOlder: allowOlder, Reason: reason}
		if published != "" {
			li.Published = date(published)
		}
		return db.ImportListVersion(ctx, li)
	}
	current := func() *tollgate.ListVersion {
		t.Helper()
		vs, err := db.CurrentListVersions(ctx)
		mustNoErr(t, err)
		for _, v := range vs {
			if v.Source == "ofac" {
				return v
			}
		}
		return nil
	}
	undated, _, err := imp("undated", "", false, "")
	mustNoErr(t, err)
	newer, _, err := imp("2024-05-03", "2024-05-03", false, "")
	mustNoErr(t, err) // an undated current version can be replaced by any file
	same, _, err := imp("2024-05-03-reissue", "2024-05-03", false, "")
	mustNoErr(t, err) // the same date is not older
	if cur := current(); cur.ID != same.ID || undated.ID == newer.ID {
		t.Fatalf("current: got %s, want %s", cur.ID, same.ID)
	}

	for _, tc := range []struct{ name, file, published string }{
		{"ErrOlder", "2021-07", "2021-07-01"},
		{"ErrOneDayOlder", "2024-05-02", "2024-05-02"},
		{"ErrUndated", "undated-2", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := imp(tc.file, tc.published, false, "")
			wantCode(t, err, tollgate.ECONFLICT)
			msg := tollgate.ErrorMessage(err)
			for _, want := range []string{"2024-05-03", "allow older", same.ID} {
				if !strings.Contains(msg, want) {
					t.Errorf("got %q, want it to name %q", msg, want)
				}
			}
			if tc.published != "" && !strings.Contains(msg, tc.published) {
				t.Errorf("got %q, want it to name %s", msg, tc.published)
			}
			if cur := current(); cur.ID != same.ID {
				t.Errorf("current after a refused import: got %s, want %s", cur.ID, same.ID)
			}
			vs, _, err := db.FindListVersions(ctx, tollgate.ListVersionFilter{Source: "ofac"})
			mustNoErr(t, err)
			if len(vs) != 3 {
				t.Errorf("got %d ofac versions, want 3: the refused file is not stored", len(vs))
			}
		})
	}
	t.Run("ErrReasonWithoutAllowOlder", func(t *testing.T) {
		_, _, err := imp("2025-01", "2025-01-01", false, "because")
		wantField(t, err, "reason")
	})
	t.Run("ErrAllowOlderWithoutReason", func(t *testing.T) {
		_, _, err := imp("2021-07", "2021-07-01", true, " ")
		wantField(t, err, "reason")
	})
	t.Run("AllowOlder", func(t *testing.T) {
		v, created, err := imp("2021-07", "2021-07-01", true, "the 2024 file is corrupt; back to the last good one")
		mustNoErr(t, err)
		if !created || !v.Current || current().ID != v.ID {
			t.Fatalf("allowed older import: got %+v (created %t), want the current version", v, created)
		}
		rs, _, err := db.FindAuditRecords(ctx, tollgate.AuditFilter{Action: "list.import", ObjectID: v.ID})
		mustNoErr(t, err)
		if len(rs) != 1 {
			t.Fatalf("got %d list.import records for %s, want 1", len(rs), v.ID)
		}
		wantDetails(t, rs[0], "reason", "the 2024 file is corrupt; back to the last good one")
		wantDetails(t, rs[0], "replaced_version", same.ID)
		wantDetails(t, rs[0], "replaced_published", "2024-05-03")
	})
	t.Run("NewerAgain", func(t *testing.T) {
		v, _, err := imp("2024-06", "2024-06-01", false, "")
		mustNoErr(t, err)
		if !v.Current {
			t.Error("a newer file is not current")
		}
	})
}

func versionIDs(vs []*tollgate.ListVersion) []string {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
}
