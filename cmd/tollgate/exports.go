package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/shipping"
	"tollgate/store"
)

var exportFlags = map[string]string{"order_id": "--order", "license_id": "--license", "units.serials": "--serial",
	"units.lot": "--lot", "units.count": "--count", "units": "--serial", "filing_reference": "--filing-reference",
	"exported_on": "--exported-on", "void_reason": "--reason"}

func newExportsCmd(c *cli) *cobra.Command {
	var (
		db     string
		f      store.ShippingFilter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "exports",
		Short: "Reserve, ship and void exports to China against licenses and the 50% cap",
		Long: `exports lists exports to China and Macau. An export has two phases, like a
ledger's pending transfer: "exports reserve" holds units, license quantity and
value, order quantity and room under the 50% cap after every check passes
(license in force with its conditions acknowledged, parties screened against the
current lists and clear, every unit imported and covered by a passing signed lab
report and not taken, the PRC not blocking the customer); "exports ship" then
consumes what it holds, or "exports void" releases it. Reservations expire
after $TOLLGATE_RESERVATION_TTL (24h by default); "exports sweep" marks the
expired ones. A refusal says which limit and by how much.`,
		Example: `  tollgate exports --state reserved
  tollgate exports reserve --order ORDER --lot TW-2026-01 --count 100
  tollgate exports ship EXPORT --filing-reference X20260302123456 --exported-on 2026-03-02
  tollgate exports void EXPORT --reason "customer postponed"
  tollgate exports cap H200 --exporter ORG
  tollgate exports sweep`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.State != "" && !tollgate.ExportState(f.State).Valid() {
				return usageErrorf("--state: want reserved, shipped, voided or expired, not %q", f.State)
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				all, err := allPages(f, func(f store.ShippingFilter) ([]*tollgate.Export, string, error) {
					return svc.FindExports(ctx, f)
				})
				if err != nil || asJSON {
					return firstErr(err, func() error { return writeJSON(c.stdout, nonNilSlice(all)) })
				}
				tw := newTable(c.stdout, 0, 4, 2)
				fmt.Fprintln(tw, "ID\tSTATE\tLICENSE\tPRODUCT\tUNITS\tVALUE\tTO\tRESERVED\tEXPIRES")
				for _, e := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.State, e.LicenseNumber, e.Product, unitsWord(e.Units),
						tollgate.FormatCents(e.ValueCents), e.Destination, e.ReservedAt.Format(time.RFC3339), e.ExpiresAt.Format(time.RFC3339))
				}
				return tw.Flush()
			}, orgRef("--exporter", &f.ExporterOrgID, tollgate.OrgExporter), productRef("--product", &f.Product),
				licenseRef("--license", &f.LicenseID), orderRef("--order", &f.OrderID))
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&f.ExporterOrgID, "exporter", "", "only exports of this exporter")
	fl.StringVar(&f.Product, "product", "", "only exports of this product")
	fl.StringVar(&f.State, "state", "", "only exports in this state: reserved, shipped, voided, expired")
	fl.StringVar(&f.LicenseID, "license", "", "only exports under this license")
	fl.StringVar(&f.OrderID, "order", "", "only exports for this order")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newExportsReserveCmd(c), newExportsShipCmd(c), newExportsVoidCmd(c), newExportsSweepCmd(c),
		newExportsCapCmd(c), newExportsVerifyCmd(c))
	return cmd
}

