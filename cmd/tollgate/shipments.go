package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/shipping"
	"tollgate/store"
)

// shippingConfig returns the shipping rules' settings: the defaults, with
// the reservation lifetime from $TOLLGATE_RESERVATION_TTL (a duration such
// as 24h) when set.
func (c *cli) shippingConfig() (shipping.Config, error) {
	cfg := shipping.DefaultConfig()
	if v := c.getenv("TOLLGATE_RESERVATION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return cfg, usageErrorf("TOLLGATE_RESERVATION_TTL: want a duration such as 24h, not %q", v)
		}
		cfg.ReservationTTL = d
	}
	// The licensing agency's lab review settings.
	for _, v := range []struct {
		name string
		set  func(int)
	}{
		{"TOLLGATE_LAB_REVIEW_MAX_AGE_DAYS", func(n int) { cfg.Review.MaxAge = time.Duration(n) * 24 * time.Hour }},
		{"TOLLGATE_LAB_TOLERANCE_BP", func(n int) { cfg.Review.ToleranceBP = n }},
		{"TOLLGATE_LAB_MIN_EXAMINED_BP", func(n int) { cfg.Review.MinExaminedBP = n }},
	} {
		if s := c.getenv(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return cfg, usageErrorf("%s: want a whole number, not %q", v.name, s)
			}
			v.set(n)
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageErrorf("shipping settings (TOLLGATE_RESERVATION_TTL, TOLLGATE_LAB_*): %s", tollgate.ErrorMessage(err))
	}
	return cfg, nil
}

// newShippingService returns the shipping service over db with the
// configured rules, the classification rulebook and the chip catalog as
// the source of product specifications: what tollgate serve hands the API
// (api.Deps.Shipping) and runs the reservation sweep of.
func (c *cli) newShippingService(db *store.DB) (*shipping.Service, error) {
	cfg, err := c.shippingConfig()
	if err != nil {
		return nil, err
	}
	return shipping.NewService(db, classify.Default(), catalog.Default().Lookup, cfg)
}

// withShipping opens the store named by dsn, resolves the command's
// references on it, builds the shipping service over it and runs fn with a
// context acting as the local user, whose name the audit records carry.
func (c *cli) withShipping(ctx context.Context, dsn string, fn func(ctx context.Context, svc *shipping.Service) error, refs ...ref) error {
	st, err := c.openStore(dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := resolveRefs(ctx, st, refs); err != nil {
		return err
	}
	svc, err := c.newShippingService(st)
	if err != nil {
		return err
	}
	return fn(tollgate.WithPrincipal(ctx, c.localPrincipal()), svc)
}

// shipFlagError turns an EINVALID error naming a field that a flag of the
// command sets into a usage error naming the flag (exit status 2); any
// other error is returned as it is.
func shipFlagError(err error, flags map[string]string) error {
	var te *tollgate.Error
	if !errors.As(err, &te) || te.Code != tollgate.EINVALID || te.Field == "" {
		return err
	}
	field, _, _ := strings.Cut(te.Field, "[")
	if flag, ok := flags[field]; ok {
		return usageErrorf("%s: %s", flag, te.Message)
	}
	field, _, _ = strings.Cut(field, ".")
	if flag, ok := flags[field]; ok {
		return usageErrorf("%s: %s", flag, te.Message)
	}
	return err
}

// parseDay parses a --flag date (YYYY-MM-DD); empty is the zero time.
func parseDay(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, usageErrorf("%s: want a date YYYY-MM-DD, not %q", flag, v)
	}
	return t, nil
}

// allPages calls find with a growing cursor until the last page.
func allPages[T any](f store.ShippingFilter, find func(store.ShippingFilter) ([]*T, string, error)) ([]*T, error) {
	var all []*T
	f.Limit = tollgate.MaxPageLimit
	for {
		page, next, err := find(f)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if f.Cursor = next; next == "" {
			return all, nil
		}
	}
}

var shipmentFlags = map[string]string{"exporter_org_id": "--exporter", "product": "--product", "units": "--units",
	"shipped_on": "--shipped-on", "customer": "--customer", "reference": "--reference", "reason": "--reason",
	"end_use": "--end-use", "customer_ultimate_parent": "--customer-parent"}

