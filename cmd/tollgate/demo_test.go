package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tollgate/internal/testenv"
)

// demoRun is the outcome of one in-process run of tollgate demo.
type demoRun struct {
	stdout, stderr string
	err            error
}

// runDemoCLI runs `tollgate demo args...` with TOLLGATE_DATA set to
// dataDir and nothing else in the environment.
func runDemoCLI(t *testing.T, dataDir string, args ...string) demoRun {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"TOLLGATE_DATA": dataDir}
	err := run(context.Background(), append([]string{"demo"}, args...), func(k string) string { return env[k] },
		strings.NewReader(""), &out, &errb)
	return demoRun{out.String(), errb.String(), err}
}

// demoRealLists returns the shared lists directory, skipping t when the
// shared data is absent.
func demoRealLists(t *testing.T) string {
	dir := filepath.Join(testenv.DataDir(t), "lists")
	if len(listFilesUnder(dir)) == 0 {
		t.Skipf("no CSL, OFAC or UN list under %s", dir)
	}
	return dir
}

// demoPostgresDSN creates a schema of its own for t on the server named by
// TOLLGATE_TEST_POSTGRES and returns a URL selecting it; the schema is
// dropped when t ends. It skips t without the variable.
func demoPostgresDSN(t *testing.T) string {
	t.Helper()
	return testenv.PostgresSchema(t, "tollgate_demo_cli_")
}

// demoJSON is the part of demo --json the tests read.
type demoJSON struct {
	LicensesIssued int `json:"licenses_issued"`
	Licenses       []struct {
		Number     string   `json:"number"`
		Customer   string   `json:"customer"`
		Quantity   int64    `json:"quantity"`
		Conditions []string `json:"conditions"`
	} `json:"licenses"`
	USUnitsShipped    int64            `json:"us_units_shipped"`
	ChinaUnitsShipped int64            `json:"china_units_shipped"`
	CapRefusals       int              `json:"cap_refusals"`
	EnteredValueCents int64            `json:"entered_value_cents"`
	DutyPaidCents     int64            `json:"duty_paid_cents"`
	RevenueCents      int64            `json:"revenue_cents"`
	LostRevenueCents  map[string]int64 `json:"lost_revenue_cents"`
	BlockedParties    []struct {
		Name     string `json:"name"`
		Citation string `json:"citation"`
	} `json:"blocked_parties"`
	Audit struct {
		Records        int64  `json:"records"`
		CheckpointSize int64  `json:"checkpoint_size"`
		Verified       bool   `json:"verified"`
		Bundle         string `json:"bundle"`
		VerifierKey    string `json:"verifier_key"`
	} `json:"audit"`
	Logins []struct {
		Role  string `json:"role"`
		Token string `json:"token"`
	} `json:"logins"`
}

func TestDemoJSON(t *testing.T) {
	sqlite := func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "demo.db") }
	internal := func(t *testing.T) string { return t.TempDir() }
	for _, tt := range []struct {
		name  string
		dsn   func(t *testing.T) string
		lists func(t *testing.T) string
	}{
		{"SQLiteRealLists", sqlite, demoRealLists},
		{"SQLiteInternalList", sqlite, internal},
		{"PostgresRealLists", demoPostgresDSN, demoRealLists},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			r := runDemoCLI(t, data, "--no-serve", "--json", "--db", tt.dsn(t), "--lists", tt.lists(t))
			if r.err != nil {
				t.Fatalf("demo: %v; stderr:\n%s", r.err, r.stderr)
			}
			var got demoJSON
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
			}
			checkDemoJSON(t, got)
			// The bundle verifies with the audit commands too.
			if _, stderr, err := runAudit(t, data, "audit", "verify", got.Audit.Bundle, "--key", got.Audit.VerifierKey); err != nil {
				t.Errorf("tollgate audit verify %s: %v\n%s", got.Audit.Bundle, err, stderr)
			}
		})
	}
}

