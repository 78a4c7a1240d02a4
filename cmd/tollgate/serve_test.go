package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/api"
	"tollgate/api/apitest"
	"tollgate/screening"
)

// serveLog is a stderr that the server goroutine and the test share.
type serveLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// dataDir is the server's TOLLGATE_DATA.
	dataDir string
}

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startServe runs `tollgate serve --addr 127.0.0.1:0 --db dsn` in a
// goroutine, reads the address it prints, and waits until /healthz
// answers. The returned stop cancels the server and returns run's error.
// The scheduled re-screening is off (serve_rescreen_test.go tests it): its
// slots fall on the clock's 5-minute marks, and one falling inside a test
// would re-screen the parties before the test's own `rescreen` does.
func startServe(t *testing.T, dsn string) (base string, logs *serveLog, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs = &serveLog{dataDir: t.TempDir()}
	env := map[string]string{"TOLLGATE_DATA": logs.dataDir}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--db", dsn,
			"--log-format", "json", "--rescreen-every", "0"},
			func(k string) string { return env[k] }, strings.NewReader(""), pw, logs)
		pw.Close()
		done <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve printed no address: %v; stderr: %s; run: %v", err, logs, <-done)
	}
	go io.Copy(io.Discard, pr)
	_, rest, ok := strings.Cut(line, "http://")
	if !ok {
		t.Fatalf("serve printed %q, want its address", line)
	}
	base = "http://" + strings.Fields(rest)[0]
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered: %v", err)
		}
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return base, logs, stop
}

// tokenPattern finds API tokens in text.
var tokenPattern = regexp.MustCompile(`tg_[0-9A-Za-z]{36}`)

// bootstrapToken returns the API token a first `tollgate serve` wrote to
// <data dir>/admin-token for the system administrator it made, checking
// that the file is readable by its owner only, that stderr (not a
// terminal here) holds no token, and that the log says where the file is.
func bootstrapToken(t *testing.T, logs *serveLog) string {
	t.Helper()
	path := filepath.Join(logs.dataDir, adminTokenFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the administrator's token file: %v; stderr:\n%s", err, logs)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want -rw-------", path, fi.Mode())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenPattern.FindString(string(b))
	if tok == "" || strings.TrimSpace(string(b)) != tok {
		t.Fatalf("%s holds %q, want one token", path, b)
	}
	if tokenPattern.MatchString(logs.String()) {
		t.Errorf("stderr holds a token:\n%s", logs)
	}
	if !strings.Contains(logs.String(), strconv.Quote(path)) {
		t.Errorf("the log does not say where the token is (%s):\n%s", path, logs)
	}
	return tok
}

// newOfficer makes, through the API as the administrator with token
// admin, an exporter officer of org and an API token for it, and returns
// the token.
func newOfficer(t *testing.T, base, admin, orgID, email string) string {
	t.Helper()
	var u tollgate.User
	serveCall(t, admin, "POST", base+"/v1/users", api.UserInput{OrgID: orgID, Email: email, Name: "Export Officer",
		Roles: []tollgate.Role{tollgate.RoleExporterOfficer}}, http.StatusCreated, &u)
	var nt api.NewToken
	serveCall(t, admin, "POST", base+"/v1/tokens", api.TokenInput{UserID: u.ID, Name: "e2e"}, http.StatusCreated, &nt)
	return nt.Secret
}

// serveCall makes one API request with token (none when "") and a fresh
// Idempotency-Key, and decodes the JSON answer into out (when out is not
// nil), checking the status.
func serveCall(t *testing.T, token, method, url string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.IdempotencyKeyHeader, fmt.Sprintf("e2e-%d", time.Now().UnixNano()))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, b)
		}
	}
}

// rescreenJSON runs `tollgate rescreen --json` against dsn in process.
func rescreenJSON(t *testing.T, dsn string) screening.RescreenReport {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
	if err := run(context.Background(), []string{"rescreen", "--db", dsn, "--json"}, func(k string) string { return env[k] },
		strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("rescreen: %v; stderr %s", err, errb.String())
	}
	var rep screening.RescreenReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("rescreen --json: %v: %s", err, out.String())
	}
	return rep
}

