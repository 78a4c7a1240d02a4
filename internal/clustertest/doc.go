// Package clustertest holds tollgate's cluster, crash and load tests: they
// build the tollgate binary, run `tollgate serve` replicas as subprocesses
// on loopback ports over one store (three on PostgreSQL, one on SQLite),
// drive them with a bounded load generator whose mutating calls carry
// Idempotency-Keys, kill replicas with SIGKILL mid-load, and then check that
// every acknowledged write is stored exactly once, that retries replay the
// original answers, that the audit log verifies and that each background
// job slot ran once. When the replicas serve the shipping routes, the load
// also reserves exports against a license and the 50% China cap, and the
// tests check that the cap is filled and never exceeded;
// TestReservationsTwoServers does so today with two API servers inside the
// test process.
//
// The PostgreSQL tests run when TOLLGATE_TEST_POSTGRES names a server; each
// uses a schema of its own. The package has no non-test code.
package clustertest
