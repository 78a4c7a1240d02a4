package main

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"tollgate"
	"tollgate/screen"
	"tollgate/screen/lists"
	"tollgate/screen/synth"
)

// entitiesReport is the output of "tollgate bench screen --entities N".
type entitiesReport struct {
	benchReport
	// Synthetic is how many of Entities the generator made (the rest are
	// the lists' own); Seed is the generator's seed.
	Synthetic       int     `json:"synthetic_entities"`
	Seed            uint64  `json:"seed"`
	GenerateSeconds float64 `json:"generate_seconds"`
	// BuildSeconds is the time screen.NewIndex took; BuildCPUSeconds the
	// CPU time it used.
	BuildSeconds    float64 `json:"index_build_seconds"`
	BuildCPUSeconds float64 `json:"index_build_cpu_seconds"`
	// PeakRSSMB is the process's peak resident memory (VmHWM) through list
	// loading, generation, the build and the queries.
	PeakRSSMB float64 `json:"peak_rss_mb,omitempty"`
	// The saved index: its size, the time to write it and to load it back
	// (the index built is released first), and whether the loaded index
	// gives the same hits on the single queries' first names.
	SavedMB        float64 `json:"index_saved_mb"`
	SaveSeconds    float64 `json:"index_save_seconds"`
	LoadSeconds    float64 `json:"index_load_seconds"`
	LoadCPUSeconds float64 `json:"index_load_cpu_seconds"`
	LoadIdentical  bool    `json:"index_load_identical"`
}

// loadCheckProbes is how many single queries are compared between the built
// and the loaded index.
const loadCheckProbes = 200

// runBenchEntities is "bench screen --entities N": the lists of dir plus N
// synthetic entities learned from them.
func (c *cli) runBenchEntities(f benchFlags, dir string, base benchReport) error {
	rep := entitiesReport{benchReport: base, Synthetic: f.entities, Seed: f.seed}
	start := time.Now()
	var entities []tollgate.Entity
	for _, p := range rep.Lists {
		res, err := lists.Load(p)
		if err != nil {
			return err
		}
		entities = append(entities, res.Entities...)
	}
	stats := synth.Learn(entities)
	gen, err := synth.New(stats, f.seed, synth.DefaultMix())
	if err != nil {
		return err
	}
	genStart := time.Now()
	entities = append(entities, gen.Entities(f.entities)...)
	rep.GenerateSeconds = time.Since(genStart).Seconds()

	runtime.GC()
	buildStart, cpu0 := time.Now(), processCPU()
	ix := screen.NewIndex(entities, screen.DefaultConfig())
	rep.BuildSeconds = time.Since(buildStart).Seconds()
	rep.BuildCPUSeconds = (processCPU() - cpu0).Seconds()
	rep.benchReport.LoadSeconds = time.Since(start).Seconds()
	rep.Entities, rep.Names = ix.Len(), ix.Names()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rep.HeapMB = float64(ms.HeapAlloc) / (1 << 20)
	rep.RSSMB = residentMB()

	queryGen, err := synth.New(stats, f.seed+1, synth.DefaultMix())
	if err != nil {
		return err
	}
	var ordinary []string
	if paths, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "eval", "negatives-*.csv")); len(paths) > 0 {
		ordinary = readNameColumn(paths[0], "full_name")
	}
	all := syntheticQueries(queryGen, rand.New(rand.NewPCG(f.seed, 2)), entities, ordinary, f.n+benchProbes)
	queries, probes := all[:f.n], all[f.n:]
	if err := measureQueries(ix, queries, probes, f.profile, &rep.benchReport); err != nil {
		return err
	}
	rep.PeakRSSMB = peakResidentMB()

	if err := benchSavedIndex(ix, probes[:min(loadCheckProbes, len(probes))], f.indexDir, &rep); err != nil {
		return err
	}
	if f.json {
		return writeJSON(c.stdout, rep)
	}
	return printEntitiesReport(c, &rep)
}

// syntheticQueries returns n queries: a third listed names (of the lists
// or the synthetic entities) misspelled, reordered or shortened, a third
// new synthetic names, and a third ordinary names (new synthetic names
// again when there are none).
func syntheticQueries(gen *synth.Generator, r *rand.Rand, entities []tollgate.Entity, ordinary []string, n int) []screen.Query {
	qs := make([]screen.Query, n)
	for i := range qs {
		switch {
		case i%3 == 0:
			e := &entities[r.IntN(len(entities))]
			names := e.Names()
			qs[i] = screen.Query{Name: gen.Perturb(names[r.IntN(len(names))]), Type: e.Type}
		case i%3 == 2 && len(ordinary) > 0:
			qs[i] = screen.Query{Name: ordinary[r.IntN(len(ordinary))]}
		default:
			name, typ := gen.Name()
			qs[i] = screen.Query{Name: name, Type: typ}
		}
	}
	return qs
}

