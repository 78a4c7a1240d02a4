package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/shipping"
	"tollgate/store"
)

var importFlags = map[string]string{"importer_org_id": "--importer", "exporter_org_id": "--exporter",
	"importer_of_record": "--importer-of-record", "entry_number": "--entry-number", "line": "--line", "entry_date": "--entry-date",
	"product": "--product", "units.serials": "--serial", "units.lot": "--lot", "units.count": "--count", "units": "--serial",
	"country_of_origin": "--origin", "hts": "--hts", "entered_value_cents": "--entered-value-cents", "exemption": "--exemption",
	"end_use_certification": "--certification", "payment_reference": "--reference", "paid_on": "--paid-on"}

// unitFlags are the flags that name units: serials (repeated, or one per
// line of a file) or a count of a lot.
type unitFlags struct {
	serials     []string
	serialsFile string
	lot         string
	count       int64
}

func (u *unitFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&u.serials, "serial", nil, "a serial number (repeatable)")
	fl.StringVar(&u.serialsFile, "serials-file", "", "a file of serial numbers, one per line (- for standard input)")
	fl.StringVar(&u.lot, "lot", "", "a lot code, with --count")
	fl.Int64Var(&u.count, "count", 0, "how many units of the lot")
}

// units returns the units the flags name.
func (u *unitFlags) units(c *cli) (tollgate.Units, error) {
	serials := u.serials
	if u.serialsFile != "" {
		b, err := c.readInput(u.serialsFile)
		if err != nil {
			return tollgate.Units{}, err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				serials = append(serials, s)
			}
		}
	}
	switch {
	case len(serials) > 0 && u.lot != "":
		return tollgate.Units{}, usageErrorf("--lot: give serial numbers or a lot, not both")
	case len(serials) > 0:
		return tollgate.Units{Serials: serials, Count: int64(len(serials))}, nil
	case u.lot == "":
		return tollgate.Units{}, usageErrorf("--serial, --serials-file or --lot with --count: name the units")
	}
	return tollgate.Units{Lot: u.lot, Count: u.count}, nil
}

// unitsWord describes units for a table.
func unitsWord(u tollgate.Units) string {
	if u.BySerial() {
		return fmt.Sprintf("%d serials", len(u.Serials))
	}
	return fmt.Sprintf("%d of lot %s", u.Count, u.Lot)
}

func newImportsCmd(c *cli) *cobra.Command {
	var (
		db     string
		f      store.ShippingFilter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "imports",
		Short: "Record and list import entries and their Section 232 duty",
		Long: `imports lists the US customs entries of advanced chips. "imports add" records
one entry line; tollgate computes its Section 232 line from the product's
specification: heading 9903.79.01 at 25% of the entered value (rounded half-up
to the cent), 9903.79.02 at 0%, or the end-use exemption heading the importer
claims (9903.79.03 to .09), which binds the units to US end use: they can never
be exported to China. "imports pay" records the payment of owed duty.`,
		Example: `  tollgate imports --exporter ORG
  tollgate imports add --importer BROKER --exporter ORG --importer-of-record "Nvidia Corp" \
    --entry-number ABC-1234567-6 --entry-date 2026-02-02 --product H200 --lot TW-2026-01 --count 1000 \
    --origin TW --hts 8473.30.1180 --entered-value-cents 2500000000
  tollgate imports pay ENTRY --reference ACH-2026-0203 --paid-on 2026-02-03`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				all, err := allPages(f, func(f store.ShippingFilter) ([]*tollgate.ImportEntry, string, error) {
					return svc.FindImports(ctx, f)
				})
				if err != nil || asJSON {
					return firstErr(err, func() error { return writeJSON(c.stdout, nonNilSlice(all)) })
				}
				tw := newTable(c.stdout, 0, 4, 2)
				fmt.Fprintln(tw, "ID\tENTRY\tLINE\tDATE\tPRODUCT\tUNITS\tHEADING\tDUTY\tSTATUS")
				for _, e := range all {
					fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.EntryNumber, e.Line, e.EntryDate.Format(time.DateOnly),
						e.Product, unitsWord(e.Units), e.Heading, tollgate.FormatCents(e.DutyCents), e.DutyStatus)
				}
				return tw.Flush()
			}, orgRef("--exporter", &f.ExporterOrgID, tollgate.OrgExporter), orgRef("--importer", &f.ImporterOrgID, tollgate.OrgBroker),
				productRef("--product", &f.Product))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&f.ExporterOrgID, "exporter", "", "only entries of this exporter")
	cmd.Flags().StringVar(&f.ImporterOrgID, "importer", "", "only entries filed by this broker")
	cmd.Flags().StringVar(&f.Product, "product", "", "only entries of this product")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newImportsAddCmd(c), newImportsPayCmd(c), newImportsShowCmd(c))
	return cmd
}

