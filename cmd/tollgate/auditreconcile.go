package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"tollgate/store"
)

func newAuditReconcileCmd(c *cli) *cobra.Command {
	var dsn string
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Check that the live data is what the audit log says it is",
		Long: `reconcile recomputes the digest of every live object of every table the audit
log covers and compares it with the after-digest of the object's last audit
record. It names every object that differs (and the fields that differ, from
the copy of the recorded state the store keeps when that copy still hashes to
the record's digest), every live object no record names, and every object the
log says exists whose row is gone. It exits 1 when it finds anything.

audit verify proves the log's own history; reconcile proves that the data is
what that history says. Run both.`,
		Example: `  tollgate audit reconcile
  tollgate audit reconcile --json --limit 100`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 {
				return usageErrorf("--limit: want at least 1, not %d", limit)
			}
			db, err := c.openStore(dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			return runAuditReconcile(c.cmdContext(), c, db, limit, asJSON)
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().IntVar(&limit, "limit", store.DefaultReconcileLimit, "list at most this many findings (all are counted)")
	return cmd
}

// errReconcile is returned when reconcile found objects that differ from
// the log: the report is printed, the command exits 1.
type errReconcile struct{ total int64 }

func (e errReconcile) Error() string {
	return fmt.Sprintf("audit reconcile: objects that do not match the audit log: %d", e.total)
}

func runAuditReconcile(ctx context.Context, c *cli, db *store.DB, limit int, asJSON bool) error {
	start := time.Now()
	rep, err := db.Reconcile(ctx, limit)
	if err != nil {
		return fmt.Errorf("audit reconcile: %w", err)
	}
	if asJSON {
		if err := writeJSON(c.stdout, rep); err != nil {
			return err
		}
	} else if err := printReconcile(c, rep, time.Since(start)); err != nil {
		return err
	}
	if !rep.OK() {
		return errReconcile{rep.Total}
	}
	return nil
}

func printReconcile(c *cli, rep *store.ReconcileReport, took time.Duration) error {
	var objects int64
	for _, t := range rep.Tables {
		objects += t.Objects
	}
	if rep.OK() {
		_, err := fmt.Fprintf(c.stdout, "reconciled %d objects in %d tables with %d audit records in %s: every object is what the log says\n",
			objects, len(rep.Tables), rep.LogSize, took.Round(time.Millisecond))
		return err
	}
	fmt.Fprintf(c.stdout, "reconciled %d objects in %d tables with %d audit records; objects that do not match the log: %d\n",
		objects, len(rep.Tables), rep.LogSize, rep.Total)
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tOBJECT\tPROBLEM\tLAST RECORD\tFIELDS")
	for _, f := range rep.Findings {
		seq, fields := "-", "-"
		if f.Seq >= 0 {
			seq = fmt.Sprint(f.Seq)
		}
		if len(f.Fields) > 0 {
			fields = strings.Join(f.Fields, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Table, safeText(f.ObjectID), f.Problem, seq, fields)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rep.Truncated {
		fmt.Fprintf(c.stdout, "(%d listed of %d; --limit lists more)\n", len(rep.Findings), rep.Total)
	}
	return nil
}

// safeText renders text read from the database for a terminal: control
// characters are shown escaped, never sent.
func safeText(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	q := fmt.Sprintf("%q", s)
	return q[1 : len(q)-1]
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }
