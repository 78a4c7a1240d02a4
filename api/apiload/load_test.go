package apiload

import (
	"context"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/internal/testenv"
	"tollgate/screen/lists"
	"tollgate/screening"
	"tollgate/store"
)

// startScenario opens a store at dsn and starts a scenario over it.
func startScenario(tb testing.TB, dsn string, ls []*tollgate.ListImport, parties int) *Scenario {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	sc, err := Start(ctx, Setup{Store: db, Lists: ls, Parties: parties, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sc.Close() })
	return sc
}

func TestRunSmoke(t *testing.T) {
	sc := startScenario(t, apitest.SQLiteDSN(t), []*tollgate.ListImport{SyntheticList(300, 7)}, 20)
	client := NewClient(4)
	if err := sc.Warm(context.Background(), client, 10); err != nil {
		t.Fatal(err)
	}
	for _, l := range []Load{sc.ScreenLoad(10, 20, 4), sc.GetPartyLoad(50, 4)} {
		r := Run(context.Background(), client, l)
		if r.Errors != 0 || r.Requests != l.Requests {
			t.Errorf("%s: %d of %d requests, %d errors: %s", l.Name, r.Requests, l.Requests, r.Errors, r.FirstError)
		}
		if r.P50 <= 0 || r.P99 < r.P50 || r.Max < r.P99 {
			t.Errorf("%s: percentiles out of order: %s", l.Name, r)
		}
		if !strings.Contains(r.String(), l.Name) {
			t.Errorf("String() = %q lacks the name", r.String())
		}
	}
	// Listed names as listed come back as hits; generated ones mostly not.
	var listed int
	for _, q := range sc.Names {
		if strings.Contains(q.Name, "Co., Ltd.") || strings.Contains(q.Name, ",") {
			listed++
		}
	}
	if listed == 0 {
		t.Error("name pool holds no listed-looking names")
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	sc := startScenario(t, apitest.SQLiteDSN(t), []*tollgate.ListImport{SyntheticList(50, 3)}, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Run(ctx, NewClient(2), sc.GetPartyLoad(1000, 2))
	if r.Requests != 0 {
		t.Errorf("%d requests after cancel, want 0", r.Requests)
	}
}

// benchLists returns the real CSL, OFAC 2024 and UN lists when the shared
// data is present, else a synthetic list of similar size.
func benchLists(b *testing.B) []*tollgate.ListImport {
	b.Helper()
	var out []*tollgate.ListImport
	for _, rel := range []string{"lists/csl/consolidated-2022-04.csv.gz", "lists/ofac/2024-05-03/sdn.csv", "lists/un/consolidated-2026-02-27.xml"} {
		path := testenv.DataFile(b, rel)
		res, err := lists.Load(path)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, screening.ListImport(res, path))
	}
	return out
}

// BenchmarkAPI drives a real server on loopback: POST /v1/screen with
// 100-name batches (names/s) and GET /v1/parties/{id} (requests/s, p99),
// with 8 concurrent clients, on SQLite and, with TOLLGATE_TEST_POSTGRES,
// PostgreSQL. b.N is the number of requests.
func BenchmarkAPI(b *testing.B) {
	ls := benchLists(b)
	for _, be := range apitest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			sc := startScenario(b, be.DSN(b), ls, 1000)
			client := NewClient(8)
			if err := sc.Warm(context.Background(), client, 100); err != nil {
				b.Fatal(err)
			}
			b.Run("screen-100", func(b *testing.B) {
				r := Run(context.Background(), client, sc.ScreenLoad(100, b.N, 8))
				report(b, r)
				b.ReportMetric(r.ItemsPerSecond, "names/s")
			})
			b.Run("get-party", func(b *testing.B) {
				r := Run(context.Background(), client, sc.GetPartyLoad(b.N, 8))
				report(b, r)
			})
		})
	}
}

func report(b *testing.B, r Result) {
	b.Helper()
	if r.Errors > 0 {
		b.Fatalf("%d errors: %s", r.Errors, r.FirstError)
	}
	b.ReportMetric(r.PerSecond, "req/s")
	b.ReportMetric(float64(r.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.P99.Microseconds())/1000, "p99-ms")
}
