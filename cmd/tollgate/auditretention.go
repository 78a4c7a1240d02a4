package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"tollgate/auditlog"
	"tollgate/store"
)

// retentionReport is what `audit retention --json` prints.
type retentionReport struct {
	AsOf    time.Time           `json:"as_of"`
	Years   int                 `json:"retention_years"`
	Records []auditlog.Retained `json:"records"`
}

func newAuditRetentionCmd(c *cli) *cobra.Command {
	var dsn, asOf string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "retention [--as-of DATE]",
		Short: "List the audit records past their five-year retention",
		Long: `retention lists the audit records whose retention period has run out as of
--as-of (default: today): export records are kept five years from the end of
their transaction (15 CFR 762.6), taken here as the object's last record (a
record that names no object ends with itself). tollgate never deletes or
changes a record; the report tells a records officer what could be archived.`,
		Example: `  tollgate audit retention
  tollgate audit retention --as-of 2031-06-30 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t := c.now().UTC()
			if asOf != "" {
				d, err := time.Parse(time.DateOnly, asOf)
				if err != nil {
					return usageErrorf("--as-of: want a date YYYY-MM-DD, not %q", asOf)
				}
				// The whole day counts: as of its end.
				t = d.AddDate(0, 0, 1).Add(-time.Microsecond)
			}
			db, err := c.openStore(dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			return runAuditRetention(c.cmdContext(), c, db, t, asJSON)
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().StringVar(&asOf, "as-of", "", "the date to report as of, YYYY-MM-DD (default today)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func runAuditRetention(ctx context.Context, c *cli, db *store.DB, asOf time.Time, asJSON bool) error {
	recs, err := db.AuditRetention(ctx, asOf, nil)
	if err != nil {
		return fmt.Errorf("audit retention: %w", err)
	}
	if asJSON {
		if recs == nil {
			recs = []auditlog.Retained{}
		}
		return writeJSON(c.stdout, retentionReport{AsOf: asOf, Years: auditlog.RetentionYears, Records: recs})
	}
	if len(recs) == 0 {
		_, err := fmt.Fprintf(c.stdout, "no audit record is past its %d-year retention as of %s\n", auditlog.RetentionYears, asOf.Format(time.DateOnly))
		return err
	}
	fmt.Fprintf(c.stdout, "%d audit records are past their %d-year retention as of %s (none is deleted):\n",
		len(recs), auditlog.RetentionYears, asOf.Format(time.DateOnly))
	tw := newTable(c.stdout, 0, 4, 2)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTION\tOBJECT\tEND\tKEEP UNTIL")
	for _, r := range recs {
		obj := r.ObjectType
		if r.ObjectID != "" {
			obj += " " + r.ObjectID
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.Time.Format(time.RFC3339), r.Action, obj,
			r.End.Format(time.DateOnly), r.KeepUntil.Format(time.DateOnly))
	}
	return tw.Flush()
}
