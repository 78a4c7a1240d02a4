package clustertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tollgate/api/apitest"
)

// Shape of the mixed load benchmark: benchClients concurrent clients, each
// making benchPerClient calls, 70% GET party, 20% screen party, 10% create
// party, over benchParties parties.
const (
	benchClients   = 16
	benchPerClient = 100
	benchParties   = 200
)

// BenchmarkMixed runs a bounded mixed load against tollgate serve
// subprocesses: one replica on SQLite, and one and three replicas on
// PostgreSQL (with TOLLGATE_TEST_POSTGRES). Each iteration is one load of
// benchClients × benchPerClient calls spread round-robin over the
// replicas; it reports requests per second and the p50 and p99 latency of
// the last iteration. Run it with -benchtime 1x:
//
//	go test ./internal/clustertest -run '^$' -bench Mixed -benchtime 1x
func BenchmarkMixed(b *testing.B) {
	for _, bc := range []struct {
		name     string
		dsn      func(testing.TB) string
		replicas int
	}{
		{"sqlite/1", apitest.SQLiteDSN, 1},
		{"postgres/1", apitest.PostgresDSN, 1},
		{"postgres/3", apitest.PostgresDSN, 3},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b, bc.dsn(b), benchParties, true)
			var rs []*replica
			for range bc.replicas {
				rs = append(rs, startReplica(b, f, ""))
			}
			c := &client{http: newHTTPClient(benchClients), pool: newPool(rs...), token: f.token,
				retryFor: 10 * time.Second, conflictFor: time.Second}
			m := mix{org: f.orgID, parties: f.parties, createPerMille: 100, screenPerMille: 200,
				clients: benchClients, perCli: benchPerClient}
			// One small warm-up load: the first screening of each replica
			// and the connection pools' first connections are not measured.
			warm := mix{org: f.orgID, parties: f.parties, createPerMille: 100, screenPerMille: 200,
				clients: benchClients, perCli: 5}
			runLoad(context.Background(), c, warm.ops("warm"), benchClients, nil)
			var (
				elapsed  time.Duration
				ops      []*op
				iterated int
			)
			for b.Loop() {
				ops = m.ops(fmt.Sprintf("bench%d", iterated))
				iterated++
				elapsed = runLoad(context.Background(), c, ops, benchClients, nil)
			}
			for _, o := range ops {
				if !o.acked {
					b.Fatalf("%s %s: %s", o.method, o.path, o.failure)
				}
			}
			p50, p99 := percentiles(ops)
			b.Logf("%s", summary(ops))
			for _, kind := range []string{opGetParty, opScreenParty, opCreateParty} {
				var of []*op
				for _, o := range ops {
					if o.kind == kind {
						of = append(of, o)
					}
				}
				p50, p99 := percentiles(of)
				b.Logf("  %-12s %5d calls  p50 %-10s p99 %s", kind, len(of), p50.Round(time.Microsecond), p99.Round(time.Microsecond))
			}
			for _, o := range ops {
				if o.retried != "" {
					b.Logf("retried: %s", o.retried)
					break
				}
			}
			b.ReportMetric(float64(len(ops))/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			b.Logf("%s: %d calls by %d clients in %s: %.0f req/s, p50 %s, p99 %s", bc.name, len(ops), benchClients,
				elapsed.Round(time.Millisecond), float64(len(ops))/elapsed.Seconds(), p50, p99)
		})
	}
}
