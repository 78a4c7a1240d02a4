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

var orderFlags = map[string]string{"exporter_org_id": "--exporter", "customer_party_id": "--customer", "reference": "--reference",
	"product": "--product", "quantity": "--quantity", "unit_price_cents": "--unit-price-cents", "destination": "--destination",
	"license_id": "--license", "reason": "--reason", "status": "--status", "date": "--date", "note": "--note"}

func newOrdersCmd(c *cli) *cobra.Command {
	var (
		db     string
		f      store.ShippingFilter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "orders",
		Short: "Orders from Chinese customers: lifecycle, licenses and PRC status",
		Long: `orders lists the orders of customers in China and Macau. An order moves from
drafted to licensed (a license covering it), shipped (when its last units ship)
and delivered, or is cancelled with a reason (license_denied, prc_blocked,
customer_withdrew; cancelling voids its open reservations). Each order carries
the PRC's standing with its history: unknown, approved (with the approval's
reference and date), restricted, or blocked_at_customs, which refuses every
reservation for it.`,
		Example: `  tollgate orders --state licensed
  tollgate orders add --exporter ORG --customer PARTY --reference PO-BD-1 --product H200 \
    --quantity 6000 --unit-price-cents 2700000 --destination CN
  tollgate orders license ORDER --license LICENSE
  tollgate orders prc ORDER --status approved --reference "MOFCOM 2026-0128" --date 2026-01-28
  tollgate orders cancel ORDER --reason prc_blocked`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.State != "" && !tollgate.OrderState(f.State).Valid() {
				return usageErrorf("--state: want drafted, licensed, shipped, delivered or cancelled, not %q", f.State)
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				all, err := allPages(f, func(f store.ShippingFilter) ([]*tollgate.Order, string, error) {
					return svc.FindOrders(ctx, f)
				})
				if err != nil || asJSON {
					return firstErr(err, func() error { return writeJSON(c.stdout, nonNilSlice(all)) })
				}
				tw := newTable(c.stdout, 0, 4, 2)
				fmt.Fprintln(tw, "ID\tREFERENCE\tSTATE\tPRC\tPRODUCT\tQUANTITY\tTOTAL\tTO")
				for _, o := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", o.ID, o.Reference, o.State, o.PRCStatus(), o.Product,
						o.Quantity, tollgate.FormatCents(o.TotalCents()), o.Destination)
				}
				return tw.Flush()
			}, orgRef("--exporter", &f.ExporterOrgID, tollgate.OrgExporter), productRef("--product", &f.Product))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&f.ExporterOrgID, "exporter", "", "only orders of this exporter")
	cmd.Flags().StringVar(&f.Product, "product", "", "only orders of this product")
	cmd.Flags().StringVar(&f.State, "state", "", "only orders in this state")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newOrdersAddCmd(c), newOrdersShowCmd(c), newOrdersPRCCmd(c),
		newOrderEventCmd(c, shipping.OrderEventLicense, "license ORDER", "License an order under a license of the exporter",
			`  tollgate orders license 01a2... --license LICENSE`),
		newOrderEventCmd(c, shipping.OrderEventDeliver, "deliver ORDER", "Record that a shipped order was delivered",
			`  tollgate orders deliver 01a2...`),
		newOrderEventCmd(c, shipping.OrderEventCancel, "cancel ORDER", "Cancel an order with a reason, voiding its open reservations",
			`  tollgate orders cancel 01a2... --reason customer_withdrew`))
	return cmd
}