func checkDemoJSON(t *testing.T, got demoJSON) {
	t.Helper()
	if got.LicensesIssued != 2 || len(got.Licenses) != 2 {
		t.Errorf("licenses_issued = %d with %d licenses, want 2", got.LicensesIssued, len(got.Licenses))
	}
	for _, l := range got.Licenses {
		if l.Number == "" || l.Customer == "" || l.Quantity <= 0 || len(l.Conditions) == 0 {
			t.Errorf("license %+v: want a number, a customer, a quantity and conditions", l)
		}
	}
	if got.DutyPaidCents*4 != got.EnteredValueCents || got.EnteredValueCents == 0 {
		t.Errorf("duty_paid_cents %d on entered_value_cents %d, want exactly 25%%", got.DutyPaidCents, got.EnteredValueCents)
	}
	if got.ChinaUnitsShipped == 0 || 2*got.ChinaUnitsShipped > got.USUnitsShipped {
		t.Errorf("china_units_shipped %d, us_units_shipped %d: want China units within 50%% of US units", got.ChinaUnitsShipped, got.USUnitsShipped)
	}
	if got.CapRefusals != 1 {
		t.Errorf("cap_refusals = %d, want 1", got.CapRefusals)
	}
	if got.RevenueCents == 0 || got.LostRevenueCents["license_denied"] == 0 || got.LostRevenueCents["prc_blocked"] == 0 {
		t.Errorf("revenue_cents %d, lost_revenue_cents %v: want revenue and both kinds of loss", got.RevenueCents, got.LostRevenueCents)
	}
	var names []string
	for _, b := range got.BlockedParties {
		names = append(names, b.Name)
	}
	if joined := strings.Join(names, "; "); !strings.Contains(joined, "Huawei") || !strings.Contains(joined, "Moore Threads") {
		t.Errorf("blocked_parties = %q, want the Huawei affiliate and Moore Threads", joined)
	}
	if a := got.Audit; !a.Verified || a.Records != a.CheckpointSize || a.Records == 0 {
		t.Errorf("audit = %+v, want a verified bundle", a)
	}
}

func TestDemoRefusesUsedStore(t *testing.T) {
	data, lists := t.TempDir(), t.TempDir()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	if r := runDemoCLI(t, data, "--no-serve", "--db", dsn, "--lists", lists); r.err != nil {
		t.Fatalf("first run: %v\n%s", r.err, r.stderr)
	}
	r := runDemoCLI(t, data, "--no-serve", "--db", dsn, "--lists", lists)
	if r.err == nil || exitCode(r.err) != 1 || !strings.Contains(errorLine(r.err), "already holds a run of the demo") {
		t.Errorf("second run on the same --db: %v, want a refusal naming the previous run", r.err)
	}
	// The demo's own default store is replayed instead.
	for i := range 2 {
		if r := runDemoCLI(t, data, "--no-serve", "--lists", lists); r.err != nil {
			t.Fatalf("run %d on the default store: %v\n%s", i+1, r.err, r.stderr)
		}
	}
}

func TestDemoUsage(t *testing.T) {
	bundle := t.TempDir()
	for _, name := range bundleFiles {
		if err := os.WriteFile(filepath.Join(bundle, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		args []string
		flag string
	}{
		{"BadAddr", []string{"--addr", "nowhere"}, "--addr"},
		{"ListsNotADirectory", []string{"--no-serve", "--lists", filepath.Join(t.TempDir(), "missing")}, "--lists"},
		{"BundleInUse", []string{"--no-serve", "--bundle", bundle}, "--bundle"},
		{"Args", []string{"extra"}, "demo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runDemoCLI(t, t.TempDir(), tt.args...)
			if got, want := exitCode(r.err), 2; r.err == nil || got != want {
				t.Fatalf("exit code %d (%v), want %d", got, r.err, want)
			}
			if !strings.Contains(errorLine(r.err), tt.flag) {
				t.Errorf("error %q does not name %s", errorLine(r.err), tt.flag)
			}
		})
	}
}

// addrWriter collects stderr and reports the first address served.
type addrWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
}

var servingPattern = regexp.MustCompile(`serving the API on (http://\S+)`)

