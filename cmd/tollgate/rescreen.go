package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/screening"
)

func newRescreenCmd(c *cli) *cobra.Command {
	var (
		db      string
		asJSON  bool
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "rescreen",
		Short: "Re-screen every stored party against the current lists and report what changed",
		Long: `rescreen screens every party in the store against the current version of each
imported list, records each result, and reports only the parties whose result
changed: new hits, hits gone, and hits whose listed entry changed. An analyst's
decision on a hit survives as long as the listed entry is unchanged; when the
entry itself changed, the hit comes back for review (status pending_review).`,
		Example: `  tollgate lists import ../shared/data/lists/csl/consolidated-2022-04.csv.gz
  tollgate rescreen
  tollgate rescreen --json --db postgres://tollgate@db.internal/tollgate`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelInfo
			}
			log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: level}))
			rep, err := screening.New(st, log, screening.DefaultConfig()).Rescreen(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, rep)
			}
			return printRescreen(c.stdout, rep)
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "log progress (index building) to stderr")
	return cmd
}

// printRescreen writes the report for a person: the lists used, then one
// block per changed party.
func printRescreen(w io.Writer, rep *screening.RescreenReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "screened %d parties against:\n", rep.Screened)
	for _, v := range rep.ListVersions {
		fmt.Fprintf(&b, "  %-10s %s  %d entities\n", v.Source, rescreenDigest(v.Digest), v.EntityCount)
	}
	if len(rep.Changed) == 0 {
		b.WriteString("no changes\n")
	} else {
		fmt.Fprintf(&b, "%d changed:\n", len(rep.Changed))
	}
	for _, ch := range rep.Changed {
		d := ch.Diff
		fmt.Fprintf(&b, "%s  %s  %s -> %s\n", ch.PartyID, ch.LegalName, d.StatusBefore, d.StatusAfter)
		for _, h := range d.New {
			fmt.Fprintf(&b, "  + new      %s\n", rescreenHitLine(h))
		}
		for _, h := range d.Changed {
			fmt.Fprintf(&b, "  ~ changed  %s (listed entry changed: back for review)\n", rescreenHitLine(h.After))
		}
		for _, h := range d.Gone {
			fmt.Fprintf(&b, "  - gone     %s\n", rescreenHitLine(h))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// rescreenHitLine renders a hit on one line.
func rescreenHitLine(h tollgate.Hit) string {
	s := fmt.Sprintf("%s %s %q score %.2f", h.List, h.SourceID, h.Name, h.Score)
	if h.MatchedName != "" && h.MatchedName != h.Name {
		s += fmt.Sprintf(" (as %q)", h.MatchedName)
	}
	return s
}

// rescreenDigest abbreviates a hex digest for display.
func rescreenDigest(d string) string {
	if len(d) > 12 {
		return d[:12]
	}
	return d
}
