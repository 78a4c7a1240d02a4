package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/api"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/screening"
	"tollgate/store"
)

// defaultServeAddr is where tollgate serve listens without --addr or
// TOLLGATE_ADDR: loopback only, until an operator chooses to expose it.
const defaultServeAddr = "127.0.0.1:8080"

// serveOptions are the flags of tollgate serve.
type serveOptions struct {
	addr      string
	db        string
	drain     time.Duration
	logFormat string
	logLevel  string
	ops       serveOps // replicas and overload: --jobs, --max-in-flight, … (serve_ops.go)

	checkpointEvery   time.Duration // how often to sign an audit checkpoint
	checkpointChanged bool          // --checkpoint-every was given
	rescreenEvery     time.Duration // how often to look for new list versions to re-screen against
	listsRefreshEvery time.Duration // how often to download and import the official lists (0: never)
	reconcileEvery    time.Duration // how often to reconcile the live data with the audit log (0: never)
	auth              serveAuth     // sign-in, tokens, the first administrator (serve_auth.go)
	listen            serveListen   // the metrics listener and TLS (serve_listen.go)
	index             string        // a saved screening index to start from (lists_index.go)
}

func newServeCmd(c *cli) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP JSON API",
		Long: `serve runs tollgate's HTTP JSON API (see /openapi.json) over the store named by
--db, creating a SQLite store on first use. It prints the address it listens on
(with --addr host:0 the port is chosen by the system), logs one structured line
per request to stderr, exposes /healthz and /readyz, serves Prometheus /metrics
on a listener of its own (--metrics-addr, loopback by default), and on SIGINT
or SIGTERM stops accepting connections and lets requests in flight finish for
up to --drain-timeout. With --tls-cert and --tls-key it serves HTTPS itself
(with HSTS and Secure session cookies), so a small deployment needs no proxy.
Each signed-in user may make --rate-limit requests a second after a burst of
--rate-burst; more get 429 with Retry-After.

Several replicas may serve one PostgreSQL store. Background jobs run on the one
replica holding the scheduler lease (--jobs=false keeps a replica out of it);
each request has a deadline (--request-timeout), at most --max-in-flight are
served at once (more get 503 with Retry-After), and --db-max-conns bounds the
database connections of this process.

Every change is appended to the audit log. serve loads the log's signing key
from the data directory (creating it on first start; replicas share one key
file), signs a checkpoint of the log at start, at shutdown and, as a background
job, every --checkpoint-every when the log grew, and follows a key replaced by
"tollgate audit rotate-key". With --reconcile-every it also checks, as a job,
that every live object is what its last audit record says (audit reconcile),
logging each object that is not and counting them in
tollgate_audit_reconcile_findings.

Every API call but /healthz, /readyz, /openapi.json and /v1/login
needs an API token ("Authorization: Bearer tg_…") or a dashboard session cookie,
and may do what the caller's roles allow (see README, Access control). On an
empty store serve makes the first system administrator (--admin-email) and
writes its API token to <data dir>/admin-token, readable by its owner only
(and prints it when stderr is a terminal; the log says only where it is);
with several replicas starting together, only one of them does.`,
		Example: `  tollgate serve
  tollgate serve --addr 127.0.0.1:0 --db sqlite:/tmp/tollgate.db
  TOLLGATE_DB=postgres://tollgate@db.internal/tollgate tollgate serve --log-format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.ops.resolve(cmd.Flags(), c.getenv); err != nil {
				return err
			}
			if err := o.auth.resolve(cmd.Flags(), c.getenv); err != nil {
				return err
			}
			if err := o.listen.resolve(cmd.Flags(), c.getenv); err != nil {
				return err
			}
			if o.listen.tls() {
				o.auth.secureCookies = true // the dashboard is reached over HTTPS
			}
			o.checkpointChanged = cmd.Flags().Changed("checkpoint-every")
			if err := o.resolveReconcile(cmd.Flags().Changed("reconcile-every"), c.getenv); err != nil {
				return err
			}
			if !cmd.Flags().Changed("index") {
				o.index = c.getenv("TOLLGATE_INDEX")
			}
			return c.serve(cmd.Context(), o)
		},
	}
	addDBFlag(cmd, &o.db)
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "", "host:port to listen on; port 0 picks a free port (env TOLLGATE_ADDR, default "+defaultServeAddr+")")
	f.DurationVar(&o.drain, "drain-timeout", 15*time.Second, "how long shutdown waits for requests in flight")
	f.StringVar(&o.logFormat, "log-format", "text", "log format on stderr: text or json")
	f.StringVar(&o.logLevel, "log-level", "info", "least severe level logged: debug, info, warn or error")
	o.ops.addFlags(f)
	o.auth.addFlags(f)
	o.listen.addFlags(f)
	f.DurationVar(&o.checkpointEvery, "checkpoint-every", defaultCheckpointEvery,
		"how often to sign an audit log checkpoint; 0: only at start and shutdown (env TOLLGATE_AUDIT_CHECKPOINT_EVERY)")
	f.StringVar(&o.index, "index", "",
		"start from the screening index saved by \"tollgate lists index\"; refused with a warning, and the index built, unless it matches the current lists and engine (env TOLLGATE_INDEX)")
	f.DurationVar(&o.rescreenEvery, "rescreen-every", defaultRescreenEvery,
		"how often to look for a list import and then re-screen every party; 0: never")
	f.DurationVar(&o.listsRefreshEvery, "lists-refresh-every", 0,
		"how often to download the official lists into <data dir>/lists and import them, e.g. 24h; 0: never")
	f.DurationVar(&o.reconcileEvery, "reconcile-every", 0,
		"how often to check that every live object is what the audit log says (audit reconcile), e.g. 24h; 0: never (env TOLLGATE_AUDIT_RECONCILE_EVERY)")
	return cmd
}

// serve runs the API until ctx is cancelled, then drains.
func (c *cli) serve(ctx context.Context, o serveOptions) error {
	addr, err := c.serveAddr(o.addr)
	if err != nil {
		return err
	}
	if o.drain <= 0 {
		return usageErrorf("--drain-timeout must be positive, not %s", o.drain)
	}
	// Bind before anything starts: an address in use fails here, at once.
	ln := c.bound
	if ln == nil {
		if ln, err = listen(ctx, addr); err != nil {
			return err
		}
	}
	defer ln.Close()
	log, err := serveLogger(c, o.logFormat, o.logLevel)
	if err != nil {
		return err
	}
	tlsConfig, err := o.listen.tlsConfig()
	if err != nil {
		return err
	}
	every, err := c.checkpointEvery(o.checkpointEvery, o.checkpointChanged)
	if err != nil {
		return err
	}
	keys, err := c.openAuditKeyring(log)
	if err != nil {
		return err
	}
	db, err := c.openStore(o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := o.ops.configureStore(db); err != nil {
		return err
	}
	// Requests name their caller; what the server does on its own is the
	// system's.
	db.Actor = tollgate.SystemPrincipal()
	if err := c.bootstrapAdmin(ctx, db, log, o.auth.adminEmail, o.auth.tokenTTL); err != nil {
		return err
	}
	if err := keys.checkpoint(ctx, db); err != nil {
		return fmt.Errorf("serve: audit checkpoint: %w", err)
	}

	svc := screening.New(db, log, screening.DefaultConfig())
	if o.index != "" {
		loadSavedIndex(ctx, svc, o.index, log)
	}
	if err := svc.Warm(ctx); err != nil {
		return fmt.Errorf("serve: build the screening index: %w", err)
	}
	lic, err := c.serveLicensing(db) // applications.go
	if err != nil {
		return err
	}
	ship, err := c.newShippingService(db) // shipments.go
	if err != nil {
		return err
	}
	reg := api.NewRegistry()
	handler := api.NewServer(api.Deps{
		Registry:  reg,
		Store:     db,
		Screening: svc,
		Licensing: lic,
		Shipping:  ship,
		Catalog:   catalog.Default(),
		Rules:     classify.Default(),
		Auth:      o.auth.authenticator(db, c.now),
		Access:    o.auth.access(db, log),
		Logger:    log,
		Now:       c.now,
		Limits:    o.ops.limits(),
		AuditKey:  keys.Key,
		Build:     buildInfo(),
	})
	// Background jobs run on one replica at a time; register them here
	// with sched.Register(name, interval, fn) (see package jobs).
	sched := c.newScheduler(db, log, o.drain)
	keys.registerCheckpoints(sched, db, every)
	sched.Register("audit.denials", store.DenialWindow/2, closeDenialWindows(db, log))
	registerRescreen(sched, svc, log, o.rescreenEvery, listVersionsKey(ctx, svc))
	registerReconcile(sched, db, log, newReconcileMetrics(reg), o.reconcileEvery)
	if o.listsRefreshEvery > 0 {
		data, err := c.dataDir()
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		registerListRefresh(sched, db, filepath.Join(data, "lists"), o.listsRefreshEvery, log)
	}
	sched.Register("shipping.expire", time.Minute, func(ctx context.Context) error {
		n, err := ship.Sweep(ctx, 0)
		if n > 0 {
			log.Info("expired reservations released", slog.Int("count", n))
		}
		return err
	})
	// An escalated case's decision stands when its appeal window closes
	// (EO 12981 §5): record it, and issue an approval's license.
	sched.Register("applications.finalize", time.Minute, func(ctx context.Context) error {
		n, err := lic.FinalizeDue(ctx)
		if n > 0 {
			log.Info("unappealed decisions finalized", slog.Int("count", n))
		}
		return err
	})
	// The metrics listener binds before the jobs start, as the API's does.
	metricsAddr, stopMetrics, err := c.serveMetrics(ctx, o.listen.metricsAddr, reg, log)
	if err != nil {
		return err
	}
	defer stopMetrics(context.WithoutCancel(ctx))
	waitJobs := c.startJobs(ctx, sched, o.ops.jobs, log)
	defer waitJobs()
	if !listenerIsLoopback(ln.Addr()) && !o.auth.secureCookies {
		log.Warn("session cookies are sent without Secure: put HTTPS in front of this address and pass --secure-cookies",
			slog.String("addr", ln.Addr().String()))
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // list imports upload up to 64 MiB
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    api.HTTPServerMaxHeaderBytes(o.ops.limits()),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		TLSConfig:         tlsConfig,
	}
	served := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			served <- srv.ServeTLS(ln, "", "")
			return
		}
		served <- srv.Serve(api.ProblemListener(ln))
	}()
	scheme := o.listen.scheme()
	where := db.Dialect()
	if dsn, _, err := c.storeDSN(o.db); err == nil {
		where = redactDSN(dsn) // say where the store is, not only its kind
	}
	fmt.Fprintf(c.stdout, "tollgate: serving the API on %s://%s (store: %s)\n", scheme, ln.Addr(), where)
	fmt.Fprintf(c.stdout, "tollgate: serving metrics on http://%s/metrics\n", metricsAddr)
	log.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("scheme", scheme),
		slog.String("metrics_addr", metricsAddr.String()), slog.String("store", db.Dialect()))

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests in flight", slog.Duration("timeout", o.drain))
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.drain)
	defer cancel()
	if err := srv.Shutdown(drainCtx); err != nil {
		srv.Close()
		return fmt.Errorf("serve: requests still running after %s were cut off: %w", o.drain, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	if err := keys.checkpoint(context.WithoutCancel(ctx), db); err != nil {
		return fmt.Errorf("serve: audit checkpoint at shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serveAddr returns the listen address: the flag, else TOLLGATE_ADDR, else
// the loopback default.
func (c *cli) serveAddr(flag string) (string, error) {
	addr, from := flag, "--addr"
	if addr == "" {
		addr, from = c.getenv("TOLLGATE_ADDR"), "TOLLGATE_ADDR"
	}
	if addr == "" {
		return defaultServeAddr, nil
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return "", usageErrorf("%s: want host:port (e.g. 127.0.0.1:8080 or :0), not %q", from, addr)
	}
	return addr, nil
}

// listen binds the API's address. It is the first thing serve and demo do,
// so that an address in use fails at once, naming the address, before any
// store is opened, story played or background job started.
func listen(ctx context.Context, addr string) (net.Listener, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		var sys *os.SyscallError
		if errors.As(err, &sys) {
			err = sys.Err // "address already in use", without the op and address repeated
		}
		return nil, tollgate.Errorf(tollgate.EUNAVAILABLE, "cannot listen on %s: %v", addr, err)
	}
	return ln, nil
}

// listenerIsLoopback reports whether a listener accepts only local connections.
func listenerIsLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// serveLogger returns a slog logger writing to the CLI's stderr.
func serveLogger(c *cli, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageErrorf("--log-level: want debug, info, warn or error, not %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(c.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(c.stderr, opts)), nil
	}
	return nil, usageErrorf("--log-format: want text or json, not %q", format)
}
