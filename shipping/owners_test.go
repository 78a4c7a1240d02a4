package shipping_test

import (
	"context"
	"path/filepath"
	"testing"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/internal/testenv"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
	"tollgate/store/storetest"
)

// TestWritersFollowEngagements calls the use cases directly, as the demo
// and the local commands do, as each kind of caller: whoever the record
// names, a broker files and a lab records only for an exporter that
// engaged it, an exporter only for itself, and every other kind not at all.
func TestWritersFollowEngagements(t *testing.T) {
	for _, b := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "owners.db") }},
		{"postgres", func(t *testing.T) string { return testenv.PostgresSchema(t, "tollgate_owners_test_") }},
	} {
		t.Run(b.name, func(t *testing.T) { testWritersFollowEngagements(t, b.dsn(t)) })
	}
}

func testWritersFollowEngagements(t *testing.T, dsn string) {
	ctx := context.Background()
	clock := storetest.NewClock()
	db := storetest.MustOpen(t, dsn, clock.Now)
	svc, err := shipping.NewService(db, classify.Default(), catalog.Default().Lookup, shipping.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	w, err := shipload.NewWorld(ctx, db, svc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.License(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	org := func(kind tollgate.OrgKind, name string) *tollgate.Org {
		o := &tollgate.Org{Kind: kind, Name: name, Country: "US"}
		if err := db.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	otherExporter, rogueBroker, rogueLab := org(tollgate.OrgExporter, "Other Exporter"), org(tollgate.OrgBroker, "Rogue Brokers"), org(tollgate.OrgLab, "Rogue Lab")
	as := func(o *tollgate.Org) context.Context {
		return tollgate.WithPrincipal(ctx, &tollgate.Principal{UserID: "u-" + o.ID[:8], OrgID: o.ID, OrgKind: o.Kind})
	}
	// An entry the world's broker filed: each case files another line of
	// it, naming its own importer.
	first, err := w.Import(ctx, 100, tollgate.Units{Lot: "LOT-PROBE", Count: 1}, "")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, seq := *first, 1

	imports := []struct {
		name     string
		ctx      context.Context
		importer string
		want     string // error code, "" for success
	}{
		{"EngagedBroker", as(w.Broker), w.Broker.ID, ""},
		{"EngagedBrokerNamesNoImporter", as(w.Broker), "", ""},
		{"UnengagedBrokerNamesItself", as(rogueBroker), rogueBroker.ID, tollgate.ENOTFOUND},
		{"UnengagedBrokerNamesEngagedOne", as(rogueBroker), w.Broker.ID, tollgate.ENOTFOUND},
		{"ExporterForItself", as(w.Exporter), w.Exporter.ID, ""},
		{"ExporterThroughEngagedBroker", as(w.Exporter), w.Broker.ID, ""},
		{"ExporterThroughUnengagedBroker", as(w.Exporter), rogueBroker.ID, tollgate.EINVALID},
		{"OtherExporter", as(otherExporter), w.Broker.ID, tollgate.ENOTFOUND},
		{"Lab", as(w.Lab), w.Broker.ID, tollgate.EFORBIDDEN},
		{"AgencyOrg", as(w.Agency), w.Broker.ID, tollgate.EFORBIDDEN},
		{"UnknownKind", tollgate.WithPrincipal(ctx, &tollgate.Principal{UserID: "u", OrgID: rogueBroker.ID}), rogueBroker.ID, tollgate.EFORBIDDEN},
		{"LocalNamesEngagedBroker", ctx, w.Broker.ID, ""},
		{"LocalNamesUnengagedBroker", ctx, rogueBroker.ID, tollgate.ENOTFOUND},
	}
	for _, tc := range imports {
		t.Run("Import"+tc.name, func(t *testing.T) {
			seq++
			e := tmpl
			e.ID, e.ImporterOrgID, e.Line = "", tc.importer, seq
			_, err := svc.RecordImport(tc.ctx, e)
			if got := tollgate.ErrorCode(err); got != tc.want {
				t.Errorf("RecordImport: got %q (%v), want %q", got, err, tc.want)
			}
		})
	}

	reports := []struct {
		name string
		ctx  context.Context
		lab  string
		want string
	}{
		{"EngagedLab", as(w.Lab), w.Lab.ID, ""},
		{"UnengagedLabNamesItself", as(rogueLab), rogueLab.ID, tollgate.ENOTFOUND},
		{"UnengagedLabNamesEngagedOne", as(rogueLab), w.Lab.ID, tollgate.ENOTFOUND},
		{"Exporter", as(w.Exporter), w.Lab.ID, tollgate.EFORBIDDEN},
		{"Broker", as(w.Broker), w.Lab.ID, tollgate.EFORBIDDEN},
		{"LocalNamesUnengagedLab", ctx, rogueLab.ID, tollgate.ENOTFOUND},
	}
	for i, tc := range reports {
		t.Run("LabReport"+tc.name, func(t *testing.T) {
			r, err := w.SignedReport("PROBE-"+string(rune('A'+i)), tollgate.Units{Lot: "LOT-PROBE", Count: 1}, 1975)
			if err != nil {
				t.Fatal(err)
			}
			r.LabOrgID = tc.lab
			if r.Signature, err = shipping.SignReport(w.Priv, r); err != nil {
				t.Fatal(err)
			}
			_, err = svc.RecordLabReport(tc.ctx, r)
			if got := tollgate.ErrorCode(err); got != tc.want {
				t.Errorf("RecordLabReport: got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}
