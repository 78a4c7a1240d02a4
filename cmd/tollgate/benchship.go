package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"tollgate/shipping/shipload"
)

// Targets of issue 8 for the shipping benchmark on the reference machine.
const (
	benchShipSQLiteTarget   = 2000 // reserve+ship pairs/s on SQLite
	benchShipPostgresTarget = 1000 // reserve+ship pairs/s on PostgreSQL
)

// benchShipFlags are the options of "tollgate bench ship".
type benchShipFlags struct {
	db      string
	clients int
	pairs   int
	units   int
	json    bool
	profile string
}

// benchShipReport is the output of "tollgate bench ship".
type benchShipReport struct {
	Store      string          `json:"store"`
	Clients    int             `json:"clients"`
	SetupSec   float64         `json:"setup_seconds"`
	Result     shipload.Result `json:"result"`
	Violations []string        `json:"violations"`
	Target     float64         `json:"target_pairs_per_sec"`
	TargetMet  bool            `json:"target_met"`
}

// newBenchShipCmd returns "bench ship"; newBenchCmd adds it to "bench".
func newBenchShipCmd(c *cli) *cobra.Command {
	var f benchShipFlags
	cmd := &cobra.Command{
		Use:   "ship",
		Short: "Load-test reservations and shipments: concurrent clients against one license and one 50% cap",
		Long: `bench ship builds a shipping world in a scratch store (a temporary SQLite file,
or --db): an exporter with US shipments, one license, one licensed order per
client, and every unit imported and covered by a signed lab report of
exactly the units of one export (every shipment is reviewed). Then
--clients clients reserve and ship concurrently, --units units at a time,
attempting a tenth more than the cap has room for, so that the last attempts
must be refused. It prints reserve+ship pairs/s against the issue's target
(≥ 2,000 on SQLite, ≥ 1,000 on PostgreSQL), then checks that every counter is
exact and no limit was exceeded, and fails on any violation.

--cpuprofile writes a CPU profile of the run alone (not of building the
world) for "go tool pprof".

--db must name a scratch database: the benchmark writes its world into it.`,
		Example: `  tollgate bench ship
  tollgate bench ship --pairs 5000 --clients 32
  tollgate bench ship --db postgres://postgres@127.0.0.1:5432/scratch --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return c.runBenchShip(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.db, "db", "", "scratch store: sqlite:PATH or a postgres:// URL (default: a temporary SQLite file)")
	fl.IntVar(&f.clients, "clients", 32, "concurrent clients")
	fl.IntVar(&f.pairs, "pairs", 2000, "reserve+ship pairs the cap has room for")
	fl.IntVar(&f.units, "units", 4, "serial-numbered units per reservation")
	fl.BoolVar(&f.json, "json", false, "print JSON")
	fl.StringVar(&f.profile, "cpuprofile", "", "write a CPU profile of the run (not the setup) to this file")
	return cmd
}

func (c *cli) runBenchShip(ctx context.Context, f benchShipFlags) error {
	switch {
	case f.clients < 1 || f.clients > 1024:
		return usageErrorf("--clients: want 1 to 1024, not %d", f.clients)
	case f.pairs < 1 || f.pairs > 1_000_000:
		return usageErrorf("--pairs: want 1 to 1,000,000, not %d", f.pairs)
	case f.units < 1 || f.units > 1000:
		return usageErrorf("--units: want 1 to 1000, not %d", f.units)
	}
	db, cleanup, err := c.benchStore(ctx, f.db)
	if err != nil {
		return err
	}
	defer cleanup()
	svc, err := c.newShippingService(db)
	if err != nil {
		return err
	}
	attempts := f.pairs + max(1, f.pairs/10)
	start := c.now()
	sc, err := shipload.Setup(ctx, db, svc, shipload.Options{Clients: f.clients, Attempts: attempts,
		UnitsPerExport: f.units, CapUnits: int64(f.pairs * f.units)})
	if err != nil {
		return err
	}
	// The world was loaded in bulk: let the planner see it, as a
	// database that grew to it would have.
	if err := db.Analyze(ctx); err != nil {
		return err
	}
	rep := benchShipReport{Store: db.Dialect(), Clients: f.clients, SetupSec: c.now().Sub(start).Seconds()}
	stop, err := startCPUProfile(f.profile)
	if err != nil {
		return err
	}
	rep.Result = shipload.Run(ctx, svc, sc)
	if err := stop(); err != nil {
		return err
	}
	if rep.Violations, err = shipload.Check(ctx, db, svc, sc, rep.Result); err != nil {
		return err
	}
	rep.Target = benchShipSQLiteTarget
	if rep.Store == "postgres" {
		rep.Target = benchShipPostgresTarget
	}
	rep.TargetMet = rep.Result.PairsPerSec >= rep.Target && len(rep.Violations) == 0
	if f.json {
		if err := writeJSON(c.stdout, rep); err != nil {
			return err
		}
	} else {
		r := rep.Result
		fmt.Fprintf(c.stdout, "ship (%s, %d clients): %d pairs in %.2fs = %.0f pairs/s (target %.0f); %d refused at the cap; %d violations\n",
			rep.Store, rep.Clients, r.Pairs, r.Elapsed.Seconds(), r.PairsPerSec, rep.Target, r.RefusedCap, len(rep.Violations))
		for _, v := range rep.Violations {
			fmt.Fprintln(c.stdout, "  violation:", v)
		}
	}
	if len(rep.Violations) > 0 {
		return fmt.Errorf("bench ship: %d violations", len(rep.Violations))
	}
	return nil
}

// startCPUProfile starts a CPU profile written to path, and returns the
// function that stops it and closes the file; with no path it does
// nothing.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}
