package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
)

// classifyFlags are the options of "tollgate classify".
type classifyFlags struct {
	to, hq, from, asOf string
	hts, exemption     string
	spec               string
	reexport, system   bool
	json               bool
}

func newClassifyCmd(c *cli) *cobra.Command {
	var f classifyFlags
	cmd := &cobra.Command{
		Use:   "classify [CHIP]",
		Short: "Classify a chip under the export rules and the Section 232 tariff",
		Long: `classify computes a chip's TPP and performance density, its ECCN (3A090/4A090),
and — for a destination — whether an export needs a license, the review policy
(including the January 2026 H200 rule and the certifications it demands) and
NAC/ACA eligibility, plus the Section 232 band, heading and duty rate.

CHIP is a catalog model, matched ignoring case and punctuation, with or without
the vendor ("h200", "H200 SXM", "nvidia h200"); see "tollgate chips". Use
--spec FILE instead to classify your own part from a YAML or JSON spec with the
catalog's fields. Without --to only the chip is classified. Rules apply as of
--as-of (default: today, UTC); every decision lists its reasons and the rules
(citation, effective date) that produced it.`,
		Example: `  tollgate classify h200 --to CN
  tollgate classify h200 --to CN --json
  tollgate classify b200 --to CN --as-of 2025-12-01
  tollgate classify "nvidia h100" --to AE --hq CN
  tollgate classify h200 --to CN --from TW --reexport
  tollgate classify h200 --system --hts 8471.50 --exemption 9903.79.05
  tollgate classify --spec mychip.yaml --to VN`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			return c.runClassify(name, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "destination country (ISO 3166-1 alpha-2, e.g. CN); omit to classify only")
	fl.StringVar(&f.hq, "hq", "", "country where the end user (or its ultimate parent) is headquartered")
	fl.StringVar(&f.from, "from", "US", "country the item is exported from")
	fl.StringVar(&f.asOf, "as-of", "", "apply the rules in force on this date, YYYY-MM-DD (default today)")
	fl.BoolVar(&f.reexport, "reexport", false, "the export is a reexport of an item already abroad")
	fl.BoolVar(&f.system, "system", false, "classify a computer or assembly containing the chip (4A090)")
	fl.StringVar(&f.hts, "hts", "", "HTSUS code of the import for Section 232 (default 8473.30)")
	fl.StringVar(&f.exemption, "exemption", "", "Section 232 end-use exemption heading, 9903.79.03 to 9903.79.09")
	fl.StringVar(&f.spec, "spec", "", "classify the chip described by this YAML or JSON file instead of a catalog model")
	fl.BoolVar(&f.json, "json", false, "print JSON")
	return cmd
}

func (c *cli) runClassify(name string, f classifyFlags) error {
	if err := parseCountries(map[string]*string{"--to": &f.to, "--hq": &f.hq, "--from": &f.from}); err != nil {
		return err
	}
	chip, err := c.resolveChip(name, f.spec)
	if err != nil {
		return err
	}
	asOf, err := c.asOfDate(f.asOf)
	if err != nil {
		return err
	}
	cls, err := classify.Default().Classify(classify.Request{
		Chip: chip, System: f.system, To: f.to, HQ: f.hq, From: f.from, Reexport: f.reexport,
		AsOf: asOf, HTS: f.hts, Exemption: f.exemption,
	})
	if err != nil {
		return flagError(err)
	}
	if f.json {
		return writeJSON(c.stdout, cls)
	}
	return printClassification(c.stdout, &cls)
}

// resolveChip returns the catalog chip called name, or the chip described
// by the spec file; exactly one of them must be given.
func (c *cli) resolveChip(name, specPath string) (tollgate.Chip, error) {
	switch {
	case name != "" && specPath != "":
		return tollgate.Chip{}, usageErrorf("give either CHIP or --spec, not both")
	case name == "" && specPath == "":
		return tollgate.Chip{}, usageErrorf("CHIP or --spec FILE is required (see \"tollgate chips\" for the catalog)")
	case specPath != "":
		data, err := os.ReadFile(specPath)
		if err != nil {
			return tollgate.Chip{}, fmt.Errorf("--spec: %w", err)
		}
		chip, err := catalog.ParseSpec(data)
		if err != nil {
			return tollgate.Chip{}, fmt.Errorf("spec %s: %w", specPath, err)
		}
		return chip, nil
	}
	return catalog.Default().Lookup(name)
}

// asOfDate parses --as-of, defaulting to today (UTC) from the CLI's clock.
func (c *cli) asOfDate(s string) (time.Time, error) {
	if s == "" {
		now := c.now().UTC()
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, usageErrorf("--as-of: %q is not a date of the form YYYY-MM-DD", s)
	}
	return t, nil
}

// classifyFlagFields maps the engine's field names to the flags that set
// them: an invalid value there is a usage error naming the flag.
var classifyFlagFields = map[string]string{
	"to": "--to", "hq": "--hq", "from": "--from", "as_of": "--as-of", "hts": "--hts", "exemption": "--exemption",
}

func flagError(err error) error {
	var te *tollgate.Error
	if errors.As(err, &te) {
		if flag, ok := classifyFlagFields[te.Field]; ok {
			return usageErrorf("%s: %s", flag, te.Message)
		}
	}
	return err
}

// printClassification writes the human form: an aligned table, the reasons,
// the certifications required and the rules applied.
func printClassification(w io.Writer, cls *tollgate.Classification) error {
	tw := newTable(w, 0, 0, 2)
	fmt.Fprintf(tw, "%s %s\tas of %s\n", cls.Vendor, cls.Model, cls.AsOf)
	if cls.TPPPrecision != "" {
		fmt.Fprintf(tw, "  TPP\t%s (%s)\n", classify.FormatNumber(cls.TPP), cls.TPPPrecision)
	} else {
		fmt.Fprintf(tw, "  TPP\tunknown (no peak figures)\n")
	}
	pd := "unknown (no die area)"
	if cls.PD != nil {
		pd = fmt.Sprintf("%.2f", *cls.PD)
	}
	fmt.Fprintf(tw, "  PD\t%s\n", pd)
	if cls.DRAMBandwidthGBps > 0 {
		fmt.Fprintf(tw, "  DRAM bandwidth\t%s GB/s\n", classify.FormatNumber(cls.DRAMBandwidthGBps))
	} else {
		fmt.Fprintf(tw, "  DRAM bandwidth\tunknown\n")
	}
	eccn := cls.ECCN
	if eccn == "" {
		eccn = "not controlled under 3A090/4A090"
	}
	if !cls.Determined() {
		eccn += " (UNDETERMINED: unknown figures, most restrictive outcome assumed; see below)"
	}
	fmt.Fprintf(tw, "  ECCN\t%s\n", eccn)
	if d := cls.Destination; d != nil {
		dest := d.Country
		if d.TreatedAs != "" {
			dest += " (treated as " + d.TreatedAs + ")"
		}
		if len(d.CountryGroups) > 0 {
			dest += " [" + strings.Join(d.CountryGroups, " ") + "]"
		}
		fmt.Fprintf(tw, "  Destination\t%s, from %s%s\n", dest, d.From, hqSuffix(d))
		fmt.Fprintf(tw, "  License required\t%s\n", yesNo(d.LicenseRequired))
		fmt.Fprintf(tw, "  Review policy\t%s\n", d.ReviewPolicy)
	}
	for _, le := range cls.LicenseExceptions {
		fmt.Fprintf(tw, "  %s\t%s\n", le.Name, eligible(le.Eligible))
	}
	t := cls.Tariff
	heading := t.Heading
	if heading == "" {
		heading = "none"
	}
	fmt.Fprintf(tw, "  Section 232\tband %d, heading %s, %s%% (HTS %s, entry %s)\n", t.Band, heading, classify.FormatNumber(float64(t.RateBP)/100), t.HTS, t.EntryDate)
	if err := tw.Flush(); err != nil {
		return err
	}
	if !cls.Determined() {
		fmt.Fprintln(w, "\nUndetermined (figures unknown; the most restrictive outcome is applied):")
		for _, u := range cls.Undetermined {
			fmt.Fprintf(w, "  - %s: %s assumed (missing %s): %s\n", u.Point, u.Assumed, strings.Join(u.Missing, ", "), u.Reason)
		}
	}
	fmt.Fprintln(w, "\nReasons:")
	for _, r := range cls.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
	}
	if d := cls.Destination; d != nil && len(d.Conditions)+len(d.Statements) > 0 {
		fmt.Fprintln(w, "\nThe application must:")
		for _, s := range d.Statements {
			fmt.Fprintf(w, "  - [%s] %s\n", s.Code, s.Text)
		}
		for i, cert := range d.Conditions {
			fmt.Fprintf(w, "  %d. certify [%s] %s\n", i+1, cert.Code, cert.Text)
		}
	}
	fmt.Fprintln(w, "\nRules applied:")
	for _, r := range cls.Rules {
		fmt.Fprintf(w, "  - %s (effective %s): %s\n", r.ID, r.Effective, r.Citation)
	}
	return nil
}

func hqSuffix(d *tollgate.DestinationPolicy) string {
	s := ""
	if d.HQ != "" {
		s += ", end user headquartered in " + d.HQ
	}
	if d.Reexport {
		s += ", reexport"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func eligible(b bool) string {
	if b {
		return "eligible"
	}
	return "not eligible"
}
