package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/api/apiload"
	"tollgate/screen/lists"
	"tollgate/screen/screeneval"
	"tollgate/screening"
	"tollgate/store"
)

// Targets of issue 4 for the API on the reference 2-core machine.
const (
	benchAPIScreenTarget = 10000                 // names/s through POST /v1/screen
	benchAPIGetTarget    = 3000                  // GET /v1/parties/{id} per second
	benchAPIGetP99       = 20 * time.Millisecond // at this p99 or better
)

// benchAPIFlags are the options of "tollgate bench api".
type benchAPIFlags struct {
	lists       string
	db          string
	requests    int
	concurrency int
	batch       int
	parties     int
	json        bool
}

// benchAPIReport is the output of "tollgate bench api".
type benchAPIReport struct {
	Store      string            `json:"store"`
	Lists      []string          `json:"lists"`
	Entities   int               `json:"entities"`
	SetupSec   float64           `json:"setup_seconds"`
	IndexSec   float64           `json:"index_build_seconds"`
	Results    []apiload.Result  `json:"results"`
	Targets    map[string]string `json:"targets"`
	TargetsMet bool              `json:"targets_met"`
}

// newBenchAPICmd returns "bench api"; newBenchCmd adds it to "bench".
func newBenchAPICmd(c *cli) *cobra.Command {
	var f benchAPIFlags
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Load-test the HTTP API on loopback: screening batches and party reads",
		Long: `bench api starts the API on a random loopback port over a scratch store (a
temporary SQLite file, or --db), imports the CSL, OFAC and UN lists found under
DIR, creates --parties parties, and drives it with --concurrency clients:
--requests POST /v1/screen calls of --batch names (names/s), then --requests
GET /v1/parties/{id} calls (requests/s, p50, p99). It prints each figure with
the issue's target (≥ 10,000 names/s; ≥ 3,000 GETs/s at p99 ≤ 20 ms).

--db must name a scratch database: the benchmark writes lists and parties
into it. Before measuring, every distinct request is sent once (warm-up).
DIR defaults to $TOLLGATE_TESTDATA/lists, else ../shared/data/lists.`,
		Example: `  tollgate bench api
  tollgate bench api --requests 2000 --concurrency 16
  tollgate bench api --db postgres://postgres@127.0.0.1:5432/scratch --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return c.runBenchAPI(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.lists, "lists", "", "directory holding csl/, ofac/ and un/ (default $TOLLGATE_TESTDATA/lists or ../shared/data/lists)")
	fl.StringVar(&f.db, "db", "", "scratch store to load: sqlite:PATH or a postgres:// URL (default: a temporary SQLite file)")
	fl.IntVar(&f.requests, "requests", 500, "requests per load")
	fl.IntVar(&f.concurrency, "concurrency", 8, "concurrent clients")
	fl.IntVar(&f.batch, "batch", 100, "names per screening call (1 to 1000)")
	fl.IntVar(&f.parties, "parties", 1000, "parties to create for the read load")
	fl.BoolVar(&f.json, "json", false, "print JSON")
	return cmd
}

func (c *cli) runBenchAPI(ctx context.Context, f benchAPIFlags) error {
	switch {
	case f.requests <= 0:
		return usageErrorf("--requests: must be positive, got %d", f.requests)
	case f.concurrency <= 0:
		return usageErrorf("--concurrency: must be positive, got %d", f.concurrency)
	case f.batch < 1 || f.batch > 1000:
		return usageErrorf("--batch: must be 1 to 1000, got %d", f.batch)
	case f.parties <= 0:
		return usageErrorf("--parties: must be positive, got %d", f.parties)
	}
	dir := f.lists
	if dir == "" {
		dir = filepath.Join(c.testDataDir(""), "lists")
	}
	csl, ofac, un, _ := screeneval.ListFiles(dir)
	paths := slices.DeleteFunc([]string{csl, ofac, un}, func(p string) bool { return p == "" })
	if len(paths) == 0 {
		return usageErrorf("--lists: no CSL, OFAC or UN files under %s", dir)
	}
	start := time.Now()
	rep := benchAPIReport{Lists: paths}
	var imports []*tollgate.ListImport
	for _, p := range paths {
		res, err := lists.Load(p)
		if err != nil {
			return err
		}
		imports = append(imports, screening.ListImport(res, p))
		rep.Entities += len(res.Entities)
	}
	db, cleanup, err := c.benchStore(ctx, f.db)
	if err != nil {
		return err
	}
	defer cleanup()
	rep.Store = db.Dialect()
	sc, err := apiload.Start(ctx, apiload.Setup{Store: db, Lists: imports, Parties: f.parties, Seed: 1})
	if err != nil {
		return err
	}
	defer sc.Close()
	rep.SetupSec, rep.IndexSec = time.Since(start).Seconds(), sc.IndexBuild.Seconds()

	client := apiload.NewClient(f.concurrency)
	if err := sc.Warm(ctx, client, f.batch); err != nil {
		return err
	}
	screenRes := apiload.Run(ctx, client, sc.ScreenLoad(f.batch, f.requests, f.concurrency))
	getRes := apiload.Run(ctx, client, sc.GetPartyLoad(f.requests, f.concurrency))
	rep.Results = []apiload.Result{screenRes, getRes}
	screenOK := screenRes.Errors == 0 && screenRes.ItemsPerSecond >= benchAPIScreenTarget
	getOK := getRes.Errors == 0 && getRes.PerSecond >= benchAPIGetTarget && getRes.P99 <= benchAPIGetP99
	rep.Targets = map[string]string{
		"screen_names_per_second": fmt.Sprintf("%.0f (target ≥ %d): %s", screenRes.ItemsPerSecond, benchAPIScreenTarget, passWord(screenOK)),
		"get_party": fmt.Sprintf("%.0f/s, p99 %s (target ≥ %d/s at p99 ≤ %s): %s",
			getRes.PerSecond, getRes.P99.Round(10*time.Microsecond), benchAPIGetTarget, benchAPIGetP99, passWord(getOK)),
	}
	rep.TargetsMet = screenOK && getOK
	if f.json {
		return writeJSON(c.stdout, rep)
	}
	fmt.Fprintf(c.stdout, "store %s; %d entities from %d lists; setup %.1fs (index build %.2fs); %d clients on loopback\n",
		rep.Store, rep.Entities, len(paths), rep.SetupSec, rep.IndexSec, f.concurrency)
	for _, r := range rep.Results {
		fmt.Fprintln(c.stdout, r)
	}
	fmt.Fprintf(c.stdout, "screening:  %s\nparty reads: %s\n", rep.Targets["screen_names_per_second"], rep.Targets["get_party"])
	return nil
}

// benchStore opens the store to load: dsn when given, else a SQLite file in
// a temporary directory that cleanup removes.
func (c *cli) benchStore(ctx context.Context, dsn string) (db *store.DB, cleanup func(), err error) {
	if dsn != "" {
		db, err := store.Open(ctx, dsn, c.now)
		if err != nil {
			return nil, nil, err
		}
		return db, func() { db.Close() }, nil
	}
	dir, err := os.MkdirTemp("", "tollgate-bench-api-")
	if err != nil {
		return nil, nil, err
	}
	db, err = store.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"), c.now)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }, nil
}
