package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tollgate/jobs"
	"tollgate/store"
)

// reconcileLogged is how many findings one run of the reconcile job logs
// one by one; all are counted.
const reconcileLogged = 100

// reconcileMetrics are the reconcile job's metrics.
type reconcileMetrics struct {
	runs     *prometheus.CounterVec // by outcome: ok, differs, error
	findings prometheus.Counter     // every finding of every run
	last     prometheus.Gauge       // the findings of the last run
}

func newReconcileMetrics(reg prometheus.Registerer) *reconcileMetrics {
	m := &reconcileMetrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "tollgate", Subsystem: "audit", Name: "reconcile_runs_total",
			Help: "Runs of the audit reconcile job, by outcome: ok, differs (findings) or error.",
		}, []string{"outcome"}),
		findings: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "tollgate", Subsystem: "audit", Name: "reconcile_findings_total",
			Help: "Objects found not to match their last audit record, summed over the runs of the reconcile job.",
		}),
		last: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "tollgate", Subsystem: "audit", Name: "reconcile_findings",
			Help: "Objects that did not match their last audit record in the last run of the reconcile job.",
		}),
	}
	reg.MustRegister(m.runs, m.findings, m.last)
	return m
}

// registerReconcile registers the "audit.reconcile" job, run every
// interval by the replica holding the scheduler lease: it compares every
// live object with its last audit record (store.DB.Reconcile), logs each
// finding at error level and counts them in m. An interval of 0 registers
// none.
func registerReconcile(s *jobs.Scheduler, db *store.DB, log *slog.Logger, m *reconcileMetrics, every time.Duration) {
	if every <= 0 {
		return
	}
	s.Register("audit.reconcile", every, reconcileJob(db, log, m))
}

func reconcileJob(db *store.DB, log *slog.Logger, m *reconcileMetrics) func(context.Context) error {
	return func(ctx context.Context) error {
		start := time.Now()
		rep, err := db.Reconcile(ctx, reconcileLogged)
		if err != nil {
			m.runs.WithLabelValues("error").Inc()
			return err
		}
		m.last.Set(float64(rep.Total))
		m.findings.Add(float64(rep.Total))
		var objects int64
		for _, t := range rep.Tables {
			objects += t.Objects
		}
		if rep.OK() {
			m.runs.WithLabelValues("ok").Inc()
			log.Info("audit reconcile: every object is what the log says", slog.Int64("objects", objects),
				slog.Int64("log_size", rep.LogSize), slog.Duration("took", time.Since(start)))
			return nil
		}
		m.runs.WithLabelValues("differs").Inc()
		for _, f := range rep.Findings {
			log.Error("audit reconcile: object does not match the audit log", slog.String("table", f.Table),
				slog.String("object_type", f.ObjectType), slog.String("object_id", f.ObjectID),
				slog.String("problem", f.Problem), slog.Int64("last_record", f.Seq), slog.Any("fields", f.Fields))
		}
		log.Error("audit reconcile: objects do not match the audit log", slog.Int64("findings", rep.Total),
			slog.Int("logged", len(rep.Findings)), slog.Int64("objects", objects), slog.Int64("log_size", rep.LogSize))
		return nil
	}
}

// resolveReconcile takes $TOLLGATE_AUDIT_RECONCILE_EVERY when
// --reconcile-every was not given, and checks the interval.
func (o *serveOptions) resolveReconcile(changed bool, getenv func(string) string) error {
	from := "--reconcile-every"
	if env := getenv("TOLLGATE_AUDIT_RECONCILE_EVERY"); !changed && env != "" {
		d, err := time.ParseDuration(env)
		if err != nil {
			return usageErrorf("TOLLGATE_AUDIT_RECONCILE_EVERY: want a duration such as 24h, not %q", env)
		}
		o.reconcileEvery, from = d, "TOLLGATE_AUDIT_RECONCILE_EVERY"
	}
	if o.reconcileEvery < 0 || o.reconcileEvery > 0 && o.reconcileEvery < time.Second {
		return usageErrorf("%s: want 0 (never) or at least 1s, not %s", from, o.reconcileEvery)
	}
	return nil
}
