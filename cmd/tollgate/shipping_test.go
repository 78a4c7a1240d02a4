package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
	"tollgate/store"
)

// shipCLI runs tollgate against dsn (no store when empty) with stdin and
// returns stdout.
func shipCLI(t *testing.T, dsn, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"TOLLGATE_DATA": t.TempDir(), "USER": "officer1"}
	if dsn != "" {
		args = append(args, "--db", dsn)
	}
	err := run(context.Background(), args, func(k string) string { return env[k] },
		strings.NewReader(stdin), &out, &errb)
	return out.String(), err
}

// mustShipCLI is shipCLI that fails t on an error and decodes --json output
// into v when v is not nil.
func mustShipCLI(t *testing.T, dsn string, v any, args ...string) string {
	t.Helper()
	out, err := shipCLI(t, dsn, "", args...)
	if err != nil {
		t.Fatalf("tollgate %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("tollgate %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return out
}

// shipWorld makes the organizations, the screened customer and a license
// in the store at dsn, as licensing and screening would.
func shipWorld(t *testing.T, dsn string) (*shipload.World, string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := shipping.NewService(db, classify.Default(), catalog.Default().Lookup, shipping.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	w, err := shipload.NewWorld(ctx, db, svc)
	if err != nil {
		t.Fatal(err)
	}
	license, err := w.License(ctx, 6000)
	if err != nil {
		t.Fatal(err)
	}
	return w, license
}

// TestShippingCommands runs the shipping story through the CLI: a US
// shipment, an import with its duty, a lab key made, registered and used to
// sign a report, an order licensed, reserved, shipped, the cap, the report,
// and the verification.
func TestShippingCommands(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	w, license := shipWorld(t, dsn)
	exporter := w.Exporter.ID
	today := time.Now().UTC().Format(time.DateOnly)
	past := time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)

	mustShipCLI(t, dsn, nil, "shipments", "add", "--exporter", exporter, "--product", "h200", "--units", "10000",
		"--shipped-on", past, "--customer", "US Cloud Inc.", "--end-use", "cloud AI services", "--reference", "INV-1")
	// Only end-use customers count: not the exporter itself.
	if out, err := shipCLI(t, dsn, "", "shipments", "add", "--exporter", exporter, "--product", "H200", "--units", "10",
		"--shipped-on", past, "--customer", w.Exporter.Name, "--end-use", "stock", "--reference", "INV-SELF"); err == nil ||
		!strings.Contains(err.Error(), "only end-use customers count") {
		t.Errorf("shipments add to the exporter itself = %v, want refused\n%s", err, out)
	}
	var entry tollgate.ImportEntry
	mustShipCLI(t, dsn, &entry, "imports", "add", "--importer", w.Broker.ID, "--exporter", exporter, "--importer-of-record",
		"Load Exporter Corp", "--entry-number", "ABC12345676", "--entry-date", past, "--product", "H200", "--lot", "TW-1",
		"--count", "1000", "--origin", "TW", "--hts", "8473.30.1180", "--entered-value-cents", "2500000000", "--json")
	if entry.DutyCents != 625_000_000 || entry.Heading != "9903.79.01" || entry.EntryNumber != "ABC-1234567-6" {
		t.Errorf("import: entry %s heading %s duty %d, want ABC-1234567-6, 9903.79.01, 625000000", entry.EntryNumber, entry.Heading, entry.DutyCents)
	}
	if out := mustShipCLI(t, dsn, nil, "imports", "--exporter", exporter); !strings.Contains(out, "$6,250,000.00") {
		t.Errorf("imports list does not show the duty:\n%s", out)
	}

	dir := t.TempDir()
	keyFile := filepath.Join(dir, "lab.key")
	mustShipCLI(t, "", nil, "labs", "keygen", "--out", keyFile)
	mustShipCLI(t, dsn, nil, "labs", "register-key", "--lab", w.Lab.ID, "--key", keyFile)
	draft := tollgate.LabReport{Number: "LAB-CLI-1", LabOrgID: w.Lab.ID, TechnicianUserID: w.Technician.ID, ExporterOrgID: exporter,
		ApplicationID: w.ApplicationID, Product: "H200", Units: tollgate.Units{Lot: "TW-1", Count: 10},
		Examined: 1, SamplingPlan: "one unit",
		Measured: []tollgate.PeakThroughput{{Precision: "FP8", Value: 1975, BitLength: 8}}, MeasuredDRAMBandwidthGBps: 4790,
		Method: "dense FP8 GEMM", ToleranceBP: 100, TestedAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Second)}
	draftFile, signedFile := filepath.Join(dir, "report.json"), filepath.Join(dir, "signed.json")
	b, _ := json.Marshal(draft)
	if err := os.WriteFile(draftFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// A sample below the agency's minimum (every unit) is refused.
	if out, err := shipCLI(t, "", "", "labs", "sign", "--key", keyFile, "--in", draftFile, "--out", signedFile); err == nil ||
		!strings.Contains(err.Error(), "examined 1 of 10 units (sampling plan: one unit); the licensing agency's minimum is 10") {
		t.Fatalf("labs sign (1 of 10 examined) = %v, want the sampling minimum refused\n%s", err, out)
	}
	draft.Examined, draft.SamplingPlan = 10, "every unit"
	b, _ = json.Marshal(draft)
	if err := os.WriteFile(draftFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	mustShipCLI(t, "", nil, "labs", "sign", "--key", keyFile, "--in", draftFile, "--out", signedFile)
	var signed tollgate.LabReport
	if b, err := os.ReadFile(signedFile); err != nil || json.Unmarshal(b, &signed) != nil {
		t.Fatalf("read %s: %v", signedFile, err)
	}
	// The lab's 1% gives way to the agency's 5%; the sample is signed.
	if signed.ToleranceBP != 500 || signed.Examined != 10 || signed.SamplingPlan != "every unit" || len(signed.Findings) != 4 {
		t.Errorf("signed report: tolerance %d, examined %d, plan %q, findings %q; want 500, 10, every unit and four findings",
			signed.ToleranceBP, signed.Examined, signed.SamplingPlan, signed.Findings)
	}
	if out := mustShipCLI(t, dsn, nil, "labs", "record", "--in", signedFile); !strings.Contains(out, "PASS") {
		t.Errorf("labs record:\n%s", out)
	}

	var order tollgate.Order
	mustShipCLI(t, dsn, &order, "orders", "add", "--exporter", exporter, "--customer", w.Customer.ID, "--reference", "PO-CLI-1",
		"--product", "H200", "--quantity", "100", "--unit-price-cents", "2700000", "--json")
	mustShipCLI(t, dsn, nil, "orders", "license", order.ID, "--license", license)
	var e tollgate.Export
	mustShipCLI(t, dsn, &e, "exports", "reserve", "--order", order.ID, "--lot", "TW-1", "--count", "10", "--json")
	if out := mustShipCLI(t, dsn, nil, "exports", "ship", e.ID, "--filing-reference", "X2026", "--exported-on", today); !strings.Contains(out, "shipped") {
		t.Errorf("exports ship:\n%s", out)
	}
	var pos shipping.CapPosition
	mustShipCLI(t, dsn, &pos, "exports", "cap", "H200", "--exporter", exporter, "--json")
	if pos.CapUnits != 5000 || pos.HeldUnits != 10 {
		t.Errorf("cap: %+v, want cap 5000, held 10", pos)
	}
	if out, err := shipCLI(t, dsn, "", "exports", "reserve", "--order", order.ID, "--lot", "TW-1", "--count", "91"); err == nil ||
		exitCode(err) != 1 || !strings.Contains(errorLine(err), "order quantity exceeded") {
		t.Errorf("reserve past the order: %v\n%s", err, out)
	}
	csv := mustShipCLI(t, dsn, nil, "report", "--exporter", exporter, "--product", "H200")
	if !strings.Contains(csv, "china_revenue_cents") || !strings.Contains(csv, ",27000000,") {
		t.Errorf("report CSV:\n%s", csv)
	}
	if out := mustShipCLI(t, dsn, nil, "exports", "verify"); !strings.Contains(out, "exact") {
		t.Errorf("verify:\n%s", out)
	}
	mustShipCLI(t, dsn, nil, "exports", "sweep")
}

// TestShippingUsageErrors checks that bad flags are usage errors (exit
// status 2) naming the flag.
func TestShippingUsageErrors(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	w, _ := shipWorld(t, dsn)
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"shipments", "add", "--exporter", w.Exporter.ID, "--product", "H200", "--units", "0", "--shipped-on", "2026-01-20",
			"--customer", "C", "--reference", "R"}, "--units"},
		{[]string{"shipments", "add", "--exporter", w.Exporter.ID, "--product", "H200", "--units", "1", "--shipped-on", "2026-01-20",
			"--customer", "C", "--reference", "R"}, "--end-use"},
		{[]string{"shipments", "add", "--shipped-on", "20 Jan"}, "--shipped-on"},
		{[]string{"imports", "add", "--lot", "L", "--serial", "S1"}, "--lot"},
		{[]string{"exports", "reserve", "--lot", "L", "--count", "1"}, "--order"},
		{[]string{"exports", "--state", "gone"}, "--state"},
		{[]string{"orders", "cancel", "X", "--reason", "boredom"}, "--reason"},
		{[]string{"orders", "prc", "X", "--status", "maybe"}, "--status"},
		{[]string{"report", "--exporter", w.Exporter.ID, "--format", "xml"}, "--format"},
	}
	for _, tt := range tests {
		if _, err := shipCLI(t, dsn, "", tt.args...); err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tt.flag) {
			t.Errorf("%v: %v, want a usage error naming %s", tt.args, err, tt.flag)
		}
	}
}