func newImportsAddCmd(c *cli) *cobra.Command {
	var (
		db, day string
		e       tollgate.ImportEntry
		u       unitFlags
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Record an import entry line and compute its Section 232 duty",
		Example: `  tollgate imports add --importer BROKER --exporter ORG --importer-of-record "Nvidia Corp" --entry-number ABC12345676 \
    --entry-date 2026-02-02 --product H200 --lot TW-2026-01 --count 1000 --origin TW --hts 8473.30.1180 \
    --entered-value-cents 2500000000 [--exemption 9903.79.03 --certification "US data center end use, cert. 77"]`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := parseCountry("--origin", &e.CountryOfOrigin); err != nil {
				return err
			}
			var err error
			if e.EntryDate, err = parseDay("--entry-date", day); err != nil {
				return err
			}
			if e.Units, err = u.units(c); err != nil {
				return err
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				out, err := svc.RecordImport(ctx, e)
				if err != nil {
					return shipFlagError(err, importFlags)
				}
				return c.printImport(out, asJSON)
			}, orgRef("--exporter", &e.ExporterOrgID, tollgate.OrgExporter), orgRef("--importer", &e.ImporterOrgID, tollgate.OrgBroker),
				productRef("--product", &e.Product))
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&e.ImporterOrgID, "importer", "", "the broker (importer of record's) organization (required)")
	fl.StringVar(&e.ExporterOrgID, "exporter", "", "the exporter whose goods these are (required)")
	fl.StringVar(&e.ImporterOfRecord, "importer-of-record", "", "the importer of record as customs knows it (required)")
	fl.StringVar(&e.EntryNumber, "entry-number", "", "customs entry number XXX-NNNNNNN-C (required)")
	fl.IntVar(&e.Line, "line", 1, "entry summary line")
	fl.StringVar(&day, "entry-date", "", "entry date YYYY-MM-DD (required)")
	fl.StringVar(&e.Product, "product", "", "the product, e.g. H200 (required)")
	u.add(cmd)
	fl.StringVar(&e.CountryOfOrigin, "origin", "", "country of origin, ISO code such as TW (required)")
	fl.StringVar(&e.HTS, "hts", "", "HTSUS code of 6, 8 or 10 digits, e.g. 8473.30.1180 (required)")
	fl.Int64Var(&e.EnteredValueCents, "entered-value-cents", 0, "entered value of the line in US cents (required)")
	fl.StringVar(&e.Exemption, "exemption", "", "end-use exemption heading claimed, 9903.79.03 to .09")
	fl.StringVar(&e.EndUseCertification, "certification", "", "the end-use certification (required with --exemption)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newImportsPayCmd(c *cli) *cobra.Command {
	var (
		db, ref, day string
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:     "pay ENTRY",
		Short:   "Record the payment of an entry's owed duty",
		Example: `  tollgate imports pay 01a2... --reference ACH-2026-0203 --paid-on 2026-02-03`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			paidOn, err := parseDay("--paid-on", day)
			if err != nil {
				return err
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				out, err := svc.PayDuty(ctx, args[0], ref, paidOn)
				if err != nil {
					return shipFlagError(err, importFlags)
				}
				return c.printImport(out, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&ref, "reference", "", "the payment's reference (required)")
	cmd.Flags().StringVar(&day, "paid-on", "", "payment date YYYY-MM-DD (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newImportsShowCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "show ENTRY",
		Short:   "Show an import entry with its duty line and serials",
		Example: `  tollgate imports show 01a2... --json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				e, err := svc.FindImportByID(ctx, args[0])
				if err != nil {
					return err
				}
				return c.printImport(e, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (c *cli) printImport(e *tollgate.ImportEntry, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, e)
	}
	bound := ""
	if e.Bound {
		bound = "; bound to US end use: may not be exported to China"
	}
	_, err := fmt.Fprintf(c.stdout, "%s\tentry %s line %d, %s %s: %s at %d bp = %s duty (%s)%s\n", e.ID, e.EntryNumber, e.Line,
		unitsWord(e.Units), e.Product, e.Heading, e.RateBP, tollgate.FormatCents(e.DutyCents), e.DutyStatus, bound)
	return err
}