// The internal list in two versions: INT-1's listing changes in v2 (a new
// alias and citation), INT-2's does not.
const (
	e2eListV1 = "name,aliases,type,country,citation,id\n" +
		"Shady Chips Trading Limited,Shady Chips,organization,HK,90 FR 12345,INT-1\n" +
		"Ivan Petrovich Sidorov,,person,RU,90 FR 12346,INT-2\n"
	e2eListV2 = "name,aliases,type,country,citation,id\n" +
		"Shady Chips Trading Limited,Shady Chips;SC Trading,organization,HK,90 FR 23456,INT-1\n" +
		"Ivan Petrovich Sidorov,,person,RU,90 FR 12346,INT-2\n"
)

// TestServeEndToEnd runs the acceptance scenario against a real
// `tollgate serve` over HTTP, on SQLite and (with TOLLGATE_TEST_POSTGRES)
// PostgreSQL: create a party, screen it, decide its hit a false positive,
// rescreen against the same list (it stays clear), import a changed entry
// (it comes back for review), then shut down gracefully.
func TestServeEndToEnd(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, dsn string) {
		base, logs, stop := startServe(t, dsn)
		admin := bootstrapToken(t, logs)
		serveCall(t, "", "GET", base+"/v1/orgs", nil, http.StatusUnauthorized, nil)

		var imp api.ListImportResult
		serveCall(t, admin, "POST", base+"/v1/lists/import", api.ListImportInput{FileName: "internal.csv", Content: e2eListV1}, http.StatusCreated, &imp)
		var org tollgate.Org
		serveCall(t, admin, "POST", base+"/v1/orgs", api.OrgInput{Kind: tollgate.OrgExporter, Name: "Nvidia", Country: "US"}, http.StatusCreated, &org)
		officer := newOfficer(t, base, admin, org.ID, "officer@nvidia.example")
		var party tollgate.Party
		serveCall(t, admin, "POST", base+"/v1/parties", api.PartyInput{OrgID: org.ID, Role: tollgate.RoleUltimateConsignee,
			Type: tollgate.EntityOrganization, LegalName: "Shady Chips Trading Ltd", Country: "HK"}, http.StatusForbidden, nil)
		serveCall(t, officer, "POST", base+"/v1/parties", api.PartyInput{OrgID: org.ID, Role: tollgate.RoleUltimateConsignee,
			Type: tollgate.EntityOrganization, LegalName: "Shady Chips Trading Ltd", Country: "HK"}, http.StatusCreated, &party)

		var diff tollgate.ScreeningDiff
		serveCall(t, officer, "POST", base+"/v1/parties/"+party.ID+"/screen", nil, http.StatusCreated, &diff)
		if diff.StatusAfter != tollgate.ScreeningPendingReview || len(diff.New) != 1 || diff.New[0].SourceID != "INT-1" {
			t.Fatalf("screening: %+v", diff)
		}
		hit := diff.New[0]
		var dec api.DecisionResult
		serveCall(t, officer, "POST", base+"/v1/parties/"+party.ID+"/decisions", api.DecisionInput{List: hit.List, SourceID: hit.SourceID,
			EntityDigest: hit.EntityDigest, Kind: tollgate.HitFalsePositive, Reason: "different company, verified registry number"},
			http.StatusCreated, &dec)
		if dec.Status != tollgate.ScreeningClear {
			t.Fatalf("after the decision: status %s", dec.Status)
		}

		if rep := rescreenJSON(t, dsn); rep.Screened != 1 || len(rep.Changed) != 0 {
			t.Fatalf("rescreen against the same list: %+v", rep)
		}
		var got tollgate.Party
		serveCall(t, officer, "GET", base+"/v1/parties/"+party.ID, nil, http.StatusOK, &got)
		if got.Status != tollgate.ScreeningClear {
			t.Fatalf("after the first rescreen: status %s, want clear", got.Status)
		}

		serveCall(t, admin, "POST", base+"/v1/lists/import", api.ListImportInput{FileName: "internal.csv", Content: e2eListV2}, http.StatusCreated, &imp)
		rep := rescreenJSON(t, dsn)
		if len(rep.Changed) != 1 || len(rep.Changed[0].Diff.Changed) != 1 || rep.Changed[0].Diff.StatusAfter != tollgate.ScreeningPendingReview {
			t.Fatalf("rescreen after the entry changed: %+v", rep)
		}
		serveCall(t, officer, "GET", base+"/v1/parties/"+party.ID, nil, http.StatusOK, &got)
		if got.Status != tollgate.ScreeningPendingReview {
			t.Fatalf("after the list changed: status %s, want pending_review", got.Status)
		}

		if err := stop(); err != nil {
			t.Fatalf("serve returned %v after cancel; logs:\n%s", err, logs)
		}
		for _, want := range []string{`"msg":"serving"`, `"msg":"stopped"`, `"route":"/v1/parties/{id}/screen"`} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %s", want)
			}
		}
	})
}