// benchSavedIndex saves ix to a temporary file in dir, releases it, loads
// the file back and compares the hits of probes.
func benchSavedIndex(ix *screen.Index, probes []screen.Query, dir string, rep *entitiesReport) error {
	want := make([][]hitKey, len(probes))
	for i, q := range probes {
		want[i] = hitKeys(ix.Screen(q, 10))
	}
	tmp, err := os.CreateTemp(dir, "tollgate-bench-*.index")
	if err != nil {
		return fmt.Errorf("bench screen: %w", err)
	}
	defer os.Remove(tmp.Name())
	const key = "bench"
	start := time.Now()
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err := errors.Join(ix.Save(w, key), w.Flush(), tmp.Close()); err != nil {
		return fmt.Errorf("bench screen: save the index: %w", err)
	}
	rep.SaveSeconds = time.Since(start).Seconds()
	if fi, err := os.Stat(tmp.Name()); err == nil {
		rep.SavedMB = float64(fi.Size()) / (1 << 20)
	}

	ix = nil // the built index is garbage from here: load into its room
	runtime.GC()
	debug.FreeOSMemory()
	start, cpu0 := time.Now(), processCPU()
	in, err := os.Open(tmp.Name())
	if err != nil {
		return fmt.Errorf("bench screen: %w", err)
	}
	defer in.Close()
	loaded, err := screen.LoadIndex(in, key, screen.DefaultConfig())
	if err != nil {
		return fmt.Errorf("bench screen: load the saved index: %w", err)
	}
	rep.LoadSeconds = time.Since(start).Seconds()
	rep.LoadCPUSeconds = (processCPU() - cpu0).Seconds()
	rep.LoadIdentical = true
	for i, q := range probes {
		if !slices.Equal(hitKeys(loaded.Screen(q, 10)), want[i]) {
			rep.LoadIdentical = false
		}
	}
	return nil
}

// hitKey is what a hit is compared by: no pointer to the entity, so that
// keeping it does not keep the index's entities.
type hitKey struct {
	list, id, matched string
	score             float64
}

func hitKeys(hits []screen.Hit) []hitKey {
	out := make([]hitKey, len(hits))
	for i, h := range hits {
		out[i] = hitKey{list: strings.Clone(h.Entity.List), id: strings.Clone(h.Entity.SourceID), matched: strings.Clone(h.MatchedName), score: h.Score}
	}
	return out
}

// printEntitiesReport prints rep as a table.
func printEntitiesReport(c *cli, rep *entitiesReport) error {
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, args...)) }
	row("lists", "%s", strings.Join(rep.Lists, ", "))
	row("entities", "%d (%d synthetic, seed %d; %d from the lists), %d names indexed",
		rep.Entities, rep.Synthetic, rep.Seed, rep.Entities-rep.Synthetic, rep.Names)
	row("generate", "%.2f s", rep.GenerateSeconds)
	row("index build", "%.2f s (%.2f CPU-s)", rep.BuildSeconds, rep.BuildCPUSeconds)
	row("memory", "heap %.0f MB, resident %.0f MB, peak resident %.0f MB (VmHWM)", rep.HeapMB, rep.RSSMB, rep.PeakRSSMB)
	row("batch", "%.0f names/s on %d workers (%d names, %.1f%% with a hit)", rep.NamesPerSec, rep.Workers, rep.Queries, 100*rep.HitRate)
	if rep.NamesPerCPUSec > 0 {
		row("", "%.0f names per CPU-second", rep.NamesPerCPUSec)
	}
	row("single query", "p50 %.2f ms, p99 %.2f ms (%d queries)", rep.P50Micros/1e3, rep.P99Micros/1e3, rep.SingleProbes)
	same := "identical hits"
	if !rep.LoadIdentical {
		same = "HITS DIFFER"
	}
	row("saved index", "%.0f MB, saved in %.2f s, loaded in %.2f s (%.2f CPU-s), %s", rep.SavedMB, rep.SaveSeconds, rep.LoadSeconds, rep.LoadCPUSeconds, same)
	return tw.Flush()
}
