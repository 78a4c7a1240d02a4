package api

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"net/http"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/catalog"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
)

// madeUpOrg is an organization id that no store holds.
const madeUpOrg = "01900000-0000-7000-8000-00000000abcd"

// hostileWorld is an exporter that engaged a broker and a lab (the
// shipload world), its officer with a licensed order, and a rogue broker
// and a rogue US lab that it never engaged, each with a user.
type hostileWorld struct {
	env                    *testEnv
	w                      *shipload.World
	admin, officer         *testUser
	broker, tech           *testUser
	rogueBroker, rogueTech *testUser
	rogueLab               *tollgate.Org
	order                  tollgate.Order
	legitEntry             tollgate.ImportEntry
	importSeq              int
}

func newHostileWorld(t *testing.T, dsn string) *hostileWorld {
	env := newTestEnvDSN(t, dsn)
	ctx := context.Background()
	svc := newTestShipping(t, env.db).(*shipping.Service)
	w, err := shipload.NewWorld(ctx, env.db, svc)
	if err != nil {
		t.Fatal(err)
	}
	h := &hostileWorld{env: env, w: w}
	h.admin = env.newUser(w.Exporter, tollgate.RoleExporterAdmin)
	h.officer = env.newUser(w.Exporter, tollgate.RoleExporterOfficer)
	h.broker = env.newUser(w.Broker, tollgate.RoleBroker)
	h.tech = env.newUser(w.Lab, tollgate.RoleLabTechnician)
	h.rogueBroker = env.newUser(env.newOrg(tollgate.OrgBroker, "Rogue Customs Brokers"), tollgate.RoleBroker)
	h.rogueLab = env.newOrg(tollgate.OrgLab, "Rogue Test Lab")
	h.rogueTech = env.newUser(h.rogueLab, tollgate.RoleLabTechnician)
	license, err := w.License(ctx, 6000)
	if err != nil {
		t.Fatal(err)
	}
	o, err := w.Order(ctx, "PO-HOSTILE", 1000, license)
	if err != nil {
		t.Fatal(err)
	}
	h.order = *o
	h.legitEntry = must[tollgate.ImportEntry](env, request{method: "POST", path: "/v1/imports", as: h.broker,
		body: h.importInput(h.broker, "TW-LEGIT-1", "")}, http.StatusCreated)
	return h
}

// importInput is an entry of 1,000 units of lot for the world's exporter,
// filed by as's organization.
func (h *hostileWorld) importInput(as *testUser, lot, exemption string) ImportInput {
	h.importSeq++
	seq := []byte("0000000")
	for i, n := len(seq)-1, h.importSeq; n > 0; i, n = i-1, n/10 {
		seq[i] = byte('0' + n%10)
	}
	check, _ := tollgate.EntryCheckDigit("HST", string(seq))
	in := ImportInput{ImporterOrgID: as.org.ID, ExporterOrgID: h.w.Exporter.ID, ImporterOfRecord: h.w.Exporter.Name,
		EntryNumber: "HST-" + string(seq) + "-" + string(check), Line: 1, EntryDate: "2026-01-30", Product: "H200",
		Units: tollgate.Units{Lot: lot, Count: 1000}, CountryOfOrigin: "TW", HTS: "8473.30.1180", EnteredValueCents: 1000 * 2_500_000}
	if exemption != "" {
		in.Exemption, in.EndUseCertification = exemption, "certificate of US data-center end use"
	}
	return in
}