func newExportsReserveCmd(c *cli) *cobra.Command {
	var (
		db     string
		req    shipping.ReserveRequest
		u      unitFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "reserve",
		Short: "Reserve units of an order for export under a license",
		Example: `  tollgate exports reserve --order ORDER --lot TW-2026-01 --count 100
  tollgate exports reserve --order ORDER --license LICENSE --serials-file units.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if req.OrderID == "" {
				return usageErrorf("--order: required")
			}
			var err error
			if req.Units, err = u.units(c); err != nil {
				return err
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				e, err := svc.Reserve(ctx, req)
				if err != nil {
					return shipFlagError(err, exportFlags)
				}
				return c.printExport(e, asJSON)
			}, orderRef("--order", &req.OrderID), licenseRef("--license", &req.LicenseID))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&req.OrderID, "order", "", "the order the units ship on (required)")
	cmd.Flags().StringVar(&req.LicenseID, "license", "", "the license they ship under (default: the order's)")
	u.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newExportsShipCmd(c *cli) *cobra.Command {
	var (
		db, ref, day string
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:     "ship EXPORT",
		Short:   "Ship a reservation with the export filing's reference and date",
		Example: `  tollgate exports ship 01a2... --filing-reference X20260302123456 --exported-on 2026-03-02`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			on, err := parseDay("--exported-on", day)
			if err != nil {
				return err
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				e, err := svc.Ship(ctx, args[0], ref, on)
				if err != nil {
					return shipFlagError(err, exportFlags)
				}
				return c.printExport(e, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&ref, "filing-reference", "", "the export filing's reference, the AES ITN (required)")
	cmd.Flags().StringVar(&day, "exported-on", "", "date of export YYYY-MM-DD (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newExportsVoidCmd(c *cli) *cobra.Command {
	var (
		db, reason string
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:     "void EXPORT",
		Short:   "Void a reservation, releasing what it held",
		Example: `  tollgate exports void 01a2... --reason "customer postponed"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				e, err := svc.Void(ctx, args[0], reason)
				if err != nil {
					return shipFlagError(err, exportFlags)
				}
				return c.printExport(e, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&reason, "reason", "", "why (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newExportsSweepCmd(c *cli) *cobra.Command {
	var (
		db    string
		limit int
	)
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Mark expired the reservations whose time has passed, releasing what they held",
		Long: `sweep is what tollgate serve does periodically: every reservation still marked
reserved after its expiry is marked expired, one transaction each, and what it
held (license quantity and value, order units, cap room) is released. Expired
reservations already count for nothing in every check; the sweep brings the
counters and the listings up to date.`,
		Example: `  tollgate exports sweep`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usageErrorf("--limit: must not be negative, not %d", limit)
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				n, err := svc.Sweep(ctx, limit)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(c.stdout, "%d expired reservations released\n", n)
				return err
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().IntVar(&limit, "limit", 0, "release at most this many (0: all)")
	return cmd
}

func newExportsCapCmd(c *cli) *cobra.Command {
	var (
		db, exporter string
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:     "cap PRODUCT",
		Short:   "Show where an exporter's product stands against the 50% cap",
		Example: `  tollgate exports cap H200 --exporter ORG`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if exporter == "" {
				return usageErrorf("--exporter: required")
			}
			product := args[0]
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				pos, err := svc.CapPosition(ctx, exporter, product)
				if err != nil || asJSON {
					return firstErr(err, func() error { return writeJSON(c.stdout, pos) })
				}
				_, err = fmt.Fprintf(c.stdout, "%s: %d US units allow %d China and Macau units (%d bp); %d held, headroom %d\n",
					pos.Product, pos.USUnits, pos.CapUnits, pos.CapBP, pos.HeldUnits, pos.Headroom)
				return err
			}, orgRef("--exporter", &exporter, tollgate.OrgExporter), productRef("PRODUCT", &product))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&exporter, "exporter", "", "the exporter organization (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newExportsVerifyCmd(c *cli) *cobra.Command {
	var db string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that every shipping counter is exact and no limit is exceeded",
		Long: `verify recomputes every counter (license usage, order units, units per
destination, US units) from the records it counts, and checks that no license
item or order is over its quantity or value, no unit is held twice or exported
without being imported for export, and no product is over the cap. It prints
one line per violation and fails when there is any.`,
		Example: `  tollgate exports verify --db postgres://tollgate@db/tollgate`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				violations, err := svc.Verify(ctx)
				if err != nil {
					return err
				}
				for _, v := range violations {
					fmt.Fprintln(c.stdout, v)
				}
				if len(violations) > 0 {
					return fmt.Errorf("%d shipping violations", len(violations))
				}
				_, err = fmt.Fprintln(c.stdout, "shipping counters exact; no limit exceeded")
				return err
			})
		},
	}
	addDBFlag(cmd, &db)
	return cmd
}

func (c *cli) printExport(e *tollgate.Export, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, e)
	}
	var when string
	switch e.State {
	case tollgate.ExportReserved:
		when = "expires " + e.ExpiresAt.Format(time.RFC3339)
	case tollgate.ExportShipped:
		when = "exported " + e.ExportedOn.Format(time.DateOnly) + " under " + e.FilingReference
	default:
		when = "released " + e.ReleasedAt.Format(time.RFC3339)
	}
	_, err := fmt.Fprintf(c.stdout, "%s\t%s: %s %s to %s under license %s, %s (%s)\n", e.ID, e.State, unitsWord(e.Units),
		e.Product, e.Destination, e.LicenseNumber, tollgate.FormatCents(e.ValueCents), when)
	return err
}
