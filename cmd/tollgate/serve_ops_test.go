package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"tollgate/api/apitest"
	"tollgate/store"
)

// serveProc is one `tollgate serve` run in process by startServeWith.
type serveProc struct {
	base    string
	metrics string // the base URL of the metrics listener
	logs    *serveLog
	stop    func() error
}

// healthClient waits for a server to answer, over TLS too without
// checking its certificate (TestServeTLS checks that).
var healthClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

// startServeWith runs `tollgate serve --addr 127.0.0.1:0 --db dsn` with
// extra arguments, like startServe, and waits until /healthz answers.
func startServeWith(t *testing.T, dsn string, extra ...string) *serveProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	p := &serveProc{logs: &serveLog{dataDir: t.TempDir()}}
	env := map[string]string{"TOLLGATE_DATA": p.logs.dataDir}
	done := make(chan error, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--db", dsn, "--log-format", "json"}, extra...)
	go func() {
		err := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), pw, p.logs)
		pw.Close()
		done <- err
	}()
	br := bufio.NewReader(pr)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			cancel()
			t.Fatalf("serve printed no address: %v; stderr: %s; run: %v", err, p.logs, <-done)
		}
		if _, rest, ok := strings.Cut(line, "serving metrics on http://"); ok {
			p.metrics = "http://" + strings.TrimSuffix(strings.Fields(rest)[0], "/metrics")
			break
		}
		if _, rest, ok := strings.Cut(line, "serving the API on "); ok {
			p.base = strings.Fields(rest)[0]
		}
	}
	go io.Copy(io.Discard, br)
	waitFor(t, "/healthz to answer", func() bool {
		resp, err := healthClient.Get(p.base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	stopped := false
	p.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { p.stop() })
	return p
}

// waitFor polls cond until it holds, failing t after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// metricValue returns the value of a metric line of /metrics starting
// with prefix, or -1.
func metricValue(t *testing.T, base, prefix string) float64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, prefix+" ") {
			var v float64
			fmt.Sscan(strings.TrimPrefix(line, prefix+" "), &v)
			return v
		}
	}
	return -1
}

// TestServeDrainsInFlight checks graceful shutdown: a request whose body is
// still arriving when serve is told to stop is served to the end, and
// serve returns cleanly.
func TestServeDrainsInFlight(t *testing.T) {
	p := startServeWith(t, apitest.SQLiteDSN(t))
	body, bodyW := io.Pipe()
	req, err := http.NewRequest("POST", p.base+"/v1/login", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- answer{resp.StatusCode, string(b), err}
	}()
	io.WriteString(bodyW, `{"email":"drain@example.com",`)
	waitFor(t, "the request to be in flight", func() bool {
		return metricValue(t, p.metrics, "tollgate_http_requests_in_flight") >= 1
	})
	stopped := make(chan error, 1)
	go func() { stopped <- p.stop() }()
	noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	waitFor(t, "serve to stop accepting connections", func() bool {
		resp, err := noKeepAlive.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err != nil
	})
	io.WriteString(bodyW, `"password":"not the password"}`)
	bodyW.Close()
	a := <-answered
	if a.err != nil || a.status >= 500 || !strings.Contains(a.body, `"status"`) {
		t.Fatalf("in-flight request: status %d, body %q, err %v; want a complete answer", a.status, a.body, a.err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serve: %v; logs:\n%s", err, p.logs)
	}
}

// TestServeJobsOnce runs two replicas on one store: the scheduler's
// built-in job runs once for its slot, by one of them, and --jobs=false
// keeps a replica out.
func TestServeJobsOnce(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := startServeWith(t, dsn)
		b := startServeWith(t, dsn)
		db, err := store.Open(ctx, dsn, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		waitFor(t, "the prune job to run", func() bool {
			runs, err := db.JobRuns(ctx, "jobs.prune_runs", 10)
			return err == nil && len(runs) > 0 && !runs[0].FinishedAt.IsZero()
		})
		for _, p := range []*serveProc{a, b} {
			if err := p.stop(); err != nil {
				t.Fatalf("serve: %v", err)
			}
		}
		runs, err := db.JobRuns(ctx, "jobs.prune_runs", 10)
		if err != nil || len(runs) != 1 || runs[0].Error != "" {
			t.Fatalf("ledger: %+v, %v; want one successful run", runs, err)
		}
		if !strings.Contains(a.logs.String()+b.logs.String(), `"msg":"jobs: lease released"`) {
			t.Errorf("no replica released the lease at shutdown")
		}
		if _, held, err := db.AcquireLease(ctx, "scheduler", "observer", time.Second); err != nil || !held {
			t.Errorf("after shutdown the lease is still held: %v, %v", held, err)
		}
	})
	t.Run("Disabled", func(t *testing.T) {
		ctx := context.Background()
		dsn := apitest.SQLiteDSN(t)
		p := startServeWith(t, dsn, "--jobs=false")
		if err := p.stop(); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(ctx, dsn, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if runs, err := db.JobRuns(ctx, "", 10); err != nil || len(runs) != 0 {
			t.Fatalf("with --jobs=false: ledger %+v, %v; want empty", runs, err)
		}
		if !strings.Contains(p.logs.String(), "background jobs disabled") {
			t.Errorf("the log does not say jobs are disabled")
		}
	})
}

func TestServeOpsUsage(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve", "--max-in-flight", "0"}, nil, "--max-in-flight"},
		{[]string{"serve", "--request-timeout", "0s"}, nil, "--request-timeout"},
		{[]string{"serve", "--db-max-conns", "-1"}, nil, "--db-max-conns"},
		{[]string{"serve", "--jobs=maybe"}, nil, "jobs"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_JOBS": "maybe"}, "TOLLGATE_JOBS"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_MAX_IN_FLIGHT": "lots"}, "TOLLGATE_MAX_IN_FLIGHT"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_REQUEST_TIMEOUT": "-5s"}, "TOLLGATE_REQUEST_TIMEOUT"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_DB_MAX_CONNS": "x"}, "TOLLGATE_DB_MAX_CONNS"},
		{[]string{"serve", "--rate-limit", "-1"}, nil, "--rate-limit"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_RATE_BURST": "0"}, "TOLLGATE_RATE_BURST"},
		{[]string{"serve", "--metrics-addr", "nowhere"}, nil, "--metrics-addr"},
		{[]string{"serve", "--tls-cert", "cert.pem"}, nil, "--tls-key"},
		{[]string{"serve", "--tls-cert", "missing.pem", "--tls-key", "missing.pem"}, nil, "--tls-cert"},
		{[]string{"serve", "--trusted-proxies", "proxy.internal"}, nil, "--trusted-proxies"},
		{[]string{"serve"}, map[string]string{"TOLLGATE_TRUSTED_PROXIES": "10.0.0.0/33"}, "TOLLGATE_TRUSTED_PROXIES"},
	}
	for _, tt := range tests {
		env := map[string]string{"TOLLGATE_DATA": t.TempDir()}
		for k, v := range tt.env {
			env[k] = v
		}
		_, _, err := runTollgate(env, tt.args...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: err %v (exit %d), want a usage error naming %s", tt.args, tt.env, err, exitCode(err), tt.want)
		}
	}
}
