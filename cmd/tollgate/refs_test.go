package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/shipping"
	"tollgate/store"
)

// TestReferencesResolve checks that every command taking an organization,
// product, license, party or order resolves it through one resolver:
// names and ids both, and a reference to nothing is an error naming the
// flag and the value (exit 1), never an empty answer.
func TestReferencesResolve(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	w, license := shipWorld(t, dsn)
	t.Run("OK", func(t *testing.T) {
		for _, exporter := range []string{w.Exporter.ID, "Load Exporter Corp", "load exporter", "LOAD-EXPORTER corp."} {
			var pos shipping.CapPosition
			mustShipCLI(t, dsn, &pos, "exports", "cap", "h200", "--exporter", exporter, "--json")
			if pos.Product != "H200 SXM" {
				t.Errorf("exports cap --exporter %q: product %q, want the catalog's H200 SXM", exporter, pos.Product)
			}
		}
		mustShipCLI(t, dsn, nil, "report", "--exporter", "Load Exporter Corp", "--product", "H200")
		mustShipCLI(t, dsn, nil, "imports", "--importer", "Load Customs Brokers")
		mustShipCLI(t, dsn, nil, "exports", "--license", license)
	})
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(ctx, &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Load Exporter Holdings", Country: "US"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"ExporterName", []string{"exports", "cap", "H200", "--exporter", "NVIDIA Corporation"}, `--exporter: no exporter organization has the id or name "NVIDIA Corporation"`},
		{"ExporterID", []string{"exports", "cap", "H200", "--exporter", "01JZZZZZZZZZZZZZZZZZZZZZZZ"}, `--exporter: no exporter organization`},
		{"Product", []string{"exports", "cap", "H2000", "--exporter", w.Exporter.ID}, `PRODUCT: unknown model "H2000"; did you mean "H200 SXM"`},
		{"ReportExporter", []string{"report", "--exporter", "nvidia"}, `--exporter: no exporter organization has the id or name "nvidia"`},
		{"ReportProduct", []string{"report", "--exporter", w.Exporter.ID, "--product", "H2000"}, `--product: unknown model`},
		{"WrongKind", []string{"report", "--exporter", w.Lab.ID}, `is a lab, not an exporter`},
		{"Ambiguous", []string{"report", "--exporter", "load exporter"}, `names 2 organizations`},
		{"License", []string{"exports", "--license", "D999999"}, `--license: no license "D999999"`},
		{"Order", []string{"exports", "reserve", "--order", "nope", "--lot", "L", "--count", "1"}, `--order: no order "nope"`},
		{"Customer", []string{"orders", "add", "--exporter", w.Exporter.ID, "--customer", "nobody", "--reference", "R",
			"--product", "H200", "--quantity", "1", "--unit-price-cents", "1"}, `--customer: no party "nobody"`},
		{"Lab", []string{"labs", "reports", "--lab", "Nowhere Labs"}, `--lab: no lab organization`},
		{"Parties", []string{"parties", "--org-id", "nobody"}, `--org-id: no organization`},
		{"Users", []string{"users", "list", "--org", "nobody"}, `--org: no organization`},
		{"Licenses", []string{"licenses", "--org-id", "nobody"}, `--org-id: no organization`},
		{"Applications", []string{"applications", "--org-id", "nobody"}, `--org-id: no organization`},
		{"Shipments", []string{"shipments", "--product", "H2000"}, `--product: unknown model`},
		{"Application", []string{"applications", "event", "Z999999", "accept"}, `APP: no application "Z999999"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := shipCLI(t, dsn, "", tt.args...)
			if err == nil || exitCode(err) != 1 || !strings.Contains(errorLine(err), tt.want) {
				t.Errorf("tollgate %s: err %v (output %q), want exit 1 with %q", strings.Join(tt.args, " "), err, out, tt.want)
			}
		})
	}
}
