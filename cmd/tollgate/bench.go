package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/screen"
	"tollgate/screen/lists"
	"tollgate/screen/screeneval"
)

// benchFlags are the options of "tollgate bench screen".
type benchFlags struct {
	lists   string
	n       int
	workers int
	json    bool

	entities int    // synthetic entities to add (bench_entities.go)
	seed     uint64 // the generator's seed
	indexDir string // where the saved index is written and read back
	profile  string // CPU profile of the batch, for pprof
}

func newBenchCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure tollgate's engines' speed and memory",
		Example: `  tollgate bench screen
  tollgate bench api`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newBenchScreenCmd(c), newBenchAPICmd(c), newBenchShipCmd(c))
	return cmd
}

func newBenchScreenCmd(c *cli) *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "screen",
		Short: "Measure screening load time, memory, throughput and latency",
		Long: `bench screen loads the newest CSL, OFAC and UN lists under DIR (as issue 3 §5
specifies the setting), builds the index, and prints the load time, the Go heap
and the process's resident memory, the batch throughput in names per second on
all CPUs, and the single-query latency p50 and p99 in process.

The queries are N names: half ordinary names from DIR/../eval/negatives-*.csv
(when present), half listed names, interleaved, so that the mix has both
misses and hits; 5,000 further names are timed one at a time. Throughput is
also given per CPU-second, which does not depend on other load on the
machine. DIR defaults to $TOLLGATE_TESTDATA/lists, else
../shared/data/lists.

With --entities N, the index holds N synthetic entities as well as the
lists' own, generated from the lists' statistics (package screen/synth): the
report adds the generation and index build times, the peak resident memory,
and the size, save and load times of the saved index; the queries are then a
third listed names misspelled or reordered, a third new synthetic names and a
third ordinary names.`,
		Example: `  tollgate bench screen
  tollgate bench screen --n 50000
  tollgate bench screen --lists ../shared/data/lists --json
  tollgate bench screen --entities 1000000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return c.runBenchScreen(f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.lists, "lists", "", "directory holding csl/, ofac/ and un/ (default $TOLLGATE_TESTDATA/lists or ../shared/data/lists)")
	fl.IntVar(&f.n, "n", 20000, "number of query names")
	fl.IntVar(&f.workers, "workers", 0, "goroutines for the batch (default: all CPUs)")
	fl.BoolVar(&f.json, "json", false, "print JSON")
	fl.IntVar(&f.entities, "entities", 0, "add this many synthetic entities to the lists' own")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the synthetic entities and queries (with --entities)")
	fl.StringVar(&f.profile, "cpuprofile", "", "write a CPU profile of the batch to this file (go tool pprof)")
	fl.StringVar(&f.indexDir, "index-dir", "", "directory for the saved index measured with --entities (default: the system's temporary directory)")
	return cmd
}

// benchReport is the output of "tollgate bench screen".
type benchReport struct {
	Lists       []string `json:"lists"`
	Entities    int      `json:"entities"`
	Names       int      `json:"names"`
	LoadSeconds float64  `json:"load_seconds"`
	HeapMB      float64  `json:"heap_mb"`
	RSSMB       float64  `json:"rss_mb,omitempty"`
	Queries     int      `json:"queries"`
	Workers     int      `json:"workers"`
	NamesPerSec float64  `json:"names_per_second"`
	// NamesPerCPUSec is the batch throughput per second of CPU time the
	// process used: what one uncontended core sustains.
	NamesPerCPUSec float64 `json:"names_per_cpu_second,omitempty"`
	HitRate        float64 `json:"hit_rate"`
	P50Micros      float64 `json:"p50_us"`
	P99Micros      float64 `json:"p99_us"`
	SingleProbes   int     `json:"single_queries"`
}

func (c *cli) runBenchScreen(f benchFlags) error {
	if f.n <= 0 {
		return usageErrorf("--n: must be positive, got %d", f.n)
	}
	if f.workers < 0 {
		return usageErrorf("--workers: must not be negative, got %d", f.workers)
	}
	if f.entities < 0 {
		return usageErrorf("--entities: must not be negative, got %d", f.entities)
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
	rep := benchReport{Lists: paths, Workers: f.workers}
	if rep.Workers == 0 {
		rep.Workers = runtime.GOMAXPROCS(0)
	}
	if f.entities > 0 {
		return c.runBenchEntities(f, dir, rep)
	}

	start := time.Now()
	var entities []tollgate.Entity
	for _, p := range paths {
		res, err := lists.Load(p)
		if err != nil {
			return err
		}
		entities = append(entities, res.Entities...)
	}
	ix := screen.NewIndex(entities, screen.DefaultConfig())
	rep.LoadSeconds = time.Since(start).Seconds()
	rep.Entities, rep.Names = ix.Len(), ix.Names()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rep.HeapMB = float64(ms.HeapAlloc) / (1 << 20)
	rep.RSSMB = residentMB()

	// The batch and the single queries use different names, so that the
	// single queries do not find their words already in the index's cache.
	all := benchQueries(filepath.Join(filepath.Dir(dir), "eval"), entities, f.n+benchProbes)
	if err := measureQueries(ix, all[:f.n], all[f.n:], f.profile, &rep); err != nil {
		return err
	}

	if f.json {
		return writeJSON(c.stdout, rep)
	}
	w := c.stdout
	fmt.Fprintf(w, "lists:        %s\n", strings.Join(rep.Lists, ", "))
	fmt.Fprintf(w, "entities:     %d (%d names indexed)\n", rep.Entities, rep.Names)
	fmt.Fprintf(w, "load+index:   %.3f s\n", rep.LoadSeconds)
	fmt.Fprintf(w, "memory:       heap %.1f MB, resident %.1f MB\n", rep.HeapMB, rep.RSSMB)
	fmt.Fprintf(w, "batch:        %d names on %d workers: %.0f names/s (%.1f%% with a hit)\n", rep.Queries, rep.Workers, rep.NamesPerSec, 100*rep.HitRate)
	if rep.NamesPerCPUSec > 0 {
		fmt.Fprintf(w, "              %.0f names per CPU-second (per core, independent of other load)\n", rep.NamesPerCPUSec)
	}
	fmt.Fprintf(w, "single query: p50 %.1f µs, p99 %.1f µs (%d queries)\n", rep.P50Micros, rep.P99Micros, rep.SingleProbes)
	return nil
}

// benchProbes is how many single queries are timed one at a time.
const benchProbes = 5000

// measureQueries screens queries as one batch and probes one at a time,
// and records the throughput and latencies in rep (whose Workers is set).
// With a profile path, it writes a CPU profile of the batch there.
func measureQueries(ix *screen.Index, queries, probes []screen.Query, profile string, rep *benchReport) error {
	rep.Queries = len(queries)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return fmt.Errorf("bench screen: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench screen: %w", err)
		}
	}
	start, cpu0 := time.Now(), processCPU()
	results := ix.ScreenBatch(queries, 10, rep.Workers)
	if profile != "" {
		pprof.StopCPUProfile()
	}
	rep.NamesPerSec = float64(len(queries)) / time.Since(start).Seconds()
	if cpu := processCPU() - cpu0; cpu > 0 {
		rep.NamesPerCPUSec = float64(len(queries)) / cpu.Seconds()
	}
	hit := 0
	for _, r := range results {
		if len(r) > 0 {
			hit++
		}
	}
	rep.HitRate = float64(hit) / float64(len(queries))

	// Single queries, one at a time, with the collector kept out of the way
	// between probes as far as the runtime allows.
	lat := make([]time.Duration, len(probes))
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	for i, q := range probes {
		t0 := time.Now()
		ix.Screen(q, 10)
		lat[i] = time.Since(t0)
	}
	slices.Sort(lat)
	rep.SingleProbes = len(lat)
	rep.P50Micros = float64(lat[len(lat)/2].Nanoseconds()) / 1e3
	rep.P99Micros = float64(lat[len(lat)*99/100].Nanoseconds()) / 1e3
	return nil
}

// benchQueries returns n query names: ordinary names from the negatives
// files in evalDir interleaved with listed names, repeated only when the
// files run out.
func benchQueries(evalDir string, entities []tollgate.Entity, n int) []screen.Query {
	var ordinary []string
	if paths, _ := filepath.Glob(filepath.Join(evalDir, "negatives-*.csv")); len(paths) > 0 {
		ordinary = readNameColumn(paths[0], "full_name")
	}
	var listed []string
	step := max(1, len(entities)/max(1, n/2))
	for i := 0; i < len(entities); i += step {
		listed = append(listed, entities[i].Name)
	}
	queries := make([]screen.Query, 0, n)
	for i := 0; len(queries) < n; i++ {
		if len(ordinary) > 0 {
			queries = append(queries, screen.Query{Name: ordinary[i%len(ordinary)]})
		}
		if len(queries) < n && len(listed) > 0 {
			queries = append(queries, screen.Query{Name: listed[i%len(listed)]})
		}
	}
	return queries
}

// readNameColumn reads one column of a CSV file; errors yield no names.
func readNameColumn(path, column string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil
	}
	col := slices.Index(header, column)
	if col < 0 {
		return nil
	}
	var names []string
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if col < len(rec) && rec[col] != "" {
			names = append(names, rec[col])
		}
	}
	return names
}

// residentMB returns the process's resident set size from /proc (Linux),
// or 0 where that is not available.
func residentMB() float64 { return procStatusMB("VmRSS:") }

// peakResidentMB returns the process's peak resident set size so far
// (VmHWM in /proc/self/status, Linux), or 0 where that is not available.
func peakResidentMB() float64 { return procStatusMB("VmHWM:") }

// procStatusMB reads a field given in kB from /proc/self/status, in MB.
func procStatusMB(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}