func TestLabsSignUsage(t *testing.T) {
	if _, err := shipCLI(t, "", "", "labs", "sign", "--in", "-"); err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--key") {
		t.Errorf("labs sign without --key: %v, want a usage error naming --key", err)
	}
}

// TestBenchShip runs a small shipping benchmark through the CLI and checks
// that it finds no violation.
func TestBenchShip(t *testing.T) {
	var out, errb bytes.Buffer
	c := &cli{ctx: context.Background(), getenv: func(string) string { return "" }, stdin: strings.NewReader(""),
		stdout: &out, stderr: &errb, now: time.Now}
	cmd := newBenchShipCmd(c)
	profile := filepath.Join(t.TempDir(), "cpu.pprof")
	cmd.SetArgs([]string{"--clients", "4", "--pairs", "40", "--json", "--cpuprofile", profile})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("bench ship: %v\n%s", err, out.String())
	}
	if fi, err := os.Stat(profile); err != nil || fi.Size() == 0 {
		t.Errorf("--cpuprofile wrote no profile: %v", err)
	}
	var rep benchShipReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Result.Pairs != 40 || rep.Result.RefusedCap != 4 || len(rep.Violations) != 0 {
		t.Errorf("bench ship: %+v, want 40 pairs, 4 refused at the cap, no violation", rep)
	}
}

