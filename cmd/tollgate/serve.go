package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate/api"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/screening"
)

// defaultServeAddr is where tollgate serve listens without --addr or
// TOLLGATE_ADDR: loopback only, since the API has no authentication yet.
const defaultServeAddr = "127.0.0.1:8080"

// serveOptions are the flags of tollgate serve.
type serveOptions struct {
	addr      string
	db        string
	drain     time.Duration
	logFormat string
	logLevel  string
}

func newServeCmd(c *cli) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP JSON API",
		Long: `serve runs tollgate's HTTP JSON API (see /openapi.json) over the store named by
--db, creating a SQLite store on first use. It prints the address it listens on
(with --addr host:0 the port is chosen by the system), logs one structured line
per request to stderr, exposes /healthz, /readyz and Prometheus /metrics, and on
SIGINT or SIGTERM stops accepting connections and lets requests in flight finish
for up to --drain-timeout.

The API has no authentication yet: keep it on a loopback address.`,
		Example: `  tollgate serve
  tollgate serve --addr 127.0.0.1:0 --db sqlite:/tmp/tollgate.db
  TOLLGATE_DB=postgres://tollgate@db.internal/tollgate tollgate serve --log-format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.serve(cmd.Context(), o)
		},
	}
	addDBFlag(cmd, &o.db)
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "", "host:port to listen on; port 0 picks a free port (env TOLLGATE_ADDR, default "+defaultServeAddr+")")
	f.DurationVar(&o.drain, "drain-timeout", 15*time.Second, "how long shutdown waits for requests in flight")
	f.StringVar(&o.logFormat, "log-format", "text", "log format on stderr: text or json")
	f.StringVar(&o.logLevel, "log-level", "info", "least severe level logged: debug, info, warn or error")
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
	log, err := serveLogger(c, o.logFormat, o.logLevel)
	if err != nil {
		return err
	}
	db, err := c.openStore(o.db)
	if err != nil {
		return err
	}
	defer db.Close()

	svc := screening.New(db, log, screening.DefaultConfig())
	if err := svc.Warm(ctx); err != nil {
		return fmt.Errorf("serve: build the screening index: %w", err)
	}
	handler := api.NewServer(api.Deps{
		Store:     db,
		Screening: svc,
		Catalog:   catalog.Default(),
		Rules:     classify.Default(),
		Guard:     api.OpenAccess{},
		Logger:    log,
		Now:       c.now,
	})
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if !listenerIsLoopback(ln.Addr()) {
		log.Warn("authentication is not enabled: anyone who can reach this address can read and change everything",
			slog.String("addr", ln.Addr().String()))
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // list imports upload up to 64 MiB
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(c.stdout, "tollgate: serving the API on http://%s (store: %s)\n", ln.Addr(), db.Dialect())
	log.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("store", db.Dialect()))

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
