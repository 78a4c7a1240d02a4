package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"tollgate/catalog"
	"tollgate/classify"
)

func newCompareCmd(c *cli) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "compare A B",
		Short: "Compare two chips' TPP and DRAM bandwidth",
		Long: `compare prints chip A's TPP and DRAM bandwidth as multiples of chip B's,
rounded to two decimals. A and B are catalog models (see "tollgate chips").`,
		Example: `  tollgate compare h200 h20
  tollgate compare mi325x h200 --json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat := catalog.Default()
			a, err := cat.Lookup(args[0])
			if err != nil {
				return err
			}
			b, err := cat.Lookup(args[1])
			if err != nil {
				return err
			}
			cmp, err := classify.Compare(a, b)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, cmp)
			}
			return printComparison(c.stdout, &cmp)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printComparison(w io.Writer, cmp *classify.Comparison) error {
	tw := newTable(w, 0, 0, 2)
	fmt.Fprintf(tw, "\t%s %s\t%s %s\tA / B\n", cmp.A.Vendor, cmp.A.Model, cmp.B.Vendor, cmp.B.Model)
	fmt.Fprintf(tw, "TPP\t%s (%s)\t%s (%s)\t%.2fx\n", classify.FormatNumber(cmp.A.TPP), cmp.A.TPPPrecision,
		classify.FormatNumber(cmp.B.TPP), cmp.B.TPPPrecision, cmp.TPPRatio)
	fmt.Fprintf(tw, "DRAM bandwidth\t%s GB/s\t%s GB/s\t%.2fx\n", classify.FormatNumber(cmp.A.DRAMBandwidthGBps),
		classify.FormatNumber(cmp.B.DRAMBandwidthGBps), cmp.BandwidthRatio)
	return tw.Flush()
}
