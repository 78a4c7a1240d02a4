package api

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
)

// shipMatrix is the shipping part of the matrix world: the cast's exporter
// (home) with a screened customer, a license, US shipments, an import by
// the cast's broker of a lot tested by the cast's lab, a licensed order,
// and a shipped export.
type shipMatrix struct {
	mw      *matrixWorld
	w       *shipload.World
	license string
	// shipment, entry, report, order and export are objects the read
	// routes get.
	shipment *tollgate.DomesticShipment
	entry    *tollgate.ImportEntry
	report   *tollgate.LabReport
	order    *tollgate.Order
	export   *tollgate.Export
	seq      int
}

// matrixLot is the lot every fixture reservation takes a unit of.
const matrixLot = "MX-LOT-1"

func (mw *matrixWorld) shipping() *shipMatrix {
	return mw.object("shipping", func() any { return newShipMatrix(mw) }).(*shipMatrix)
}

func newShipMatrix(mw *matrixWorld) *shipMatrix {
	t, env := mw.env.t, mw.env
	ctx := context.Background()
	svc := newTestShipping(t, env.db).(*shipping.Service)
	customer := env.createParty(mw.home.ID, "Matrix Cloud Computing Ltd")
	mw.own(customer.ID, mw.home.ID)
	sm := &shipMatrix{mw: mw, w: &shipload.World{DB: env.db, Svc: svc, Now: env.clock.Now(), Exporter: mw.home,
		Broker: mw.cast.orgs[tollgate.OrgBroker], Lab: mw.cast.orgs[tollgate.OrgLab], Agency: mw.cast.orgs[tollgate.OrgAgency],
		Customer: &customer}}
	sm.screenCustomer()
	if err := sm.w.Engage(ctx); err != nil {
		t.Fatalf("shipping matrix: engagements: %v", err)
	}
	seed := sha256.Sum256([]byte("matrix lab key"))
	sm.w.Priv = ed25519.NewKeyFromSeed(seed[:])
	var err error
	check := func(what string, e error) {
		if e != nil {
			t.Fatalf("shipping matrix: %s: %v", what, e)
		}
	}
	sm.w.Key, err = svc.RegisterLabKey(ctx, sm.w.Lab.ID, sm.w.Priv.Public().(ed25519.PublicKey))
	check("lab key", err)
	sm.license, err = sm.w.License(ctx, 100_000)
	check("license", err)
	sm.shipment, err = sm.w.USShipment(ctx, 10_000)
	check("US shipment", err)
	sm.entry, err = sm.w.Import(ctx, 9_000_001, tollgate.Units{Lot: matrixLot, Count: 1000}, "")
	check("import", err)
	sm.report, err = sm.w.LabReport(ctx, "MX-LAB-1", tollgate.Units{Lot: matrixLot, Count: 20}, 1975)
	check("lab report", err)
	sm.order, err = sm.w.Order(ctx, "PO-MATRIX", 1000, sm.license)
	check("order", err)
	e := sm.reservation()
	sm.export, err = svc.Ship(ctx, e.ID, "AES-MATRIX", e.ReservedAt)
	check("ship", err)
	return sm
}

// screenCustomer records a clear screening of the customer against the
// current list versions, which fixtures of other routes may have added.
func (sm *shipMatrix) screenCustomer() {
	ctx := context.Background()
	vs, err := sm.mw.env.db.CurrentListVersions(ctx)
	if err != nil {
		sm.mw.env.t.Fatal(err)
	}
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	if _, err := sm.mw.env.db.RecordScreening(ctx, &tollgate.Screening{PartyID: sm.w.Customer.ID, ListVersionIDs: ids, Threshold: 0.9}); err != nil {
		sm.mw.env.t.Fatal(err)
	}
}

// reviewOne has the lab review one unit of the lot: every reservation
// needs a review of exactly its units, used by no other.
func (sm *shipMatrix) reviewOne() {
	sm.seq++
	if _, err := sm.w.LabReport(context.Background(), fmt.Sprintf("MX-LAB-R%d", sm.seq), tollgate.Units{Lot: matrixLot, Count: 1}, 1975); err != nil {
		sm.mw.env.t.Fatalf("shipping matrix: review: %v", err)
	}
}

// reservation reserves one unit of the lot on the order.
func (sm *shipMatrix) reservation() *tollgate.Export {
	sm.screenCustomer()
	sm.reviewOne()
	e, err := sm.w.Svc.Reserve(context.Background(), shipping.ReserveRequest{OrderID: sm.order.ID, Units: tollgate.Units{Lot: matrixLot, Count: 1}})
	if err != nil {
		sm.mw.env.t.Fatalf("shipping matrix: reserve: %v", err)
	}
	sm.mw.own(e.ID, sm.w.Exporter.ID)
	return e
}

