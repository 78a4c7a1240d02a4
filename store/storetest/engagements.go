package storetest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"tollgate"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func testEngagements(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	exporter := mustOrg(t, db, tollgate.OrgExporter, "Engaging Exporter")
	other := mustOrg(t, db, tollgate.OrgExporter, "Other Exporter")
	broker := mustOrg(t, db, tollgate.OrgBroker, "Engaged Broker")
	lab := mustOrg(t, db, tollgate.OrgLab, "Engaged Lab")
	abroad := &tollgate.Org{Kind: tollgate.OrgLab, Name: "Lab Abroad", Country: "TW"}
	mustNoErr(t, db.CreateOrg(ctx, abroad))

	t.Run("CreateAndFind", func(t *testing.T) {
		size := mustAuditSize(t, db)
		e := &tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: broker.ID, Kind: tollgate.EngageImports,
			StartsOn: date(2026, 1, 1), Lots: []string{"LOT-A"}}
		mustNoErr(t, db.CreateEngagement(ctx, e))
		if e.ID == "" || !e.CreatedAt.Equal(clock.stamp()) || e.CreatedBy != tollgate.SystemUserID {
			t.Fatalf("CreateEngagement: got id %q, created %v by %q", e.ID, e.CreatedAt, e.CreatedBy)
		}
		got, err := db.FindEngagementByID(ctx, e.ID)
		mustNoErr(t, err)
		if !reflect.DeepEqual(got, e) {
			t.Errorf("FindEngagementByID: got %+v, want %+v", got, e)
		}
		recs := auditSince(t, db, size)
		if len(recs) != 1 {
			t.Fatalf("audit records: got %d, want 1", len(recs))
		}
		wantRecord(t, recs[0], "engagement.create", "engagement", e.ID, "", mustDigest(t, e))
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			e     tollgate.Engagement
			field string
		}{
			{"ExporterNotExporter", tollgate.Engagement{ExporterOrgID: broker.ID, EngagedOrgID: lab.ID, Kind: tollgate.EngageTests, StartsOn: date(2026, 1, 1)}, "exporter_org_id"},
			{"BrokerForTests", tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: broker.ID, Kind: tollgate.EngageTests, StartsOn: date(2026, 1, 1)}, "engaged_org_id"},
			{"ExporterEngaged", tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: other.ID, Kind: tollgate.EngageImports, StartsOn: date(2026, 1, 1)}, "engaged_org_id"},
			{"LabAbroad", tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: abroad.ID, Kind: tollgate.EngageTests, StartsOn: date(2026, 1, 1)}, "engaged_org_id"},
			{"Itself", tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: exporter.ID, Kind: tollgate.EngageImports, StartsOn: date(2026, 1, 1)}, "engaged_org_id"},
			{"Kind", tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: broker.ID, Kind: "audits", StartsOn: date(2026, 1, 1)}, "kind"},
			{"NoStart", tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: broker.ID, Kind: tollgate.EngageImports}, "starts_on"},
			{"EndBeforeStart", tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: broker.ID, Kind: tollgate.EngageImports,
				StartsOn: date(2026, 1, 2), EndsOn: date(2026, 1, 1)}, "ends_on"},
			{"ApplicationsOnImports", tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: broker.ID, Kind: tollgate.EngageImports,
				StartsOn: date(2026, 1, 1), ApplicationIDs: []string{"app"}}, "application_ids"},
			{"LotTwice", tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: broker.ID, Kind: tollgate.EngageImports,
				StartsOn: date(2026, 1, 1), Lots: []string{"A", "A"}}, "lots[1]"},
		} {
			t.Run(tc.name, func(t *testing.T) { wantField(t, db.CreateEngagement(ctx, &tc.e), tc.field) })
		}
		e := tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: "01900000-0000-7000-8000-00000000abcd",
			Kind: tollgate.EngageImports, StartsOn: date(2026, 1, 1)}
		wantCode(t, db.CreateEngagement(ctx, &e), tollgate.ENOTFOUND)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []string{"01900000-0000-7000-8000-00000000abcd", "not-an-id", ""} {
			_, err := db.FindEngagementByID(ctx, id)
			wantCode(t, err, tollgate.ENOTFOUND)
			_, err = db.EndEngagement(ctx, id, date(2026, 2, 1))
			wantCode(t, err, tollgate.ENOTFOUND)
		}
	})
	t.Run("EngagedOrgs", func(t *testing.T) {
		// A tests engagement is limited to applications of its exporter.
		fx := newAppFixture(t, db)
		other, app1 := fx.exporter, insertApp(t, db, fx.draft()).ID
		tests := &tollgate.Engagement{ExporterOrgID: other.ID, EngagedOrgID: lab.ID, Kind: tollgate.EngageTests,
			StartsOn: date(2026, 3, 1), EndsOn: date(2026, 3, 31), ApplicationIDs: []string{app1}}
		mustNoErr(t, db.CreateEngagement(ctx, tests))
		for _, tc := range []struct {
			name string
			w    tollgate.EngagementScope
			want []string
		}{
			{"FirstDay", tollgate.EngagementScope{ExporterOrgID: other.ID, Kind: tollgate.EngageTests, Day: date(2026, 3, 1), ApplicationID: app1}, []string{lab.ID}},
			{"LastDayAnyTime", tollgate.EngagementScope{ExporterOrgID: other.ID, Kind: tollgate.EngageTests, Day: date(2026, 3, 31).Add(23 * time.Hour), ApplicationID: app1}, []string{lab.ID}},
			{"DayBefore", tollgate.EngagementScope{ExporterOrgID: other.ID, Kind: tollgate.EngageTests, Day: date(2026, 2, 28), ApplicationID: app1}, nil},
			{"DayAfter", tollgate.EngagementScope{ExporterOrgID: other.ID, Kind: tollgate.EngageTests, Day: date(2026, 4, 1), ApplicationID: app1}, nil},
			{"OtherApplication", tollgate.EngagementScope{ExporterOrgID: other.ID, Kind: tollgate.EngageTests, Day: date(2026, 3, 2), ApplicationID: "app-2"}, nil},
			{"OtherKind", tollgate.EngagementScope{ExporterOrgID: other.ID, Kind: tollgate.EngageImports, Day: date(2026, 3, 2), ApplicationID: app1}, nil},
			{"OtherExporter", tollgate.EngagementScope{ExporterOrgID: exporter.ID, Kind: tollgate.EngageTests, Day: date(2026, 3, 2), ApplicationID: app1}, nil},
			{"LotInLimit", tollgate.EngagementScope{ExporterOrgID: exporter.ID, Kind: tollgate.EngageImports, Day: date(2026, 3, 2), Lot: "LOT-A"}, []string{broker.ID}},
			{"LotOutsideLimit", tollgate.EngagementScope{ExporterOrgID: exporter.ID, Kind: tollgate.EngageImports, Day: date(2026, 3, 2), Lot: "LOT-B"}, nil},
			{"SerialsOutsideLotLimit", tollgate.EngagementScope{ExporterOrgID: exporter.ID, Kind: tollgate.EngageImports, Day: date(2026, 3, 2)}, nil},
			{"MadeUpExporter", tollgate.EngagementScope{ExporterOrgID: "01900000-0000-7000-8000-00000000abcd", Kind: tollgate.EngageImports, Day: date(2026, 3, 2)}, nil},
			{"NotAnID", tollgate.EngagementScope{ExporterOrgID: "x", Kind: tollgate.EngageImports, Day: date(2026, 3, 2)}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := db.EngagedOrgs(ctx, tc.w)
				mustNoErr(t, err)
				if !slices.Equal(got, tc.want) {
					t.Errorf("EngagedOrgs(%v): got %v, want %v", tc.w, got, tc.want)
				}
			})
		}
	})
	t.Run("End", func(t *testing.T) {
		e := &tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: lab.ID, Kind: tollgate.EngageTests, StartsOn: date(2026, 1, 10)}
		mustNoErr(t, db.CreateEngagement(ctx, e))
		_, err := db.EndEngagement(ctx, e.ID, date(2026, 1, 9))
		wantField(t, err, "ends_on")
		clock.Advance(time.Hour)
		size := mustAuditSize(t, db)
		ended, err := db.EndEngagement(ctx, e.ID, date(2026, 1, 20).Add(5*time.Hour))
		mustNoErr(t, err)
		if !ended.EndsOn.Equal(date(2026, 1, 20)) || !ended.UpdatedAt.Equal(clock.stamp()) {
			t.Errorf("EndEngagement: ends %v, updated %v", ended.EndsOn, ended.UpdatedAt)
		}
		recs := auditSince(t, db, size)
		if len(recs) != 1 {
			t.Fatalf("audit records: got %d, want 1", len(recs))
		}
		wantRecord(t, recs[0], "engagement.end", "engagement", e.ID, mustDigest(t, e), mustDigest(t, ended))
		_, err = db.EndEngagement(ctx, e.ID, date(2026, 1, 25))
		wantCode(t, err, tollgate.ECONFLICT)
		shorter, err := db.EndEngagement(ctx, e.ID, date(2026, 1, 15))
		mustNoErr(t, err)
		if !shorter.EndsOn.Equal(date(2026, 1, 15)) {
			t.Errorf("EndEngagement earlier: ends %v, want 2026-01-15", shorter.EndsOn)
		}
		w := tollgate.EngagementScope{ExporterOrgID: exporter.ID, Kind: tollgate.EngageTests, Day: date(2026, 1, 16)}
		if got, err := db.EngagedOrgs(ctx, w); err != nil || len(got) != 0 {
			t.Errorf("EngagedOrgs after its end: got %v, %v; want none", got, err)
		}
	})
	t.Run("Find", func(t *testing.T) {
		all, _, err := db.FindEngagements(ctx, tollgate.EngagementFilter{})
		mustNoErr(t, err)
		if len(all) != 3 {
			t.Fatalf("FindEngagements: got %d, want 3", len(all))
		}
		for _, tc := range []struct {
			name string
			f    tollgate.EngagementFilter
			want int
		}{
			{"Exporter", tollgate.EngagementFilter{ExporterOrgID: exporter.ID}, 2},
			{"Engaged", tollgate.EngagementFilter{EngagedOrgID: lab.ID}, 2},
			{"Kind", tollgate.EngagementFilter{Kind: tollgate.EngageImports}, 1},
			{"InForce", tollgate.EngagementFilter{EngagedOrgID: lab.ID, InForceOn: date(2026, 3, 15)}, 1},
			{"NotAnID", tollgate.EngagementFilter{ExporterOrgID: "x"}, 0},
			{"Page", tollgate.EngagementFilter{Limit: 2}, 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, _, err := db.FindEngagements(ctx, tc.f)
				mustNoErr(t, err)
				if len(got) != tc.want {
					t.Errorf("FindEngagements(%+v): got %d, want %d", tc.f, len(got), tc.want)
				}
			})
		}
		_, next, err := db.FindEngagements(ctx, tollgate.EngagementFilter{Limit: 2})
		mustNoErr(t, err)
		rest, _, err := db.FindEngagements(ctx, tollgate.EngagementFilter{Limit: 2, Cursor: next})
		mustNoErr(t, err)
		if len(rest) != 1 || rest[0].ID != all[2].ID {
			t.Errorf("second page: got %d engagements, want the last", len(rest))
		}
		_, _, err = db.FindEngagements(ctx, tollgate.EngagementFilter{Kind: "audits"})
		wantField(t, err, "kind")
	})
	t.Run("ApplicationsOfTheExporter", func(t *testing.T) {
		// An engagement limited to applications names the exporter's own;
		// another exporter's is refused with the words of one that does
		// not exist.
		f := newAppFixture(t, db)
		theirs := insertApp(t, db, f.draft())
		tests := func(app string) *tollgate.Engagement {
			return &tollgate.Engagement{ExporterOrgID: exporter.ID, EngagedOrgID: lab.ID, Kind: tollgate.EngageTests,
				StartsOn: date(2026, 1, 1), ApplicationIDs: []string{app}}
		}
		const madeUp = "01900000-0000-7000-8000-00000000abcd"
		errTheirs, errNone := db.CreateEngagement(ctx, tests(theirs.ID)), db.CreateEngagement(ctx, tests(madeUp))
		wantField(t, errTheirs, "application_ids")
		wantField(t, errNone, "application_ids")
		if errTheirs != nil && errNone != nil && strings.ReplaceAll(errTheirs.Error(), theirs.ID, madeUp) != errNone.Error() {
			t.Errorf("another exporter's application: %v; a made-up one: %v", errTheirs, errNone)
		}
		g := newAppFixture(t, db)
		own := insertApp(t, db, g.draft())
		e := tests(own.ID)
		e.ExporterOrgID = g.exporter.ID
		mustNoErr(t, db.CreateEngagement(ctx, e))
	})
}
