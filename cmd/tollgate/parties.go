package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/screening"
)

func newPartiesCmd(c *cli) *cobra.Command {
	var (
		db     string
		f      tollgate.PartyFilter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "parties",
		Short: "List, add, show, screen and decide the parties exporters deal with",
		Long: `parties lists the stored parties (purchasers, consignees, end users) with their
screening status. Its subcommands add a party, show one with its latest
screening, screen one against the current lists, and record an analyst's
decision on a hit.`,
		Example: `  tollgate parties --status pending_review
  tollgate parties add --org-id ORG --role end_user --legal-name "Acme Cloud Ltd." --country SG
  tollgate parties screen PARTY
  tollgate parties decide PARTY --list EL --source-id 1234 --kind false_positive --reason "different address"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.Status != "" && !f.Status.Valid() {
				return usageErrorf("--status: want unscreened, clear, pending_review or blocked, not %q", f.Status)
			}
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := resolveRefs(cmd.Context(), st, []ref{orgRef("--org-id", &f.OrgID, "")}); err != nil {
				return err
			}
			var all []*tollgate.Party
			for {
				f.Limit = tollgate.MaxPageLimit
				ps, next, err := st.FindParties(cmd.Context(), f)
				if err != nil {
					return err
				}
				all = append(all, ps...)
				if f.Cursor = next; next == "" {
					break
				}
			}
			if asJSON {
				return writeJSON(c.stdout, all)
			}
			tw := newTable(c.stdout, 0, 4, 2)
			fmt.Fprintln(tw, "ID\tSTATUS\tROLE\tCOUNTRY\tLEGAL NAME")
			for _, p := range all {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Status, p.Role, p.Country, p.LegalName)
			}
			return tw.Flush()
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&f.OrgID, "org-id", "", "only parties of this organization")
	cmd.Flags().StringVar((*string)(&f.Status), "status", "", "only parties with this status: unscreened, clear, pending_review, blocked")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newPartiesAddCmd(c), newPartiesShowCmd(c), newPartiesScreenCmd(c), newPartiesDecideCmd(c))
	return cmd
}

func newPartiesAddCmd(c *cli) *cobra.Command {
	var (
		db          string
		p           tollgate.Party
		role, typ   string
		identifiers []string
		asJSON      bool
	)
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a party (it starts unscreened)",
		Example: `  tollgate parties add --org-id ORG --role ultimate_consignee --type organization \
    --legal-name "Beijing Example Cloud Co., Ltd." --other-name 北京示例云有限公司 --country CN \
    --identifier uscc=91110000000000000X`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Role = tollgate.PartyRole(role)
			var err error
			if p.Type, err = parseEntityType("--type", typ); err != nil {
				return err
			}
			if err := parseCountries(map[string]*string{"--country": &p.Country, "--headquarters-country": &p.HeadquartersCountry}); err != nil {
				return err
			}
			for _, id := range identifiers {
				t, v, ok := strings.Cut(id, "=")
				if !ok {
					return usageErrorf("--identifier: want TYPE=VALUE, not %q", id)
				}
				p.Identifiers = append(p.Identifiers, tollgate.Identifier{Type: t, Value: v})
			}
			if err := p.Validate(); err != nil {
				return flagErrorOf(err)
			}
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := resolveRefs(cmd.Context(), st, []ref{orgRef("--org-id", &p.OrgID, "")}); err != nil {
				return err
			}
			if err := st.CreateParty(cmd.Context(), &p); err != nil {
				return flagErrorOf(err)
			}
			if asJSON {
				return writeJSON(c.stdout, p)
			}
			_, err = fmt.Fprintf(termSafe{c.stdout}, "%s\t%s (%s, %s): %s\n", p.ID, p.LegalName, p.Role, p.Country, p.Status)
			return err
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&p.OrgID, "org-id", "", "the exporter organization that owns the party (required)")
	fl.StringVar(&role, "role", "", "purchaser, intermediate_consignee, ultimate_consignee or end_user (required)")
	fl.StringVar(&typ, "type", "", "person or organization (default: unknown, screened as either)")
	fl.StringVar(&p.LegalName, "legal-name", "", "legal name (required)")
	fl.StringArrayVar(&p.OtherNames, "other-name", nil, "a name in another script, or a former or trading name (repeatable)")
	fl.StringVar(&p.Country, "country", "", "ISO 3166-1 alpha-2 code of the party's location (required)")
	fl.StringVar(&p.HeadquartersCountry, "headquarters-country", "", "ISO code of the country of headquarters")
	fl.StringVar(&p.UltimateParent, "ultimate-parent", "", "the ultimate parent's legal name (screened too)")
	fl.StringArrayVar(&identifiers, "identifier", nil, "TYPE=VALUE, e.g. lei=5493001KJTIIGC8Y1R12 (repeatable)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newPartiesShowCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "show PARTY",
		Short:   "Show a party and its latest screening with the decisions in force",
		Example: `  tollgate parties show 01a2...`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := st.FindPartyByID(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			sc, err := st.LatestScreening(cmd.Context(), p.ID)
			if err != nil && tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, struct {
					Party     *tollgate.Party     `json:"party"`
					Screening *tollgate.Screening `json:"latest_screening"`
				}{p, sc})
			}
			return printParty(c.stdout, p, sc)
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printParty writes a party and its latest screening (nil when never
// screened) for a person.
func printParty(w io.Writer, p *tollgate.Party, sc *tollgate.Screening) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n  role %s, country %s, status %s\n", p.ID, p.LegalName, p.Role, p.Country, p.Status)
	if len(p.OtherNames) > 0 {
		fmt.Fprintf(&b, "  other names: %s\n", strings.Join(p.OtherNames, "; "))
	}
	if sc == nil {
		b.WriteString("  never screened\n")
	} else {
		fmt.Fprintf(&b, "  screened %s against %d list versions (threshold %.2f): %d hits\n",
			sc.ScreenedAt.Format(time.RFC3339), len(sc.ListVersionIDs), sc.Threshold, len(sc.Hits))
		for _, h := range sc.Hits {
			fmt.Fprintf(&b, "    %s\n", rescreenHitLine(h))
			if d := h.Decision; d != nil {
				fmt.Fprintf(&b, "      decided %s by %s on %s", d.Kind, d.DecidedBy, d.DecidedAt.Format(time.DateOnly))
				if d.Reason != "" {
					fmt.Fprintf(&b, ": %s", d.Reason)
				}
				b.WriteString("\n")
			} else {
				b.WriteString("      undecided\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func newPartiesScreenCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "screen PARTY",
		Short:   "Screen a stored party against the current lists and record the result",
		Example: `  tollgate parties screen 01a2... --json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			diff, err := screening.New(st, log, screening.DefaultConfig()).ScreenParty(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, diff)
			}
			p, err := st.FindPartyByID(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			sc, err := st.FindScreeningByID(cmd.Context(), diff.Screening.ID) // with decisions in force
			if err != nil {
				return err
			}
			return printParty(c.stdout, p, sc)
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the screening and what changed as JSON")
	return cmd
}

func newPartiesDecideCmd(c *cli) *cobra.Command {
	var (
		db, list, sourceID, kind string
		d                        tollgate.HitDecision
		asJSON                   bool
	)
	cmd := &cobra.Command{
		Use:   "decide PARTY",
		Short: "Decide a hit of the party's latest screening: false_positive (with a reason) or true_match",
		Long: `decide records an analyst's decision on one hit of the party's latest screening,
named by its list code and source id as "parties show" prints them. The
decision holds for that listed entry: if the entry changes in a later list
version, the hit comes back for review. A true match blocks the party.

` + actingAsRule,
		Example: `  tollgate parties decide 01a2... --list EL --source-id 1234 --kind false_positive --reason "different company"
  tollgate parties decide 01a2... --list SDN --source-id 36 --kind true_match --by "j.doe"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d.PartyID, d.List, d.SourceID, d.Kind = args[0], list, sourceID, tollgate.HitDecisionKind(kind)
			c.by = d.DecidedBy
			d.DecidedBy = c.actingAs()
			switch {
			case list == "":
				return usageErrorf("--list: required (the hit's list code, e.g. EL)")
			case sourceID == "":
				return usageErrorf("--source-id: required (the hit's source id)")
			case d.DecidedBy == "":
				return usageErrorf("--by: required when neither $USER nor $USERNAME names you: a decision records who made it")
			}
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			sc, err := st.LatestScreening(cmd.Context(), d.PartyID)
			if err != nil {
				return err
			}
			for _, h := range sc.Hits {
				if h.List == list && h.SourceID == sourceID {
					d.EntityDigest = h.EntityDigest
				}
			}
			if d.EntityDigest == "" {
				return tollgate.Errorf(tollgate.ENOTFOUND, "the latest screening of party %s has no hit %s %s", d.PartyID, list, sourceID)
			}
			if err := d.Validate(); err != nil {
				return flagErrorOf(err)
			}
			status, err := st.DecideHit(cmd.Context(), &d)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, struct {
					Decision *tollgate.HitDecision    `json:"decision"`
					Status   tollgate.ScreeningStatus `json:"status"`
				}{&d, status})
			}
			_, err = fmt.Fprintf(c.stdout, "%s %s %s: %s; party %s is now %s\n", d.ID, list, sourceID, d.Kind, d.PartyID, status)
			return err
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&list, "list", "", "the hit's list code, e.g. EL or SDN (required)")
	fl.StringVar(&sourceID, "source-id", "", "the hit's source id (required)")
	fl.StringVar(&kind, "kind", "", "false_positive or true_match (required)")
	fl.StringVar(&d.Reason, "reason", "", "why (required for false_positive)")
	fl.StringVar(&d.DecidedBy, "by", "", "the analyst, who the command acts as (default $USER, else $USERNAME)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
