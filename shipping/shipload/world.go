package shipload

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"time"

	"tollgate"
	"tollgate/catalog"
	"tollgate/shipping"
	"tollgate/store"
)

// World is a small, complete shipping world in a store: an exporter, the
// broker it engaged for its imports, the lab it engaged for its tests (with
// a technician and a registered key), a licensing agency, and a customer
// in China cleared by a screening against the current list. Its methods
// add what a test or a benchmark needs: licenses, US shipments, imports,
// lab reports and orders.
type World struct {
	DB  *store.DB
	Svc *shipping.Service
	// Now is the store's time when the world was made.
	Now                           time.Time
	Exporter, Broker, Lab, Agency *tollgate.Org
	Customer                      *tollgate.Party
	// ApplicationID is the application of the latest License.
	ApplicationID string
	// Key and Priv are the lab's registered key pair.
	Key  *tollgate.LabKey
	Priv ed25519.PrivateKey
	// Technician is the lab's technician, who signs its reports.
	Technician *tollgate.User
}

// NewWorld makes the organizations, the screened customer and the lab key.
func NewWorld(ctx context.Context, db *store.DB, svc *shipping.Service) (*World, error) {
	w := &World{DB: db, Svc: svc}
	for _, o := range []struct {
		p    **tollgate.Org
		kind tollgate.OrgKind
		name string
	}{{&w.Exporter, tollgate.OrgExporter, "Load Exporter Corp"}, {&w.Broker, tollgate.OrgBroker, "Load Customs Brokers"},
		{&w.Lab, tollgate.OrgLab, "Load Test Lab"}, {&w.Agency, tollgate.OrgAgency, "Load Licensing Agency"}} {
		org := &tollgate.Org{Kind: o.kind, Name: o.name, Country: "US"}
		if err := db.CreateOrg(ctx, org); err != nil {
			return nil, fmt.Errorf("shipload.NewWorld: %w", err)
		}
		*o.p = org
	}
	w.Now = w.Exporter.CreatedAt
	w.Customer = &tollgate.Party{OrgID: w.Exporter.ID, Role: tollgate.RoleUltimateConsignee, Type: tollgate.EntityOrganization,
		LegalName: "Load Cloud Computing Co., Ltd.", Country: "CN"}
	if err := db.CreateParty(ctx, w.Customer); err != nil {
		return nil, fmt.Errorf("shipload.NewWorld: %w", err)
	}
	sum := sha256.Sum256([]byte("shipload list " + w.Exporter.ID))
	v, _, err := db.ImportListVersion(ctx, &tollgate.ListImport{Source: "csl", Format: "csl-csv",
		Digest: fmt.Sprintf("%x", sum), FileName: "shipload.csv",
		Entities: []tollgate.Entity{{List: "EL", SourceID: "EL-1", Name: "Huawei Technologies Co., Ltd.", Type: tollgate.EntityOrganization}}})
	if err != nil {
		return nil, fmt.Errorf("shipload.NewWorld: %w", err)
	}
	if _, err := db.RecordScreening(ctx, &tollgate.Screening{PartyID: w.Customer.ID, ListVersionIDs: []string{v.ID}, Threshold: 0.9}); err != nil {
		return nil, fmt.Errorf("shipload.NewWorld: %w", err)
	}
	if err := w.Engage(ctx); err != nil {
		return nil, fmt.Errorf("shipload.NewWorld: %w", err)
	}
	seed := sha256.Sum256([]byte("shipload lab key " + w.Exporter.ID))
	w.Priv = ed25519.NewKeyFromSeed(seed[:])
	if w.Key, err = svc.RegisterLabKey(ctx, w.Lab.ID, w.Priv.Public().(ed25519.PublicKey)); err != nil {
		return nil, fmt.Errorf("shipload.NewWorld: %w", err)
	}
	return w, nil
}

