package clustertest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apiload"
	"tollgate/auth"
	"tollgate/internal/testenv"
	"tollgate/store"
)

// buildOnce builds the tollgate binary once per test binary run.
var buildOnce struct {
	sync.Once
	path string
	err  error
	dir  string
}

// tollgateBinary returns the path of a freshly built tollgate binary.
func tollgateBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		root, err := testenv.ModuleRoot()
		if err != nil {
			buildOnce.err = err
			return
		}
		dir, err := os.MkdirTemp("", "tollgate-clustertest-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.dir = dir
		buildOnce.path = filepath.Join(dir, "tollgate")
		cmd := exec.Command("go", "build", "-o", buildOnce.path, "./cmd/tollgate")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		tb.Fatalf("build tollgate: %v", buildOnce.err)
	}
	return buildOnce.path
}

// TestMain removes the built binary after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildOnce.dir != "" {
		os.RemoveAll(buildOnce.dir)
	}
	os.Exit(code)
}

// fixture is what the tests set up in the store before any replica starts:
// an exporter, an officer with an API token, a screening list and parties.
type fixture struct {
	dsn     string
	dataDir string // TOLLGATE_DATA shared by every replica (one signing key)
	orgID   string
	token   string
	parties []string // ids of the parties created up front
}

// newFixture migrates the store at dsn and fills it; with lists it imports
// a synthetic screening list of 2,000 entities (tests that add the
// shipping scenario leave it out: the scenario's customer is screened
// against the scenario's own list, which must stay the only one current).
func newFixture(tb testing.TB, dsn string, parties int, lists bool) *fixture {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	defer db.Close()
	db.Actor = tollgate.SystemPrincipal()
	if lists {
		if _, _, err := db.ImportListVersion(ctx, apiload.SyntheticList(2000, 7)); err != nil {
			tb.Fatalf("import list: %v", err)
		}
	}
	org := &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Cluster Test Exporter", Country: "US"}
	if err := db.CreateOrg(ctx, org); err != nil {
		tb.Fatalf("create org: %v", err)
	}
	u := &tollgate.User{OrgID: org.ID, Email: "officer@cluster.example", Name: "Cluster Officer",
		Roles: []tollgate.Role{tollgate.RoleExporterOfficer}}
	if err := db.CreateUser(ctx, u); err != nil {
		tb.Fatalf("create user: %v", err)
	}
	secret, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, u, "cluster test", 0, time.Now())
	if err != nil {
		tb.Fatalf("issue token: %v", err)
	}
	if err := db.CreateToken(ctx, tok); err != nil {
		tb.Fatalf("create token: %v", err)
	}
	f := &fixture{dsn: dsn, dataDir: tb.TempDir(), orgID: org.ID, token: secret.Reveal()}
	for i := range parties {
		p := &tollgate.Party{OrgID: org.ID, Role: tollgate.RoleEndUser, Type: tollgate.EntityOrganization,
			LegalName: fmt.Sprintf("Fixture Party %d", i), Country: "SG",
			Addresses: []tollgate.Address{{Street: "1 Harbour Front", City: "Singapore", Country: "SG"}}}
		if err := db.CreateParty(ctx, p); err != nil {
			tb.Fatalf("create party: %v", err)
		}
		f.parties = append(f.parties, p.ID)
	}
	return f
}

// replica is one `tollgate serve` subprocess.
type replica struct {
	cmd    *exec.Cmd
	addr   string // host:port it serves on
	stderr *syncBuffer
	done   chan struct{}
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine of exec and
// readers in the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startReplica starts `tollgate serve` over f's store on a free loopback
// port (or addr, when not empty) and waits until it prints its address.
func startReplica(tb testing.TB, f *fixture, addr string) *replica {
	tb.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	cmd := exec.Command(tollgateBinary(tb), "serve", "--addr", addr, "--db", f.dsn,
		"--checkpoint-every", "1s", "--log-level", "warn", "--drain-timeout", "5s",
		"--rate-limit", "0", "--metrics-addr", "127.0.0.1:0") // a load harness: one officer sends far more than a person would
	cmd.Env = append(os.Environ(), "TOLLGATE_DATA="+f.dataDir)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("stdout pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start tollgate serve: %v", err)
	}
	r := &replica{cmd: cmd, stderr: stderr, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if _, rest, ok := strings.Cut(line, "serving the API on http://"); ok {
				a, _, _ := strings.Cut(rest, " ")
				select {
				case found <- a:
				default:
				}
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() {
		cmd.Wait()
		close(r.done)
	}()
	select {
	case r.addr = <-found:
	case <-r.done:
		tb.Fatalf("tollgate serve exited before serving: %s", stderr.String())
	case <-time.After(45 * time.Second):
		r.kill()
		tb.Fatalf("tollgate serve printed no address within 45s: %s", stderr.String())
	}
	tb.Cleanup(func() { r.stop(tb, stderr) })
	return r
}

// kill ends the replica with SIGKILL and waits for it to be gone.
func (r *replica) kill() {
	r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

// stop ends the replica with SIGTERM (SIGKILL after 10 s); it is a no-op on
// a replica already gone.
func (r *replica) stop(tb testing.TB, stderr *syncBuffer) {
	select {
	case <-r.done:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		tb.Errorf("replica %s did not stop on SIGTERM; killing it: %s", r.addr, stderr.String())
		r.kill()
	}
}

// runCLI runs the tollgate binary with args and f's data directory, and
// returns its stdout.
func runCLI(tb testing.TB, f *fixture, args ...string) string {
	tb.Helper()
	cmd := exec.Command(tollgateBinary(tb), args...)
	cmd.Env = append(os.Environ(), "TOLLGATE_DATA="+f.dataDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("tollgate %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// verifyAudit exports the audit log with `tollgate audit export` and checks
// the bundle with `tollgate audit verify` and the log's public key.
func verifyAudit(tb testing.TB, f *fixture) {
	tb.Helper()
	dir := tb.TempDir()
	bundle := filepath.Join(dir, "bundle")
	runCLI(tb, f, "audit", "export", "--out", bundle, "--db", f.dsn)
	pub := filepath.Join(dir, "audit.pub")
	if err := os.WriteFile(pub, []byte(runCLI(tb, f, "audit", "key")), 0o600); err != nil {
		tb.Fatal(err)
	}
	runCLI(tb, f, "audit", "verify", bundle, "--key", "@"+pub)
}