// rogueReport is a passing report on lot of the exporter's application,
// judged against the H200 and signed with a key the rogue lab registered
// over the API, naming technician.
func (h *hostileWorld) rogueReport(t *testing.T, lot, technician string) tollgate.LabReport {
	seed := sha256.Sum256([]byte("rogue lab key"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	key := must[tollgate.LabKey](h.env, request{method: "POST", path: "/v1/labs/" + h.rogueLab.ID + "/keys", as: h.rogueTech,
		body: LabKeyInput{PublicKey: priv.Public().(ed25519.PublicKey)}}, http.StatusCreated)
	spec, err := catalog.Default().Lookup(shipload.Product)
	if err != nil {
		t.Fatal(err)
	}
	r, err := shipping.Judge(tollgate.LabReport{Number: "ROGUE-1", LabOrgID: h.rogueLab.ID, TechnicianUserID: technician,
		ExporterOrgID: h.w.Exporter.ID, ApplicationID: h.w.ApplicationID, Product: shipload.Product,
		Units: tollgate.Units{Lot: lot, Count: 20}, Examined: 20, SamplingPlan: "every unit", Method: "dense FP8 GEMM; HBM stream copy",
		Measured: []tollgate.PeakThroughput{{Precision: "FP8", Value: 1975, BitLength: 8}}, MeasuredDRAMBandwidthGBps: 4790,
		ToleranceBP: 100, TestedAt: h.w.Now.Add(-time.Hour).Truncate(time.Second), KeyID: key.ID}, spec, shipping.DefaultReviewRules())
	if err != nil {
		t.Fatal(err)
	}
	if r.Signature, err = shipping.SignReport(priv, r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestHostileBrokerAndLab replays the rogue chain of issue 17 on both
// stores: a broker the exporter never engaged files an entry for 1,000
// units of a lot it made up (claiming an exemption too) and pays duty; a
// lab it never engaged registers a key and signs a passing report on the
// exporter's application naming the exporter's officer as technician; the
// exporter's officer then reserves the units. Each write is refused exactly
// as a write for an exporter that does not exist, nothing is stored, and
// the reservation finds no units to reserve.
func TestHostileBrokerAndLab(t *testing.T) { apitest.ForEachBackend(t, testHostileBrokerAndLab) }

func testHostileBrokerAndLab(t *testing.T, dsn string) {
	h := newHostileWorld(t, dsn)
	env := h.env
	const lot = "TW-ROGUE-1"
	size, err := env.db.AuditSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("BrokerFilesEntry", func(t *testing.T) {
		for _, exemption := range []string{"", "9903.79.03"} {
			in := h.importInput(h.rogueBroker, lot, exemption)
			got := env.do(request{method: "POST", path: "/v1/imports", as: h.rogueBroker, body: in})
			in.ExporterOrgID = madeUpOrg
			madeUp := env.do(request{method: "POST", path: "/v1/imports", as: h.rogueBroker, body: in})
			wantCode(t, got, http.StatusNotFound)
			wantSameAnswer(t, got, h.w.Exporter.ID, madeUp, madeUpOrg)
		}
	})
	t.Run("BrokerNamesEngagedBroker", func(t *testing.T) {
		in := h.importInput(h.broker, lot, "")
		wantCode(t, env.do(request{method: "POST", path: "/v1/imports", as: h.rogueBroker, body: in}), http.StatusNotFound)
	})
	t.Run("BrokerPaysDuty", func(t *testing.T) {
		body := DutyPaymentInput{PaymentReference: "ACH-ROGUE", PaidOn: "2026-01-31"}
		got := env.do(request{method: "POST", path: "/v1/imports/" + h.legitEntry.ID + "/payment", as: h.rogueBroker, body: body})
		madeUp := env.do(request{method: "POST", path: "/v1/imports/" + madeUpOrg + "/payment", as: h.rogueBroker, body: body})
		wantCode(t, got, http.StatusNotFound)
		wantSameAnswer(t, got, h.legitEntry.ID, madeUp, madeUpOrg)
	})
	t.Run("LabSignsReport", func(t *testing.T) {
		r := h.rogueReport(t, lot, h.officer.user.ID)
		got := env.do(request{method: "POST", path: "/v1/lab-reports", as: h.rogueTech, body: r})
		r.ExporterOrgID = madeUpOrg
		madeUp := env.do(request{method: "POST", path: "/v1/lab-reports", as: h.rogueTech, body: r})
		wantCode(t, got, http.StatusNotFound)
		wantSameAnswer(t, got, h.w.Exporter.ID, madeUp, madeUpOrg)
	})
	t.Run("NothingStored", func(t *testing.T) {
		recs := auditRecordsSince(t, env, size)
		for _, rec := range recs {
			switch rec.Record.Action {
			case "import.record", "import.pay_duty", "lab_report.record":
				t.Errorf("refused chain appended %s on %s", rec.Record.Action, rec.Record.ObjectID)
			}
		}
		imports := must[Page[tollgate.ImportEntry]](env, request{method: "GET", path: "/v1/imports", as: h.officer}, http.StatusOK)
		for _, e := range imports.Items {
			if e.Units.Lot == lot {
				t.Errorf("the rogue broker's entry %s is stored", e.ID)
			}
		}
	})
	t.Run("ExporterReserves", func(t *testing.T) {
		body := shipping.ReserveRequest{OrderID: h.order.ID, Units: tollgate.Units{Lot: lot, Count: 100}}
		resp := env.do(request{method: "POST", path: "/v1/exports", as: h.officer, body: body})
		if resp.Code < 400 {
			t.Errorf("reserving the rogue lot: status %d, want a refusal; body %s", resp.Code, resp.Body)
		}
	})
}

// TestEngagementLimits checks an engaged lab and broker against the terms
// of their engagements: a technician who is not the lab's own enabled
// technician, a lab abroad, a write dated after the engagement ended, and a
// lot outside a lot-limited engagement.
func TestEngagementLimits(t *testing.T) { apitest.ForEachBackend(t, testEngagementLimits) }

func testEngagementLimits(t *testing.T, dsn string) {
	h := newHostileWorld(t, dsn)
	env, ctx := h.env, context.Background()

	t.Run("TechnicianOfAnotherOrganization", func(t *testing.T) {
		r, err := h.w.SignedReport("LAB-OFFICER", tollgate.Units{Lot: "TW-LEGIT-1", Count: 20}, 1975)
		if err != nil {
			t.Fatal(err)
		}
		r.TechnicianUserID = h.officer.user.ID
		if r.Signature, err = shipping.SignReport(h.w.Priv, r); err != nil {
			t.Fatal(err)
		}
		p := env.problem(request{method: "POST", path: "/v1/lab-reports", as: h.tech, body: r}, http.StatusBadRequest)
		if p.Field != "technician_user_id" {
			t.Errorf("field %q, want technician_user_id (%s)", p.Field, p.Detail)
		}
	})
	t.Run("DisabledTechnician", func(t *testing.T) {
		yes := true
		if _, err := env.db.UpdateUser(ctx, h.w.Technician.ID, tollgate.UserUpdate{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		defer func() {
			no := false
			if _, err := env.db.UpdateUser(ctx, h.w.Technician.ID, tollgate.UserUpdate{Disabled: &no}); err != nil {
				t.Fatal(err)
			}
		}()
		r, err := h.w.SignedReport("LAB-DISABLED", tollgate.Units{Lot: "TW-LEGIT-1", Count: 20}, 1975)
		if err != nil {
			t.Fatal(err)
		}
		p := env.problem(request{method: "POST", path: "/v1/lab-reports", as: h.tech, body: r}, http.StatusBadRequest)
		if p.Field != "technician_user_id" {
			t.Errorf("field %q, want technician_user_id (%s)", p.Field, p.Detail)
		}
	})
	t.Run("LabAbroad", func(t *testing.T) {
		abroad := &tollgate.Org{Kind: tollgate.OrgLab, Name: "Offshore Lab", Country: "TW"}
		if err := env.db.CreateOrg(ctx, abroad); err != nil {
			t.Fatal(err)
		}
		p := env.problem(request{method: "POST", path: "/v1/engagements", as: h.admin, body: EngagementInput{
			EngagedOrgID: abroad.ID, Kind: tollgate.EngageTests, StartsOn: "2026-01-01"}}, http.StatusBadRequest)
		if p.Field != "engaged_org_id" {
			t.Errorf("field %q, want engaged_org_id (%s)", p.Field, p.Detail)
		}
	})
	t.Run("EndedEngagement", func(t *testing.T) {
		engs, _, err := env.db.FindEngagements(ctx, tollgate.EngagementFilter{EngagedOrgID: h.w.Broker.ID})
		if err != nil || len(engs) != 1 {
			t.Fatalf("the broker's engagements: %v, %v", engs, err)
		}
		must[tollgate.Engagement](env, request{method: "POST", path: "/v1/engagements/" + engs[0].ID + "/end", as: h.admin,
			body: EngagementEndInput{EndsOn: "2026-01-30"}}, http.StatusOK)
		// Its last day still takes the broker's entry; the day after does not.
		must[tollgate.ImportEntry](env, request{method: "POST", path: "/v1/imports", as: h.broker,
			body: h.importInput(h.broker, "TW-LAST-DAY", "")}, http.StatusCreated)
		late := h.importInput(h.broker, "TW-TOO-LATE", "")
		late.EntryDate = "2026-01-31"
		got := env.do(request{method: "POST", path: "/v1/imports", as: h.broker, body: late})
		late.ExporterOrgID = madeUpOrg
		madeUp := env.do(request{method: "POST", path: "/v1/imports", as: h.broker, body: late})
		wantCode(t, got, http.StatusNotFound)
		wantSameAnswer(t, got, h.w.Exporter.ID, madeUp, madeUpOrg)
		pay := DutyPaymentInput{PaymentReference: "ACH-LATE", PaidOn: "2026-01-31"}
		wantCode(t, env.do(request{method: "POST", path: "/v1/imports/" + h.legitEntry.ID + "/payment", as: h.broker, body: pay}),
			http.StatusNotFound)
		// The exporter still pays its own entry's duty.
		must[tollgate.ImportEntry](env, request{method: "POST", path: "/v1/imports/" + h.legitEntry.ID + "/payment", as: h.officer,
			body: pay}, http.StatusOK)
	})
	t.Run("LotOutsideLimit", func(t *testing.T) {
		must[tollgate.Engagement](env, request{method: "POST", path: "/v1/engagements", as: h.admin, body: EngagementInput{
			EngagedOrgID: h.rogueBroker.org.ID, Kind: tollgate.EngageImports, StartsOn: "2026-01-01", Lots: []string{"TW-LIMITED"}}},
			http.StatusCreated)
		must[tollgate.ImportEntry](env, request{method: "POST", path: "/v1/imports", as: h.rogueBroker,
			body: h.importInput(h.rogueBroker, "TW-LIMITED", "")}, http.StatusCreated)
		wantCode(t, env.do(request{method: "POST", path: "/v1/imports", as: h.rogueBroker,
			body: h.importInput(h.rogueBroker, "TW-OTHER", "")}), http.StatusNotFound)
	})
	t.Run("ExporterNamesUnengagedBroker", func(t *testing.T) {
		in := h.importInput(h.rogueBroker, "TW-OTHER", "")
		p := env.problem(request{method: "POST", path: "/v1/imports", as: h.officer, body: in}, http.StatusBadRequest)
		if p.Field != "importer_org_id" {
			t.Errorf("field %q, want importer_org_id (%s)", p.Field, p.Detail)
		}
	})
}
