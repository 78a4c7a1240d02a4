package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/shipping"
)

func newReportCmd(c *cli) *cobra.Command {
	var (
		db, exporter, from, to, format string
		months                         int
		products                       []string
	)
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Report China revenue, the 25% duty, US and China units, cap headroom and lost revenue",
		Long: `report prints an exporter's shipping report per period and product: China
and Macau units and revenue shipped in the period, the Section 232 duty paid
and owed on those units and its ratio to that revenue (the "25%"), US units in
the period and to date, China units to date, the cap and its headroom at the
period's end, and the revenue of orders cancelled in the period by reason
(license denied, PRC blocked, customer withdrew). Money is in integer cents and
ratios in basis points, as CSV (the default) or JSON.`,
		Example: `  tollgate report --exporter ORG --from 2026-01-01 --to 2027-01-01 --months 3
  tollgate report --exporter ORG --from 2026-01-01 --to 2026-07-01 --product H200 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case exporter == "":
				return usageErrorf("--exporter: required")
			case format != "csv" && format != "json":
				return usageErrorf("--format: want csv or json, not %q", format)
			}
			start, err := parseDay("--from", from)
			if err != nil {
				return err
			}
			end, err := parseDay("--to", to)
			if err != nil {
				return err
			}
			if end.IsZero() {
				end = c.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
			}
			if start.IsZero() {
				start = time.Date(end.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
			}
			periods, err := shipping.MonthlyPeriods(start, end, months)
			if err != nil {
				return shipFlagError(err, map[string]string{"months": "--months", "to": "--to"})
			}
			for i, p := range products {
				if products[i], err = resolveProduct("--product", p); err != nil {
					return err
				}
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				reports, err := svc.Report(ctx, exporter, periods, products)
				if err != nil {
					return err
				}
				if format == "json" {
					return shipping.WriteJSON(c.stdout, reports)
				}
				return shipping.WriteCSV(c.stdout, reports)
			}, orgRef("--exporter", &exporter, tollgate.OrgExporter))
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&exporter, "exporter", "", "the exporter organization (required)")
	fl.StringVar(&from, "from", "", "first day of the first period, YYYY-MM-DD (default: 1 January of --to's year)")
	fl.StringVar(&to, "to", "", "day after the last period, YYYY-MM-DD (default: tomorrow)")
	fl.IntVar(&months, "months", 1, "months per period")
	fl.StringArrayVar(&products, "product", nil, "only this product (repeatable; default: every product)")
	fl.StringVar(&format, "format", "csv", "csv or json")
	return cmd
}
