package clustertest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"tollgate/api"
	"tollgate/api/apitest"
	"tollgate/auth"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/screening"
)

// startInProcess serves the API over f's store on a loopback port inside
// the test process, with the shipping service wired in (as a replica of
// tollgate serve has it once serve hands the API its shipping service),
// and returns it as a replica whose address the pool can use. Each call
// opens its own store connection pool, as a separate replica would.
func startInProcess(t *testing.T, f *fixture) *replica {
	t.Helper()
	db, svc := openShipping(t, f)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	authn := &auth.Authenticator{
		Users: db, Orgs: db, Now: time.Now,
		Sessions: auth.DefaultSessionConfig(), Passwords: auth.DefaultPasswordParams(),
		Limiter:            auth.NewLoginLimiter(auth.DefaultLoginLimitConfig(), time.Now),
		TokenTouchInterval: time.Minute,
	}
	handler := api.NewServer(api.Deps{
		Store: db, Screening: screening.New(db, log, screening.DefaultConfig()), Shipping: svc,
		Catalog: catalog.Default(), Rules: classify.Default(), Auth: authn, Logger: log,
	})
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		t.Fatalf("listen: %v", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		db.Close()
	})
	return &replica{addr: ln.Addr().String()}
}

// TestReservationsTwoServers runs the cluster load, reservations included,
// against two API servers in the test process over one store, on SQLite
// and (with TOLLGATE_TEST_POSTGRES) PostgreSQL: concurrent reservations
// from two connection pools must fill the 50% cap exactly and never past
// it. It covers the shipping part of TestCluster while tollgate serve does
// not serve the shipping routes.
func TestReservationsTwoServers(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn, fixtureCount, false)
		sf := newShipFixture(t, f)
		rs := []*replica{startInProcess(t, f), startInProcess(t, f)}
		c := &client{http: newHTTPClient(loadClients), pool: newPool(rs...), token: f.token,
			retryFor: 20 * time.Second, conflictFor: 5 * time.Second}
		if !shippingServed(t, c, rs[0].addr, sf) {
			t.Fatal("the in-process servers do not serve the shipping routes")
		}
		ops := sf.withReservations(loadMix(f).ops("two"), loadClients)
		runLoad(context.Background(), c, ops, loadClients, nil)
		requireAllAcked(t, ops)
		checkStored(t, f, ops)
		checkReservations(t, f, sf, ops)
		checkReplays(t, c, ops)
	})
}
