package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate/api/apitest"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"tollgate"
	"tollgate/store"
)

// TestReconcileJob runs the reconcile job on a clean store, then on one
// with an org renamed behind the log's back: the finding is logged at error
// level with its table, object and field, and counted.
func TestReconcileJob(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org := &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Exporter Inc", Country: "US"}
	if err := db.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	m := newReconcileMetrics(prometheus.NewRegistry())
	job := reconcileJob(db, slog.New(slog.NewTextHandler(&logs, nil)), m)

	if err := job(ctx); err != nil {
		t.Fatalf("clean store: %v", err)
	}
	if got := gaugeOrCounter(t, m.runs.WithLabelValues("ok")); got != 1 {
		t.Errorf("ok runs = %v, want 1", got)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE orgs SET name = 'Someone Else' WHERE id = ?`, org.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	if err := job(ctx); err != nil {
		t.Fatalf("edited store: %v", err)
	}
	if got := gaugeOrCounter(t, m.last); got != 1 {
		t.Errorf("reconcile_findings = %v, want 1", got)
	}
	if got := gaugeOrCounter(t, m.findings); got != 1 {
		t.Errorf("reconcile_findings_total = %v, want 1", got)
	}
	if got := gaugeOrCounter(t, m.runs.WithLabelValues("differs")); got != 1 {
		t.Errorf("differs runs = %v, want 1", got)
	}
	out := logs.String()
	for _, want := range []string{"level=ERROR", "table=orgs", "object_id=" + org.ID, "problem=differs", "fields=[name]"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// TestServeReconcileJob runs serve with --reconcile-every: the job runs,
// finds the fresh store clean, then names a user edited behind the log's
// back in the log stream and in /metrics.
func TestServeReconcileJob(t *testing.T) {
	ctx := context.Background()
	dsn := apitest.SQLiteDSN(t)
	p := startServeWith(t, dsn, "--reconcile-every", "1s")
	defer func() {
		if t.Failed() {
			t.Logf("serve log:\n%s", p.logs)
		}
	}()
	waitFor(t, "a clean reconcile run", func() bool {
		return metricValue(t, p.metrics, `tollgate_audit_reconcile_runs_total{outcome="ok"}`) >= 1
	})
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET name = 'Mallory'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reconcile to find the edited user", func() bool {
		return metricValue(t, p.metrics, "tollgate_audit_reconcile_findings") == 1
	})
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	logs := p.logs.String()
	for _, want := range []string{`"msg":"audit reconcile: object does not match the audit log"`, `"table":"users"`, `"fields":["name"]`} {
		if !strings.Contains(logs, want) {
			t.Errorf("serve's log lacks %s", want)
		}
	}
}

func TestResolveReconcile(t *testing.T) {
	tests := []struct {
		name    string
		flag    time.Duration
		changed bool
		env     string
		want    time.Duration
		wantErr bool
	}{
		{"Off", 0, false, "", 0, false},
		{"Flag", 24 * time.Hour, true, "1h", 24 * time.Hour, false},
		{"Env", 0, false, "6h", 6 * time.Hour, false},
		{"EnvBad", 0, false, "daily", 0, true},
		{"TooOften", time.Millisecond, true, "", 0, true},
		{"Negative", -time.Hour, true, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := serveOptions{reconcileEvery: tt.flag}
			err := o.resolveReconcile(tt.changed, func(k string) string {
				if k == "TOLLGATE_AUDIT_RECONCILE_EVERY" {
					return tt.env
				}
				return ""
			})
			if (err != nil) != tt.wantErr || err == nil && o.reconcileEvery != tt.want {
				t.Errorf("got %s, %v; want %s, error %t", o.reconcileEvery, err, tt.want, tt.wantErr)
			}
		})
	}
}

// gaugeOrCounter returns the value of a counter or gauge.
func gaugeOrCounter(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("metric %v is neither a counter nor a gauge", c.Desc())
	return 0
}