func newShipmentsCmd(c *cli) *cobra.Command {
	var (
		db     string
		f      store.ShippingFilter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "shipments",
		Short: "Record and list US shipments, the 50% cap's denominator",
		Long: `shipments lists the units of each product an exporter shipped to US customers
for US end use: the denominator of the H200 rule's cap on China and Macau
(at most 50% of US units). Only end-use customers count: each shipment states
its end use, and one to the exporter itself or an affiliate (sharing its name
or ultimate parent) is refused. Entries are never edited: "shipments reverse"
records a correction as a reversal with negative units.`,
		Example: `  tollgate shipments --exporter ORG --product H200
  tollgate shipments add --exporter ORG --product H200 --units 10000 --shipped-on 2026-01-20 \
    --customer "US Cloud Inc." --end-use "cloud AI services" --reference INV-2026-001
  tollgate shipments reverse SHIPMENT --units 10 --reason "returned by the customer"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				all, err := allPages(f, func(f store.ShippingFilter) ([]*tollgate.DomesticShipment, string, error) {
					return svc.FindUSShipments(ctx, f)
				})
				if err != nil || asJSON {
					return firstErr(err, func() error { return writeJSON(c.stdout, nonNilSlice(all)) })
				}
				tw := newTable(c.stdout, 0, 4, 2)
				fmt.Fprintln(tw, "ID\tSHIPPED ON\tPRODUCT\tUNITS\tCUSTOMER\tEND USE\tREFERENCE\tREVERSES")
				for _, s := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.ShippedOn.Format(time.DateOnly), s.Product, s.Units,
						s.Customer, s.EndUse, s.Reference, s.Reverses)
				}
				return tw.Flush()
			}, orgRef("--exporter", &f.ExporterOrgID, tollgate.OrgExporter), productRef("--product", &f.Product))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&f.ExporterOrgID, "exporter", "", "only shipments of this exporter organization")
	cmd.Flags().StringVar(&f.Product, "product", "", "only shipments of this product")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newShipmentsAddCmd(c), newShipmentsReverseCmd(c))
	return cmd
}

func newShipmentsAddCmd(c *cli) *cobra.Command {
	var (
		db, day string
		s       tollgate.DomesticShipment
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:     "add",
		Short:   "Record units shipped to a US customer for US end use",
		Example: `  tollgate shipments add --exporter ORG --product H200 --units 10000 --shipped-on 2026-01-20 --customer "US Cloud Inc." --end-use "cloud AI services" --reference INV-1`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if s.ShippedOn, err = parseDay("--shipped-on", day); err != nil {
				return err
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				out, err := svc.RecordUSShipment(ctx, s)
				if err != nil {
					return shipFlagError(err, shipmentFlags)
				}
				return c.printShipment(out, asJSON)
			}, orgRef("--exporter", &s.ExporterOrgID, tollgate.OrgExporter), productRef("--product", &s.Product))
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&s.ExporterOrgID, "exporter", "", "the exporter organization (required)")
	fl.StringVar(&s.Product, "product", "", "the product, e.g. H200 (required)")
	fl.Int64Var(&s.Units, "units", 0, "units shipped (required, positive)")
	fl.StringVar(&day, "shipped-on", "", "date shipped, YYYY-MM-DD (required)")
	fl.StringVar(&s.Customer, "customer", "", "the US end-use customer (required; not the exporter or an affiliate)")
	fl.StringVar(&s.CustomerUltimateParent, "customer-parent", "", "the legal name of the customer's ultimate parent, if any")
	fl.StringVar(&s.EndUse, "end-use", "", "what the customer uses the units for in the US (required)")
	fl.StringVar(&s.Reference, "reference", "", "your reference: invoice or delivery note (required)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newShipmentsReverseCmd(c *cli) *cobra.Command {
	var (
		db, reason string
		units      int64
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:     "reverse SHIPMENT",
		Short:   "Correct a US shipment by reversing some or all of its units",
		Example: `  tollgate shipments reverse 01a2... --units 10 --reason "returned by the customer"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if units < 0 {
				return usageErrorf("--units: the units to reverse are counted positive, not %d", units)
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				out, err := svc.ReverseUSShipment(ctx, args[0], units, reason)
				if err != nil {
					return shipFlagError(err, shipmentFlags)
				}
				return c.printShipment(out, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().Int64Var(&units, "units", 0, "units to reverse (default: all the shipment has left)")
	cmd.Flags().StringVar(&reason, "reason", "", "why (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (c *cli) printShipment(s *tollgate.DomesticShipment, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, s)
	}
	_, err := fmt.Fprintf(c.stdout, "%s\t%s %+d %s to %s (%s)\n", s.ID, s.ShippedOn.Format(time.DateOnly), s.Units, s.Product,
		s.Customer, s.Reference)
	return err
}

// firstErr returns err, or the result of then when err is nil.
func firstErr(err error, then func() error) error {
	if err != nil {
		return err
	}
	return then()
}

// nonNilSlice returns s, or an empty slice so that JSON prints [].
func nonNilSlice[T any](s []*T) []*T {
	if s == nil {
		return []*T{}
	}
	return s
}