func (w *addrWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := servingPattern.MatchString(w.buf.String())
	w.buf.Write(p)
	if m := servingPattern.FindStringSubmatch(w.buf.String()); m != nil && !had {
		w.addr <- m[1]
	}
	return len(p), nil
}

func TestDemoServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	errw := &addrWriter{addr: make(chan string, 1)}
	env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	args := []string{"demo", "--json", "--addr", "127.0.0.1:0", "--db", dsn, "--lists", t.TempDir()}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), &out, errw)
	}()
	var base string
	select {
	case base = <-errw.addr:
	case err := <-done:
		t.Fatalf("demo ended before serving: %v\n%s", err, errw.buf.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("demo never served")
	}
	var got demoJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out.String())
	}
	errw.mu.Lock()
	if served := errw.buf.String(); !strings.Contains(served, "(store: "+dsn+")") {
		t.Errorf("the serving line does not say where the store is (%s):\n%s", dsn, served)
	}
	errw.mu.Unlock()
	officer := ""
	for _, l := range got.Logins {
		if l.Role == "exporter_officer" {
			officer = l.Token
		}
	}
	req, _ := http.NewRequest("GET", base+"/v1/parties?status=blocked", nil)
	req.Header.Set("Authorization", "Bearer "+officer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Items []struct {
			LegalName string `json:"legal_name"`
		} `json:"items"`
	}
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(page.Items) != 2 {
		t.Errorf("GET /v1/parties?status=blocked as the officer: %d, %d parties (%v), want 200 and the 2 blocked", resp.StatusCode, len(page.Items), err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("demo after Ctrl-C: %v", err)
	}
}

// TestDemoOneStore checks that the demo plays on the default store every
// other command uses, so that the commands after it see what it made, and
// that it never replaces that store once it holds anything of the user's.
func TestDemoOneStore(t *testing.T) {
	data, lists := t.TempDir(), t.TempDir()
	if r := runDemoCLI(t, data, "--no-serve", "--lists", lists); r.err != nil {
		t.Fatalf("demo: %v\n%s", r.err, r.stderr)
	}
	cli := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		env := map[string]string{"TOLLGATE_DATA": data, "USER": "ada"}
		err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		return out.String(), err
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"parties", "--status", "blocked"}, "Moore Threads"},
		{[]string{"licenses"}, "D000001"},
		{[]string{"exports", "cap", "H200", "--exporter", "NVIDIA"}, "US units allow"},
	} {
		if out, err := cli(tt.args...); err != nil || !strings.Contains(out, tt.want) {
			t.Errorf("tollgate %s after the demo: %v, want %q in\n%s", strings.Join(tt.args, " "), err, tt.want, out)
		}
	}
	if _, err := cli("orgs", "add", "--kind", "exporter", "--name", "Ada Chips", "--country", "US"); err != nil {
		t.Fatal(err)
	}
	r := runDemoCLI(t, data, "--no-serve", "--lists", lists)
	if r.err == nil || !strings.Contains(errorLine(r.err), "--db sqlite:PATH") {
		t.Errorf("demo over the user's data: %v, want a refusal pointing to --db", r.err)
	}
	if out, err := cli("orgs"); err != nil || !strings.Contains(out, "Ada Chips") {
		t.Errorf("the user's organization is gone after the refused demo: %v\n%s", err, out)
	}
}

// TestDemoOnEmptyDefaultStore checks that the demo plays on a default
// store some command made empty, though the default bundle directory holds
// an earlier run's bundle.
func TestDemoOnEmptyDefaultStore(t *testing.T) {
	data, lists := t.TempDir(), t.TempDir()
	bundle := filepath.Join(data, "demo-audit-bundle")
	if err := os.MkdirAll(bundle, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range bundleFiles {
		if err := os.WriteFile(filepath.Join(bundle, name), []byte("an earlier run"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	env := map[string]string{"TOLLGATE_DATA": data}
	if err := run(context.Background(), []string{"orgs"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatal(err) // makes the empty default store
	}
	if r := runDemoCLI(t, data, "--no-serve", "--lists", lists); r.err != nil {
		t.Fatalf("demo on an empty default store: %v\n%s", r.err, r.stderr)
	}
}