func TestServeUsage(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve", "--addr", "localhost"}, nil, "--addr"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_ADDR": "nonsense"}, "TOLLGATE_ADDR"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "xml"}, nil, "--log-format"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "loud"}, nil, "--log-level"},
		{[]string{"serve", "--drain-timeout", "0s"}, nil, "--drain-timeout"},
		{[]string{"serve", "extra"}, nil, "unknown command"},
		{[]string{"serve", "--admin-email", "root"}, nil, "--admin-email"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_ADMIN_EMAIL": "not an email"}, "--admin-email"},
		{[]string{"serve", "--token-ttl", "0s"}, nil, "--token-ttl"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_TOKEN_TTL": "forever"}, "TOLLGATE_TOKEN_TTL"},
		{[]string{"serve", "--trusted-origin", "dashboard.example.com/path"}, nil, "--trusted-origin"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_SECURE_COOKIES": "maybe"}, "TOLLGATE_SECURE_COOKIES"},
	}
	for _, tt := range tests {
		env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
		for k, v := range tt.env {
			env[k] = v
		}
		var out, errb bytes.Buffer
		err := run(context.Background(), tt.args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err %v (exit %d), want a usage error naming %s", tt.args, err, exitCode(err), tt.want)
		}
	}
}

func TestRescreenCommand(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
	runIt := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append(args, "--db", dsn), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		return out.String(), err
	}
	if _, err := runIt("rescreen"); err == nil || exitCode(err) != 1 || tollgate.ErrorCode(err) != tollgate.EPRECONDITION {
		t.Fatalf("rescreen without lists: %v, want a precondition failure", err)
	}
	base, logs, _ := startServe(t, dsn)
	admin := bootstrapToken(t, logs)
	serveCall(t, admin, "POST", base+"/v1/lists/import", api.ListImportInput{FileName: "internal.csv", Content: e2eListV1}, http.StatusCreated, nil)
	var org tollgate.Org
	serveCall(t, admin, "POST", base+"/v1/orgs", api.OrgInput{Kind: tollgate.OrgExporter, Name: "AMD", Country: "US"}, http.StatusCreated, &org)
	officer := newOfficer(t, base, admin, org.ID, "officer@amd.example")
	serveCall(t, officer, "POST", base+"/v1/parties", api.PartyInput{OrgID: org.ID, Role: tollgate.RoleEndUser, LegalName: "Shady Chips",
		Country: "HK"}, http.StatusCreated, nil)
	out, err := runIt("rescreen")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"screened 1 parties", "internal", "1 changed:", "unscreened -> pending_review", `+ new      INTERNAL INT-1 "Shady Chips Trading Limited"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if out, _ := runIt("rescreen"); !strings.Contains(out, "no changes") {
		t.Errorf("second rescreen:\n%s", out)
	}
}
