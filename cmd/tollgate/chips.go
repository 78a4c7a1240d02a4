package main

import (
	"fmt"
	"io"
	"math"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
)

// chipRow is one catalog chip with its computed TPP and PD, as "tollgate
// chips --json" prints it.
type chipRow struct {
	tollgate.Chip
	TPP          float64  `json:"tpp"`
	TPPPrecision string   `json:"tpp_precision"`
	PD           *float64 `json:"pd"`
}

func newChipsCmd(c *cli) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "chips",
		Short: "List the chip catalog",
		Long: `chips lists the embedded chip catalog (regime.md §8): vendor, model, TPP
(computed from the best dense peak), performance density where the die area is
known, memory, DRAM bandwidth, data-center designation and US availability.
--json adds every peak figure and the source of each figure.`,
		Example: `  tollgate chips
  tollgate chips --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rows := catalogRows(catalog.Default().Chips())
			if asJSON {
				return writeJSON(c.stdout, rows)
			}
			return printChips(c.stdout, rows)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON with every figure and its source")
	return cmd
}

func catalogRows(chips []tollgate.Chip) []chipRow {
	rows := make([]chipRow, len(chips))
	for i, ch := range chips {
		p := classify.Measure(ch)
		rows[i] = chipRow{Chip: ch, TPP: p.TPP, TPPPrecision: p.Precision}
		if p.PDKnown {
			pd := math.Round(p.PD*100) / 100
			rows[i].PD = &pd
		}
	}
	return rows
}

func printChips(w io.Writer, rows []chipRow) error {
	tw := newTable(w, 0, 0, 2)
	fmt.Fprintln(tw, "VENDOR\tMODEL\tTPP\tPD\tDIE mm²\tMEMORY\tDRAM GB/s\tDATA CENTER\tUS AVAILABLE")
	for _, r := range rows {
		pd, die := "-", "-"
		if r.PD != nil {
			pd = fmt.Sprintf("%.2f", *r.PD)
			die = classify.FormatNumber(r.DieAreaMM2)
		}
		mem := "-"
		if r.MemoryGB > 0 {
			mem = classify.FormatNumber(r.MemoryGB) + " GB " + r.MemoryType
		}
		avail := r.USAvailable
		if avail == "" {
			avail = "-"
		}
		tpp, dram := "unknown", "unknown"
		if len(r.Peaks) > 0 {
			tpp = classify.FormatNumber(r.TPP) + " (" + r.TPPPrecision + ")"
		}
		if r.DRAMBandwidthGBps > 0 {
			dram = classify.FormatNumber(r.DRAMBandwidthGBps)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Vendor, r.Model, tpp,
			pd, die, mem, dram, yesNo(r.DataCenter), avail)
	}
	return tw.Flush()
}
