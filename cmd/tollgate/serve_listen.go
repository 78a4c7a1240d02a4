package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"tollgate/api"
)

// defaultMetricsAddr is where serve exposes its Prometheus metrics without
// --metrics-addr: loopback only. The metrics tell every tenant's activity
// (requests by route, denials by permission), so they never share the
// API's listener.
const defaultMetricsAddr = "127.0.0.1:9464"

// serveListen are serve's flags for its listeners: the metrics listener
// and TLS on the API's.
type serveListen struct {
	metricsAddr string
	tlsCert     string
	tlsKey      string
}

// addFlags registers the flags on f.
func (l *serveListen) addFlags(f *pflag.FlagSet) {
	f.StringVar(&l.metricsAddr, "metrics-addr", "",
		"host:port of the Prometheus /metrics listener, apart from the API's; port 0 picks a free port (env TOLLGATE_METRICS_ADDR, default "+defaultMetricsAddr+")")
	f.StringVar(&l.tlsCert, "tls-cert", "",
		"PEM certificate (chain) file: serve the API over HTTPS, with HSTS and Secure cookies; needs --tls-key (env TOLLGATE_TLS_CERT)")
	f.StringVar(&l.tlsKey, "tls-key", "", "PEM private key file of --tls-cert (env TOLLGATE_TLS_KEY)")
}

// resolve takes each flag not given on the command line from its
// TOLLGATE_* variable, if set, and checks the values.
func (l *serveListen) resolve(f *pflag.FlagSet, getenv func(string) string) error {
	for _, v := range []struct {
		flag, env string
		p         *string
	}{
		{"metrics-addr", "TOLLGATE_METRICS_ADDR", &l.metricsAddr},
		{"tls-cert", "TOLLGATE_TLS_CERT", &l.tlsCert},
		{"tls-key", "TOLLGATE_TLS_KEY", &l.tlsKey},
	} {
		if !f.Changed(v.flag) {
			if e := getenv(v.env); e != "" {
				*v.p = e
			}
		}
	}
	if l.metricsAddr == "" {
		l.metricsAddr = defaultMetricsAddr
	}
	if _, port, err := net.SplitHostPort(l.metricsAddr); err != nil || port == "" {
		return usageErrorf("--metrics-addr: want host:port (e.g. 127.0.0.1:9464 or 127.0.0.1:0), not %q", l.metricsAddr)
	}
	if (l.tlsCert == "") != (l.tlsKey == "") {
		return usageErrorf("--tls-cert and --tls-key go together: give both or neither")
	}
	return nil
}

// tls reports whether the API is served over TLS.
func (l *serveListen) tls() bool { return l.tlsCert != "" }

// tlsConfig loads the certificate and key, so that a bad file stops serve
// at start rather than at the first handshake; nil without TLS.
func (l *serveListen) tlsConfig() (*tls.Config, error) {
	if !l.tls() {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(l.tlsCert, l.tlsKey)
	if err != nil {
		return nil, usageErrorf("--tls-cert, --tls-key: %v", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// scheme is the API's URL scheme.
func (l *serveListen) scheme() string {
	if l.tls() {
		return "https"
	}
	return "http"
}

// serveMetrics listens on --metrics-addr and serves reg's metrics at
// /metrics (and nothing else) until the returned stop is called. It warns
// when the address is not loopback: anyone who reaches it reads everyone's
// activity.
func (c *cli) serveMetrics(ctx context.Context, addr string, reg *prometheus.Registry, log *slog.Logger) (net.Addr, func(context.Context) error, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: --metrics-addr: %w", err)
	}
	if !listenerIsLoopback(ln.Addr()) {
		log.Warn("the metrics listener is reachable from other hosts: they tell every tenant's activity; keep it behind a firewall",
			slog.String("metrics_addr", ln.Addr().String()))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", api.MetricsHandler(reg))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      time.Minute,
		MaxHeaderBytes:    8 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("the metrics listener stopped", slog.String("error", err.Error()))
		}
	}()
	return ln.Addr(), srv.Shutdown, nil
}