// TestShippingConfigReviewSettings: the licensing agency's lab review
// settings come from the environment, and unusable ones are usage errors.
func TestShippingConfigReviewSettings(t *testing.T) {
	cfgOf := func(env map[string]string) (shipping.Config, error) {
		c := &cli{getenv: func(k string) string { return env[k] }}
		return c.shippingConfig()
	}
	cfg, err := cfgOf(map[string]string{"TOLLGATE_LAB_REVIEW_MAX_AGE_DAYS": "14", "TOLLGATE_LAB_TOLERANCE_BP": "200",
		"TOLLGATE_LAB_MIN_EXAMINED_BP": "1000"})
	if err != nil || cfg.Review.MaxAge != 14*24*time.Hour || cfg.Review.ToleranceBP != 200 || cfg.Review.MinExaminedBP != 1000 {
		t.Errorf("review settings %+v, %v; want 14 days, 2%%, 10%%", cfg.Review, err)
	}
	if cfg, err := cfgOf(nil); err != nil || cfg.Review != shipping.DefaultReviewRules() {
		t.Errorf("default review settings %+v, %v", cfg.Review, err)
	}
	for _, env := range []map[string]string{
		{"TOLLGATE_LAB_REVIEW_MAX_AGE_DAYS": "thirty"},
		{"TOLLGATE_LAB_REVIEW_MAX_AGE_DAYS": "0"},
		{"TOLLGATE_LAB_TOLERANCE_BP": "6000"},
		{"TOLLGATE_LAB_MIN_EXAMINED_BP": "0"},
	} {
		if _, err := cfgOf(env); err == nil {
			t.Errorf("shippingConfig(%v) = nil error, want a usage error", env)
		}
	}
}