// Engage makes the lab's technician and engages the broker for the
// exporter's imports and the lab for its tests, from a year before the
// world's date with no end.
func (w *World) Engage(ctx context.Context) error {
	w.Technician = &tollgate.User{OrgID: w.Lab.ID, Email: "technician-" + w.Lab.ID[len(w.Lab.ID)-12:] + "@lab.example",
		Name: "Lab Technician", Roles: []tollgate.Role{tollgate.RoleLabTechnician}}
	if err := w.DB.CreateUser(ctx, w.Technician); err != nil {
		return err
	}
	for _, e := range []*tollgate.Engagement{
		{ExporterOrgID: w.Exporter.ID, EngagedOrgID: w.Broker.ID, Kind: tollgate.EngageImports, StartsOn: w.day(-365)},
		{ExporterOrgID: w.Exporter.ID, EngagedOrgID: w.Lab.ID, Kind: tollgate.EngageTests, StartsOn: w.day(-365)},
	} {
		if err := w.DB.CreateEngagement(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// day returns the world's date, shifted by days.
func (w *World) day(days int) time.Time {
	y, m, d := w.Now.UTC().Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, time.UTC)
}

// License stores an application and the license issued on it for units
// H200s to the customer in China, valid from a month before the world's
// date for four years, and returns the license's id. It goes through the
// store, as the licensing service would, and audits the issue.
func (w *World) License(ctx context.Context, units int64) (string, error) {
	parties := tollgate.ApplicationParties{Applicant: w.Exporter.ID, Purchaser: w.Customer.ID, UltimateConsignee: w.Customer.ID}
	var id string
	err := w.DB.Update(ctx, func(tx *store.Tx) error {
		app, err := tx.InsertApplication(ctx, &tollgate.Application{Parties: parties, Destination: "CN", ExportFrom: "US",
			EndUse: "training large language models in a commercial data center",
			Items: []tollgate.ApplicationItem{{Model: Product, ECCN: "3A090.a", Quantity: units, UnitPriceCents: UnitPriceCents,
				TotalCents: units * UnitPriceCents}}})
		if err != nil {
			return err
		}
		lic := &tollgate.License{Number: fmt.Sprintf("D%06d", tx.Now().UnixMicro()%1_000_000), HolderOrgID: w.Exporter.ID,
			ApplicationID: app.ID, ControlNumber: "Z000001", Parties: parties, Destination: "CN",
			Items:     []tollgate.LicenseItem{{Product: Product, ECCN: "3A090.a", Quantity: units, ValueCents: units * UnitPriceCents}},
			ValidFrom: w.day(-30), ValidTo: w.day(4 * 365), Status: tollgate.LicenseActive, IssuedAt: tx.Now()}
		if err := tx.InsertLicense(ctx, lic, w.Agency.ID); err != nil {
			return err
		}
		w.ApplicationID, id = app.ID, lic.ID
		return tx.Audit(ctx, "license.issue", "license", lic.ID, nil, lic)
	})
	return id, err
}

// USShipment records units H200s shipped to a US customer a week before
// the world's date.
func (w *World) USShipment(ctx context.Context, units int64) (*tollgate.DomesticShipment, error) {
	return w.Svc.RecordUSShipment(ctx, tollgate.DomesticShipment{ExporterOrgID: w.Exporter.ID, Product: Product,
		Units: units, ShippedOn: w.day(-7), Customer: "US Cloud Inc.", EndUse: "cloud AI services", Reference: fmt.Sprintf("INV-US-%d", units)})
}

// Import records line 1 of the world's entry number seq by the broker:
// units H200s from Taiwan entered three days before the world's date at
// $25,000 each, under the end-use exemption heading when it is not empty.
// Entry numbers are offset by a number drawn from the exporter's id, so
// that worlds sharing a store do not collide.
func (w *World) Import(ctx context.Context, seq int, units tollgate.Units, exemption string) (*tollgate.ImportEntry, error) {
	sum := sha256.Sum256([]byte(w.Exporter.ID))
	base := int(sum[0])<<16 | int(sum[1])<<8 | int(sum[2])
	s := fmt.Sprintf("%07d", (base+seq)%10_000_000)
	check, err := tollgate.EntryCheckDigit("LDX", s)
	if err != nil {
		return nil, err
	}
	e := tollgate.ImportEntry{ImporterOrgID: w.Broker.ID, ExporterOrgID: w.Exporter.ID,
		ImporterOfRecord: "Load Exporter Corp", EntryNumber: "LDX-" + s + "-" + string(check), Line: 1,
		EntryDate: w.day(-3), Product: Product, Units: units, CountryOfOrigin: "TW", HTS: "8473.30.1180",
		EnteredValueCents: units.Count * 2_500_000}
	if exemption != "" {
		e.Exemption, e.EndUseCertification = exemption, "US data center end-use certificate"
	}
	return w.Svc.RecordImport(ctx, e)
}

// SignedReport returns the lab's report numbered number on units of the
// latest License's application, every unit examined, judged against the
// catalog's H200 under the default review rules with the FP8 throughput
// measured (1975 passes; above 1998.79 fails with the 1% tolerance), and
// signed with the lab's key, without recording it.
func (w *World) SignedReport(number string, units tollgate.Units, fp8 float64) (tollgate.LabReport, error) {
	spec, err := catalog.Default().Lookup(Product)
	if err != nil {
		return tollgate.LabReport{}, err
	}
	r, err := shipping.Judge(tollgate.LabReport{Number: number, LabOrgID: w.Lab.ID, TechnicianUserID: w.Technician.ID,
		ExporterOrgID: w.Exporter.ID, ApplicationID: w.ApplicationID, Product: Product, Units: units,
		Examined: units.Count, SamplingPlan: "every unit", Method: "dense FP8 GEMM; HBM stream copy", Measured: []tollgate.PeakThroughput{{Precision: "FP8", Value: fp8, BitLength: 8}},
		MeasuredDRAMBandwidthGBps: 4790, ToleranceBP: 100, TestedAt: w.Now.Add(-time.Hour).Truncate(time.Second), KeyID: w.Key.ID}, spec, shipping.DefaultReviewRules())
	if err != nil {
		return tollgate.LabReport{}, err
	}
	r.Signature, err = shipping.SignReport(w.Priv, r)
	return r, err
}

// LabReport records SignedReport(number, units, fp8).
func (w *World) LabReport(ctx context.Context, number string, units tollgate.Units, fp8 float64) (*tollgate.LabReport, error) {
	r, err := w.SignedReport(number, units, fp8)
	if err != nil {
		return nil, err
	}
	return w.Svc.RecordLabReport(ctx, r)
}

// Order records the customer's order reference for units H200s at
// UnitPriceCents and, when licenseID is not empty, licenses it.
func (w *World) Order(ctx context.Context, reference string, units int64, licenseID string) (*tollgate.Order, error) {
	o, err := w.Svc.CreateOrder(ctx, tollgate.Order{ExporterOrgID: w.Exporter.ID, CustomerPartyID: w.Customer.ID,
		Reference: reference, Product: Product, Quantity: units, UnitPriceCents: UnitPriceCents, Destination: "CN"})
	if err != nil || licenseID == "" {
		return o, err
	}
	return w.Svc.ApplyOrderEvent(ctx, o.ID, shipping.OrderEvent{Kind: shipping.OrderEventLicense, LicenseID: licenseID})
}