// importInput is an import entry of the cast's broker with duty owed, new at
// every call.
func (sm *shipMatrix) importInput() ImportInput {
	sm.seq++
	s := fmt.Sprintf("%07d", 9_100_000+sm.seq)
	check, _ := tollgate.EntryCheckDigit("MTX", s)
	return ImportInput{ImporterOrgID: sm.w.Broker.ID, ExporterOrgID: sm.w.Exporter.ID, ImporterOfRecord: "Home Exporter",
		EntryNumber: "MTX-" + s + "-" + string(check), Line: 1, EntryDate: "2026-01-30", Product: shipload.Product,
		Units: tollgate.Units{Lot: fmt.Sprintf("MX-LOT-N%d", sm.seq), Count: 10}, CountryOfOrigin: "TW", HTS: "8473.30.1180",
		EnteredValueCents: 10 * 2_500_000}
}

// freshKey registers a new key with the cast's lab.
func (sm *shipMatrix) freshKey() *tollgate.LabKey {
	sm.seq++
	seed := sha256.Sum256(fmt.Appendf(nil, "matrix key %d", sm.seq))
	k, err := sm.w.Svc.RegisterLabKey(context.Background(), sm.w.Lab.ID, ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey))
	if err != nil {
		sm.mw.env.t.Fatal(err)
	}
	return k
}

