package licensingtest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/internal/testenv"
	"tollgate/licensing"
	"tollgate/store"
)

// ServiceConfig is the configuration NewService uses: the default rules
// and catalog, and Authorize.
func ServiceConfig() licensing.ServiceConfig {
	return licensing.ServiceConfig{Config: licensing.DefaultConfig(), Rules: classify.Default(),
		Catalog: catalog.Default(), Authorize: Authorize}
}

// Draft returns a complete H200 application of the world's exporter: 1,000
// units to the Chinese end user, with 10,000 units stated as shipped to US
// customers.
func (w *World) Draft() licensing.Draft {
	return licensing.Draft{
		Parties: tollgate.ApplicationParties{Applicant: w.Exporter.ID, Purchaser: w.Purchaser.ID,
			UltimateConsignee: w.Consignee.ID, EndUsers: []string{w.EndUser.ID}},
		Destination: "CN", ExportFrom: "US",
		EndUse: "Training and serving large language models in the end user's own data center in Beijing.",
		Items: []tollgate.ApplicationItem{{Model: "H200", ECCN: "3A090.a", Quantity: 1000, UnitPriceCents: 2_700_000,
			Manufacturer: "Nvidia", Description: "Nvidia H200 SXM 141 GB data-center GPU"}},
		USShipments: []tollgate.USUnitsShipped{{Product: "H200", Units: 10_000}},
	}
}

// Certifications returns the six certifications of the H200 rule as the
// officer Jane Officer makes them.
func Certifications() []licensing.CertificationInput {
	var out []licensing.CertificationInput
	for _, c := range licensing.H200Certifications() {
		out = append(out, licensing.CertificationInput{Code: c.Code, Statement: c.Statement, OfficerName: "Jane Officer"})
	}
	return out
}

// PDF returns a small, complete PDF document whose text is text.
func PDF(text string) []byte {
	return []byte(fmt.Sprintf("%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%% %s\ntrailer << /Root 1 0 R >>\n%%%%EOF\n", text))
}

// Approval returns the approval of the world's draft in full, with one
// condition binding the ultimate consignee and the end user. The license
// number is left to the service.
func Approval() *tollgate.ApplicationDecision {
	return &tollgate.ApplicationDecision{
		Outcome: tollgate.DecisionApprove,
		Items:   []tollgate.LicenseItem{{Product: "H200", Quantity: 1000, ValueCents: 2_700_000_000}},
		Conditions: []tollgate.Condition{{ID: "C1", Text: "No remote access to the items from outside the end user's premises.",
			Binds: []tollgate.PartyRole{tollgate.RoleUltimateConsignee, tollgate.RoleEndUser}}},
	}
}

// Submitted creates, documents, certifies and submits the world's draft
// as the officer, and returns its id.
func (w *World) Submitted(tb testing.TB, svc *licensing.Service) string {
	tb.Helper()
	id := w.Certified(tb, svc)
	_, err := svc.Submit(As(w.Officer()), id, 0)
	must(tb, err)
	return id
}

// Certified creates the world's draft with a document and the six
// certifications, ready to submit, and returns its id.
func (w *World) Certified(tb testing.TB, svc *licensing.Service) string {
	tb.Helper()
	ctx := As(w.Officer())
	sa, err := svc.CreateDraft(ctx, w.Draft())
	must(tb, err)
	_, _, err = svc.UploadDocument(ctx, sa.ID, "end-user-statement.pdf", "application/pdf", PDF("end-user statement"))
	must(tb, err)
	for _, c := range Certifications() {
		_, err = svc.Certify(ctx, sa.ID, c, 0)
		must(tb, err)
	}
	return sa.ID
}

// Open opens the store named by dsn on clock and closes it when tb ends.
func Open(tb testing.TB, dsn string, clock func() time.Time) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), dsn, clock)
	must(tb, err)
	tb.Cleanup(func() { db.Close() })
	return db
}

// ForEachBackend runs f as a subtest on a fresh SQLite store and, when
// TOLLGATE_TEST_POSTGRES names a server, on a fresh PostgreSQL schema.
func ForEachBackend(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, "sqlite:"+filepath.Join(t.TempDir(), "tollgate.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, postgresDSN(t)) })
}

// postgresDSN creates a schema of its own for tb and returns a URL whose
// search_path selects it; the schema is dropped when tb ends.
func postgresDSN(tb testing.TB) string {
	tb.Helper()
	return testenv.PostgresSchema(tb, "tollgate_licensing_test_")
}