func newOrdersAddCmd(c *cli) *cobra.Command {
	var (
		db     string
		o      tollgate.Order
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Record a drafted order from a customer in China or Macau",
		Example: `  tollgate orders add --exporter ORG --customer PARTY --reference PO-BD-1 --product H200 --quantity 6000 \
    --unit-price-cents 2700000 --destination CN`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := parseCountry("--destination", &o.Destination); err != nil {
				return err
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				out, err := svc.CreateOrder(ctx, o)
				if err != nil {
					return shipFlagError(err, orderFlags)
				}
				return c.printOrder(out, asJSON)
			}, orgRef("--exporter", &o.ExporterOrgID, tollgate.OrgExporter), partyRef("--customer", &o.CustomerPartyID),
				productRef("--product", &o.Product))
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&o.ExporterOrgID, "exporter", "", "the exporter organization (required)")
	fl.StringVar(&o.CustomerPartyID, "customer", "", "the customer, a party of the exporter (required)")
	fl.StringVar(&o.Reference, "reference", "", "your order reference (required)")
	fl.StringVar(&o.Product, "product", "", "the product, e.g. H200 (required)")
	fl.Int64Var(&o.Quantity, "quantity", 0, "units ordered (required)")
	fl.Int64Var(&o.UnitPriceCents, "unit-price-cents", 0, "price of one unit in US cents (required)")
	fl.StringVar(&o.Destination, "destination", "CN", "country of destination, CN or MO")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newOrdersShowCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "show ORDER",
		Short:   "Show an order with its history and PRC history",
		Example: `  tollgate orders show 01a2...`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				o, err := svc.FindOrderByID(ctx, args[0])
				if err != nil {
					return err
				}
				if err := c.printOrder(o, asJSON); err != nil || asJSON {
					return err
				}
				for _, h := range o.History {
					fmt.Fprintf(c.stdout, "\t%s  %s: %s → %s  %s\n", h.At.Format(time.RFC3339), h.Event, h.From, h.To, h.Note)
				}
				for _, p := range o.PRCHistory {
					fmt.Fprintf(termSafe{c.stdout}, "\t%s  PRC %s %s %s\n", p.At.Format(time.RFC3339), p.Status, p.Reference, p.Note)
				}
				return nil
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// newOrderEventCmd returns the command sending event kind to an order.
func newOrderEventCmd(c *cli, kind shipping.OrderEventKind, use, short, example string) *cobra.Command {
	var (
		db, license, reason, note string
		asJSON                    bool
	)
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ev := shipping.OrderEvent{Kind: kind, LicenseID: license, Reason: tollgate.CancelReason(reason), Note: note}
			if kind == shipping.OrderEventCancel && !ev.Reason.Valid() {
				return usageErrorf("--reason: want license_denied, prc_blocked or customer_withdrew, not %q", reason)
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				o, err := svc.ApplyOrderEvent(ctx, args[0], ev)
				if err != nil {
					return shipFlagError(err, orderFlags)
				}
				return c.printOrder(o, asJSON)
			}, licenseRef("--license", &ev.LicenseID))
		},
	}
	addDBFlag(cmd, &db)
	switch kind {
	case shipping.OrderEventLicense:
		cmd.Flags().StringVar(&license, "license", "", "the license (required)")
	case shipping.OrderEventCancel:
		cmd.Flags().StringVar(&reason, "reason", "", "license_denied, prc_blocked or customer_withdrew (required)")
	}
	cmd.Flags().StringVar(&note, "note", "", "a note kept in the order's history")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newOrdersPRCCmd(c *cli) *cobra.Command {
	var (
		db, status, ref, day, note string
		asJSON                     bool
	)
	cmd := &cobra.Command{
		Use:   "prc ORDER",
		Short: "Record the PRC's standing on an order",
		Example: `  tollgate orders prc 01a2... --status approved --reference "MOFCOM 2026-0128" --date 2026-01-28
  tollgate orders prc 01a2... --status blocked_at_customs --note "customs notice of 13 Jan 2026"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !tollgate.PRCStatus(status).Valid() {
				return usageErrorf("--status: want unknown, approved, restricted or blocked_at_customs, not %q", status)
			}
			date, err := parseDay("--date", day)
			if err != nil {
				return err
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				o, err := svc.SetPRCStatus(ctx, args[0], tollgate.PRCStatusChange{Status: tollgate.PRCStatus(status),
					Reference: ref, Date: date, Note: note})
				if err != nil {
					return shipFlagError(err, orderFlags)
				}
				return c.printOrder(o, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&status, "status", "", "unknown, approved, restricted or blocked_at_customs (required)")
	cmd.Flags().StringVar(&ref, "reference", "", "the approval's reference (required when approved)")
	cmd.Flags().StringVar(&day, "date", "", "the approval's date YYYY-MM-DD (required when approved)")
	cmd.Flags().StringVar(&note, "note", "", "a note kept in the PRC history")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (c *cli) printOrder(o *tollgate.Order, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, o)
	}
	_, err := fmt.Fprintf(termSafe{c.stdout}, "%s\t%s %s: %d %s at %s = %s to %s; PRC %s\n", o.ID, o.Reference, o.State, o.Quantity, o.Product,
		tollgate.FormatCents(o.UnitPriceCents), tollgate.FormatCents(o.TotalCents()), o.Destination, o.PRCStatus())
	return err
}