func init() {
	home := func(w *matrixWorld) auth.Ownership { return auth.OwnedBy(w.shipping().w.Exporter.ID) }
	fixtures := map[string]func(w *matrixWorld) matrixCall{
		"POST /v1/shipments": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/shipments", owner: home(w), body: USShipmentInput{ExporterOrgID: w.home.ID, Product: "H200",
				Units: 1, ShippedOn: "2026-01-20", Customer: "US Cloud", EndUse: "cloud AI services", Reference: w.unique("INV")}}
		},
		"GET /v1/shipments/{id}": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/shipments/" + w.shipping().shipment.ID, owner: home(w)}
		},
		"POST /v1/shipments/{id}/reverse": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/shipments/" + w.shipping().shipment.ID + "/reverse", owner: home(w),
				body: ReversalInput{Units: 1, Reason: "returned by the customer"}}
		},
		"POST /v1/imports": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			// The body names the caller's organization as the importer:
			// what counts is whether the exporter engaged it.
			in := sm.importInput()
			e, _ := in.entry()
			claim := func(p *tollgate.Principal) any { c := in; c.ImporterOrgID = p.OrgID; return c }
			return matrixCall{path: "/v1/imports", body: in, claim: claim, owner: w.engagedOwner(tollgate.EngagementScope{ExporterOrgID: e.ExporterOrgID,
				Kind: tollgate.EngageImports, Day: e.EntryDate, Lot: e.Units.Lot})}
		},
		"GET /v1/imports/{id}": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			return matrixCall{path: "/v1/imports/" + sm.entry.ID, owner: auth.OwnedBy(sm.w.Exporter.ID, sm.w.Broker.ID)}
		},
		"POST /v1/imports/{id}/payment": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			in := sm.importInput()
			e, _ := in.entry()
			entry, err := sm.w.Svc.RecordImport(context.Background(), e)
			if err != nil {
				w.env.t.Fatal(err)
			}
			paidOn := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
			return matrixCall{path: "/v1/imports/" + entry.ID + "/payment", owner: w.engagedOwner(tollgate.EngagementScope{
				ExporterOrgID: entry.ExporterOrgID, Kind: tollgate.EngageImports, Day: paidOn, Lot: entry.Units.Lot}),
				body: DutyPaymentInput{PaymentReference: "ACH-" + entry.ID[:8], PaidOn: paidOn.Format(time.DateOnly)}}
		},
		"POST /v1/labs/{org}/keys": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			sm.seq++
			seed := sha256.Sum256(fmt.Appendf(nil, "matrix api key %d", sm.seq))
			return matrixCall{path: "/v1/labs/" + sm.w.Lab.ID + "/keys", owner: labOwnership(sm.w.Lab.ID),
				body: LabKeyInput{PublicKey: ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)}}
		},
		"GET /v1/labs/{org}/keys": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/labs/" + w.shipping().w.Lab.ID + "/keys", list: true}
		},
		"POST /v1/labs/{org}/keys/{id}/revoke": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			return matrixCall{path: "/v1/labs/" + sm.w.Lab.ID + "/keys/" + sm.freshKey().ID + "/revoke", owner: labOwnership(sm.w.Lab.ID),
				body: LabKeyRevokeInput{Reason: "key rotated"}}
		},
		"POST /v1/lab-reports": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			sm.seq++
			r := signedMatrixReport(sm, fmt.Sprintf("MX-LAB-N%d", sm.seq))
			// The body names the caller's organization as the lab: what
			// counts is whether the exporter engaged it.
			claim := func(p *tollgate.Principal) any { c := r; c.LabOrgID = p.OrgID; return c }
			return matrixCall{path: "/v1/lab-reports", body: r, claim: claim, owner: w.engagedOwner(tollgate.EngagementScope{ExporterOrgID: r.ExporterOrgID,
				Kind: tollgate.EngageTests, Day: r.TestedAt, ApplicationID: r.ApplicationID, Lot: r.Units.Lot})}
		},
		"GET /v1/lab-reports/{id}": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			return matrixCall{path: "/v1/lab-reports/" + sm.report.ID, owner: auth.OwnedBy(sm.w.Exporter.ID, sm.w.Lab.ID)}
		},
		"POST /v1/exports": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			sm.screenCustomer()
			sm.reviewOne()
			return matrixCall{path: "/v1/exports", owner: home(w),
				body: shipping.ReserveRequest{OrderID: sm.order.ID, Units: tollgate.Units{Lot: matrixLot, Count: 1}}}
		},
		"GET /v1/exports/{id}": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/exports/" + w.shipping().export.ID, owner: home(w)}
		},
		"POST /v1/exports/{id}/ship": func(w *matrixWorld) matrixCall {
			e := w.shipping().reservation()
			return matrixCall{path: "/v1/exports/" + e.ID + "/ship", owner: home(w),
				body: ShipInput{FilingReference: "AES-" + e.ID[:8], ExportedOn: e.ReservedAt.Format(time.DateOnly)}}
		},
		"POST /v1/exports/{id}/void": func(w *matrixWorld) matrixCall {
			e := w.shipping().reservation()
			return matrixCall{path: "/v1/exports/" + e.ID + "/void", owner: home(w), body: VoidInput{Reason: "customer postponed"}}
		},
		"GET /v1/caps/{product}": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/caps/H200?exporter_org_id=" + w.shipping().w.Exporter.ID, owner: home(w)}
		},
		"POST /v1/orders": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			return matrixCall{path: "/v1/orders", owner: home(w), body: OrderInput{ExporterOrgID: sm.w.Exporter.ID,
				CustomerPartyID: sm.w.Customer.ID, Reference: w.unique("PO"), Product: "H200", Quantity: 10,
				UnitPriceCents: shipload.UnitPriceCents, Destination: "CN"}}
		},
		"GET /v1/orders/{id}": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/orders/" + w.shipping().order.ID, owner: home(w)}
		},
		"POST /v1/orders/{id}/events": func(w *matrixWorld) matrixCall {
			sm := w.shipping()
			o, err := sm.w.Order(context.Background(), w.unique("PO-EV"), 10, "")
			if err != nil {
				w.env.t.Fatal(err)
			}
			return matrixCall{path: "/v1/orders/" + o.ID + "/events", owner: home(w),
				body: OrderEventInput{Kind: shipping.OrderEventLicense, LicenseID: sm.license}}
		},
		"POST /v1/orders/{id}/prc-status": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/orders/" + w.shipping().order.ID + "/prc-status", owner: home(w),
				body: PRCStatusInput{Status: tollgate.PRCApproved, Reference: "MOFCOM-2026-0128", Date: "2026-01-28"}}
		},
		"GET /v1/reports/shipping": func(w *matrixWorld) matrixCall {
			return matrixCall{path: "/v1/reports/shipping?from=2026-01-01&to=2026-03-01&exporter_org_id=" + w.shipping().w.Exporter.ID,
				owner: home(w)}
		},
	}
	for k, f := range fixtures {
		matrixFixtures[k] = f
	}
}

// signedMatrixReport is a passing report, signed with the lab's key, on
// units of the fixture lot.
func signedMatrixReport(sm *shipMatrix, number string) tollgate.LabReport {
	r, err := sm.w.SignedReport(number, tollgate.Units{Lot: matrixLot, Count: 5}, 1975)
	if err != nil {
		sm.mw.env.t.Fatal(err)
	}
	return r
}
