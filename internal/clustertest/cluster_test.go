package clustertest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"tollgate/api/apitest"
)

// Sizes of the cluster and crash tests' load: clients × perClient ops, of
// which createShare and screenShare per mille create and screen parties
// (the rest read them).
const (
	loadClients   = 8
	loadPerClient = 40
	createShare   = 400
	screenShare   = 400
	fixtureCount  = 20
)

// loadMix returns the tests' mutating mix over f's parties.
func loadMix(f *fixture) mix {
	return mix{org: f.orgID, parties: f.parties, createPerMille: createShare, screenPerMille: screenShare,
		clients: loadClients, perCli: loadPerClient}
}

// requireAllAcked fails t when an op ended without a 2xx answer: with
// retries on other replicas (or the restarted one), every call must get
// through.
func requireAllAcked(t *testing.T, ops []*op) {
	t.Helper()
	t.Log(summary(ops))
	for _, o := range ops {
		if !o.acked && !o.refused {
			t.Errorf("ops without an answer:%s", failures(ops))
			return
		}
	}
}

// TestCluster runs three replicas on one PostgreSQL store, spreads a
// bounded load of party creations, screenings and reads across them, and
// checks every acknowledged write, the replays of their Idempotency-Keys,
// the audit log and the background job ledger.
func TestCluster(t *testing.T) {
	dsn := apitest.PostgresDSN(t)
	f := newFixture(t, dsn, fixtureCount, false)
	sf := newShipFixture(t, f)
	rs := []*replica{startReplica(t, f, ""), startReplica(t, f, ""), startReplica(t, f, "")}
	c := &client{http: newHTTPClient(loadClients), pool: newPool(rs...), token: f.token,
		retryFor: 20 * time.Second, conflictFor: 5 * time.Second}
	ops := loadMix(f).ops("cluster")
	ship := shippingServed(t, c, rs[0].addr, sf)
	if ship {
		ops = sf.withReservations(ops, loadClients)
	}
	elapsed := runLoad(context.Background(), c, ops, loadClients, nil)
	t.Logf("load took %s", elapsed.Round(time.Millisecond))
	requireAllAcked(t, ops)
	checkStored(t, f, ops)
	if ship {
		checkReservations(t, f, sf, ops)
	}
	checkReplays(t, c, ops)
	verifyAudit(t, f)
	checkJobs(t, f, 0)
}

// crashDuringLoad runs the test load over the replicas rs and, once a
// quarter of it is done, kills replica victim with SIGKILL and restarts it
// on a new port over the same store; clients retry what failed on another
// replica (or, with one replica, the restarted one) with the same
// Idempotency-Key.
func crashDuringLoad(t *testing.T, f *fixture, sf *shipFixture, rs []*replica, victim int) (*client, []*op) {
	t.Helper()
	c := &client{http: newHTTPClient(loadClients), pool: newPool(rs...), token: f.token,
		retryFor: 30 * time.Second, conflictFor: 3 * time.Second}
	ops := loadMix(f).ops("crash")
	if shippingServed(t, c, rs[0].addr, sf) {
		ops = sf.withReservations(ops, loadClients)
	} else {
		sf.served = false
	}
	var progress atomic.Int64
	done := make(chan time.Duration)
	go func() { done <- runLoad(context.Background(), c, ops, loadClients, &progress) }()
	for progress.Load() < int64(len(ops)/4) {
		select {
		case d := <-done:
			t.Fatalf("load finished in %s before the crash", d)
		case <-time.After(5 * time.Millisecond):
		}
	}
	c.pool.set(victim, "")
	rs[victim].kill()
	t.Logf("killed replica %d (%s) with SIGKILL after %d ops", victim, rs[victim].addr, progress.Load())
	restarted := startReplica(t, f, "")
	c.pool.set(victim, restarted.addr)
	t.Logf("restarted it on %s", restarted.addr)
	t.Logf("load took %s", (<-done).Round(time.Millisecond))
	return c, ops
}

// TestCrashPostgres kills one of three PostgreSQL replicas during the load
// (the first started, which usually holds the scheduler lease) and restarts
// it.
func TestCrashPostgres(t *testing.T) {
	dsn := apitest.PostgresDSN(t)
	f := newFixture(t, dsn, fixtureCount, false)
	sf := newShipFixture(t, f)
	rs := []*replica{startReplica(t, f, ""), startReplica(t, f, ""), startReplica(t, f, "")}
	c, ops := crashDuringLoad(t, f, sf, rs, 0) // the first started usually leads the jobs
	checkCrash(t, f, sf, c, ops)
}

// TestCrashSQLite kills the single SQLite process during the load and
// restarts it on the same file.
func TestCrashSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tollgate and runs a server: not in -short")
	}
	f := newFixture(t, apitest.SQLiteDSN(t), fixtureCount, false)
	sf := newShipFixture(t, f)
	c, ops := crashDuringLoad(t, f, sf, []*replica{startReplica(t, f, "")}, 0)
	checkCrash(t, f, sf, c, ops)
}

// checkCrash checks the outcome of a crash test. A call in flight on the
// killed replica either committed with its idempotent answer or not at
// all (the write and the answer share one transaction), so its retry
// replays that answer or runs it anew: every call gets a 2xx answer (or a
// final refusal), every acknowledged write is stored exactly once, and
// every replay is the original answer.
func checkCrash(t *testing.T, f *fixture, sf *shipFixture, c *client, ops []*op) {
	t.Helper()
	requireAllAcked(t, ops)
	checkStored(t, f, ops)
	if sf.served {
		checkReservations(t, f, sf, ops)
	}
	checkReplays(t, c, ops)
	verifyAudit(t, f)
	checkJobs(t, f, 1)
}
