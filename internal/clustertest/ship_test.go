package clustertest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
	"tollgate/store"
)

// Reservations of the shipping part of the load: each client reserves
// reserveUnits serial-numbered units reservesPerClient times through its
// own licensed order, against a 50% China cap with room for
// reserveCapPercent of them, so the last reservations must be refused.
const (
	reservesPerClient = 8
	reserveUnits      = 4
	reserveCapPercent = 75
)

// opReserve is the op kind of an export reservation.
const opReserve = "reserve-export"

// shipFixture is a licensed exporter whose clients reserve exports: the
// shipload scenario (license, US units, imports, lab reports, one order
// per client) and the API token of one of its officers.
type shipFixture struct {
	sc    *shipload.Scenario
	token string
	// served is whether the replicas serve the shipping routes, so that
	// the load includes reservations.
	served bool
}

// newShipFixture builds the shipping scenario in f's store.
func newShipFixture(tb testing.TB, f *fixture) *shipFixture {
	tb.Helper()
	ctx := context.Background()
	db, svc := openShipping(tb, f)
	defer db.Close()
	sc, err := shipload.Setup(ctx, db, svc, shipload.Options{Clients: loadClients, Attempts: loadClients * reservesPerClient,
		UnitsPerExport: reserveUnits, CapPercent: reserveCapPercent})
	if err != nil {
		tb.Fatalf("shipload.Setup: %v", err)
	}
	u := &tollgate.User{OrgID: sc.ExporterOrgID, Email: "shipper@cluster.example", Name: "Cluster Shipper",
		Roles: []tollgate.Role{tollgate.RoleExporterOfficer}}
	if err := db.CreateUser(ctx, u); err != nil {
		tb.Fatalf("create user: %v", err)
	}
	secret, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, u, "cluster test shipping", 0, time.Now())
	if err == nil {
		err = db.CreateToken(ctx, tok)
	}
	if err != nil {
		tb.Fatalf("create token: %v", err)
	}
	return &shipFixture{sc: sc, token: secret.Reveal(), served: true}
}

// openShipping opens f's store and the shipping service over it, as
// tollgate serve configures it by default.
func openShipping(tb testing.TB, f *fixture) (*store.DB, *shipping.Service) {
	tb.Helper()
	db, err := store.Open(context.Background(), f.dsn, time.Now)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	db.Actor = tollgate.SystemPrincipal()
	svc, err := shipping.NewService(db, classify.Default(), catalog.Default().Lookup, shipping.DefaultConfig())
	if err != nil {
		db.Close()
		tb.Fatalf("shipping.NewService: %v", err)
	}
	return db, svc
}

// shippingServed reports whether the replica at addr serves the shipping
// routes: without a shipping service they answer 503.
func shippingServed(tb testing.TB, c *client, addr string, s *shipFixture) bool {
	tb.Helper()
	o := &op{kind: opReserve, method: http.MethodGet, path: "/v1/exports?limit=1", token: s.token}
	a, err := c.send(context.Background(), addr, o)
	if err != nil {
		tb.Fatalf("GET /v1/exports: %v", err)
	}
	if a.status == http.StatusServiceUnavailable {
		tb.Logf("shipping routes not served (%d: %.120s): reservations left out of the load", a.status, a.body)
		return false
	}
	return true
}

// reserveOps returns client k's reservations.
func (s *shipFixture) reserveOps(k int) []*op {
	var ops []*op
	for i := range reservesPerClient {
		serials := s.sc.Serials[k][i*reserveUnits : (i+1)*reserveUnits]
		body, _ := json.Marshal(shipping.ReserveRequest{OrderID: s.sc.OrderIDs[k],
			Units: tollgate.Units{Serials: serials, Count: reserveUnits}})
		ops = append(ops, &op{kind: opReserve, method: http.MethodPost, path: "/v1/exports", body: body,
			key: newKey(), token: s.token})
	}
	return ops
}

// withReservations interleaves the reservations of each client into its
// slice of ops (clients slices of per ops each) and returns the new ops.
func (s *shipFixture) withReservations(ops []*op, clients int) []*op {
	per := len(ops) / clients
	out := make([]*op, 0, len(ops)+clients*reservesPerClient)
	for k := range clients {
		mine := ops[k*per : (k+1)*per]
		res := s.reserveOps(k)
		every := max(1, per/len(res))
		for i, o := range mine {
			out = append(out, o)
			if i%every == every-1 && len(res) > 0 {
				out, res = append(out, res[0]), res[1:]
			}
		}
		out = append(out, res...)
	}
	return out
}

// refusedForLimit reports whether an answer is a refusal for a limit
// (a cap, license or order quantity): a final answer, not a failure.
func refusedForLimit(status int, body []byte) bool {
	return status == http.StatusUnprocessableEntity && bytes.Contains(body, []byte(`"`+tollgate.ELIMIT+`"`))
}

// checkReservations checks the shipping invariants after the load: the
// store's own checks (counters equal to records, nothing over a limit),
// the cap not exceeded, and the units held equal to the acknowledged
// reservations (plus at most the unanswered ones), each stored once.
func checkReservations(t *testing.T, f *fixture, s *shipFixture, ops []*op) {
	t.Helper()
	ctx := context.Background()
	db, svc := openShipping(t, f)
	defer db.Close()
	bad, err := svc.Verify(ctx)
	if err != nil {
		t.Fatalf("shipping Verify: %v", err)
	}
	for _, b := range bad {
		t.Errorf("shipping invariant: %s", b)
	}
	var acked, refused, unanswered int64
	for _, o := range ops {
		switch {
		case o.kind != opReserve:
		case o.acked:
			acked++
			e, err := svc.FindExportByID(ctx, o.id)
			if err != nil || e.Units.Count != reserveUnits {
				t.Errorf("export %s acknowledged (key %s): stored %+v, %v", o.id, o.key, e, err)
			}
		case o.refused:
			refused++
		default:
			unanswered++
		}
	}
	pos, err := svc.CapPosition(ctx, s.sc.ExporterOrgID, shipload.Product)
	if err != nil {
		t.Fatalf("CapPosition: %v", err)
	}
	if pos.HeldUnits > pos.CapUnits {
		t.Errorf("cap exceeded: %d China units held, cap %d", pos.HeldUnits, pos.CapUnits)
	}
	if lo, hi := acked*reserveUnits, (acked+unanswered)*reserveUnits; pos.HeldUnits < lo || pos.HeldUnits > hi {
		t.Errorf("%d China units held, want %d acknowledged (+ at most %d unanswered)", pos.HeldUnits, lo, hi-lo)
	}
	if refused > 0 && unanswered == 0 && pos.CapUnits-pos.HeldUnits >= reserveUnits {
		t.Errorf("%d reservations refused with room left under the cap: %d held of %d", refused, pos.HeldUnits, pos.CapUnits)
	}
	t.Logf("reservations: %d acknowledged, %d refused for a limit, %d unanswered; %d of %d cap units held",
		acked, refused, unanswered, pos.HeldUnits, pos.CapUnits)
}
