package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/store"
)

var engagementFlags = map[string]string{"exporter_org_id": "--exporter", "engaged_org_id": "--engaged", "kind": "--kind",
	"starts_on": "--starts-on", "ends_on": "--ends-on", "application_ids": "--application", "lots": "--lot"}

// withEngagements runs fn with the store at dsn and a context carrying the
// local principal, who is named as the creator of what fn changes.
func (c *cli) withEngagements(ctx context.Context, dsn string, fn func(ctx context.Context, st *store.DB) error) error {
	st, err := c.openStore(dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(tollgate.WithPrincipal(ctx, c.localPrincipal()), st)
}

func newEngagementsCmd(c *cli) *cobra.Command {
	var (
		db, kind, on string
		f            tollgate.EngagementFilter
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:   "engagements",
		Short: "Engage brokers for an exporter's imports and labs for its tests; list and end engagements",
		Long: `engagements lists who may write about an exporter's units. An exporter
engages a broker for its imports (entries, exemptions, duty payments) or a US
lab for its tests (signed lab reports), from a start date to an optional end
date, optionally limited to applications or lots. A broker or lab writes for
an exporter only under an engagement in force on the write's date; otherwise
the write is refused as if the exporter did not exist.`,
		Example: `  tollgate engagements --exporter ORG
  tollgate engagements add --exporter ORG --engaged BROKER --kind imports --starts-on 2026-01-01
  tollgate engagements add --exporter ORG --engaged LAB --kind tests --starts-on 2026-01-01 --lot TW-H200-2601-A
  tollgate engagements end ENGAGEMENT --on 2026-06-30`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.Kind = tollgate.EngagementKind(kind)
			var err error
			if f.InForceOn, err = parseDay("--in-force-on", on); err != nil {
				return err
			}
			return c.withEngagements(cmd.Context(), db, func(ctx context.Context, st *store.DB) error {
				var all []*tollgate.Engagement
				f.Limit = tollgate.MaxPageLimit
				for {
					page, next, err := st.FindEngagements(ctx, f)
					if err != nil {
						return shipFlagError(err, engagementFlags)
					}
					all = append(all, page...)
					if f.Cursor = next; next == "" {
						break
					}
				}
				if asJSON {
					return writeJSON(c.stdout, nonNilSlice(all))
				}
				tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tEXPORTER\tENGAGED\tKIND\tFROM\tTO\tLIMITED TO")
				for _, e := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.ExporterOrgID, e.EngagedOrgID, e.Kind,
						e.StartsOn.Format(time.DateOnly), dayOrDash(e.EndsOn), engagementLimits(e))
				}
				return tw.Flush()
			})
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&f.ExporterOrgID, "exporter", "", "only engagements of this exporter")
	fl.StringVar(&f.EngagedOrgID, "engaged", "", "only engagements of this broker or lab")
	fl.StringVar(&kind, "kind", "", "only engagements of this kind: imports or tests")
	fl.StringVar(&on, "in-force-on", "", "only engagements in force on this date YYYY-MM-DD")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newEngagementsAddCmd(c), newEngagementsShowCmd(c), newEngagementsEndCmd(c))
	return cmd
}

func newEngagementsAddCmd(c *cli) *cobra.Command {
	var (
		db, kind, starts, ends string
		e                      tollgate.Engagement
		asJSON                 bool
	)
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Engage a broker for an exporter's imports or a US lab for its tests",
		Example: `  tollgate engagements add --exporter ORG --engaged BROKER --kind imports --starts-on 2026-01-01
  tollgate engagements add --exporter ORG --engaged LAB --kind tests --starts-on 2026-01-01 --ends-on 2026-12-31 --application APP`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			e.Kind = tollgate.EngagementKind(kind)
			var err error
			if e.StartsOn, err = parseDay("--starts-on", starts); err != nil {
				return err
			}
			if e.EndsOn, err = parseDay("--ends-on", ends); err != nil {
				return err
			}
			if err := e.Validate(); err != nil {
				return shipFlagError(err, engagementFlags)
			}
			return c.withEngagements(cmd.Context(), db, func(ctx context.Context, st *store.DB) error {
				if err := st.CreateEngagement(ctx, &e); err != nil {
					return shipFlagError(err, engagementFlags)
				}
				return c.printEngagement(&e, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&e.ExporterOrgID, "exporter", "", "the exporter that engages (required)")
	fl.StringVar(&e.EngagedOrgID, "engaged", "", "the broker (imports) or US lab (tests) it engages (required)")
	fl.StringVar(&kind, "kind", "", "imports or tests (required)")
	fl.StringVar(&starts, "starts-on", "", "first day in force, YYYY-MM-DD (required)")
	fl.StringVar(&ends, "ends-on", "", "last day in force, YYYY-MM-DD (default: until ended)")
	fl.StringArrayVar(&e.ApplicationIDs, "application", nil, "limit a tests engagement to this application (repeatable)")
	fl.StringArrayVar(&e.Lots, "lot", nil, "limit the engagement to this lot (repeatable)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newEngagementsShowCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "show ENGAGEMENT",
		Short:   "Show an engagement",
		Example: `  tollgate engagements show 01a2... --json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withEngagements(cmd.Context(), db, func(ctx context.Context, st *store.DB) error {
				e, err := st.FindEngagementByID(ctx, args[0])
				if err != nil {
					return err
				}
				return c.printEngagement(e, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newEngagementsEndCmd(c *cli) *cobra.Command {
	var (
		db, on string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "end ENGAGEMENT",
		Short:   "End an engagement: its last day in force (writes dated after it are refused)",
		Example: `  tollgate engagements end 01a2... --on 2026-06-30`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if on == "" {
				return usageErrorf("--on: required: the engagement's last day in force, YYYY-MM-DD")
			}
			day, err := parseDay("--on", on)
			if err != nil {
				return err
			}
			return c.withEngagements(cmd.Context(), db, func(ctx context.Context, st *store.DB) error {
				e, err := st.EndEngagement(ctx, args[0], day)
				if err != nil {
					return shipFlagError(err, map[string]string{"ends_on": "--on"})
				}
				return c.printEngagement(e, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&on, "on", "", "the engagement's last day in force, YYYY-MM-DD (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (c *cli) printEngagement(e *tollgate.Engagement, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, e)
	}
	_, err := fmt.Fprintf(c.stdout, "engagement %s: %s engages %s for %s from %s to %s; limited to %s\n", e.ID, e.ExporterOrgID,
		e.EngagedOrgID, e.Kind, e.StartsOn.Format(time.DateOnly), dayOrDash(e.EndsOn), engagementLimits(e))
	return err
}

// dayOrDash writes a date, or "-" for none.
func dayOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.DateOnly)
}

// engagementLimits describes the applications and lots an engagement is
// limited to.
func engagementLimits(e *tollgate.Engagement) string {
	var parts []string
	if len(e.ApplicationIDs) > 0 {
		parts = append(parts, "applications "+strings.Join(e.ApplicationIDs, ","))
	}
	if len(e.Lots) > 0 {
		parts = append(parts, "lots "+strings.Join(e.Lots, ","))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}
